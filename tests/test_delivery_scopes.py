"""What a failed send may disable, how attempts are counted, and what a crash leaves on
record: the dispatcher's promises of issue 12 (nothing lost, duplicates only for sends in
flight and countable, nobody disabled by an error that is not theirs)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.actions.tasks import queue_manual_reminder
from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.messages import ChannelError, DeliveryResult, OutboundMessage
from scheduler.clock import ManualClock
from scheduler.delivery import ErrorScope
from scheduler.dispatcher.decide import decide
from store.models import ChatIdentity, DeliveryAttempt, Reminder
from store.outbox import claim
from tests.conftest import RecordingChannel
from tests.fakes.waiting import until
from tests.helpers import dispatcher, linked


async def _nudge(ctx: AppContext, stt: int = 4, unit: str = "VHXH") -> None:
    async with ctx.db.session() as s, s.begin():
        await queue_manual_reminder(s, ctx.ward_id, stt, unit, ctx.now(), ctx.today())


async def _row(ctx: AppContext) -> Reminder:
    async with ctx.db.session() as s:
        row = await s.scalar(select(Reminder).where(Reminder.kind == "manual"))
        assert row is not None
        return row


async def _outcomes(ctx: AppContext) -> list[str]:
    async with ctx.db.session() as s:
        return list(await s.scalars(select(DeliveryAttempt.outcome).order_by(DeliveryAttempt.id)))


async def _unreachable(ctx: AppContext) -> int:
    async with ctx.db.session() as s:
        return await s.scalar(select(func.count(ChatIdentity.id)).where(ChatIdentity.unreachable_at.is_not(None))) or 0


async def test_a_429_storm_longer_than_max_attempts_fails_nothing(ctx: AppContext, clock: ManualClock) -> None:
    chat = await linked(ctx, Conversation(ctx), "VHXH")
    channel = RecordingChannel()
    channel.failures[chat] = [ChannelError("Too Many Requests", retry_after=1) for _ in range(12)]
    await _nudge(ctx)
    d = dispatcher(ctx, channel, max_attempts=3)
    for _ in range(13):
        await d.tick()
        clock.advance(seconds=2)
    assert len(channel.texts_to(chat)) == 1
    row = await _row(ctx)
    assert (row.state, row.attempts) == ("sent", 0)
    assert (await _outcomes(ctx)).count("transient") == 12


async def test_flow_control_still_gives_up_on_a_row_older_than_the_age_limit(
    ctx: AppContext, clock: ManualClock
) -> None:
    chat = await linked(ctx, Conversation(ctx), "VHXH")
    channel = RecordingChannel()
    channel.failures[chat] = [ChannelError("Too Many Requests", retry_after=1) for _ in range(5)]
    await _nudge(ctx)
    d = dispatcher(ctx, channel, stale_after=timedelta(seconds=5))
    for _ in range(5):
        await d.tick()
        clock.advance(seconds=2)
    assert (await _row(ctx)).state == "failed"


async def test_an_invalid_token_disables_nobody_pauses_the_channel_and_tells_the_office(
    ctx: AppContext, clock: ManualClock
) -> None:
    conv = Conversation(ctx)
    head = await linked(ctx, conv, "VHXH")
    office = await linked(ctx, conv, "VHXH", role="office", chat_id="office")
    channel = RecordingChannel()
    channel.failures[head] = [ChannelError("Unauthorized", scope=ErrorScope.CHANNEL)]
    await _nudge(ctx)
    d = dispatcher(ctx, channel)
    await d.tick()
    assert await _unreachable(ctx) == 0
    row = await _row(ctx)
    assert (row.state, row.attempts) == ("pending", 0)
    assert "console" in d.paused
    # While paused nothing goes out; the office's notice waits in the outbox too.
    await d.tick()
    assert channel.sent == []
    clock.advance(seconds=31)
    await d.tick()
    assert len(channel.texts_to(head)) == 1
    notices = [t for t in channel.texts_to(office) if "đang lỗi" in t]
    assert len(notices) == 1 and "không ai bị ngừng nhận nhắc" in notices[0]
    assert await _unreachable(ctx) == 0


async def test_an_unknown_400_fails_that_message_and_disables_nobody(ctx: AppContext) -> None:
    chat = await linked(ctx, Conversation(ctx), "VHXH")
    channel = RecordingChannel()
    channel.failures[chat] = [ChannelError("Bad Request: can't parse entities", scope=ErrorScope.MESSAGE)]
    await _nudge(ctx)
    await dispatcher(ctx, channel).tick()
    assert (await _row(ctx)).state == "failed"
    assert await _outcomes(ctx) == ["rejected"]
    assert await _unreachable(ctx) == 0


async def test_a_blocked_chat_is_the_only_thing_disabled(ctx: AppContext) -> None:
    chat = await linked(ctx, Conversation(ctx), "VHXH")
    channel = RecordingChannel()
    channel.failures[chat] = [ChannelError("Forbidden: bot was blocked by the user", scope=ErrorScope.RECIPIENT)]
    await _nudge(ctx)
    await dispatcher(ctx, channel).tick()
    assert await _unreachable(ctx) == 1


async def test_each_row_is_recorded_when_its_send_ends_not_after_the_batch(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    fast = await linked(ctx, conv, "VHXH")
    slow = await linked(ctx, conv, "VP")
    release = asyncio.Event()

    class OneSlowChat(RecordingChannel):
        async def send(self, chat_id: str, message: OutboundMessage) -> DeliveryResult:
            if chat_id == slow:
                await release.wait()
            return await super().send(chat_id, message)

    channel = OneSlowChat()
    await _nudge(ctx, 4, "VHXH")
    await _nudge(ctx, 5, "VP")
    running = asyncio.create_task(dispatcher(ctx, channel).tick())

    async def recorded() -> list[str]:
        async with ctx.db.session() as s:
            return list(await s.scalars(select(DeliveryAttempt.outcome).where(DeliveryAttempt.chat_id == fast)))

    done: list[str] = []

    async def fast_recorded() -> bool:
        done[:] = await recorded()
        return done == ["ok"]

    await until(fast_recorded, what="the fast row recorded while the slow send is still out")
    assert done == ["ok"] and not release.is_set()
    release.set()
    await running
    assert len(channel.texts_to(slow)) == 1


async def test_a_crash_mid_send_leaves_an_attempt_that_becomes_unknown_and_is_counted(
    ctx: AppContext, clock: ManualClock
) -> None:
    chat = await linked(ctx, Conversation(ctx), "VHXH")
    await _nudge(ctx)
    # Worker A claims and writes its "sending" attempt, then dies before recording.
    dead = dispatcher(ctx, RecordingChannel(), worker="dead")
    ids = await claim(ctx.db, "dead", clock.now(), 10, 120)
    async with ctx.db.session() as s, s.begin():
        await decide(s, ids, dead)
    assert await _outcomes(ctx) == ["sending"]
    clock.advance(seconds=121)
    channel = RecordingChannel()
    await dispatcher(ctx, channel, worker="alive").tick()
    assert len(channel.texts_to(chat)) == 1
    assert await _outcomes(ctx) == ["unknown", "ok"]
    row = await _row(ctx)
    assert (row.state, row.attempts) == ("sent", 0)  # a lease reclaim is not a failure


async def test_shutdown_releases_the_rows_it_had_not_started(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    await linked(ctx, conv, "VHXH")
    started = asyncio.Event()

    class Stuck(RecordingChannel):
        async def send(self, chat_id: str, message: OutboundMessage) -> DeliveryResult:
            started.set()
            await asyncio.sleep(0.05)
            return await super().send(chat_id, message)

    for stt in (1, 2, 3, 4, 5):
        await _nudge(ctx, stt, None)  # type: ignore[arg-type]
    channel = Stuck()
    running = asyncio.create_task(dispatcher(ctx, channel, concurrency=1).tick())
    await until(started.is_set, what="the first send")
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    async with ctx.db.session() as s:
        leased = await s.scalar(select(func.count(Reminder.id)).where(Reminder.state == "sending"))
        sending = await s.scalar(select(func.count(DeliveryAttempt.id)).where(DeliveryAttempt.outcome == "sending"))
    assert (leased, sending) == (0, 0)
    sent_before = len(channel.sent)
    assert sent_before >= 1


async def test_sends_failing_together_on_a_broken_channel_are_one_outage_not_a_longer_pause(
    ctx: AppContext, clock: ManualClock
) -> None:
    conv = Conversation(ctx)
    chats = [await linked(ctx, conv, unit) for unit in ("VHXH", "VP", "TTPVHCC")]

    class Broken(RecordingChannel):
        broken = True

        async def send(self, chat_id: str, message: OutboundMessage) -> DeliveryResult:
            if self.broken:
                await asyncio.sleep(0.01)  # all three requests are out before the first answer
                raise ChannelError("Unauthorized", scope=ErrorScope.CHANNEL)
            return await super().send(chat_id, message)

    channel = Broken()
    for stt, unit in ((4, "VHXH"), (5, "VP"), (11, "TTPVHCC")):
        await _nudge(ctx, stt, unit)
    d = dispatcher(ctx, channel)
    await d.tick()
    assert d.paused["console"][1] == d.config.channel_pause  # three failures, one 30 s pause
    channel.broken = False  # the token was fixed
    clock.advance(seconds=31)
    await d.tick()
    assert sorted(len(channel.texts_to(c)) for c in chats) == [1, 1, 1]
