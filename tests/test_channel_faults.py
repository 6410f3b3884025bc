"""Channels recover by themselves (issue 25): a Zalo error code nobody documented is retried
and, when it lasts, ends in the office's notice; a Zalo 429 pauses the whole channel; a 401
blip does not stop Telegram polling for good, and /healthz sees a channel that stopped
reading. Through the real clients against the fake APIs on loopback."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.actions.people import create_person
from bot.app.health import HealthCheck, ward_health
from bot.channels.telegram.app import TelegramBot
from bot.channels.watch import INBOUND_STALE, InboundWatch
from bot.channels.zalo.channel import ChannelPause, ZaloChannel
from bot.channels.zalo.client import ZaloClient
from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.messages import ChannelError, OutboundMessage
from bot.texts.reminders import ReminderRenderer
from scheduler.clock import ManualClock
from scheduler.dispatcher import Dispatcher, DispatcherConfig
from store.models import ChatIdentity, Reminder
from store.outbox import queue_notice
from tests.fakes.server import serve
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.waiting import until
from tests.fakes.zalo_api import FakeZalo
from tests.helpers import replies_sent


@dataclass
class ZaloRig:
    ctx: AppContext
    fake: FakeZalo
    channel: ZaloChannel

    def dispatcher(self, **config: float) -> Dispatcher:
        return Dispatcher(
            db=self.ctx.db,
            channels={"zalo": self.channel},
            renderer=ReminderRenderer(self.ctx.calendar),
            clock=self.ctx.clock,
            calendar=self.ctx.calendar,
            config=DispatcherConfig(worker="w", **config),  # type: ignore[arg-type]
        )

    async def person(self, chat_id: str, role: str = "head") -> int:
        now = self.ctx.now()
        async with self.ctx.db.session() as s, s.begin():
            person = await create_person(s, self.ctx.ward_id, f"Người {chat_id}", role, "VHXH", now)
            s.add(ChatIdentity(person_id=person.id, channel="zalo", chat_id=chat_id, linked_at=now))
            return person.id

    async def notice(self, person_id: int, text: str) -> int:
        async with self.ctx.db.session() as s, s.begin():
            await queue_notice(s, self.ctx.ward_id, [person_id], f"t:{text}", text, self.ctx.now())
            return int(await s.scalar(select(Reminder.id).where(Reminder.key == f"t:{text}:p{person_id}")) or 0)

    async def row(self, rid: int) -> Reminder:
        async with self.ctx.db.session() as s:
            row = await s.get(Reminder, rid)
            assert row is not None
            return row


@pytest.fixture
async def zalo(ctx: AppContext) -> AsyncIterator[ZaloRig]:
    fake = FakeZalo()
    server = await serve(fake.app())
    client = ZaloClient(fake.token, server.url)
    try:
        yield ZaloRig(ctx, fake, ZaloChannel(client))
    finally:
        await client.aclose()
        await server.stop()


async def test_an_undocumented_zalo_error_code_is_retried_and_logged_not_failed(
    zalo: ZaloRig, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    rid = await zalo.notice(await zalo.person("z-201"), "Nhắc việc thử")
    zalo.fake.fail_next("sendMessage", "error201")
    stats = await zalo.dispatcher().tick()
    assert stats.retried == 1 and stats.failed == 0
    row = await zalo.row(rid)
    assert row.state == "pending" and row.attempts == 1 and "-201" in (row.last_error or "")
    assert "unknown error code -201" in caplog.text
    clock.current = row.next_attempt_at + timedelta(seconds=1)
    assert (await zalo.dispatcher().tick()).sent == 1
    assert zalo.fake.texts_to("z-201") == ["Nhắc việc thử"]


async def test_a_lasting_unknown_zalo_error_ends_in_a_notice_to_the_office(zalo: ZaloRig, clock: ManualClock) -> None:
    office = await zalo.person("z-office", "office")
    rid = await zalo.notice(await zalo.person("z-201b"), "Nhắc việc thử")
    zalo.fake.fail_next("sendMessage", "error201", count=2)
    await zalo.dispatcher(max_attempts=2).tick()
    clock.current = (await zalo.row(rid)).next_attempt_at + timedelta(seconds=1)
    await zalo.dispatcher(max_attempts=2).tick()
    assert (await zalo.row(rid)).state == "failed"
    assert office
    await zalo.dispatcher().tick()  # the office's notice, queued when the row was given up
    told = [t for t in zalo.fake.texts_to("z-office") if "-201" in t]
    assert len(told) == 1 and f"#{rid} sau 2 lần thử" in told[0], zalo.fake.texts_to("z-office")


async def test_a_zalo_429_pauses_every_send_of_the_channel_not_only_the_message(zalo: ZaloRig) -> None:
    channel = ZaloChannel(zalo.channel.client)
    channel.pause = ChannelPause(longest_wait=0.5)
    zalo.fake.fail_next("sendMessage", "429")  # Retry-After: 2
    with pytest.raises(ChannelError) as first:
        await channel.send("z-a", OutboundMessage("một"))
    assert first.value.retry_after == 2
    # Another chat, another message: it does not reach Zalo while the channel is paused.
    with pytest.raises(ChannelError) as second:
        await channel.send("z-b", OutboundMessage("hai"))
    assert second.value.retry_after is not None and second.value.retry_after > 0.5
    assert zalo.fake.sends() == 1


async def test_telegram_polling_survives_a_401_blip_and_answers_afterwards(ctx: AppContext) -> None:
    fake = FakeTelegram()
    server = await serve(fake.app())
    bot = TelegramBot(fake.token, f"{server.url}/bot", Conversation(ctx), poll_timeout=1)
    try:
        async with bot.running(), replies_sent(ctx, {"telegram": bot.channel}):
            await until(lambda: bot.watch.last_ok is not None, what="a first poll")
            recovered: list[int] = []
            bot.watch.recovered.append(lambda: recovered.append(1))
            fake.fail_next("getUpdates", "401", count=2)
            # The poller keeps polling through the 401s (python-telegram-bot's Updater ended for
            # good); the watch saw it fail and then read again.
            await until(lambda: recovered == [1], timeout=30, what="polling to read again")
            fake.push_text(6001, "/help")
            await until(lambda: fake.texts_to(6001), timeout=30, what="an answer after the 401")
            assert bot.watch.failing_since is None and bot.watch.last_error is None
    finally:
        await server.stop()


async def test_healthz_reports_a_channel_that_stopped_reading(ctx: AppContext) -> None:
    watch = InboundWatch.start("telegram")
    watch.failed("InvalidToken")
    watch.failing_since = datetime.now(UTC) - INBOUND_STALE - timedelta(seconds=1)
    health = HealthCheck(ctx, inbound=[watch])
    code, body = await health.http()
    assert code == 503 and body["status"] == "inbound_stopped"
    assert body["inbound_stopped"]["telegram"]["error"] == "InvalidToken"
    report = await health.report()
    assert "Kênh telegram không nhận được tin nhắn đến" in report.text(ctx.settings.zone())
    watch.ok()
    code, body = await health.http()
    assert code == 200 and body["inbound_stopped"] == {}


async def test_nhacviec_status_and_the_office_hear_of_a_poller_that_stopped(ctx: AppContext) -> None:
    async with ctx.db.session() as s, s.begin():
        office = await create_person(s, ctx.ward_id, "Chị Hoa", "office", None, ctx.now())
    watch = InboundWatch.start("telegram")
    watch.failed("InvalidToken")
    watch.failing_since = datetime.now(UTC) - INBOUND_STALE - timedelta(seconds=1)
    health = HealthCheck(ctx, inbound=[watch])
    await health.check()
    await health.check()  # once per outage
    # Another process: what `nhacviec status` reads.
    status = await ward_health(ctx.db, datetime.now(UTC), timedelta(minutes=30))
    assert not status.healthy and status.inbound_stopped["telegram"][1] == "InvalidToken"
    async with ctx.db.session() as s:
        told = list(await s.scalars(select(Reminder.body).where(Reminder.key.like("inbound:telegram:%"))))
    assert len(told) == 1 and "không nhận được tin nhắn gửi đến qua telegram" in (told[0] or "")
    assert office
    watch.ok()
    await health.check()
    assert (await ward_health(ctx.db, datetime.now(UTC), timedelta(minutes=30))).inbound_stopped == {}
