"""The outbox under faults that are not crashes (issue 25): a batch held longer than its lease,
a database blip between a send and its record, a shutdown while the API hangs. Sends go
through the real Zalo client to the fake Zalo API; the database blip is at the driver's edge."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.actions.people import create_person
from bot.app.service import Ticker
from bot.channels.zalo.channel import ZaloChannel
from bot.channels.zalo.client import ZaloClient
from bot.context import AppContext
from bot.texts.reminders import ReminderRenderer
from scheduler.clock import ManualClock
from scheduler.dispatcher import Dispatcher, DispatcherConfig
from store.models import ChatIdentity, DeliveryAttempt, Reminder
from store.outbox import queue_notice
from tests.fakes.db_blip import DbBlip
from tests.fakes.server import RunningServer, serve
from tests.fakes.waiting import until
from tests.fakes.zalo_api import FakeZalo


@dataclass
class Rig:
    ctx: AppContext
    fake: FakeZalo
    server: RunningServer
    channel: ZaloChannel

    def dispatcher(self, worker: str = "w1", **config: float) -> Dispatcher:
        return Dispatcher(
            db=self.ctx.db,
            channels={"zalo": self.channel},
            renderer=ReminderRenderer(self.ctx.calendar),
            clock=self.ctx.clock,
            calendar=self.ctx.calendar,
            config=DispatcherConfig(worker=worker, **config),  # type: ignore[arg-type]
        )

    async def notice(self, chat_id: str, text: str) -> int:
        """A person with a Zalo chat and one notice due now for them; the row's id."""
        now = self.ctx.now()
        async with self.ctx.db.session() as s, s.begin():
            person = await create_person(s, self.ctx.ward_id, f"Người {chat_id}", "head", "VHXH", now)
            s.add(ChatIdentity(person_id=person.id, channel="zalo", chat_id=chat_id, linked_at=now))
            await queue_notice(s, self.ctx.ward_id, [person], f"test:{chat_id}", text, now)
            key = f"test:{chat_id}:p{person.id}"
            return int(await s.scalar(select(Reminder.id).where(Reminder.key == key)) or 0)

    async def row(self, rid: int) -> Reminder:
        async with self.ctx.db.session() as s:
            row = await s.get(Reminder, rid)
            assert row is not None
            return row

    async def outcomes(self, rid: int) -> list[str]:
        async with self.ctx.db.session() as s:
            stmt = select(DeliveryAttempt.outcome).where(DeliveryAttempt.reminder_id == rid)
            return list(await s.scalars(stmt.order_by(DeliveryAttempt.id)))


@pytest.fixture
async def rig(ctx: AppContext) -> AsyncIterator[Rig]:
    fake = FakeZalo()
    server = await serve(fake.app())
    client = ZaloClient(fake.token, server.url)
    try:
        yield Rig(ctx, fake, server, ZaloChannel(client))
    finally:
        fake.release.set()
        await client.aclose()
        await server.stop()


async def test_a_batch_held_past_its_lease_is_not_handed_to_a_second_worker(rig: Rig, clock: ManualClock) -> None:
    rid = await rig.notice("z-lease", "Nhắc việc thử")
    rig.fake.fail_next("sendMessage", "hang")
    first = asyncio.create_task(rig.dispatcher("w1", lease_seconds=4).tick())
    await until(lambda: rig.fake.sends() == 1, what="the send to reach the hanging API")
    # The API holds the send far past the 4 s lease the row was claimed with.
    clock.current += timedelta(seconds=60)
    await until(lambda: _lease_after(rig, rid, clock), what="the lease to be renewed past the bot's clock")
    second = await rig.dispatcher("w2", lease_seconds=4).tick()
    assert second.claimed == 0
    rig.fake.release.set()
    stats = await first
    assert stats.sent == 1
    assert rig.fake.texts_to("z-lease") == ["Nhắc việc thử"]  # once, by the worker that held it
    assert (await rig.row(rid)).state == "sent"


async def _lease_after(rig: Rig, rid: int, clock: ManualClock) -> bool:
    row = await rig.row(rid)
    return row.locked_until is not None and row.locked_until > clock.now()


async def test_an_outcome_that_cannot_be_written_is_kept_and_written_not_sent_again(
    rig: Rig, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="scheduler.dispatcher")
    rid = await rig.notice("z-blip", "Nhắc việc thử")
    blip = DbBlip(rig.ctx.db)
    try:
        rig.fake.fail_next("sendMessage", "hang")
        ticking = asyncio.create_task(rig.dispatcher("w1").tick())
        await until(lambda: rig.fake.sends() == 1, what="the send to reach the API")
        blip.away = True  # the database goes away while the message is on the wire
        rig.fake.release.set()
        await until(lambda: "recording 1 outbox rows failed" in caplog.text, what="a failed recording")
        blip.away = False
        stats = await ticking
    finally:
        blip.close()
    assert stats.sent == 1
    assert (await rig.row(rid)).state == "sent" and await rig.outcomes(rid) == ["ok"]
    # Nothing left for anyone to send again, even once the lease would have run out.
    clock.current += timedelta(minutes=10)
    assert (await rig.dispatcher("w2").tick()).claimed == 0
    assert rig.fake.texts_to("z-blip") == ["Nhắc việc thử"]


async def test_shutdown_cuts_off_a_hung_send_records_it_unknown_and_releases_the_row(rig: Rig) -> None:
    rid = await rig.notice("z-hang", "Nhắc việc thử")
    waiting = await rig.notice("z-next", "Nhắc việc khác")
    rig.fake.fail_next("sendMessage", "hang")
    dispatcher = rig.dispatcher("w1", concurrency=1)
    ticker = Ticker(rig.ctx, dispatcher)
    ticking = asyncio.create_task(ticker.tick())
    await until(lambda: rig.fake.sends() == 1, what="the send to reach the hanging API")
    # The API never answers: the stop does not wait for it.
    await ticker.shutdown(grace=0.1, cut_off=30)
    await ticking
    assert rig.fake.sends() == 1
    hung = await rig.row(rid)
    assert hung.state == "pending" and hung.locked_by is None and hung.attempts == 0
    assert await rig.outcomes(rid) == ["unknown"]  # it may have arrived: a countable duplicate
    untouched = await rig.row(waiting)
    assert untouched.state == "pending" and untouched.locked_by is None and await rig.outcomes(waiting) == []
