"""The yearly files of the seed plan print as the city receives them (issue 24, item 5):
the workbook A4 landscape with its header row on every page, page numbers, frozen panes,
columns by content and every row tall enough for its wrapped text; the draft's appendix
with proportional fixed columns, its narrative one paragraph per task, none repeated, and
at most 8 pages when LibreOffice prints it."""

from __future__ import annotations

import re
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn
from openpyxl.utils import get_column_letter

from bot.report.docx import APPENDIX_WIDTH_CM, export_docx
from bot.report.layout import LINE_POINTS, chars_per_line, wrapped_lines
from bot.report.rows import Report
from bot.report.xlsx import export_xlsx
from store.db import Database
from tests.report_seed_year import seed_year_report


@pytest.fixture
async def report(db: Database) -> Report:
    return await seed_year_report(db)


def _widths(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[int, float]:
    return {c: ws.column_dimensions[get_column_letter(c)].width for c in range(1, ws.max_column + 1)}


async def test_the_workbook_prints_every_row_whole_with_its_header_on_each_page(report: Report) -> None:
    wb = openpyxl.load_workbook(BytesIO(export_xlsx(report)))
    assert wb.sheetnames == ["Phụ lục", "Tổng hợp", "Chỉ tiêu", "Xếp loại"]
    for ws in wb:
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
        assert ws.print_title_rows and ws.freeze_panes is not None and ws.print_area
        assert "&P" in ws.oddFooter.center.text and ws.sheet_properties.pageSetUpPr.fitToPage
        widths = _widths(ws)
        merged = {(r.min_row, r.min_col): r for r in ws.merged_cells.ranges}
        for row in ws.iter_rows():
            for c in row:
                if c.value in (None, "") or type(c).__name__ == "MergedCell":
                    continue
                span = merged.get((c.row, c.column))
                width = sum(widths[k] for k in range(span.min_col, span.max_col + 1)) if span else widths[c.column]
                needed = wrapped_lines(str(c.value), chars_per_line(width, c.font.sz or 11)) * LINE_POINTS
                assert (ws.row_dimensions[c.row].height or 15) >= needed, (ws.title, c.coordinate)
    ws = wb["Phụ lục"]
    widths = _widths(ws)
    assert widths[2] == max(widths.values())  # "Nội dung công việc" widest
    assert len(set(widths.values())) > 5  # shared by content, not equal
    rows = [r for r in range(1, ws.max_row + 1) if isinstance(ws.cell(row=r, column=1).value, int)]
    assert len(rows) == 19 and all(ws.row_dimensions[r].height > 15 for r in rows)
    rating = wb["Xếp loại"]
    graded = [[c.value for c in row] for row in rating.iter_rows() if isinstance(row[0].value, int)]
    assert {r[1] for r in graded} >= {"Phòng Văn hóa - Xã hội", "Văn phòng HĐND và UBND phường"}
    assert all(r[4] for r in graded) and any(isinstance(r[3], float) for r in graded)
    assert any("NV " in (r[5] or "") and "→" in r[5] for r in graded)  # the working, task by task


async def test_the_draft_has_proportional_fixed_columns_and_one_paragraph_per_task(report: Report) -> None:
    d = docx.Document(BytesIO(export_docx(report)))
    table = d.tables[-1]
    grid = [int(g.get(qn("w:w"))) for g in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert len(set(grid)) > 4 and grid[1] == max(grid)  # "Nội dung công việc" widest
    assert abs(sum(grid) / 567 - APPENDIX_WIDTH_CM) < 0.1
    assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    for row in table.rows[1:4]:
        assert [c.width.twips for c in row.cells] == grid  # Word reads the cells, LibreOffice the grid
    header_props = table.rows[0]._tr.trPr
    assert header_props is not None and header_props.find(qn("w:tblHeader")) is not None
    paragraphs = [p.text for p in d.paragraphs if p.text.strip()]
    paragraphs = paragraphs[: paragraphs.index("PHỤ LỤC")]  # the appendix's title restates the period
    assert len(paragraphs) == len(set(paragraphs))  # no paragraph of the report repeated
    results = "\n".join(paragraphs).split("2. Kết quả thực hiện từng nhiệm vụ", 1)[1].split("\n3. ", 1)[0]
    assert re.findall(r"^- Nhiệm vụ (\d+) \(", results, re.M) == [str(n) for n in range(1, 20)]
    assert "Xếp loại kết quả thực hiện của các đơn vị" in "\n".join(paragraphs)


def _pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.slow
async def test_libreoffice_prints_the_yearly_draft_on_at_most_8_pages(report: Report, tmp_path: Path) -> None:
    draft = tmp_path / "du-thao.docx"
    draft.write_bytes(export_docx(report))
    profile = f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}"
    subprocess.run(
        ["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(draft)],
        check=True,
        capture_output=True,
        timeout=240,
    )
    pages = _pages(tmp_path / "du-thao.pdf")
    assert 3 <= pages <= 8, pages
