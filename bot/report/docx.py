"""The draft report to the city (.docx) in the usual administrative layout (Nghị định
30/2020/NĐ-CP): national header, I. results, II. difficulties in the units' own words,
III. proposals left for the office, and the appendix table in a landscape section.

The office edits it before signing; nothing in it has to be retyped.
"""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from bot.report.layout import content_widths
from bot.report.rating import formula_text, rating_paragraph
from bot.report.rows import APPENDIX_HEADERS, AppendixRow, Report, appendix_rows, count_rows, unit_sentence
from bot.report.xlsx import FILLS
from bot.texts.common import vn_date
from bot.texts.report import (
    CLASS_LABELS,
    NOT_REPORTED,
    number_text,
    percent_text,
    quoted,
    reason,
    report_words,
)
from bot.texts.targets import requirement
from scheduler.rating import rate_units
from scheduler.standing import FOUR, TaskStanding, UnitStanding, figures_by_target

FONT = "Times New Roman"
BODY_PT = 13  # Nghị định 30/2020: the body in 13 or 14 pt; 13 keeps the yearly draft to a few pages
PLACEHOLDER_PROPOSALS = (
    "[{office} soạn thảo phần đề xuất, kiến nghị với cấp trên: các nội dung cần hướng dẫn, hỗ trợ; "
    "các giải pháp để hoàn thành các nhiệm vụ còn quá hạn.]"
)
# Of APPENDIX_HEADERS, what fits a landscape page; the completion dates go into "Tình trạng".
APPENDIX_COLUMNS = (0, 1, 2, 5, 6, 8, 10)
STATE_COLUMN = 6
APPENDIX_WIDTH_CM = 26.7  # A4 landscape less 1.5 cm margins
APPENDIX_MIN_CM = (1.2, 4.0, 2.6, 2.2, 3.0, 2.6, 2.6)
APPENDIX_PT = 11


def _place(ward: str) -> str:
    """ "Phường Nhị Chiểu" → "Nhị Chiểu", as the date line writes it."""
    for prefix in ("Phường ", "phường ", "Xã ", "xã ", "Thị trấn ", "Đặc khu "):
        if ward.startswith(prefix):
            return ward[len(prefix) :]
    return ward


def _lower(ward: str) -> str:
    """ "Phường Nhị Chiểu" → "phường Nhị Chiểu" inside a sentence."""
    return ward[:1].lower() + ward[1:]


def _font(doc: DocumentType) -> None:
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(BODY_PT)
    # Word picks the font per script; without east-Asian/complex names it may fall back.
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    pf = style.paragraph_format
    pf.space_after = Pt(6)
    pf.line_spacing = 1.0  # single: Nghị định 30/2020 allows single to 1.5 lines


def _para(
    container: DocumentType | _Cell,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    size: int | None = None,
    align: WD_ALIGN_PARAGRAPH | None = WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent: bool = False,
) -> Paragraph:
    p = container.add_paragraph()
    if text:
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Cm(1)
    return p


def _cell_text(cell: _Cell, lines: list[tuple[str, bool, bool]], size: int = 13) -> None:
    """Write (text, bold, italic) lines centred in a header cell."""
    cell.paragraphs[0].text = ""
    for i, (text, bold, italic) in enumerate(lines):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_after = Pt(0)
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        run.font.size = Pt(size)


def _header(doc: DocumentType, report: Report) -> None:
    ward = report.standing.ward_name
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    left.width, right.width = Cm(6.5), Cm(9.5)
    _cell_text(
        left,
        [
            ("ỦY BAN NHÂN DÂN", True, False),
            (ward.upper(), True, False),
            ("", False, False),
            ("Số:      /BC-UBND", False, False),
        ],
    )
    _cell_text(
        right,
        [
            ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True, False),
            ("Độc lập - Tự do - Hạnh phúc", True, False),
            ("", False, False),
            (f"{_place(ward)}, ngày      tháng      năm {report.produced_on.year}", False, True),
        ],
    )


def _unit(report: Report, u: UnitStanding) -> str:
    return report.unit_name(u.unit_code)


def _task_name(t: TaskStanding, limit: int = 160) -> str:
    text = t.task.content.rstrip(".")
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _results(doc: DocumentType, report: Report) -> None:
    st = report.standing
    overall, _ = count_rows(report)
    counts = st.counts()
    _para(doc, "I. KẾT QUẢ THỰC HIỆN", bold=True)
    _para(doc, "1. Kết quả chung", bold=True)
    parts = [
        f"{n} lượt {CLASS_LABELS[k].lower()} ({percent_text(s)})"
        for k, n, s in zip(FOUR, overall.counts, overall.shares(), strict=True)
    ]
    _para(
        doc,
        f"Kế hoạch có {len(report.plan.tasks)} nhiệm vụ. Tính đến ngày {vn_date(st.cutoff)}, trong tổng số "
        f"{overall.total} lượt nhiệm vụ có thời hạn (tính theo từng đơn vị chủ trì): " + "; ".join(parts) + ".",
        indent=True,
    )
    extra = []
    if counts["waiting"]:
        waiting = [t.task.label for t in sorted(st.tasks, key=lambda t: t.task.stt) if t.standing == "waiting"]
        extra.append(f"{counts['waiting']} lượt chờ điều kiện triển khai (nhiệm vụ {', '.join(waiting)})")
    if counts["not_applicable"]:
        extra.append(f"{counts['not_applicable']} lượt đơn vị báo cáo không phát sinh")
    if extra:
        _para(doc, "Ngoài ra, " + "; ".join(extra) + ".", indent=True)

    _para(doc, "2. Kết quả thực hiện từng nhiệm vụ", bold=True)
    for t in st.tasks:
        _para(doc, task_paragraph(report, t), indent=True)
    number = 3
    if report.plan.targets:
        _targets(doc, report, number)
        number += 1
    _para(doc, f"{number}. Xếp loại kết quả thực hiện của các đơn vị", bold=True)
    _para(doc, rating_paragraph(rate_units(st)), indent=True)
    _para(doc, formula_text(st.rating), italic=True, indent=True)


def task_paragraph(report: Report, t: TaskStanding) -> str:
    """One task in one paragraph: each unit's state in one clause, units in the same state
    named together; the products of work done quoted once."""
    groups: dict[str, list[str]] = {}
    for u in t.lead:
        groups.setdefault(unit_sentence(report, u), []).append(_unit(report, u))
    if len(groups) == 1 and len(t.lead) > 2:
        clauses = [f"cả {len(t.lead)} đơn vị chủ trì {next(iter(groups))}"]
    else:
        clauses = [f"{', '.join(names)} {sentence}" for sentence, names in groups.items()]
    text = f"- Nhiệm vụ {t.task.label} ({_task_name(t, 80)}): " + "; ".join(clauses) + "."
    products = []
    for u in t.lead:
        if u.standing in ("done_on_time", "done_late") and u.last is not None and report_words(u.last):
            who = f"{_unit(report, u)}: " if len(t.lead) > 1 else ""
            products.append(who + quoted(report_words(u.last), 160))
    if products:
        text += f" Kết quả/sản phẩm đã báo cáo: {'; '.join(dict.fromkeys(products))}."
    return text


def _targets(doc: DocumentType, report: Report, number: int) -> None:
    """The quantitative targets: each unit's computed figure and verdict, or that nobody
    reported (an absent figure is not a zero)."""
    _para(doc, f"{number}. Kết quả thực hiện các chỉ tiêu", bold=True)
    reported = figures_by_target(report.figures)
    silent = [t for t in report.plan.targets if not reported.get(t.code)]
    if silent:
        # One sentence for all targets nobody reported, not a paragraph each.
        names = "; ".join(f"{t.name} (yêu cầu {requirement(t)})" for t in silent)
        _para(doc, f"- Chưa có đơn vị báo cáo số liệu: {names}.", indent=True)
    for target in report.plan.targets:
        if target in silent:
            continue
        line = f"- {target.name} (yêu cầu {requirement(target)}): "
        parts = []
        for f in reported.get(target.code, []):
            value = "chưa đủ số liệu" if f.value is None else f"{number_text(f.value)}{target.unit}"
            verdict = "" if f.met is None else (", đạt" if f.met else ", chưa đạt")
            note = f"; {f.note}" if f.note else ""
            parts.append(f"{report.unit_name(f.unit_code)}: {value}{verdict}{note}")
        _para(doc, line + "; ".join(parts) + ".", indent=True)


def _difficulties(doc: DocumentType, report: Report) -> None:
    st = report.standing
    zone = report.calendar.zone
    _para(doc, "II. TỒN TẠI, HẠN CHẾ, KHÓ KHĂN, VƯỚNG MẮC", bold=True)
    _para(doc, "1. Khó khăn, vướng mắc các đơn vị đã báo cáo", bold=True)
    blocked = [(t, [u for u in t.lead if u.blocked is not None]) for t in st.tasks]
    blocked = [(t, units) for t, units in blocked if units]
    if not blocked:
        _para(doc, "Trong kỳ, các đơn vị chủ trì không báo cáo khó khăn, vướng mắc.", indent=True)
    for t, units in blocked:
        said = []
        for u in units:
            assert u.blocked is not None
            when = vn_date(u.blocked.at.astimezone(zone).date())
            said.append(f"{_unit(report, u)} báo cáo ngày {when}: {quoted(reason(u.blocked))}")
        _para(doc, f"- Nhiệm vụ {t.task.label}: {'; '.join(said)}.", indent=True)
    overdue = st.counts()["overdue"]
    _para(doc, "2. Tồn tại, hạn chế", bold=True)
    overall, _ = count_rows(report)
    _para(
        doc,
        f"Còn {overdue} lượt nhiệm vụ quá hạn chưa hoàn thành ({percent_text(overall.shares()[3])})."
        if overdue
        else "Không có nhiệm vụ quá hạn chưa hoàn thành.",
        indent=True,
    )
    silent = st.not_reported()
    if silent:
        names = ", ".join(u.name for u in silent)
        _para(doc, f"Các {NOT_REPORTED} trong kỳ: {names}.", indent=True)


def _closing(doc: DocumentType, report: Report) -> None:
    _para(
        doc,
        f"Trên đây là báo cáo kết quả thực hiện Kế hoạch số {report.standing.plan_code} của Ủy ban nhân dân "
        f"{_lower(report.standing.ward_name)}./.",
        indent=True,
    )
    table = doc.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.paragraphs[0].text = ""
    p = left.paragraphs[0]
    run = p.add_run("Nơi nhận:")
    run.bold, run.italic = True, True
    run.font.size = Pt(12)
    for line in ("- UBND thành phố (báo cáo);", f"- Lưu: VT, {report.plan.coordinating_unit}."):
        q = left.add_paragraph()
        q.paragraph_format.space_after = Pt(0)
        q.add_run(line).font.size = Pt(11)
    _cell_text(right, [("TM. ỦY BAN NHÂN DÂN", True, False), ("CHỦ TỊCH", True, False)], size=14)


def _shade(cell: _Cell, color: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), color)
    cell._tc.get_or_add_tcPr().append(shd)


def appendix_widths_cm(rows: list[AppendixRow]) -> tuple[float, ...]:
    """The appendix's columns shared by how much text each holds, "Nội dung" widest."""
    body = [r for r in rows if not r.is_section]
    columns = [[APPENDIX_HEADERS[col], *(_text(r, col) for r in body)] for col in APPENDIX_COLUMNS]
    return content_widths(columns, APPENDIX_WIDTH_CM, minimum=APPENDIX_MIN_CM, widest=1, per_line=cm_chars, step=0.1)


def _text(row: AppendixRow, col: int) -> str:
    return row.dated_state or row.cells[col] if col == STATE_COLUMN else row.cells[col]


def cm_chars(width_cm: float) -> int:
    """Characters of APPENDIX_PT Times New Roman a table cell `width_cm` wide holds a line
    (~0.15 cm a character of Vietnamese text at 11 pt, measured on LibreOffice prints with
    a margin for Word, less the cell's 0.38 cm of margins)."""
    return max(1, int((width_cm - 0.38) / (0.15 * APPENDIX_PT / 11)))


def _fixed_widths(table: Table, widths_cm: tuple[float, ...]) -> None:
    """Column widths both Word and LibreOffice keep: a fixed layout, the table's width, the
    grid's columns and every cell's width (Word reads the cells, LibreOffice the grid)."""
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    width = tbl_pr.find(qn("w:tblW"))
    if width is None:
        width = OxmlElement("w:tblW")
        tbl_pr.append(width)
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(sum(int(Cm(w).twips) for w in widths_cm)))
    for col, w in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_cm, strict=True):
        col.set(qn("w:w"), str(int(Cm(w).twips)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths_cm, strict=False):
            cell.width = Cm(w)


def _appendix(doc: DocumentType, report: Report) -> Table:
    section = doc.add_section()
    # The break is a paragraph ending the portrait section: kept one point high, so that a
    # signature block ending a page does not push it onto a blank page of its own.
    brk = doc.paragraphs[-1].paragraph_format
    brk.space_before = brk.space_after = Pt(0)
    brk.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    brk.line_spacing = Pt(1)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(1.5)
    section.top_margin = section.bottom_margin = Cm(1.5)
    _para(doc, "PHỤ LỤC", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "KẾT QUẢ THỰC HIỆN NHIỆM VỤ", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for line in report.title_lines()[2:3]:
        _para(doc, f"({line})", italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    rows = appendix_rows(report)
    widths = appendix_widths_cm(rows)
    table = doc.add_table(rows=1 + len(rows), cols=len(APPENDIX_COLUMNS))
    table.style = "Table Grid"
    for j, col in enumerate(APPENDIX_COLUMNS):
        _cell_text(table.rows[0].cells[j], [(APPENDIX_HEADERS[col], True, False)], size=APPENDIX_PT)
    for i, row in enumerate(rows, start=1):
        cells = table.rows[i].cells
        if row.is_section:
            # A section heading: its label, then its title across the rest of the row.
            _cell_text(cells[0], [(row.cells[0], True, False)], size=APPENDIX_PT)
            title = cells[1].merge(cells[len(APPENDIX_COLUMNS) - 1])
            title.paragraphs[0].text = ""
            run = title.paragraphs[0].add_run(row.cells[1])
            run.bold = True
            run.font.size = Pt(APPENDIX_PT)
            continue
        for j, col in enumerate(APPENDIX_COLUMNS):
            cell = cells[j]
            cell.paragraphs[0].text = ""
            for k, line in enumerate(_text(row, col).split("\n")):
                p = cell.paragraphs[0] if k == 0 else cell.add_paragraph()
                p.paragraph_format.space_after = Pt(0)
                p.paragraph_format.line_spacing = 1.0
                if col == 0:
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                p.add_run(line).font.size = Pt(APPENDIX_PT)
            if col == STATE_COLUMN and row.standing is not None:
                _shade(cell, FILLS[row.standing])
    _fixed_widths(table, widths)
    # The header row repeats on every page of the appendix.
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)
    return table


def document(report: Report) -> DocumentType:
    doc = Document()
    _font(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3.0), Cm(2.0)
    section.top_margin = section.bottom_margin = Cm(2.0)
    _header(doc, report)
    st = report.standing
    _para(doc, "")
    _para(doc, "BÁO CÁO", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(
        doc,
        f"Kết quả thực hiện Kế hoạch số {st.plan_code} ngày {vn_date(report.plan.issued)}",
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    _para(doc, f"({report.title_lines()[2]})", italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(
        doc,
        f"Thực hiện Kế hoạch số {st.plan_code} ngày {vn_date(report.plan.issued)} của Ủy ban nhân dân "
        f"{_lower(st.ward_name)}, Ủy ban nhân dân {_lower(st.ward_name)} báo cáo kết quả thực hiện như sau:",
        indent=True,
    )
    _results(doc, report)
    _difficulties(doc, report)
    _para(doc, "III. ĐỀ XUẤT, KIẾN NGHỊ", bold=True)
    office = report.unit_name(report.plan.coordinating_unit)
    _para(doc, PLACEHOLDER_PROPOSALS.format(office=office), italic=True, indent=True)
    _closing(doc, report)
    _appendix(doc, report)
    return doc


def export_docx(report: Report) -> bytes:
    out = BytesIO()
    document(report).save(out)
    return out.getvalue()
