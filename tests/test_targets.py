"""The plan's quantitative targets: units report figures per report period, the bot
computes each target (share, reduction against the previous year) for /summary and the
export."""

from __future__ import annotations

from io import BytesIO

import docx
import openpyxl
import pytest
from sqlalchemy import select

from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.report.files import write_report_files
from bot.texts.plan import plan_text
from scheduler.plan import Plan, PlanError, parse_plan
from scheduler.targets import evaluate
from scheduler.windows import upcoming_window
from scheduler.workcal import WorkingCalendar
from store.models import TargetFigure, Unit
from tests.conftest import PLAN_PATH
from tests.helpers import linked, say


def _plan_text() -> str:
    return PLAN_PATH.read_text(encoding="utf-8")


async def _figures(ctx: AppContext, unit: str) -> dict[str, float]:
    async with ctx.db.session() as s:
        rows = await s.execute(
            select(TargetFigure.field, TargetFigure.value, TargetFigure.period)
            .join(Unit, Unit.id == TargetFigure.unit_id)
            .where(Unit.code == unit)
        )
        return {f"{period}/{field}": value for field, value, period in rows.all()}


async def test_a_unit_sees_what_is_asked_and_reports_its_figures_computed(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    head = await linked(ctx, conv, "TTPVHCC")
    asked = (await say(conv, head, "/chitieu"))[0]
    assert "Kỳ báo cáo: Báo cáo 6 tháng năm 2026" in asked
    assert "• tthc — tổng số hồ sơ thủ tục hành chính: chưa báo" in asked
    assert "Xử lý thủ tục hành chính trên môi trường số" in asked
    # One figure serves two targets (the share of online conferences, the cut in conferences).
    assert asked.count("• hoinghi — tổng số hội nghị trong kỳ") == 1
    assert "chưa báo hoinghi (tổng số hội nghị trong kỳ)." in asked

    done = (await say(conv, head, "/chitieu tthc 200 tthc_so 194"))[0]
    assert "Đã ghi nhận số liệu chỉ tiêu của Trung tâm Phục vụ hành chính công phường" in done
    assert "194/200 = 97,0% — đạt" in done and "(yêu cầu ≥ 95%)" in done
    assert await _figures(ctx, "TTPVHCC") == {"six_month:2026/tthc": 200, "six_month:2026/tthc_so": 194}
    # A correction replaces the figure; the other stays.
    assert "188/200 = 94,0% — chưa đạt" in (await say(conv, head, "/chitieu tthc_so 188"))[0]
    assert "đã báo 188" in (await say(conv, head, "/chitieu"))[0]


async def test_figures_in_words_are_recorded_and_the_change_is_computed_against_last_year(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    head = await linked(ctx, conv, "VHXH")
    first = (await say(conv, head, "hội nghị 12, trực tuyến 8"))[0]
    assert "hoinghi 12, tructuyen 8" in first
    assert "8/12 = 66,7% — đạt" in first
    assert "kỳ này 12, chưa có số liệu cùng kỳ năm trước để so sánh" in first
    assert "(báo bằng hoinghi_namtruoc SỐ)" in first
    # Last year's 6-month report said 15 conferences: 12 is a 20% cut (≥ 10% asked).
    cut = (await say(conv, head, "hội nghị năm trước 15"))[0]
    assert "hoinghi_namtruoc 15" in cut and "kỳ này 12, năm trước 15: giảm 20,0% — đạt" in cut
    assert await _figures(ctx, "VHXH") == {
        "six_month:2026/hoinghi": 12,
        "six_month:2026/tructuyen": 8,
        "six_month:2025/hoinghi": 15,
    }
    asked = (await say(conv, head, "/chitieu"))[0]
    assert "kỳ này 12, năm trước 15: giảm 20,0% — đạt" in asked
    assert "• hoinghi_namtruoc — tổng số hội nghị trong kỳ, cùng kỳ năm trước: đã có 15" in asked
    # Plain statuses are still statuses.
    assert (await say(conv, head, "4: đang làm 50%"))[0].startswith("Đã ghi nhận: Nhiệm vụ 4")


async def test_the_office_records_for_a_unit_and_sees_targets_in_summary_and_export(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    office = await linked(ctx, conv, "VHXH", role="office", name="Chuyên viên VP")
    vp = await linked(ctx, conv, "VP")
    done = (await say(conv, office, "/chitieu VP hoinghi 10 tructuyen 3"))[0]
    assert "văn phòng ghi nhận hộ: Chuyên viên VP" in done and "3/10 = 30,0% — chưa đạt" in done
    assert (await say(conv, vp, "/chitieu VHXH hoinghi 1"))[0].startswith("Chỉ văn phòng")
    await say(conv, office, "/chitieu TTPVHCC tthc 200 tthc_so 194")

    summary = (await say(conv, office, "/summary"))[0]
    block = summary.split("CHỈ TIÊU — Báo cáo 6 tháng năm 2026", 1)[1]
    assert "VP: 3/10 = 30,0% — chưa đạt." in block and "TTPVHCC: 194/200 = 97,0% — đạt." in block
    assert "Chưa báo số liệu: UBND, VHXH, TTPVHCC, TTDVSNC, KTHTDT" in block

    window = upcoming_window(ctx.plan, ctx.today())
    async with ctx.db.session() as s:
        files = await write_report_files(
            s, ctx.plan, ctx.ward_id, ctx.calendar, ctx.settings.files_path, window, ctx.today()
        )
    ws = openpyxl.load_workbook(BytesIO(files.xlsx.read_bytes()))["Chỉ tiêu"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    vp_row = next(r for r in rows if r[4] == "Văn phòng HĐND và UBND phường" and r[6] == 30.0)
    assert vp_row[7] == "Chưa đạt" and vp_row[5] == "Báo cáo 6 tháng năm 2026" and "3/10" in vp_row[9]
    center = next(r for r in rows if r[4] == "Trung tâm Phục vụ hành chính công phường")
    assert center[6] == 97.0 and center[7] == "Đạt"
    # Reduction without last year's figure: the cell is not a made-up verdict.
    cut = next(r for r in rows if r[4] == "Văn phòng HĐND và UBND phường" and r[6] is None)
    assert cut[7] == "Chưa đủ số liệu" and "chưa có số liệu cùng kỳ năm trước" in cut[9]
    # A target nobody reported stays empty.
    documents = next(r for r in rows if r[1] == "Cắt giảm số lượng văn bản hành chính so với năm trước")
    assert documents[6] is None and documents[9] == "Chưa có đơn vị báo cáo số liệu"
    # The draft report says the same in words.
    words = "\n".join(p.text for p in docx.Document(str(files.docx)).paragraphs)
    assert "3. Kết quả thực hiện các chỉ tiêu" in words  # after 2. each task's results
    assert "Trung tâm Phục vụ hành chính công phường: 97%, đạt; 194/200" in words
    # Targets nobody reported are named in one sentence, not a paragraph each.
    silent = next(line for line in words.splitlines() if line.startswith("- Chưa có đơn vị báo cáo số liệu: "))
    assert "Cắt giảm số lượng văn bản hành chính so với năm trước (yêu cầu ≥ 15%/năm)" in silent


async def test_bad_target_arguments_get_the_usage_or_the_known_keys(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    head = await linked(ctx, conv, "VHXH")
    assert (await say(conv, head, "/chitieu hoinghi"))[0].startswith("Cú pháp: /chitieu")
    unknown = (await say(conv, head, "/chitieu abc 5"))[0]
    assert "Không có mã số liệu abc" in unknown and "hoinghi" in unknown and "tructuyen" in unknown
    assert "ghi mỗi mã một lần" in (await say(conv, head, "/chitieu hoinghi 5 hoinghi 6"))[0]
    assert await _figures(ctx, "VHXH") == {}


def test_a_baseline_given_in_the_plan_is_used_and_a_share_needs_both_keys() -> None:
    text = _plan_text().replace(
        "    measure: reduction\n    figure: hoinghi\n",
        "    measure: reduction\n    figure: hoinghi\n    baseline: {VP: 20}\n",
    )
    plan = parse_plan(text)
    target = next(t for t in plan.targets if t.code == "conference_reduction")
    result = evaluate(target, "VP", {"hoinghi": 17}, {})
    assert (result.baseline, result.result, result.met) == (20, 15.0, True)
    assert evaluate(target, "VHXH", {"hoinghi": 17}, {"hoinghi": 18}).met is False  # 5.6% < 10%

    broken = _plan_text().replace("    part: tructuyen\n", "")
    with pytest.raises(PlanError) as err:
        parse_plan(broken)
    assert 'trường "targets.0.part"' in str(err.value) and "dòng" in str(err.value)
    assert 'cần "part" và "total"' in str(err.value)


def test_the_plan_check_shows_each_targets_keys_and_reporting_units(plan: Plan, calendar: WorkingCalendar) -> None:
    text = plan_text(plan, calendar)
    assert "số liệu: tructuyen/hoinghi; đơn vị báo cáo: UBND, VHXH, VP, TTPVHCC, TTDVSNC, KTHTDT" in text
    assert "số liệu: tthc_so/tthc; đơn vị báo cáo: TTPVHCC" in text


async def test_upcoming_window_is_the_period_targets_are_reported_for(ctx: AppContext) -> None:
    # Guard for the targets tests: on 22/06/2026 the office is working on the 6-month report.
    window = upcoming_window(ctx.plan, ctx.today())
    assert (window.cycle_code, window.year) == ("six_month", 2026)
