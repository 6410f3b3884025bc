"""Truthful counts and fallbacks: an escalation whose leaders cannot be reached goes to the
office; reminders nobody could receive are told to the office once a day, by unit; /remind
says how many units were queued and which have nobody. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select, update

from bot.actions.people import create_person, issue_link_code
from bot.actions.tasks import queue_manual_reminder
from bot.context import AppContext
from bot.conversation.handle import Conversation
from scheduler.clock import ManualClock
from store.enums import ReminderKind
from store.models import ChatIdentity, Reminder, Unit
from store.outbox import insert_reminders, reminder_row
from store.queries import current_assignments
from tests.conftest import RecordingChannel, local
from tests.helpers import dispatcher, linked, say


async def _view_id(ctx: AppContext, stt: int, unit: str) -> int:
    async with ctx.db.session() as s:
        unit_id = await s.scalar(select(Unit.id).where(Unit.ward_id == ctx.ward_id, Unit.code == unit))
        views = await current_assignments(s, ctx.ward_id, ctx.today(), unit_id)
    return next(v.id for v in views if v.task_stt == stt)


async def _queue(ctx: AppContext, key: str, kind: str, assignment_id: int) -> None:
    async with ctx.db.session() as s, s.begin():
        now = ctx.now()
        await insert_reminders(s, [reminder_row(ctx.ward_id, key, kind, now, now, assignment_id=assignment_id)])


async def _only(ctx: AppContext, key: str) -> Reminder:
    async with ctx.db.session() as s:
        row = await s.scalar(select(Reminder).where(Reminder.key == key))
        assert row is not None
        return row


async def _clear_planned(ctx: AppContext) -> None:
    """The fixture plans the ward; these tests look at the rows they queue themselves."""
    async with ctx.db.session() as s, s.begin():
        await s.execute(delete(Reminder))


# --- escalations --------------------------------------------------------------------------------


async def test_an_escalation_whose_leader_never_linked_goes_to_the_office(ctx: AppContext) -> None:
    await _clear_planned(ctx)
    conv = Conversation(ctx)
    office = await linked(ctx, conv, "VHXH", role="office", chat_id="office")
    async with ctx.db.session() as s, s.begin():  # a leader was given a code, never sent it
        leader = await create_person(s, ctx.ward_id, "Chủ tịch", "leader", None, ctx.now())
        await issue_link_code(s, leader, ctx.now(), timedelta(hours=72))
    await _queue(ctx, "esc-1", ReminderKind.ESCALATE, await _view_id(ctx, 4, "VHXH"))
    channel = RecordingChannel()
    await dispatcher(ctx, channel).tick()
    assert (await _only(ctx, "esc-1")).state == "sent"
    assert len(channel.texts_to(office)) == 1


async def test_an_escalation_goes_to_a_reachable_leader_and_not_to_the_office(ctx: AppContext) -> None:
    await _clear_planned(ctx)
    conv = Conversation(ctx)
    office = await linked(ctx, conv, "VHXH", role="office", chat_id="office")
    leader = await linked(ctx, conv, "VHXH", role="leader", chat_id="leader")
    blocked = await linked(ctx, conv, "VP", role="leader", chat_id="blocked-leader")
    async with ctx.db.session() as s, s.begin():
        await s.execute(update(ChatIdentity).where(ChatIdentity.chat_id == blocked).values(unreachable_at=ctx.now()))
    await _queue(ctx, "esc-2", ReminderKind.ESCALATE, await _view_id(ctx, 4, "VHXH"))
    channel = RecordingChannel()
    await dispatcher(ctx, channel).tick()
    assert len(channel.texts_to(leader)) == 1
    assert channel.texts_to(office) == [] and channel.texts_to(blocked) == []


async def test_a_unit_reminder_falls_to_the_units_office_staff_when_its_head_never_linked(ctx: AppContext) -> None:
    await _clear_planned(ctx)
    conv = Conversation(ctx)
    staff = await linked(ctx, conv, "VHXH", role="office", chat_id="vhxh-staff")
    async with ctx.db.session() as s, s.begin():
        await create_person(s, ctx.ward_id, "Trưởng phòng", "head", "VHXH", ctx.now())
    await _queue(ctx, "due-1", ReminderKind.DUE, await _view_id(ctx, 4, "VHXH"))
    channel = RecordingChannel()
    await dispatcher(ctx, channel).tick()
    assert (await _only(ctx, "due-1")).state == "sent" and len(channel.texts_to(staff)) == 1


# --- the daily notice of reminders nobody received ----------------------------------------------------


async def _notices(ctx: AppContext) -> list[Reminder]:
    async with ctx.db.session() as s:
        stmt = select(Reminder).where(Reminder.key.like("nobody:%")).order_by(Reminder.id)
        return list(await s.scalars(stmt))


async def test_reminders_nobody_could_receive_are_told_to_the_office_once_a_day_by_unit(
    ctx: AppContext, clock: ManualClock
) -> None:
    await _clear_planned(ctx)
    conv = Conversation(ctx)
    office = await linked(ctx, conv, "VHXH", role="office", chat_id="office")
    await linked(ctx, conv, "VHXH", role="office", chat_id="office-2", name="Người thứ hai")
    channel = RecordingChannel()
    d = dispatcher(ctx, channel)
    clock.current = local("2026-06-22T08:00")
    await _queue(ctx, "vp-5", ReminderKind.DUE, await _view_id(ctx, 5, "VP"))
    await _queue(ctx, "vp-12", ReminderKind.BEFORE, await _view_id(ctx, 12, "VP"))
    await d.tick()
    assert {(await _only(ctx, k)).state for k in ("vp-5", "vp-12")} == {"skipped"}
    notices = await _notices(ctx)
    assert len(notices) == 2  # one per office person
    assert {n.key.rsplit(":", 1)[0] for n in notices} == {"nobody:2026-06-22"}
    assert all(n.due_at == local("2026-06-22T09:01") for n in notices)
    # Later that morning another unit's reminder goes to nobody: the same notice, rewritten.
    clock.current = local("2026-06-22T08:30")
    await _queue(ctx, "kt-1", ReminderKind.DUE, await _view_id(ctx, 1, "KTHTDT"))
    await d.tick()
    assert len(await _notices(ctx)) == 2
    assert channel.texts_to(office) == []  # not before the report time
    clock.current = local("2026-06-22T09:01")
    await d.tick()
    await d.tick()
    sent = channel.texts_to(office)
    assert len(sent) == 1
    assert sent[0].startswith("Nhắc việc chưa gửi được vì đơn vị chưa có người nhận")
    assert "- VP: nhiệm vụ 5, 12 (2 lần nhắc)" in sent[0]
    assert "- KTHTDT: nhiệm vụ 1 (1 lần nhắc)" in sent[0]
    assert "từ 09:00 ngày 21/06/2026 đến 09:00 ngày 22/06/2026" in sent[0]
    # After the report time, a skip belongs to tomorrow's notice; nothing more goes out today.
    clock.current = local("2026-06-22T14:00")
    await _queue(ctx, "vp-5b", ReminderKind.OVERDUE, await _view_id(ctx, 5, "VP"))
    await d.tick()
    assert len(channel.texts_to(office)) == 1
    tomorrow = [n for n in await _notices(ctx) if n.key.startswith("nobody:2026-06-23")]
    assert len(tomorrow) == 2 and "- VP: nhiệm vụ 5 (1 lần nhắc)" in (tomorrow[0].body or "")
    assert "KTHTDT" not in (tomorrow[0].body or "")


async def test_two_workers_skipping_at_once_make_one_notice_per_office_person(
    ctx: AppContext, clock: ManualClock
) -> None:
    await _clear_planned(ctx)
    conv = Conversation(ctx)
    await linked(ctx, conv, "VHXH", role="office", chat_id="office")
    clock.current = local("2026-06-22T08:00")
    for stt in (5, 12):
        await _queue(ctx, f"vp-{stt}", ReminderKind.DUE, await _view_id(ctx, stt, "VP"))
    import asyncio

    a, b = dispatcher(ctx, RecordingChannel(), worker="a", batch=1), dispatcher(ctx, RecordingChannel(), worker="b")
    await asyncio.gather(a.tick(), b.tick())
    notices = await _notices(ctx)
    assert len(notices) == 1 and "- VP: nhiệm vụ 5, 12 (2 lần nhắc)" in (notices[0].body or "")


# --- /remind and nhacviec remind ---------------------------------------------------------------------


async def test_remind_counts_the_units_that_can_receive_and_names_the_others(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    office = await linked(ctx, conv, "VHXH", role="office", chat_id="office")
    await linked(ctx, conv, "KTHTDT")
    blocked = await linked(ctx, conv, "VP")
    async with ctx.db.session() as s, s.begin():
        await s.execute(update(ChatIdentity).where(ChatIdentity.chat_id == blocked).values(unreachable_at=ctx.now()))
    # Task 15 is conditional; give it a date so all five of its units have it.
    await say(conv, office, "/activate 15 10/7/2026")
    reply = (await say(conv, office, "/remind 15"))[0]
    assert reply.startswith("Đã xếp lịch nhắc ngay nhiệm vụ 15 cho 2 đơn vị; chưa có người nhận: ")
    named = reply.split(": ", 1)[1].rstrip(".").split(", ")
    assert "VP" in named and "VHXH" not in named and "KTHTDT" not in named and len(named) == 3
    async with ctx.db.session() as s:
        manual = list(await s.scalars(select(Reminder).where(Reminder.kind == "manual")))
    assert len(manual) == 2  # no row for a unit that would only skip it
    assert (await say(conv, office, "/remind 4 VP")) == [
        "Chưa nhắc được nhiệm vụ 4: chưa có người nhận ở VP (chưa ai liên kết tài khoản). "
        "Xin cấp mã liên kết cho đơn vị (nhacviec link)."
    ]


async def test_queue_manual_reminder_reports_what_it_queued(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    await linked(ctx, conv, "VHXH")
    async with ctx.db.session() as s, s.begin():
        queued = await queue_manual_reminder(s, ctx.ward_id, 4, None, ctx.now(), ctx.today())
    assert queued.task == "4" and queued.units == ["VHXH"] and queued.nobody
