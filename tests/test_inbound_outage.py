"""Nothing a person writes is lost while the database is away: PostgreSQL is taken away
at the network edge (tests/fakes/db_proxy.py) while a message arrives by webhook, by
Telegram polling and by Zalo polling. The message is stored once the database is back —
the webhook answered 503 so the platform sent it again, the poller held its place — and
answered from the stored row; nobody gets "Xin lỗi, đã có lỗi…" or is asked to resend."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bot.actions.people import create_person, issue_link_code
from bot.channels.telegram.app import TelegramBot, inbound_of
from bot.channels.telegram.updates import Update
from bot.channels.webhooks import webhook_app
from bot.channels.zalo.app import ZaloBot
from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.conversation.resume import answer_left_unanswered
from bot.messages import InboundMessage as Msg
from bot.settings import Settings
from bot.texts.common import APOLOGY
from scheduler.clock import ManualClock
from scheduler.plan import Plan
from scheduler.planner import plan_ward
from scheduler.workcal import WorkingCalendar
from store.db import Database
from store.models import InboundMessage, Reminder
from tests.conftest import POSTGRES_URL, reset_postgres
from tests.fakes.db_proxy import DbProxy
from tests.fakes.server import serve
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.waiting import until
from tests.fakes.zalo_api import FakeZalo
from tests.helpers import replies_sent

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="the outage is PostgreSQL's, behind a TCP proxy")

SECRET = "s3cret-token"


@dataclass
class Away:
    ctx: AppContext
    proxy: DbProxy


@pytest.fixture
async def away(plan: Plan, calendar: WorkingCalendar, clock: ManualClock, tmp_path: Path) -> AsyncIterator[Away]:
    """A context whose PostgreSQL is reached through a proxy the test can cut."""
    assert POSTGRES_URL
    await reset_postgres(POSTGRES_URL)
    proxy, url = await DbProxy.in_front_of(POSTGRES_URL)
    db = Database(url)
    await db.upgrade()
    settings = Settings(database_url=url, files_path=tmp_path / "files", _env_file=None)  # type: ignore[call-arg]
    async with db.session() as s, s.begin():
        result = await plan_ward(s, settings.ward, plan, calendar, clock.now())
    ctx = AppContext(db=db, settings=settings, plan=plan, calendar=calendar, clock=clock, ward_id=result.ward_id)
    try:
        yield Away(ctx, proxy)
    finally:
        proxy.restore()
        await db.dispose()
        await proxy.stop()


async def _code(ctx: AppContext, unit: str = "VHXH") -> str:
    async with ctx.db.session() as s, s.begin():
        person = await create_person(s, ctx.ward_id, f"Trưởng {unit}", "head", unit, ctx.now())
        return (await issue_link_code(s, person, ctx.now(), timedelta(hours=1))).code


async def _stored(ctx: AppContext, chat_id: str) -> list[InboundMessage]:
    async with ctx.db.session() as s:
        return list(await s.scalars(select(InboundMessage).where(InboundMessage.chat_id == chat_id)))


def _update(update_id: int, chat_id: int, text: str) -> dict[str, object]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "text": text,
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Lan"},
        },
    }


async def test_a_webhook_update_is_answered_503_while_the_database_is_away_then_stored_and_answered(
    away: Away,
) -> None:
    ctx = away.ctx
    fake = FakeTelegram()
    api = await serve(fake.app())
    bot = TelegramBot(fake.token, f"{api.url}/bot", Conversation(ctx), webhook=True)
    hook = await serve(webhook_app(telegram=bot.feed, telegram_secret=SECRET))
    code = await _code(ctx)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    update = _update(1, 6001, f"/start {code}")
    try:
        async with bot.running(), replies_sent(ctx, {"telegram": bot.channel}), httpx.AsyncClient() as client:
            url = f"{hook.url}/telegram/webhook"
            away.proxy.cut()
            refused = await client.post(url, json=update, headers=headers)
            assert refused.status_code == 503  # Telegram sends it again
            away.proxy.restore()
            assert await _stored(ctx, "6001") == []  # the 503 was honest: nothing stored
            again = await client.post(url, json=update, headers=headers)
            assert again.status_code == 200
            await until(lambda: fake.texts_to(6001), what="the answer to the re-delivered update")
        assert "Xin chào" in fake.texts_to(6001)[0] and APOLOGY not in fake.texts_to(6001)
        rows = await _stored(ctx, "6001")
        assert len(rows) == 1 and rows[0].processed_at is not None
    finally:
        await hook.stop()
        await api.stop()


async def test_telegram_polling_holds_an_update_it_could_not_store_and_answers_it_when_the_database_is_back(
    away: Away,
) -> None:
    ctx = away.ctx
    fake = FakeTelegram()
    api = await serve(fake.app())
    conversation = Conversation(ctx)
    bot = TelegramBot(fake.token, f"{api.url}/bot", conversation, poll_timeout=1)
    code = await _code(ctx)
    try:
        async with bot.running(), replies_sent(ctx, {"telegram": bot.channel}):
            away.proxy.cut()
            fake.push_text(6002, f"/start {code}", name="Lan")
            served = len([c for c in fake.calls if c[0] == "getUpdates"])
            await until(lambda: away.proxy.refused >= 2, what="the poller trying to store the update")
            # Held: not confirmed to Telegram (still pending there), nothing answered.
            assert fake.pending_updates() == 1 and fake.texts_to(6002) == []
            polls = [c for c in fake.calls[served:] if c[0] == "getUpdates"]
            assert len(polls) <= 1  # no poll past the held update
            away.proxy.restore()
            await until(lambda: fake.texts_to(6002), timeout=30, what="the answer once the database is back")
            await until(lambda: fake.pending_updates() == 0, what="the update confirmed after it was stored")
        assert "Xin chào" in fake.texts_to(6002)[0] and APOLOGY not in fake.texts_to(6002)
        assert len(await _stored(ctx, "6002")) == 1
    finally:
        await api.stop()


async def test_zalo_polling_holds_an_update_it_could_not_store_and_answers_it_when_the_database_is_back(
    away: Away,
) -> None:
    ctx = away.ctx
    fake = FakeZalo()
    api = await serve(fake.app())
    bot = ZaloBot(fake.token, api.url, Conversation(ctx), poll_timeout=1, min_poll_interval=0.05)
    code = await _code(ctx)
    try:
        async with bot.running(), replies_sent(ctx, {"zalo": bot.channel}):
            away.proxy.cut()
            update = fake.push_text("z-6003", f"LIENKET {code}")
            await until(lambda: away.proxy.refused >= 2, what="the poller trying to store the update")
            polls = fake.polls
            await until(lambda: away.proxy.refused >= 4, what="more tries")
            assert fake.polls == polls  # Zalo serves an update once: no poll until it is stored
            assert not fake.handled(update) and fake.texts_to("z-6003") == []
            away.proxy.restore()
            await until(lambda: fake.texts_to("z-6003"), timeout=30, what="the answer once the database is back")
        assert "Xin chào" in fake.texts_to("z-6003")[0] and APOLOGY not in fake.texts_to("z-6003")
    finally:
        await api.stop()


async def test_a_stored_message_whose_answer_met_the_database_away_is_answered_once_when_it_is_back(
    away: Away,
) -> None:
    ctx = away.ctx
    conversation = Conversation(ctx)
    code = await _code(ctx)
    msg = Msg(channel="telegram", chat_id="6004", message_id="1", text=f"/start {code}", private=True)
    inbound_id = await conversation.store(msg)
    assert inbound_id is not None
    away.proxy.cut()
    assert not await conversation.settle(msg, inbound_id, buttons=True)
    assert await conversation.answer_held() == 1  # still away: still held
    away.proxy.restore()
    assert await conversation.answer_held() == 0
    assert await conversation.answer_held() == 0
    async with ctx.db.session() as s:
        replies = list(await s.scalars(select(Reminder.body).where(Reminder.chat_id == "6004")))
    assert len(replies) == 1 and "Xin chào" in (replies[0] or "")


async def test_messages_a_stopped_process_stored_and_never_answered_are_answered_once_at_start(away: Away) -> None:
    """A process killed between storing and answering: the next start reads the stored raw
    update back through the channel's reader and answers it, once whoever else tries."""
    ctx = away.ctx
    fake = FakeTelegram()
    api = await serve(fake.app())
    try:
        first = Conversation(ctx)
        TelegramBot(fake.token, f"{api.url}/bot", first, webhook=True)  # registers its reader
        code = await _code(ctx)
        update = Update.parse(_update(7, 6005, f"/start {code}"))
        msg = inbound_of(update)
        assert msg is not None and msg.raw is not None and json.loads(msg.raw)["update_id"] == 7
        assert await first.store(msg) is not None  # …and the process dies here
        second = Conversation(ctx)
        TelegramBot(fake.token, f"{api.url}/bot", second, webhook=True)  # registers its reader
        started = ctx.now()
        assert await answer_left_unanswered(second, started, timedelta(hours=20)) == 1
        assert await answer_left_unanswered(second, started, timedelta(hours=20)) == 0
        async with ctx.db.session() as s:
            count = await s.scalar(select(func.count(Reminder.id)).where(Reminder.chat_id == "6005"))
        assert count == 1
    finally:
        await api.stop()


async def test_a_long_hold_ends_with_one_notice_to_the_office_saying_nothing_was_lost(away: Away) -> None:
    ctx = away.ctx
    async with ctx.db.session() as s, s.begin():
        await create_person(s, ctx.ward_id, "Văn phòng", "office", "VHXH", ctx.now())
    fake = FakeZalo()
    api = await serve(fake.app())
    bot = ZaloBot(fake.token, api.url, Conversation(ctx), poll_timeout=1, min_poll_interval=0.05, hold_alert_after=0.3)
    code = await _code(ctx)
    try:
        async with bot.running(), replies_sent(ctx, {"zalo": bot.channel}):
            away.proxy.cut()
            fake.push_text("z-6006", f"LIENKET {code}")
            await until(lambda: away.proxy.refused >= 3, what="a hold past the alert")
            away.proxy.restore()
            await until(lambda: fake.texts_to("z-6006"), timeout=30, what="the answer once the database is back")
        async with ctx.db.session() as s:
            notices = list(await s.scalars(select(Reminder.body).where(Reminder.key.like("held:zalo:%"))))
        assert len(notices) == 1 and "không bị mất" in (notices[0] or "")
    finally:
        await api.stop()
