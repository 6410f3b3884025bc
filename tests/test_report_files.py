"""The exported workbook, the draft report, the chart and the digest of a simulated semester."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import docx
import openpyxl
import pytest

from bot.context import AppContext
from bot.report.chart import standing_chart
from bot.report.digest import digest_text, summary_text
from bot.report.docx import export_docx
from bot.report.rows import APPENDIX_HEADERS, Report
from bot.report.xlsx import FILLS, export_xlsx
from bot.texts.report import percent_text, period_label
from scheduler.clock import ManualClock
from scheduler.plan import Plan
from scheduler.standing import TargetFigure
from tests.report_semester import C3, build_semester, local, semester_plan

PERIOD = "Số liệu từ 15/12/2025 đến 14/06/2026"


@pytest.fixture
def plan() -> Plan:
    return semester_plan()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(local("2026-01-06T08:00"))


async def _report(ctx: AppContext, clock: ManualClock, **kw: object) -> Report:
    sem = await build_semester(ctx, clock)
    return Report(ctx.plan, await sem.standing(C3), ctx.calendar, date(2026, 6, 15), **kw)  # type: ignore[arg-type]


def _find(ws: object, text: str) -> tuple[int, int]:
    for row in ws.iter_rows():  # type: ignore[attr-defined]
        for c in row:
            if c.value == text:
                return c.row, c.column
    raise AssertionError(text)


async def test_the_workbook_has_the_appendix_summary_and_targets(ctx: AppContext, clock: ManualClock) -> None:
    figures = [TargetFigure("online_share", "VP", 62.5, local("2026-06-10T09:00"), "6 tháng đầu năm 2026")]
    wb = openpyxl.load_workbook(BytesIO(export_xlsx(await _report(ctx, clock, figures=figures))))
    assert wb.sheetnames == ["Phụ lục", "Tổng hợp", "Chỉ tiêu", "Xếp loại"]
    for ws in wb:
        titles = [ws.cell(row=r, column=1).value for r in range(1, 6)]
        assert any(PERIOD in (t or "") for t in titles) and "Ngày lập: 15/06/2026" in titles
        assert any((t or "").startswith("Kế hoạch số 99/KH-UBND") for t in titles) and "Phường Thử Nghiệm" in titles
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
        assert ws.freeze_panes is not None

    ws = wb["Phụ lục"]
    head, _ = _find(ws, "STT")
    assert tuple(c.value for c in ws[head]) == APPENDIX_HEADERS
    assert ws.cell(row=head + 1, column=2).font.name == "Times New Roman"
    rows = {ws.cell(row=r, column=1).value: r for r in range(head + 1, head + 12) if ws.cell(row=r, column=1).value}
    assert sorted(rows) == list(range(1, 10))  # one row per task
    state = {stt: ws.cell(row=r, column=7).value for stt, r in rows.items()}
    assert state[1] == "Hoàn thành đúng hạn" and state[2] == "Hoàn thành quá hạn"
    assert state[3] == "Quá hạn chưa hoàn thành (hạn 29/04/2026)"
    assert state[6] == "Đang thực hiện trong hạn (đã báo cáo 5/6 kỳ; chưa báo cáo: tháng 6/2026)"
    assert "chưa báo cáo: tháng 3/2026" in state[5]
    assert "Văn phòng HĐND và UBND phường: Hoàn thành đúng hạn" in state[9]
    assert ws.cell(row=rows[1], column=7).fill.start_color.rgb.endswith(FILLS["done_on_time"])
    assert ws.cell(row=rows[3], column=7).fill.start_color.rgb.endswith(FILLS["overdue"])
    assert ws.cell(row=rows[6], column=7).fill.start_color.rgb.endswith(FILLS["in_term"])
    assert ws.cell(row=rows[2], column=7).fill.start_color.rgb.endswith(FILLS["done_late"])
    assert ws.cell(row=rows[2], column=8).value == "01/04/2026"
    assert "Trần Văn Bình, 01/04/2026 06:00: “xong rồi”" in ws.cell(row=rows[2], column=10).value
    assert ws.cell(row=rows[3], column=11).value.endswith("“chưa có kinh phí nâng cấp”")

    ws = wb["Tổng hợp"]
    r, c = _find(ws, "Toàn kế hoạch")
    values = [ws.cell(row=r, column=c + k).value for k in range(1, 10)]
    assert values == [2, 22.2, 2, 22.2, 1, 11.1, 4, 44.4, 9]
    r, c = _find(ws, "Trung tâm Phục vụ hành chính công phường")
    assert [ws.cell(row=r, column=c + k).value for k in range(1, 10)] == [0, 0, 0, 0, 1, 33.3, 2, 66.7, 3]
    assert ws.cell(row=r, column=c + 6).number_format == "0.0"
    _find(ws, "Danh sách đơn vị chưa báo cáo trong kỳ (0 đơn vị)")

    ws = wb["Chỉ tiêu"]
    r, _ = _find(ws, "Tỷ lệ hội nghị trực tuyến")
    got = [ws.cell(row=r, column=k).value for k in (3, 5, 7, 8)]
    assert got == ["≥ 60%", "Văn phòng HĐND và UBND phường", 62.5, "Đạt"]
    r, _ = _find(ws, "Cắt giảm văn bản hành chính")
    # Nobody reported: the figure stays empty, never a made-up 0.
    assert ws.cell(row=r, column=7).value is None
    assert ws.cell(row=r, column=10).value == "Chưa có đơn vị báo cáo số liệu"


async def test_units_that_did_not_report_are_listed(ctx: AppContext, clock: ManualClock) -> None:
    sem = await build_semester(ctx, clock)
    report = Report(ctx.plan, await sem.standing(date(2026, 3, 15)), ctx.calendar, date(2026, 3, 16))
    ws = openpyxl.load_workbook(BytesIO(export_xlsx(report)))["Tổng hợp"]
    r, _ = _find(ws, "Danh sách đơn vị chưa báo cáo trong kỳ (2 đơn vị)")
    assert [ws.cell(row=r + k, column=2).value for k in (1, 2)] == [
        "Văn phòng HĐND và UBND phường",
        "Phòng Kinh tế, Hạ tầng và Đô thị",
    ]
    assert ws.cell(row=r + 1, column=3).value == "chưa báo cáo lần nào"
    # The cut-off is inside the window: the title says so.
    assert "tình trạng tính đến ngày 15/03/2026" in ws.cell(row=4, column=1).value


async def test_the_draft_report_has_its_sections_and_quotes_the_reasons(ctx: AppContext, clock: ManualClock) -> None:
    d = docx.Document(BytesIO(export_docx(await _report(ctx, clock))))
    text = "\n".join(p.text for p in d.paragraphs)
    header = d.tables[0].rows[0].cells
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header[1].text and "Độc lập - Tự do - Hạnh phúc" in header[1].text
    assert "PHƯỜNG THỬ NGHIỆM" in header[0].text
    for heading in (
        "BÁO CÁO",
        "Kết quả thực hiện Kế hoạch số 99/KH-UBND ngày 05/01/2026",
        "I. KẾT QUẢ THỰC HIỆN",
        "II. TỒN TẠI, HẠN CHẾ, KHÓ KHĂN, VƯỚNG MẮC",
        "III. ĐỀ XUẤT, KIẾN NGHỊ",
        "PHỤ LỤC",
    ):
        assert heading in text, heading
    assert PERIOD in text
    assert "2 lượt hoàn thành đúng hạn (22,2%)" in text and "4 lượt quá hạn chưa hoàn thành (44,4%)" in text
    assert "Kết quả/sản phẩm đã báo cáo: “đã ban hành KH số 12/KH-VHXH”" in text
    assert "Trung tâm Phục vụ hành chính công phường báo cáo ngày 20/04/2026: “chưa có kinh phí nâng cấp”" in text
    assert "[Phòng Văn hóa - Xã hội soạn thảo phần đề xuất" in text
    assert d.styles["Normal"].font.name == "Times New Roman"
    assert [s.orientation for s in d.sections] == [0, 1]  # portrait body, landscape appendix
    appendix = d.tables[-1]
    assert len(appendix.rows) == 1 + 9 and appendix.rows[0].cells[4].text == "Tình trạng"


async def test_chart_and_digest(ctx: AppContext, clock: ManualClock) -> None:
    sem = await build_semester(ctx, clock)
    week_before = await sem.standing(date(2026, 6, 1))
    now = await sem.standing(date(2026, 6, 8))
    png = standing_chart(now)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    text = digest_text(now, week_before, ctx.calendar)
    assert "tuần từ 02/06/2026 đến 08/06/2026" in text
    assert "NV 7 — Phòng Kinh tế, Hạ tầng và Đô thị: Quá hạn chưa hoàn thành → Hoàn thành quá hạn" in text
    assert "báo cáo 05/06/2026: “đã xong”" in text
    assert "NV 3 — Trung tâm Phục vụ hành chính công phường: quá hạn (hạn 29/04/2026); vướng mắc: “chưa có" in text
    assert "NV 5 — Phòng Văn hóa - Xã hội: quá hạn, chưa báo cáo tháng 3/2026" in text
    assert "3. ĐẾN HẠN TRONG 2 TUẦN TỚI (đến 22/06/2026)\nKhông có." in text
    later = digest_text(await sem.standing(C3), now, ctx.calendar)
    assert "NV 6 — Trung tâm Phục vụ hành chính công phường (tháng 6/2026): hạn Thứ Tư, 24/06/2026" in later
    assert "4. ĐƠN VỊ CHƯA BÁO CÁO (14 ngày qua)" in text and "Phòng Văn hóa - Xã hội: lần cuối 28/05/2026" not in text
    summary = summary_text(now, ctx.calendar)
    assert "Quá hạn chưa hoàn thành: 4 (44,4%)" in summary and "im lặng" not in summary
    assert "ĐƠN VỊ CHƯA BÁO CÁO TRONG KỲ" in summary


def test_wording() -> None:
    assert period_label("2026-06") == "tháng 6/2026" and period_label("2026-Q2") == "quý II/2026"
    assert period_label("2026-H1") == "6 tháng đầu năm 2026" and period_label("2026") == "năm 2026"
    assert period_label("once") == "" and percent_text(33.3) == "33,3%" and percent_text(None) == "–"
