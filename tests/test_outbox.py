import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.actions.tasks import queue_manual_reminder
from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.messages import ChannelError
from bot.texts.reminders import ReminderRenderer
from scheduler.clock import ManualClock
from scheduler.dispatcher import Dispatcher, DispatcherConfig
from store.db import Database
from store.models import ChatIdentity, DeliveryAttempt, Reminder
from store.outbox import claim, insert_reminders, reminder_row
from store.queries import current_assignments
from tests.conftest import RecordingChannel, local
from tests.fakes.waiting import settle, until
from tests.helpers import dispatcher, linked, say


async def _reminders(ctx: AppContext, **where: object) -> list[Reminder]:
    async with ctx.db.session() as s:
        stmt = select(Reminder)
        for k, v in where.items():
            stmt = stmt.where(getattr(Reminder, k) == v)
        return list(await s.scalars(stmt.order_by(Reminder.id)))


async def test_a_due_reminder_reaches_the_unit_head_with_task_and_due_date(ctx: AppContext, clock: ManualClock) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VP")
    async with ctx.db.session() as s, s.begin():
        await queue_manual_reminder(s, ctx.ward_id, 4, "VP", clock.now(), ctx.today())
    channel = RecordingChannel()
    stats = await dispatcher(ctx, channel).tick()
    assert stats.sent == 1
    (task4,) = channel.texts_to(chat)
    assert "Nhiệm vụ 4 (phối hợp)" in task4
    assert "Hạn: Thứ Ba, 30/06/2026 — còn 6 ngày làm việc" in task4
    assert "Sản phẩm: Công văn" in task4
    _, message = channel.sent[0]
    assert [b.label for b in message.buttons] == ["Đã xong", "Đang làm", "Vướng mắc"]


async def test_everything_due_for_a_head_at_one_moment_is_one_message(ctx: AppContext, clock: ManualClock) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    channel = RecordingChannel()
    clock.current = local("2026-06-25T08:00")
    stats = await dispatcher(ctx, channel).tick()
    (message,) = channel.texts_to(chat)
    assert stats.sent >= 8  # every reminder row is still recorded as sent by that message
    assert message.startswith("🔔 Nhắc việc ngày 25/06/2026 — Phòng Văn hóa - Xã hội")
    for heading in ("🔔 Sắp đến hạn:", "📋 Hỏi tiến độ định kỳ:"):
        assert heading in message
    assert "• NV 4 (chủ trì)" in message and "hạn 30/06/2026, còn 3 ngày làm việc" in message
    assert 'Trả lời nhiều việc một lần, ví dụ: "' in message
    async with ctx.db.session() as s:
        ids = set(
            await s.scalars(
                select(DeliveryAttempt.provider_message_id).where(
                    DeliveryAttempt.chat_id == chat, DeliveryAttempt.outcome == "ok"
                )
            )
        )
    assert len(ids) == 1  # one message, recorded against every row it carried


async def test_nothing_is_sent_twice_across_ticks(ctx: AppContext, clock: ManualClock) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    channel = RecordingChannel()
    clock.current = local("2026-06-25T08:00")
    d = dispatcher(ctx, channel)
    first = await d.tick()
    # The first tick did send: the morning's rows, as one grouped message to the head.
    assert first.sent >= 2 and len(channel.texts_to(chat)) == 1
    sent_before = len(channel.sent)
    again = await d.tick()
    assert (again.claimed, again.sent) == (0, 0)
    assert len(channel.sent) == sent_before


async def test_a_reminder_for_a_done_task_is_skipped(ctx: AppContext, clock: ManualClock) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    await say(conv, chat, "4: đã xong")
    channel = RecordingChannel()
    clock.current = local("2026-06-30T08:05")
    stats = await dispatcher(ctx, channel).tick()
    assert stats.claimed >= 1 and stats.skipped >= 1  # the tick did take task 4's due-day row ...
    assert not [t for t in channel.texts_to(chat) if "Nhiệm vụ 4" in t or "NV 4 " in t]  # ... and sent nothing
    skipped = [r for r in await _reminders(ctx, state="skipped") if r.kind == "due"]
    assert any("đã xong" in (r.last_error or "") for r in skipped)


async def test_a_reminder_missed_while_down_is_sent_once_if_recent_and_dropped_if_old(
    ctx: AppContext, clock: ManualClock
) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    channel = RecordingChannel()
    # The outbox was planned on 22/6 and the bot was down until 25/6 10:00: today's 08:00
    # reminder is 2 hours old and is sent; the one of 23/6 08:00 is dropped with a record.
    async with ctx.db.session() as s, s.begin():
        views = await current_assignments(s, ctx.ward_id, clock.now().date(), None)
        aid = next(v.id for v in views if v.task_stt == 4 and v.unit_code == "VHXH")
        await insert_reminders(
            s,
            [
                reminder_row(
                    ctx.ward_id, "old", "before", local("2026-06-23T08:00"), clock.now(), assignment_id=aid, seq=99
                )
            ],
        )
    clock.current = local("2026-06-25T10:00")
    stats = await dispatcher(ctx, channel).tick()
    assert stats.dropped >= 1
    dropped = await _reminders(ctx, key="old")
    assert dropped[0].state == "dropped" and "quá cũ" in (dropped[0].last_error or "")
    # Today's reminders of the unit arrive as one grouped message naming task 4 once.
    assert sum(t.count("NV 4 (chủ trì)") + t.count("Nhiệm vụ 4 (chủ trì)") for t in channel.texts_to(chat)) == 1


async def test_a_429_is_retried_after_retry_after_and_every_attempt_is_recorded(
    ctx: AppContext, clock: ManualClock
) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    async with ctx.db.session() as s, s.begin():
        await queue_manual_reminder(s, ctx.ward_id, 4, "VHXH", clock.now(), clock.now().date())
    channel = RecordingChannel()
    channel.failures[chat] = [ChannelError("Too Many Requests", permanent=False, retry_after=7)]
    d = dispatcher(ctx, channel)
    stats = await d.tick()
    assert stats.retried == 1 and channel.sent == []
    row = (await _reminders(ctx, kind="manual"))[0]
    assert row.state == "pending" and row.next_attempt_at == clock.now() + timedelta(seconds=7)
    clock.advance(seconds=6)
    assert (await d.tick()).claimed == 0
    clock.advance(seconds=2)
    assert (await d.tick()).sent == 1
    async with ctx.db.session() as s:
        outcomes = list(
            await s.scalars(
                select(DeliveryAttempt.outcome)
                .where(DeliveryAttempt.reminder_id == row.id)
                .order_by(DeliveryAttempt.id)
            )
        )
    assert outcomes == ["transient", "ok"]


async def test_a_blocked_chat_is_marked_unreachable_and_the_office_told_once(
    ctx: AppContext, clock: ManualClock
) -> None:
    conv = Conversation(ctx)
    office = await linked(ctx, conv, "VHXH", role="office", chat_id="office")
    head = await linked(ctx, conv, "VP", chat_id="vp-head")
    channel = RecordingChannel()
    channel.failures[head] = [ChannelError("Forbidden: bot was blocked by the user", permanent=True)] * 5
    async with ctx.db.session() as s, s.begin():
        await queue_manual_reminder(s, ctx.ward_id, 5, "VP", clock.now(), clock.now().date())
        await queue_manual_reminder(s, ctx.ward_id, 12, "VP", clock.now(), clock.now().date())
    d = dispatcher(ctx, channel)
    await d.tick()
    await d.tick()
    async with ctx.db.session() as s:
        identity = await s.scalar(select(ChatIdentity).where(ChatIdentity.chat_id == head))
        assert identity is not None and identity.unreachable_at is not None
    notices = [t for t in channel.texts_to(office) if "Không gửi được" in t]
    assert len(notices) == 1 and "Người VP" in notices[0]
    assert channel.texts_to(head) == []
    # Both reminders met the block (two permanent attempts, both rows failed): one notice
    # for two failures, not one notice because only one send was tried.
    async with ctx.db.session() as s:
        outcomes = list(await s.scalars(select(DeliveryAttempt.outcome).where(DeliveryAttempt.chat_id == head)))
    assert outcomes == ["permanent", "permanent"]
    assert [r.state for r in await _reminders(ctx, kind="manual")] == ["failed", "failed"]


async def test_transient_errors_give_up_after_max_attempts(ctx: AppContext, clock: ManualClock) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    async with ctx.db.session() as s, s.begin():
        await queue_manual_reminder(s, ctx.ward_id, 4, "VHXH", clock.now(), clock.now().date())
    channel = RecordingChannel()
    channel.failures[chat] = [ChannelError("Bad Gateway", permanent=False) for _ in range(10)]
    d = dispatcher(ctx, channel, max_attempts=3)
    for _ in range(5):
        await d.tick()
        clock.advance(hours=1)
    row = (await _reminders(ctx, kind="manual"))[0]
    assert row.state == "failed" and row.attempts == 3


async def test_a_restart_in_the_middle_of_a_dispatch_loses_no_reminder(ctx: AppContext, clock: ManualClock) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    async with ctx.db.session() as s, s.begin():
        for stt in (1, 3, 4, 7, 8, 13):
            await queue_manual_reminder(s, ctx.ward_id, stt, "VHXH", clock.now(), clock.now().date())
    # Worker A claims everything due and dies before sending anything.
    claimed = await claim(ctx.db, "dead-worker", clock.now(), 100, lease_seconds=120)
    assert len(claimed) == 6
    channel = RecordingChannel()
    b = dispatcher(ctx, channel, worker="w2", lease_seconds=120)
    assert (await b.tick()).claimed == 0  # leased: not sent twice while A might still be alive
    clock.advance(seconds=121)
    stats = await b.tick()
    assert (stats.claimed, stats.sent) == (6, 6)
    assert len(channel.texts_to(chat)) == 6
    assert {r.state for r in await _reminders(ctx, kind="manual")} == {"sent"}


@pytest.mark.parametrize("rows", [400])
async def test_two_dispatchers_send_each_reminder_exactly_once(ctx: AppContext, clock: ManualClock, rows: int) -> None:
    conv = Conversation(ctx)
    for unit in ctx.plan.units:
        await linked(ctx, conv, unit)
    async with ctx.db.session() as s, s.begin():
        views = await current_assignments(s, ctx.ward_id, clock.now().date(), None)
        batch = [
            reminder_row(
                ctx.ward_id, f"load:{i}", "manual", clock.now(), clock.now(), assignment_id=views[i % len(views)].id
            )
            for i in range(rows)
        ]
        await insert_reminders(s, batch)
    channel = RecordingChannel()
    other_db = Database(ctx.db.url)  # a second process: its own engine and connections
    try:
        a = dispatcher(ctx, channel, worker="a", batch=20)
        b = dispatcher(ctx, channel, worker="b", batch=20, db=other_db)
        results = await asyncio.gather(a.tick(), b.tick(), a.tick(), b.tick())
    finally:
        await other_db.dispose()
    assert sum(r.sent for r in results) == rows
    assert len(channel.sent) == rows
    async with ctx.db.session() as s:
        per_row = (
            await s.execute(
                select(DeliveryAttempt.reminder_id, func.count())
                .where(DeliveryAttempt.outcome == "ok")
                .group_by(DeliveryAttempt.reminder_id)
            )
        ).all()
        workers = set(await s.scalars(select(DeliveryAttempt.worker).distinct()))
    manual = {r.id for r in await _reminders(ctx, kind="manual")}
    counts = {rid: n for rid, n in per_row if rid in manual}
    assert len(counts) == rows and set(counts.values()) == {1}
    if ctx.db.is_postgres:
        assert workers == {"a", "b"}  # both really worked in parallel


async def test_a_person_on_two_channels_gets_one_copy_on_the_preferred_one(ctx: AppContext, clock: ManualClock) -> None:
    from bot.actions.people import issue_link_code
    from store.models import Person

    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH", channel="console")
    async with ctx.db.session() as s, s.begin():
        person = await s.scalar(select(Person).where(Person.name == "Người VHXH"))
        assert person is not None
        code = await issue_link_code(s, person, clock.now(), timedelta(hours=1))
    await say(conv, "zalo-1", f"/start {code.code}", channel="zalo")
    async with ctx.db.session() as s, s.begin():
        await queue_manual_reminder(s, ctx.ward_id, 4, "VHXH", clock.now(), clock.now().date())
    console, zalo = RecordingChannel("console"), RecordingChannel("zalo")
    d = Dispatcher(
        db=ctx.db,
        channels={"console": console, "zalo": zalo},
        renderer=ReminderRenderer(ctx.calendar),
        clock=ctx.clock,
        calendar=ctx.calendar,
        config=DispatcherConfig(worker="w"),
    )
    await d.tick()
    # The welcome answered on Zalo goes back there; the reminder goes to one chat only.
    assert len(console.texts_to(chat)) == 1
    assert [m.text for _, m in zalo.sent if "Nhiệm vụ 4" in m.text] == []
    assert [m.text.startswith("Xin chào") for _, m in zalo.sent] == [True]


async def test_an_overdue_lead_is_escalated_to_leadership_once(ctx: AppContext, clock: ManualClock) -> None:
    conv = Conversation(ctx)
    leader = await linked(ctx, conv, "UBND", role="leader", chat_id="chu-tich")
    head = await linked(ctx, conv, "VHXH")
    channel = RecordingChannel()
    d = dispatcher(ctx, channel)
    # Task 1 was due 9/5 (Friday 8/5 the last working day); 5 working days later: 15/5.
    clock.current = local("2026-05-15T08:00")
    async with ctx.db.session() as s, s.begin():
        await plan_ward(s, ctx.settings.ward, ctx.plan, ctx.calendar, clock.now())
    await d.tick()
    escalations = [t for t in channel.texts_to(leader) if t.startswith("⚠ Báo cáo lãnh đạo")]
    assert len(escalations) == 1
    assert "Nhiệm vụ 1 quá hạn" in escalations[0] and "Phòng Văn hóa - Xã hội" in escalations[0]
    clock.advance(days=1)
    await d.tick()
    assert len([t for t in channel.texts_to(leader) if t.startswith("⚠ Báo cáo lãnh đạo")]) == 1
    # Thursday 21/5 (nags back off: 11/5, 14/5, then 5 working days): the next overdue
    # reminder goes out, so this tick was live, and the escalation is still once.
    nags = len(channel.texts_to(head))
    clock.current = local("2026-05-21T08:00")
    assert (await d.tick()).sent >= 1 and len(channel.texts_to(head)) > nags
    assert len([t for t in channel.texts_to(leader) if t.startswith("⚠ Báo cáo lãnh đạo")]) == 1


async def test_coordinating_units_are_told_who_leads(ctx: AppContext, clock: ManualClock) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VP")
    channel = RecordingChannel()
    clock.current = local("2026-06-25T08:00")
    await dispatcher(ctx, channel).tick()
    (text,) = channel.texts_to(chat)  # the morning's reminders of VP, grouped
    line = next(i for i, t in enumerate(text.splitlines()) if "NV 4 (phối hợp)" in t)
    assert text.splitlines()[line + 1] == "  Chủ trì: Phòng Văn hóa - Xã hội"


async def test_ongoing_work_gets_a_monthly_check_in_question(ctx: AppContext, clock: ManualClock) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    channel = RecordingChannel()
    clock.current = local("2026-06-25T08:00")  # 3 working days before the end of June
    await dispatcher(ctx, channel).tick()
    (text,) = channel.texts_to(chat)
    section = text.split("📋 Hỏi tiến độ định kỳ:")[1].split("\n\n")[0]
    checkins = [line for line in section.splitlines() if line.startswith("• NV ")]
    assert {line.split()[2] for line in checkins} >= {"16", "17", "18", "19"}
    assert all(line.endswith("tiến độ tháng 6/2026") for line in checkins)


from scheduler.planner import plan_ward  # noqa: E402


async def test_a_stop_between_two_recipients_neither_repeats_nor_loses(ctx: AppContext, clock: ManualClock) -> None:
    from bot.messages import DeliveryResult, OutboundMessage

    conv = Conversation(ctx)
    first = await linked(ctx, conv, "VP", chat_id="vp-1", name="Anh Một")
    second = await linked(ctx, conv, "VP", chat_id="vp-2", name="Chị Hai")

    class HeldChannel(RecordingChannel):
        """The first send reaches the person, then its answer is held until released."""

        release = asyncio.Event()

        async def send(self, chat_id: str, message: OutboundMessage) -> DeliveryResult:
            result = await super().send(chat_id, message)
            await self.release.wait()  # the second recipient waits behind the first
            return result

    async with ctx.db.session() as s, s.begin():
        await queue_manual_reminder(s, ctx.ward_id, 5, "VP", clock.now(), clock.now().date())
    channel = HeldChannel()
    running = asyncio.create_task(dispatcher(ctx, channel).tick())
    await until(lambda: channel.sent, what="the first recipient's message")
    running.cancel()
    await settle()  # the cancellation reaches the dispatcher while the send is still held
    channel.release.set()
    with pytest.raises(asyncio.CancelledError):
        await running
    assert len(channel.sent) == 1
    # By state, not by waiting: the first delivery is recorded and the row is back to
    # pending for the rest, so nothing more can arrive from the stopped tick.
    row = (await _reminders(ctx, kind="manual"))[0]
    assert row.state == "pending" and row.locked_by is None
    assert await _ok_chats(ctx, row.id) == [first]
    await dispatcher(ctx, channel, worker="w2").tick()
    assert len(channel.texts_to(first)) == 1 and len(channel.texts_to(second)) == 1
    assert sorted(await _ok_chats(ctx, row.id)) == sorted([first, second])
    assert (await _reminders(ctx, kind="manual"))[0].state == "sent"


async def _ok_chats(ctx: AppContext, reminder_id: int) -> list[str]:
    async with ctx.db.session() as s:
        return list(
            await s.scalars(
                select(DeliveryAttempt.chat_id)
                .where(DeliveryAttempt.reminder_id == reminder_id, DeliveryAttempt.outcome == "ok")
                .order_by(DeliveryAttempt.id)
            )
        )
