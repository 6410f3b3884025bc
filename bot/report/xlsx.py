"""The city's report table as an Excel workbook: Phụ lục, Tổng hợp, Chỉ tiêu.

Printed by the office as it is (Nghị định 30/2020/NĐ-CP: Times New Roman, A4): landscape,
fitted to the page width, columns as wide as their text asks ("Nội dung" widest), every row
as tall as its wrapped text (bot/report/layout.py: LibreOffice does not fit rows itself), the
header row repeated on every page, page numbers in the footer, panes frozen below the header.
Shares are real numbers with one decimal (Excel shows the decimal comma of a Vietnamese
locale), never text.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.report.layout import content_widths, row_points
from bot.report.rating import formula_text, item_text
from bot.report.rows import APPENDIX_HEADERS, AppendixRow, Report, appendix_rows, count_rows
from bot.texts.common import vn_date
from bot.texts.report import CLASS_LABELS, NOT_REPORTED, grade_text, number_text
from scheduler.rating import rate_units
from scheduler.standing import FOUR, OUTSIDE, Standing, figures_by_target, target_met

FONT = "Times New Roman"
FILLS: dict[Standing, str] = {
    "done_on_time": "C6EFCE",  # green
    "done_late": "FCD5B4",  # orange
    "in_term": "BDD7EE",  # blue
    "overdue": "FFC7CE",  # red
    "waiting": "D9D9D9",  # grey
    "not_applicable": "D9D9D9",
    "before_tracking": "D9D9D9",
}
APPENDIX_TOTAL_WIDTH = 190.0  # units over the 11 columns: ~80% scale on A4 landscape
APPENDIX_CONTENT = 1  # "Nội dung công việc", the widest column
DEFAULT_WIDTH = 8.43  # a column left at the spreadsheet's default width
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_HEAD_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")


def fill(standing: Standing) -> PatternFill:
    return PatternFill("solid", start_color=FILLS[standing], end_color=FILLS[standing])


def _title(ws: Worksheet, report: Report, sheet_title: str, columns: int) -> int:
    """Title block; returns the row the table header goes on."""
    lines = [sheet_title, *report.title_lines()]
    for i, text in enumerate(lines, start=1):
        ws.cell(row=i, column=1, value=text).font = Font(name=FONT, size=13 if i == 1 else 11, bold=i <= 2)
        ws.cell(row=i, column=1).alignment = Alignment(wrap_text=True, vertical="center")
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=columns)
    return len(lines) + 2


def _header(ws: Worksheet, row: int, headers: tuple[str, ...] | list[str]) -> None:
    for col, text in enumerate(headers, start=1):
        c = ws.cell(row=row, column=col, value=text)
        c.font = Font(name=FONT, size=11, bold=True)
        c.alignment = _HEAD_ALIGN
        c.border = _BORDER
        c.fill = PatternFill("solid", start_color="F2F2F2", end_color="F2F2F2")


def _cell(ws: Worksheet, row: int, col: int, value: object, *, bold: bool = False) -> None:
    c = ws.cell(row=row, column=col, value=value)
    c.font = Font(name=FONT, size=11, bold=bold)
    c.alignment = _WRAP
    c.border = _BORDER


def _print_setup(ws: Worksheet, header_row: int, widths: Sequence[float]) -> None:
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    fit_rows(ws)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_area = f"A1:{get_column_letter(len(widths))}{ws.max_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.footer = 0.3
    ws.print_options.horizontalCentered = True
    for footer in (ws.oddFooter, ws.evenFooter):
        footer.center.text = "Trang &P/&N"
        footer.center.font = FONT
        footer.center.size = 10


def fit_rows(ws: Worksheet) -> None:
    """Every row as tall as its tallest wrapped cell (a merged cell spans its columns)."""
    width = {i: ws.column_dimensions[get_column_letter(i)].width or DEFAULT_WIDTH for i in range(1, ws.max_column + 1)}
    spans: dict[tuple[int, int], float] = {}
    hidden: set[tuple[int, int]] = set()
    for rng in ws.merged_cells.ranges:
        spans[(rng.min_row, rng.min_col)] = sum(width[c] for c in range(rng.min_col, rng.max_col + 1))
        hidden |= {(r, c) for r, c in rng.cells} - {(rng.min_row, rng.min_col)}
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row):
        cells = [
            (c.value, spans.get((c.row, c.column), width[c.column]), c.font.sz or 11)
            for c in row
            if c.value not in (None, "") and (c.row, c.column) not in hidden
        ]
        if cells:
            ws.row_dimensions[row[0].row].height = max(row_points([(v, w)], pt) for v, w, pt in cells)


def appendix_widths(report: Report, rows: Sequence[AppendixRow]) -> tuple[float, ...]:
    """The appendix's columns shared by the length of their text, "Nội dung" widest."""
    columns = [[row.cells[i] for row in rows if not row.is_section] or [""] for i in range(len(APPENDIX_HEADERS))]
    minimum = [max(5.0, max(len(w) for w in h.split()) + 3.0) for h in APPENDIX_HEADERS]
    return content_widths(columns, APPENDIX_TOTAL_WIDTH, minimum=minimum, widest=APPENDIX_CONTENT)


def _appendix(ws: Worksheet, report: Report) -> None:
    header = _title(ws, report, "PHỤ LỤC: KẾT QUẢ THỰC HIỆN NHIỆM VỤ", len(APPENDIX_HEADERS))
    _header(ws, header, APPENDIX_HEADERS)
    rows = appendix_rows(report)
    for i, row in enumerate(rows, start=header + 1):
        for col, value in enumerate(row.cells, start=1):
            _cell(ws, i, col, int(value) if col == 1 and value.isdigit() else value, bold=row.is_section)
        if row.standing is None:
            # A section heading spans the row after its label, as in the plan's appendix.
            ws.merge_cells(start_row=i, start_column=2, end_row=i, end_column=len(APPENDIX_HEADERS))
        else:
            ws.cell(row=i, column=7).fill = fill(row.standing)
        ws.cell(row=i, column=1).alignment = Alignment(vertical="top", horizontal="center")
    _legend(ws, ws.max_row + 2)
    _print_setup(ws, header, appendix_widths(report, rows))


def _legend(ws: Worksheet, row: int) -> None:
    ws.cell(row=row, column=2, value="Chú thích màu:").font = Font(name=FONT, size=11, italic=True)
    shown: tuple[Standing, ...] = ("done_on_time", "done_late", "in_term", "overdue", "waiting")
    for i, cls in enumerate(shown, start=1):
        c = ws.cell(row=row + i, column=2, value=CLASS_LABELS[cls])
        c.font = Font(name=FONT, size=11)
        c.fill = fill(cls)


def _summary(ws: Worksheet, report: Report) -> None:
    st = report.standing
    overall, by_unit = count_rows(report)
    columns = 2 + 2 * len(FOUR) + 1
    row = _title(ws, report, "TỔNG HỢP KẾT QUẢ THỰC HIỆN", columns)
    note = "Đơn vị tính: lượt nhiệm vụ – đơn vị chủ trì; tỷ lệ (%) trên tổng số lượt có thời hạn."
    ws.cell(row=row - 1, column=1, value=note).font = Font(name=FONT, size=11, italic=True)
    headers = ["STT", "Đơn vị chủ trì"]
    for cls in FOUR:
        headers += [CLASS_LABELS[cls], "Tỷ lệ (%)"]
    headers.append("Tổng số")
    _header(ws, row, headers)
    header_row = row
    for i, r in enumerate([overall, *by_unit]):
        row += 1
        _cell(ws, row, 1, i if i else "", bold=not i)
        _cell(ws, row, 2, r.label, bold=not i)
        for j, (n, s) in enumerate(zip(r.counts, r.shares(), strict=True)):
            _cell(ws, row, 3 + 2 * j, n, bold=not i)
            _cell(ws, row, 4 + 2 * j, s, bold=not i)
            ws.cell(row=row, column=4 + 2 * j).number_format = "0.0"
            ws.cell(row=row, column=3 + 2 * j).fill = fill(FOUR[j])
        _cell(ws, row, columns, r.total, bold=not i)

    counts = st.counts()
    row += 2
    outside = [f"{counts[k]} lượt {CLASS_LABELS[k].lower()}" for k in OUTSIDE if counts[k]]
    if outside:
        text = f"Ngoài ra (không tính tỷ lệ): {'; '.join(outside)}."
        ws.cell(row=row, column=1, value=text).font = Font(name=FONT, size=11)

    row += 2
    silent = st.not_reported()
    heading = f"Danh sách {NOT_REPORTED} trong kỳ ({len(silent)} đơn vị)"
    ws.cell(row=row, column=1, value=heading).font = Font(name=FONT, size=11, bold=True)
    if not silent:
        row += 1
        ws.cell(row=row, column=2, value="Tất cả đơn vị chủ trì đã báo cáo trong kỳ.").font = Font(name=FONT, size=11)
    for i, u in enumerate(silent, start=1):
        row += 1
        last = (
            f"lần báo cáo gần nhất {vn_date(report.calendar.local_date(u.last_report_at))}"
            if u.last_report_at
            else ("chưa báo cáo lần nào")
        )
        _cell(ws, row, 1, i)
        _cell(ws, row, 2, u.name)
        _cell(ws, row, 3, last)
        ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=6)
    _print_setup(ws, header_row, (5, 34, *([13, 9] * len(FOUR)), 9))


TARGET_HEADERS = (
    "STT",
    "Chỉ tiêu",
    "Yêu cầu",
    "Nhiệm vụ liên quan",
    "Đơn vị báo cáo",
    "Kỳ số liệu",
    "Số liệu báo cáo",
    "Đánh giá",
    "Ngày báo cáo",
    "Ghi chú",
)


def _targets(ws: Worksheet, report: Report) -> None:
    row = _title(ws, report, "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU", len(TARGET_HEADERS))
    _header(ws, row, TARGET_HEADERS)
    header_row = row
    figures = figures_by_target(report.figures)
    comparators = {">=": "≥", "<=": "≤", "=": "="}
    for i, target in enumerate(report.plan.targets, start=1):
        wanted = f"{comparators[target.comparator]} {number_text(target.value)}{target.unit}"
        tasks = ", ".join(task.name if (task := report.plan.task(s)) else str(s) for s in target.tasks)
        reported = figures.get(target.code, [])
        # A target nobody reported stays empty: an absent figure is not a zero.
        for j, f in enumerate(reported or [None]):
            row += 1
            _cell(ws, row, 1, i if j == 0 else "")
            _cell(ws, row, 2, target.name if j == 0 else "")
            _cell(ws, row, 3, wanted if j == 0 else "")
            _cell(ws, row, 4, tasks if j == 0 else "")
            if f is None:
                for col in range(5, 10):
                    _cell(ws, row, col, None)
                _cell(ws, row, 10, "Chưa có đơn vị báo cáo số liệu")
                continue
            _cell(ws, row, 5, report.unit_name(f.unit_code))
            _cell(ws, row, 6, f.period)
            _cell(ws, row, 7, f.value)
            met = f.met if f.met is not None or f.value is None else target_met(target, f.value)
            _cell(ws, row, 8, "Chưa đủ số liệu" if met is None else "Đạt" if met else "Chưa đạt")
            _cell(ws, row, 9, vn_date(report.calendar.local_date(f.reported_at)) if f.reported_at else None)
            _cell(ws, row, 10, f.note)
    _print_setup(ws, header_row, (5, 34, 12, 11, 24, 14, 12, 11, 12, 26))


RATING_HEADERS = ("STT", "Đơn vị", "Số nhiệm vụ được chấm", "Điểm", "Xếp loại", "Cách tính (nhiệm vụ: điểm)")


def _rating(ws: Worksheet, report: Report) -> None:
    """Each unit's score and grade in the window, with its working (scheduler/rating.py)."""
    row = _title(ws, report, "XẾP LOẠI KẾT QUẢ THỰC HIỆN NHIỆM VỤ CỦA CÁC ĐƠN VỊ", len(RATING_HEADERS))
    ws.cell(row=row - 1, column=1, value=formula_text(report.standing.rating)).font = Font(name=FONT, italic=True)
    ws.merge_cells(start_row=row - 1, start_column=1, end_row=row - 1, end_column=len(RATING_HEADERS))
    ws.cell(row=row - 1, column=1).alignment = _WRAP
    _header(ws, row, RATING_HEADERS)
    header_row = row
    for i, r in enumerate(rate_units(report.standing), start=1):
        row += 1
        lead = sum(1 for item in r.items if item.role == "lead")
        counted = f"{len(r.items)} (chủ trì {lead}, phối hợp {len(r.items) - lead})"
        working = "\n".join(item_text(item) for item in r.items)
        if r.items:
            weighted, total = r.weighted()
            working += f"\nĐiểm = 100 × {number_text(round(weighted, 2))} / {number_text(round(total, 2))}"
        for col, value in enumerate(
            (i, r.name, counted, r.score, grade_text(r.grade), working or "Chưa có nhiệm vụ đến hạn để chấm"), start=1
        ):
            _cell(ws, row, col, value)
        ws.cell(row=row, column=4).number_format = "0.0"
    _print_setup(ws, header_row, (5, 30, 16, 9, 24, 70))


def workbook(report: Report) -> Workbook:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Phụ lục"
    _appendix(ws, report)
    _summary(wb.create_sheet("Tổng hợp"), report)
    _targets(wb.create_sheet("Chỉ tiêu"), report)
    _rating(wb.create_sheet("Xếp loại"), report)
    return wb


def export_xlsx(report: Report) -> bytes:
    out = BytesIO()
    workbook(report).save(out)
    return out.getvalue()
