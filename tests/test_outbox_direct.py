"""An answer the running bot gives is written claimed by its dispatcher, with the "sending"
attempt of its send, and sent once committed without a claim and a decision of its own
(scheduler/dispatcher/direct.py, issue 26). The outbox's promises still hold: nothing is
sent before it is committed, no second worker sends it, a crash leaves it to be sent once
after its lease (counted as unknown), a stop gives it back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

import scheduler.dispatcher.run
from bot.app.service import Ticker, make_dispatcher
from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.messages import DeliveryResult, OutboundMessage
from scheduler.clock import ManualClock
from store.enums import ReminderKind
from store.models import DeliveryAttempt, Reminder
from store.outbox import LeasedReply
from tests.conftest import RecordingChannel
from tests.fakes.waiting import until
from tests.helpers import dispatcher, linked, say


@pytest.fixture
async def running(ctx: AppContext) -> AsyncIterator[tuple[Ticker, RecordingChannel]]:
    """The running bot's dispatcher on a Telegram channel, woken as the service wakes it."""
    channel = RecordingChannel("telegram")
    ticker = Ticker(ctx, make_dispatcher(ctx, {"telegram": channel}))
    wakeups = asyncio.create_task(ticker.serve_wakeups())
    yield ticker, channel
    ticker.dispatcher.stopping = True
    ticker.woken.set()
    await asyncio.wait_for(wakeups, 10)


async def _replies(ctx: AppContext) -> list[Reminder]:
    async with ctx.db.session() as s:
        return list(await s.scalars(select(Reminder).where(Reminder.kind == ReminderKind.REPLY).order_by(Reminder.id)))


async def _attempts(ctx: AppContext, reminder_id: int) -> list[tuple[str, str]]:
    async with ctx.db.read() as s:
        rows = await s.execute(
            select(DeliveryAttempt.outcome, DeliveryAttempt.worker)
            .where(DeliveryAttempt.reminder_id == reminder_id)
            .order_by(DeliveryAttempt.id)
        )
        return [(outcome, worker) for outcome, worker in rows.all()]


def _watch_claims(monkeypatch: pytest.MonkeyPatch) -> list[list[int]]:
    """The ids each outbox claim took from now on, one list per claim."""
    calls: list[list[int]] = []
    real_claim = scheduler.dispatcher.run.claim

    async def watched(*args: Any, **kwargs: Any) -> list[int]:
        ids = await real_claim(*args, **kwargs)
        calls.append(ids)
        return ids

    monkeypatch.setattr(scheduler.dispatcher.run, "claim", watched)
    return calls


async def test_an_answer_is_sent_once_committed_without_a_claim_of_its_own(
    ctx: AppContext, running: tuple[Ticker, RecordingChannel], monkeypatch: pytest.MonkeyPatch
) -> None:
    ticker, channel = running
    calls = _watch_claims(monkeypatch)
    chat = await linked(ctx, Conversation(ctx), "VHXH", channel="telegram")
    await say(Conversation(ctx), chat, "4: đang làm 50%", channel="telegram")
    await until(lambda: len(channel.texts_to(chat)) == 2, what="the welcome and the answer sent")
    assert "50%" in channel.texts_to(chat)[1]

    async def recorded() -> bool:
        return [r.state for r in await _replies(ctx)] == ["sent", "sent"]

    await until(recorded, what="both recorded")
    replies = await _replies(ctx)
    claimed = [i for ids in calls for i in ids]
    assert not set(claimed) & {r.id for r in replies}  # written claimed: no claim took them
    worker = ticker.dispatcher.config.worker
    for r in replies:
        assert await _attempts(ctx, r.id) == [("ok", worker)]


async def test_an_answer_and_its_sending_attempt_are_committed_before_it_is_sent(
    ctx: AppContext, running: tuple[Ticker, RecordingChannel]
) -> None:
    ticker, channel = running
    seen: list[tuple[str, str | None, list[tuple[str, str]]]] = []

    class Looking(RecordingChannel):
        async def send(self, chat_id: str, message: OutboundMessage) -> DeliveryResult:
            # Another session sees only what was committed.
            async with ctx.db.read() as s:
                row = await s.scalar(select(Reminder).where(Reminder.chat_id == chat_id).order_by(Reminder.id.desc()))
            assert row is not None
            seen.append((row.state, row.locked_by, await _attempts(ctx, row.id)))
            return await channel.send(chat_id, message)

    ticker.dispatcher.channels["telegram"] = Looking("telegram")
    chat = await linked(ctx, Conversation(ctx), "VHXH", channel="telegram")
    await until(lambda: channel.texts_to(chat), what="the welcome sent")
    worker = ticker.dispatcher.config.worker
    assert seen == [("sending", worker, [("sending", worker)])]


class _Dies:
    """A process that wrote its answer claimed and died before sending it."""

    def __init__(self, lease_seconds: float) -> None:
        self.lease_seconds = lease_seconds
        self.handed: list[LeasedReply] = []

    def lease(self, channel: str, now: datetime) -> tuple[str, datetime] | None:
        return "dead", now + timedelta(seconds=self.lease_seconds)

    def hand_over(self, reply: LeasedReply) -> None:
        self.handed.append(reply)  # never sent: the process is gone


async def test_an_answer_left_by_a_crash_is_sent_once_after_its_lease_and_counted_unknown(
    ctx: AppContext, clock: ManualClock
) -> None:
    dead = _Dies(lease_seconds=120)
    ctx.replies = dead
    chat = await linked(ctx, Conversation(ctx), "VHXH", channel="telegram")
    assert len(dead.handed) == 1
    channel = RecordingChannel("telegram")
    alive = dispatcher(ctx, channel, worker="alive")
    assert (await alive.tick()).claimed == 0  # leased to the dead worker: nobody else sends it
    clock.advance(seconds=121)
    assert (await alive.tick()).sent == 1
    assert len(channel.texts_to(chat)) == 1 and "Xin chào" in channel.texts_to(chat)[0]
    (reply,) = await _replies(ctx)
    # It may have left before the crash: the one countable duplicate window.
    assert await _attempts(ctx, reply.id) == [("unknown", "dead"), ("ok", "alive")]
    assert (reply.state, reply.attempts) == ("sent", 0)
    assert (await alive.tick()).claimed == 0


async def test_a_stop_gives_back_an_answer_handed_over_and_not_yet_sent(ctx: AppContext) -> None:
    started, release = asyncio.Event(), asyncio.Event()

    class Stuck(RecordingChannel):
        async def send(self, chat_id: str, message: OutboundMessage) -> DeliveryResult:
            started.set()
            await release.wait()
            return await super().send(chat_id, message)

    ticker = Ticker(ctx, make_dispatcher(ctx, {"telegram": Stuck("telegram")}))
    wakeups = asyncio.create_task(ticker.serve_wakeups())
    conv = Conversation(ctx)
    first = asyncio.create_task(linked(ctx, conv, "VHXH", channel="telegram"))
    await asyncio.wait_for(started.wait(), 10)  # the first answer is on the wire
    second = await linked(ctx, conv, "TTDVSNC", channel="telegram")  # handed over behind it
    await first
    await ticker.shutdown(grace=0.1, cut_off=2)
    await asyncio.wait_for(wakeups, 10)
    replies = {r.chat_id: r for r in await _replies(ctx)}
    given_back = replies[second]
    assert (given_back.state, given_back.locked_by) == ("pending", None)
    assert await _attempts(ctx, given_back.id) == []  # its attempt was never used: deleted
    channel = RecordingChannel("telegram")
    await dispatcher(ctx, channel, worker="next-start").tick()
    assert len(channel.texts_to(second)) == 1
    assert await _attempts(ctx, given_back.id) == [("ok", "next-start")]


async def test_an_answer_on_a_channel_this_process_does_not_send_on_waits_for_a_claim(
    ctx: AppContext, running: tuple[Ticker, RecordingChannel]
) -> None:
    chat = await linked(ctx, Conversation(ctx), "VHXH", channel="zalo")
    (reply,) = await _replies(ctx)
    assert (reply.chat_id, reply.state, reply.locked_by) == (chat, "pending", None)
    assert await _attempts(ctx, reply.id) == []


async def test_an_answer_that_waited_past_its_lease_is_not_sent_by_a_second_worker_too(
    ctx: AppContext, clock: ManualClock
) -> None:
    mine = RecordingChannel("telegram")
    ticker = Ticker(ctx, make_dispatcher(ctx, {"telegram": mine}))
    ctx.replies = ticker  # as while it serves wake-ups; its dispatch is held up meanwhile
    chat = await linked(ctx, Conversation(ctx), "VHXH", channel="telegram")
    clock.advance(seconds=ticker.dispatcher.config.lease_seconds + 1)
    other = RecordingChannel("telegram")
    assert (await dispatcher(ctx, other, worker="w2").tick()).sent == 1  # the lease ran out: taken over
    await ticker.dispatch()  # this worker's turn comes at last: its lease is checked first
    assert len(other.texts_to(chat)) == 1 and mine.texts_to(chat) == []


async def test_an_answer_handed_over_is_sent_without_the_outbox_being_checked_after_it(
    ctx: AppContext, running: tuple[Ticker, RecordingChannel], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A claim after every answer handed over is a query competing with the next message
    # (issue 26): nothing but the answer was queued, so nothing is claimed.
    _, channel = running
    claims = _watch_claims(monkeypatch)
    chat = await linked(ctx, Conversation(ctx), "VHXH", channel="telegram")
    await say(Conversation(ctx), chat, "4: đang làm 50%", channel="telegram")
    await until(lambda: len(channel.texts_to(chat)) == 2, what="the welcome and the answer sent")

    async def recorded() -> bool:
        return [r.state for r in await _replies(ctx)] == ["sent", "sent"]

    await until(recorded, what="both recorded")
    assert claims == []


async def test_what_a_turn_queues_besides_its_answer_handed_over_is_claimed_at_once(
    ctx: AppContext, running: tuple[Ticker, RecordingChannel]
) -> None:
    # "vướng: lý do" tells the office at once: its notice waits for a claim, which the turn
    # wakes (no tick runs here).
    _, channel = running
    conv = Conversation(ctx)
    office = await linked(ctx, conv, "VHXH", role="office", chat_id="office", channel="telegram")
    head = await linked(ctx, conv, "VHXH", channel="telegram")
    await until(lambda: len(channel.texts_to(office)) == 1, what="the office's welcome sent")
    await say(conv, head, "4 vướng: chờ kinh phí", channel="telegram")
    await until(lambda: len(channel.texts_to(head)) == 2, what="the head's answer sent")
    await until(lambda: len(channel.texts_to(office)) == 2, what="the office told of the blocker")
    assert "chờ kinh phí" in channel.texts_to(office)[1]
