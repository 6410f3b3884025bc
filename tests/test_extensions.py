"""Deadline extensions: a unit asks (/giahan or in words), the office approves or refuses,
reminders follow the approved day, and both dates stay visible."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import openpyxl
from sqlalchemy import select

from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.report import build_standing
from bot.report.files import write_report_files
from bot.texts import common as texts
from bot.texts.reminders import render_reminder
from scheduler.clock import ManualClock
from scheduler.planner import plan_ward
from scheduler.windows import live_window
from store.enums import ReminderState, Status
from store.models import Assignment, ExtensionRequest, Occurrence, Person, Reminder, StatusReport, Task, Unit
from store.queries import assignment_view
from tests.helpers import linked, say

LEADERS = "chờ ý kiến lãnh đạo"


async def _assignment(ctx: AppContext, stt: int, unit: str) -> Assignment:
    async with ctx.db.session() as s:
        a = await s.scalar(
            select(Assignment)
            .join(Occurrence, Assignment.occurrence_id == Occurrence.id)
            .join(Task, Occurrence.task_id == Task.id)
            .join(Unit, Unit.id == Assignment.unit_id)
            .where(Task.stt == stt, Unit.code == unit, Task.ward_id == ctx.ward_id)
        )
        assert a is not None
        return a


async def _pending_keys(ctx: AppContext, assignment_id: int) -> set[str]:
    async with ctx.db.session() as s:
        rows = await s.scalars(
            select(Reminder.key).where(Reminder.assignment_id == assignment_id, Reminder.state == ReminderState.PENDING)
        )
        return set(rows)


async def _notices_to(ctx: AppContext, person_name: str) -> list[str]:
    async with ctx.db.session() as s:
        rows = await s.scalars(
            select(Reminder.body)
            .join(Person, Person.id == Reminder.person_id)
            .where(Person.name == person_name, Reminder.kind == "notice")
            .order_by(Reminder.id)
        )
        return [b or "" for b in rows]


async def _replan(ctx: AppContext) -> None:
    async with ctx.db.session() as s, s.begin():
        await plan_ward(s, ctx.settings.ward, ctx.plan, ctx.calendar, ctx.now())


async def _office_and_head(ctx: AppContext, conv: Conversation) -> tuple[str, str]:
    head = await linked(ctx, conv, "VHXH", name="Trưởng phòng VHXH")
    office = await linked(ctx, conv, "VHXH", role="office", name="Chuyên viên VP")
    return head, office


async def test_an_approved_extension_moves_the_units_reminders_and_keeps_both_dates(
    ctx: AppContext, clock: ManualClock
) -> None:
    conv = Conversation(ctx)
    head, office = await _office_and_head(ctx, conv)
    lead = await _assignment(ctx, 4, "VHXH")  # "Quý II/2026": due 30/06/2026
    coordinating = await _assignment(ctx, 4, "VP")
    before = await _pending_keys(ctx, lead.id)
    assert any(":20260630:" in k for k in before)  # the old deadline's reminders are queued

    asked = (await say(conv, head, f"/giahan 4 15/07/2026 {LEADERS}"))[0]
    assert "từ 30/06/2026 đến 15/07/2026" in asked and LEADERS in asked
    notice = (await _notices_to(ctx, "Chuyên viên VP"))[-1]
    assert "xin gia hạn từ 30/06/2026 đến 15/07/2026" in notice and "/duyet 4 VHXH" in notice
    assert await _pending_keys(ctx, lead.id) == before  # asking changes nothing yet

    done = (await say(conv, office, "/duyet 4"))[0]
    assert "hạn 30/06/2026, gia hạn đến 15/07/2026" in done and "Đã gửi thông báo cho 1 người" in done
    told = (await _notices_to(ctx, "Trưởng phòng VHXH"))[-1]
    assert "đồng ý gia hạn nhiệm vụ 4" in told and "gia hạn đến 15/07/2026" in told

    moved = await _pending_keys(ctx, lead.id)
    assert not any(":20260630:" in k for k in moved)
    assert {f"a{lead.id}:20260715:due:0", f"a{lead.id}:20260715:before:3"} <= moved
    # The coordinating unit was not given more time: its reminders stay on 30/06.
    assert any(":20260630:" in k for k in await _pending_keys(ctx, coordinating.id))
    # Planning again (the next tick, the next day) does not bring the old deadline back.
    clock.advance(days=1)
    await _replan(ctx)
    assert not any(":20260630:" in k for k in await _pending_keys(ctx, lead.id))

    # The reminder, rendered when sent, counts down to the new day and names the original.
    async with ctx.db.session() as s:
        view = await assignment_view(s, lead.id)
    assert view is not None
    text = render_reminder("due", view, ctx.today(), ctx.calendar, [], buttons=False).text
    assert "Hạn: Thứ Tư, 15/07/2026" in text and "hạn gốc 30/06/2026" in text

    tasks = (await say(conv, head, "/tasks"))[0]
    assert "hạn 30/06/2026, gia hạn đến 15/07/2026" in tasks
    summary = (await say(conv, office, "/summary"))[0]
    assert "VHXH: Đang thực hiện trong hạn, hạn 30/06/2026, gia hạn đến 15/07/2026" in summary
    history = (await say(conv, office, "/summary 4"))[0]
    assert "GIA HẠN" in history and "xin gia hạn từ 30/06/2026 đến 15/07/2026" in history and "đã duyệt" in history

    # After the original deadline: in term against the approved day (the default), overdue
    # against the original one (NHACVIEC_ON_TIME_AGAINST=original).
    clock.advance(days=9)  # 02/07/2026
    today = ctx.today()
    window = live_window(ctx.plan, today)
    async with ctx.db.session() as s:
        extended = await build_standing(s, ctx.plan, ctx.ward_id, window, today, ctx.calendar)
        original = await build_standing(s, ctx.plan, ctx.ward_id, window, today, ctx.calendar, "original")

    def standing_of(st: object) -> str:
        return next(u.standing for t in st.tasks for u in t.lead if t.task.stt == 4)  # type: ignore[attr-defined]

    assert standing_of(extended) == "in_term" and standing_of(original) == "overdue"

    async with ctx.db.session() as s:
        files = await write_report_files(s, ctx.plan, ctx.ward_id, ctx.calendar, ctx.settings.files_path, window, today)
    ws = openpyxl.load_workbook(BytesIO(files.xlsx.read_bytes()))["Phụ lục"]
    cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value]
    assert any("hạn 30/06/2026, gia hạn đến 15/07/2026" in c for c in cells)


async def test_a_refused_extension_tells_the_unit_why_and_leaves_reminders_alone(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    head, office = await _office_and_head(ctx, conv)
    lead = await _assignment(ctx, 4, "VHXH")
    await say(conv, head, f"/giahan 4 15/07/2026 {LEADERS}")
    before = await _pending_keys(ctx, lead.id)

    done = (await say(conv, office, "/tuchoi 4 VHXH cần hoàn thành trước kỳ họp"))[0]
    assert "Đã từ chối đề nghị gia hạn nhiệm vụ 4" in done and "cần hoàn thành trước kỳ họp" in done
    told = (await _notices_to(ctx, "Trưởng phòng VHXH"))[-1]
    assert "không đồng ý gia hạn" in told and "Lý do: cần hoàn thành trước kỳ họp" in told
    assert "Hạn vẫn là 30/06/2026" in told
    assert await _pending_keys(ctx, lead.id) == before
    assert (await _assignment(ctx, 4, "VHXH")).extended_due is None
    # Nothing is left to decide.
    assert "Không có đề nghị gia hạn nào đang chờ" in (await say(conv, office, "/duyet 4"))[0]


async def test_an_extension_asked_in_words_is_a_request_not_a_status(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    head, _ = await _office_and_head(ctx, conv)
    asked = (await say(conv, head, "xin gia hạn nhiệm vụ 4 đến 15/7 vì chờ ý kiến lãnh đạo"))[0]
    assert "đến 15/07/2026" in asked and "lý do: chờ ý kiến lãnh đạo." in asked
    lead = await _assignment(ctx, 4, "VHXH")
    assert lead.status == Status.NOT_STARTED  # not read as "vướng" or anything else
    async with ctx.db.session() as s:
        assert await s.scalar(select(StatusReport.id).where(StatusReport.assignment_id == lead.id)) is None
        request = await s.scalar(select(ExtensionRequest).where(ExtensionRequest.assignment_id == lead.id))
    assert request is not None and request.new_due == date(2026, 7, 15) and request.reason == LEADERS

    # A second request while one is pending replaces it, and says so.
    again = (await say(conv, head, "/giahan 4 20/07/2026 chờ số liệu"))[0]
    assert "đến 20/07/2026" in again and "Đề nghị trước (gia hạn đến 15/07/2026)" in again
    async with ctx.db.session() as s:
        states = list(await s.scalars(select(ExtensionRequest.state).order_by(ExtensionRequest.id)))
    assert states == ["replaced", "pending"]


async def test_bad_extension_arguments_get_the_usage_or_a_clear_refusal(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    head, office = await _office_and_head(ctx, conv)
    for text in ("/giahan", "/giahan 4", "/giahan 4 32/13/2026 lý do", "/giahan 4 mai lý do"):
        assert (await say(conv, head, text))[0].startswith("Cú pháp: /giahan N DD/MM/YYYY LÝ_DO"), text
    assert "Xin cho biết lý do" in (await say(conv, head, "/giahan 4 15/07/2026"))[0]
    assert "đã qua" in (await say(conv, head, "/giahan 4 01/06/2026 chờ"))[0]
    early = (await say(conv, head, "/giahan 4 25/06/2026 chờ"))[0]
    assert "Hạn hiện tại của nhiệm vụ 4 là 30/06/2026" in early and "phải sau hạn đó" in early
    assert "không thuộc đơn vị" in (await say(conv, head, "/giahan 99 15/07/2026 chờ"))[0]
    assert (await say(conv, office, "/duyet"))[0].startswith("Cú pháp: /duyet N [ĐƠN_VỊ]")
    assert (await say(conv, office, "/tuchoi 4"))[0].startswith("Cú pháp: /tuchoi N [ĐƠN_VỊ] LÝ_DO")
    assert (await say(conv, office, "/duyet 4 XYZ"))[0].startswith('Không có đơn vị "XYZ"')
    async with ctx.db.session() as s:
        assert await s.scalar(select(ExtensionRequest.id)) is None  # none of these was recorded


async def test_only_the_office_answers_extensions_and_help_shows_each_role_its_commands(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    head, office = await _office_and_head(ctx, conv)
    await say(conv, head, f"/giahan 4 15/07/2026 {LEADERS}")
    assert (await say(conv, head, "/duyet 4"))[0] == texts.OFFICE_ONLY
    assert (await say(conv, head, "/tuchoi 4 không"))[0] == texts.OFFICE_ONLY
    assert (await _assignment(ctx, 4, "VHXH")).extended_due is None
    head_help, office_help = (await say(conv, head, "/help"))[0], (await say(conv, office, "/help"))[0]
    assert "/giahan N DD/MM/YYYY LÝ_DO" in head_help and "/chitieu" in head_help
    assert "/duyet" not in head_help and "/tuchoi" not in head_help
    assert "/duyet N [ĐƠN_VỊ]" in office_help and "/tuchoi N [ĐƠN_VỊ] LÝ_DO" in office_help


async def test_two_units_asking_make_the_office_name_the_unit(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    head, office = await _office_and_head(ctx, conv)
    vp = await linked(ctx, conv, "VP", name="Chánh Văn phòng")
    await say(conv, head, f"/giahan 4 15/07/2026 {LEADERS}")
    await say(conv, vp, "/giahan 4 10/07/2026 chờ số liệu")
    which = (await say(conv, office, "/duyet 4"))[0]
    assert "có 2 đề nghị gia hạn đang chờ: VHXH, VP" in which
    assert (await _assignment(ctx, 4, "VHXH")).extended_due is None
    assert "cho Văn phòng HĐND và UBND phường" in (await say(conv, office, "/duyet 4 VP"))[0]
    assert (await _assignment(ctx, 4, "VP")).extended_due == date(2026, 7, 10)
    assert (await _assignment(ctx, 4, "VHXH")).extended_due is None


async def test_a_request_nobody_in_the_office_can_receive_is_not_claimed_as_sent(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    head = await linked(ctx, conv, "VHXH")
    asked = (await say(conv, head, f"/giahan 4 15/07/2026 {LEADERS}"))[0]
    assert "Đã gửi" not in asked and "chưa được báo" in asked and "hạn vẫn là 30/06/2026" in asked


async def test_an_office_person_the_office_unlinked_is_not_counted_as_told(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    head = await linked(ctx, conv, "VHXH")
    office = await linked(ctx, conv, "VHXH", role="office", chat_id="office", name="Chị Lan")
    await linked(ctx, conv, "VP", role="office", chat_id="office-2", name="Anh Nam")
    assert "Đã hủy" in (await say(conv, office, "/huy Anh Nam"))[0]
    await say(conv, office, "/huy Chị Lan")  # refused: nobody unlinks themselves
    async with ctx.db.session() as s, s.begin():
        lan = await s.scalar(select(Person).where(Person.name == "Chị Lan"))
        assert lan is not None and lan.unlinked_at is None
        lan.unlinked_at = ctx.now()  # unlinked too (by the CLI or another office person)
    asked = (await say(conv, head, f"/giahan 4 15/07/2026 {LEADERS}"))[0]
    assert "Đã gửi" not in asked and "chưa được báo" in asked
