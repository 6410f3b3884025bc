"""A plan with sections and nested numbering (tests/data/plan_sections.yaml): people name
tasks by label ("II.3", "II.1.a") in chat, and every text and file shows those labels.

On 22/06/2026 (the `clock` fixture): VHXH leads I.1 (overdue), II.1.b and II.3; VP leads
II.1.a and coordinates I.1 and II.3; KTHTDT leads the conditional II.2 (waiting) and
coordinates II.3, its only open task; TTPVHCC leads the ongoing I.2.
"""

from __future__ import annotations

from datetime import date
from io import BytesIO
from pathlib import Path

import docx
import openpyxl
import pytest
from sqlalchemy import func, select

from bot.actions.tasks import queue_manual_reminder
from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.report import build_standing
from bot.report.digest import summary_text as report_summary_text
from bot.report.docx import export_docx
from bot.report.rows import Report, appendix_rows
from bot.report.xlsx import export_xlsx
from bot.texts.common import plan_change
from bot.texts.plan import plan_text, schedule_row, schedule_text
from bot.texts.reminders import ReminderRenderer
from scheduler.clock import ManualClock
from scheduler.dispatcher import Dispatcher, DispatcherConfig
from scheduler.plan import Plan, load_plan, parse_plan
from scheduler.planner import plan_ward
from scheduler.reminders import plan_reminders
from scheduler.windows import custom_window
from scheduler.workcal import WorkingCalendar
from store.models import Assignment, Occurrence, StatusReport, Task, Unit
from store.queries import task_by_label
from tests.conftest import RecordingChannel
from tests.helpers import linked, say

SECTIONS_PATH = Path(__file__).parent / "data" / "plan_sections.yaml"
LABELS = ["I.1", "I.2", "II.1.a", "II.1.b", "II.2", "II.3"]


@pytest.fixture
def plan() -> Plan:
    return load_plan(SECTIONS_PATH)


async def _status(ctx: AppContext, label: str, unit: str) -> tuple[str, int | None, str | None]:
    async with ctx.db.session() as s:
        a = await s.scalar(
            select(Assignment)
            .join(Occurrence, Assignment.occurrence_id == Occurrence.id)
            .join(Task, Occurrence.task_id == Task.id)
            .join(Unit, Unit.id == Assignment.unit_id)
            .where(Task.label == label, Unit.code == unit)
            .order_by(Occurrence.due)
        )
        assert a is not None
        return a.status, a.percent, a.note


async def _reports(ctx: AppContext) -> int:
    async with ctx.db.session() as s:
        return await s.scalar(select(func.count(StatusReport.id))) or 0


# --- the plan and the store ---------------------------------------------------------------


def test_the_fixture_plan_has_sections_and_nested_labels(plan: Plan) -> None:
    assert [t.label for t in plan.tasks] == LABELS
    assert [(s.label, s.title) for s in plan.sections][-1] == ("II.1", "Rà soát thủ tục hành chính")
    assert [s.label for s in plan.section_path("II.1")] == ["II", "II.1"]
    kinds = {t.label: t.rule.kind for t in plan.tasks}
    assert kinds == {
        "I.1": "once",
        "I.2": "ongoing",
        "II.1.a": "once",
        "II.1.b": "once",
        "II.2": "conditional",
        "II.3": "once",
    }


async def test_the_database_keeps_labels_and_finds_tasks_by_them(ctx: AppContext) -> None:
    async with ctx.db.session() as s:
        rows = (await s.execute(select(Task.label, Task.section).order_by(Task.stt))).all()
        assert [tuple(r) for r in rows] == [
            ("I.1", "I"),
            ("I.2", "I"),
            ("II.1.a", "II.1"),
            ("II.1.b", "II.1"),
            ("II.2", "II"),
            ("II.3", "II"),
        ]
        for typed in ("II.1.a", "ii.1.a", "II 1 a", "II.1.a)", "II.1a"):
            found = await task_by_label(s, ctx.ward_id, typed)
            assert found is not None and found.label == "II.1.a", typed
        assert await task_by_label(s, ctx.ward_id, "II.9") is None
        assert await task_by_label(s, ctx.ward_id, "3") is None  # a position is not a label


async def test_a_renumbered_task_is_reported_as_a_change(ctx: AppContext) -> None:
    text = SECTIONS_PATH.read_text(encoding="utf-8")
    edited = text.replace('  - stt: 3\n    section: "II"', '  - stt: 4\n    section: "II"')
    async with ctx.db.session() as s, s.begin():
        result = await plan_ward(s, ctx.settings.ward, parse_plan(edited), ctx.calendar, ctx.now())
        assert await s.scalar(select(Task.label).where(Task.stt == 6)) == "II.4"
    assert [plan_change(c) for c in result.changes] == ["Nhiệm vụ II.3 nay là nhiệm vụ II.4"]


# --- chat ---------------------------------------------------------------------------------


async def test_a_reply_naming_a_label_is_recorded_on_that_task(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    assert (await say(conv, chat, "II.3: xong"))[0].splitlines()[
        0
    ] == "Đã ghi nhận: Nhiệm vụ II.3 — báo xong, chưa có sản phẩm."
    assert await _status(ctx, "II.3", "VHXH") == ("done", None, None)
    assert await say(conv, chat, "ii 1 b đang làm 40%") == ["Đã ghi nhận: Nhiệm vụ II.1.b — Đang thực hiện 40%."]
    assert await _status(ctx, "II.1.b", "VHXH") == ("in_progress", 40, None)
    reply = await say(conv, chat, "Nhiệm vụ I.1 vướng: chờ kinh phí in tờ rơi")
    assert reply[0] == "Đã ghi nhận: Nhiệm vụ I.1 — Vướng mắc. Ghi chú: chờ kinh phí in tờ rơi."
    # Nothing else moved: the coordinating unit's rows are its own.
    assert await _status(ctx, "II.3", "VP") == ("not_started", None, None)


async def test_the_status_command_takes_a_label(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VP")
    assert await say(conv, chat, "/status II.1.a đang làm 30%") == [
        "Đã ghi nhận: Nhiệm vụ II.1.a — Đang thực hiện 30%."
    ]
    assert await _status(ctx, "II.1.a", "VP") == ("in_progress", 30, None)
    assert (await say(conv, chat, "/status II 1 a: xong"))[0].splitlines()[
        0
    ] == "Đã ghi nhận: Nhiệm vụ II.1.a — báo xong, chưa có sản phẩm."
    assert (await say(conv, chat, "/status II.3 đang làm"))[0].startswith("Đã ghi nhận: Nhiệm vụ II.3")
    assert (await say(conv, chat, "/status xong"))[0].startswith("Cách dùng")


async def test_a_label_that_is_not_the_units_is_answered_politely_and_never_filed_elsewhere(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "KTHTDT")  # one open task: II.3 (coordinating)
    for text, named in (
        ("II.1.b: xong", "II.1.b"),  # the ward's task, not this unit's
        ("II.9 xong", "II.9"),  # no such task
        ("3: đã xong", "3"),  # a bare number is no label in a plan with sections
        ("/status I.1 đang làm 50%", "I.1"),
    ):
        reply = await say(conv, chat, text)
        assert reply == [
            f"Nhiệm vụ {named} không thuộc đơn vị của bạn hoặc không tồn tại. Gõ /tasks để xem danh sách."
        ], text
    assert await _status(ctx, "II.3", "KTHTDT") == ("not_started", None, None)
    assert await _reports(ctx) == 0


@pytest.mark.parametrize("text", ["50% xong", "30/6 xong", "2 ngày nữa xong"])
async def test_numbers_in_a_reply_are_not_task_labels(ctx: AppContext, text: str) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "KTHTDT")
    assert (await say(conv, chat, text))[0].startswith("Đã ghi nhận: Nhiệm vụ II.3 — ")


async def test_the_which_question_lists_labels_and_takes_one_as_the_answer(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    ask = (await say(conv, chat, "vướng: chưa có hướng dẫn"))[0]
    assert ask == (
        "Nhiệm vụ số mấy? Đơn vị đang có các nhiệm vụ: I.1, II.1.b, II.3. Xin trả lời số nhiệm vụ (ví dụ: I.1)."
    )
    assert "không thuộc đơn vị" in (await say(conv, chat, "II.1.a"))[0]
    assert (await say(conv, chat, "ii.1.b"))[0].startswith("Đã ghi nhận: Nhiệm vụ II.1.b — Vướng mắc")
    assert await _status(ctx, "II.1.b", "VHXH") == ("blocked", None, "chưa có hướng dẫn")


async def test_the_office_reminds_and_activates_by_label(ctx: AppContext, clock: ManualClock) -> None:
    conv = Conversation(ctx)
    office = await linked(ctx, conv, "VHXH", role="office", chat_id="office")
    assert await say(conv, office, "/remind II.3 VHXH") == ["Đã xếp lịch nhắc ngay nhiệm vụ II.3 cho 1 đơn vị."]
    clock.advance(minutes=1)  # a nudge is one per unit and instant
    assert await say(conv, office, "/remind ii 3") == [
        "Đã xếp lịch nhắc ngay nhiệm vụ II.3 cho 1 đơn vị; chưa có người nhận: KTHTDT, VP."
    ]
    assert "Không có nhiệm vụ II.9" in (await say(conv, office, "/remind II.9"))[0]
    assert "Đã kích hoạt nhiệm vụ II.2, hạn 30/09/2026" in (await say(conv, office, "/activate II.2 30/09/2026"))[0]
    assert "Nhiệm vụ II.3 đã có thời hạn" in (await say(conv, office, "/activate II.3 30/09/2026"))[0]
    assert (await say(conv, office, "/activate II.2 31/2/2026"))[0].startswith("Cách dùng")


# --- what people read ---------------------------------------------------------------------


async def test_reminders_name_the_label_and_the_answer_uses_it(ctx: AppContext, clock: ManualClock) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    channel = RecordingChannel()
    channel.supports_buttons = False  # Zalo-like: the reminder spells out how to answer
    d = Dispatcher(
        db=ctx.db,
        channels={"console": channel},
        renderer=ReminderRenderer(ctx.calendar),
        clock=ctx.clock,
        calendar=ctx.calendar,
        config=DispatcherConfig(worker="w"),
    )
    async with ctx.db.session() as s, s.begin():
        await queue_manual_reminder(s, ctx.ward_id, "II.3", "VHXH", clock.now(), ctx.today())
    await d.tick()
    text = channel.texts_to(chat)[-1]
    assert "Nhiệm vụ II.3 (chủ trì)" in text
    assert text.endswith("Trả lời: II.3 xong / II.3 đang làm 50% / II.3 vướng <lý do>")
    assert (await say(conv, chat, "II.3 xong"))[0].splitlines()[
        0
    ] == "Đã ghi nhận: Nhiệm vụ II.3 — báo xong, chưa có sản phẩm."


async def test_tasks_summary_and_overdue_show_labels(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    head = await linked(ctx, conv, "VHXH")
    office = await linked(ctx, conv, "VHXH", role="office", chat_id="office")
    lines = (await say(conv, head, "/tasks"))[0].splitlines()[1:]
    assert [line.split(" ", 1)[0] for line in lines] == ["I.1.", "II.1.b.", "II.3."]
    await say(conv, head, "II.3: đang làm 60%")
    summary = (await say(conv, office, "/summary"))[0]
    assert "II.3. Đánh giá mức độ hài lòng" in summary
    assert "VHXH: Đang thực hiện trong hạn, hạn 14/08/2026, 60%" in summary
    assert "II.2. Số hóa hồ sơ đất đai" in summary and "KTHTDT: Chờ điều kiện triển khai" in summary
    assert "I.1. VHXH: hạn 29/04/2026" in (await say(conv, office, "/overdue"))[0]


async def _report(ctx: AppContext) -> Report:
    async with ctx.db.session() as s:
        window = custom_window(date(2026, 1, 1), date(2026, 6, 30))
        standing = await build_standing(s, ctx.plan, ctx.ward_id, window, ctx.today(), ctx.calendar)
    return Report(ctx.plan, standing, ctx.calendar, ctx.today())


EXPORTED = ["I", "I.1", "I.2", "II", "II.1", "II.1.a", "II.1.b", "II.2", "II.3"]


async def test_the_export_shows_labels_with_section_rows_above_their_tasks(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    await say(conv, await linked(ctx, conv, "VHXH"), "II.1.b: xong, báo cáo số 12/BC-VHXH ngày 20/6/2026")
    await say(conv, await linked(ctx, conv, "VHXH", role="office"), "/xacnhan II.1.b")
    report = await _report(ctx)
    assert [r.cells[0] for r in appendix_rows(report)] == EXPORTED

    ws = openpyxl.load_workbook(BytesIO(export_xlsx(report)))["Phụ lục"]
    head = next(r for r in range(1, 20) if ws.cell(row=r, column=1).value == "STT")
    col1 = [ws.cell(row=r, column=1).value for r in range(head + 1, head + 1 + len(EXPORTED))]
    assert col1 == EXPORTED
    section = head + 4  # "II"
    assert ws.cell(row=section, column=2).value == "CẢI CÁCH HÀNH CHÍNH"
    assert ws.cell(row=section, column=2).font.bold
    assert f"B{section}:K{section}" in {str(m) for m in ws.merged_cells.ranges}
    assert ws.cell(row=head + 7, column=7).value == "Hoàn thành đúng hạn"  # II.1.b

    appendix = docx.Document(BytesIO(export_docx(report))).tables[-1]
    assert [row.cells[0].text for row in appendix.rows[1:]] == EXPORTED
    assert appendix.rows[5].cells[1].text == "Rà soát thủ tục hành chính"
    assert "II.3. Đánh giá mức độ hài lòng" in report_summary_text(report.standing, ctx.calendar)


def test_check_and_schedule_print_labels_and_sections(plan: Plan, calendar: WorkingCalendar) -> None:
    text = plan_text(plan, calendar)
    assert "\n  II. CẢI CÁCH HÀNH CHÍNH\n  II.1. Rà soát thủ tục hành chính\n  II.1.a. Rà soát" in text
    rows = plan_reminders(plan, calendar, date(2026, 6, 15), date(2026, 6, 30))
    printed = schedule_text(rows)
    assert "VHXH     NV II.1.b chủ trì   nhắc trước hạn 10 ngày" in printed
    assert {schedule_row(r)["label"] for r in rows} >= {"I.1", "I.2", "II.1.b"}


async def test_a_day_later_nothing_changes(ctx: AppContext, clock: ManualClock) -> None:
    """Replanning the sectioned plan is idempotent: labels are not re-written as changes."""
    clock.advance(days=1)
    async with ctx.db.session() as s, s.begin():
        result = await plan_ward(s, ctx.settings.ward, ctx.plan, ctx.calendar, ctx.now())
    assert result.changes == []


def test_a_label_too_long_for_the_database_is_a_plan_error() -> None:
    from scheduler.plan import PlanError

    long_stt = '  - stt: "1.2.3.4.5.6.7.8.9.10.11.12.13.14"\n'  # II.1.2…14: 35 characters
    text = SECTIONS_PATH.read_text(encoding="utf-8").replace("  - stt: 3\n", long_stt)
    with pytest.raises(PlanError, match="dài quá 32 ký tự"):
        parse_plan(text)
