"""End to end through our Zalo client and the fake Zalo Bot API server."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from bot.actions.people import create_person, issue_link_code
from bot.actions.tasks import queue_manual_reminder
from bot.app.logs import install_redaction
from bot.channels.webhooks import webhook_app
from bot.channels.zalo.app import ZaloBot, parse_update
from bot.channels.zalo.client import ZaloClient, ZaloError
from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.messages import ChannelError, OutboundMessage, Sender
from bot.texts.reminders import ReminderRenderer
from scheduler.clock import ManualClock
from scheduler.dispatcher import Dispatcher, DispatcherConfig
from store.models import DeliveryAttempt, InboundMessage, Reminder, StatusReport
from tests.fakes.server import RunningServer, serve
from tests.fakes.waiting import until
from tests.fakes.zalo_api import FakeZalo
from tests.helpers import answered, outbox_settled, replies_sent


@dataclass
class Harness:
    ctx: AppContext
    fake: FakeZalo
    server: RunningServer
    bot: ZaloBot
    conversation: Conversation

    def dispatcher(self, **channels: Sender) -> Dispatcher:
        return Dispatcher(
            db=self.ctx.db,
            channels={"zalo": self.bot.channel, **channels},
            renderer=ReminderRenderer(self.ctx.calendar),
            clock=self.ctx.clock,
            calendar=self.ctx.calendar,
            config=DispatcherConfig(worker="w"),
        )

    async def code(self, unit: str, role: str = "head", name: str | None = None) -> str:
        async with self.ctx.db.session() as s, s.begin():
            person = await create_person(s, self.ctx.ward_id, name or f"Trưởng {unit}", role, unit, self.ctx.now())
            return (await issue_link_code(s, person, self.ctx.now(), timedelta(hours=1))).code

    async def say(self, chat_id: str, text: str) -> str:
        """Every part of the answer: the message is interpreted and its replies have left the outbox."""
        before = len(self.fake.texts_to(chat_id))
        update = self.fake.push_text(chat_id, text)
        message_id = update["message"]["message_id"]
        await until(lambda: answered(self.ctx, "zalo", chat_id, message_id=message_id), what=f"the answer to {text!r}")
        answer = self.fake.texts_to(chat_id)[before:]
        assert answer, f"no answer to {text!r}"
        return "\n".join(answer)


@pytest.fixture
async def zl(ctx: AppContext) -> AsyncIterator[Harness]:
    fake = FakeZalo()
    server = await serve(fake.app())
    conversation = Conversation(ctx)
    bot = ZaloBot(fake.token, server.url, conversation, poll_timeout=1, min_poll_interval=0.05)
    try:
        async with bot.running(), replies_sent(ctx, {"zalo": bot.channel}):
            yield Harness(ctx, fake, server, bot, conversation)
    finally:
        await server.stop()


async def test_link_reminder_text_reply_stored_and_in_the_office_summary(zl: Harness, clock: ManualClock) -> None:
    welcome = await zl.say("z-head", f"LIENKET {await zl.code('VHXH')}")
    assert "Xin chào" in welcome and "Phòng Văn hóa - Xã hội" in welcome
    assert "Xin chào" in await zl.say("z-office", f"/start {await zl.code('VHXH', 'office', 'Chị Hoa')}")
    clock.current = clock.current.replace(day=25, hour=8)
    await zl.dispatcher().tick()
    # The morning's reminders arrive as one message (Zalo has no buttons: it says how to answer).
    (reminder,) = [t for t in zl.fake.texts_to("z-head") if t.startswith("🔔")]
    assert "• NV 4 (chủ trì)" in reminder and 'Trả lời nhiều việc một lần, ví dụ: "' in reminder
    assert (await zl.say("z-head", "4 dang lam 50%")) == "Đã ghi nhận: Nhiệm vụ 4 — Đang thực hiện 50%."
    before = len(zl.fake.texts_to("z-office"))
    await zl.say("z-office", "/summary")
    await until(lambda: "THEO ĐƠN VỊ CHỦ TRÌ" in "\n".join(zl.fake.texts_to("z-office")[before:]), what="all parts")
    summary = "\n".join(zl.fake.texts_to("z-office")[before:])
    assert "VHXH: Đang thực hiện trong hạn, hạn 30/06/2026, 50%" in summary


async def test_a_replayed_update_is_stored_and_answered_once(zl: Harness) -> None:
    await zl.say("z-1", f"LIENKET {await zl.code('VP')}")
    await zl.say("z-1", "5: đã xong")
    answers = len(zl.fake.texts_to("z-1"))
    replay = zl.fake.redeliver_last()
    # Not a pause for "nothing more": the bot has handled the replay and polled again (so
    # any answer would be queued by now), and nothing for this chat is left in the outbox.
    await until(lambda: zl.fake.handled(replay), what="the bot to finish with the replay")
    await until(lambda: outbox_settled(zl.ctx, "z-1"), what="the outbox to be empty for z-1")
    assert len(zl.fake.texts_to("z-1")) == answers
    async with zl.ctx.db.session() as s:
        assert await s.scalar(select(func.count(StatusReport.id))) == 1
        assert (
            await s.scalar(
                select(func.count(InboundMessage.id)).where(
                    InboundMessage.channel == "zalo", InboundMessage.text == "5: đã xong"
                )
            )
            == 1
        )


async def test_a_dropped_connection_is_recorded_as_an_unknown_outcome(zl: Harness, clock: ManualClock) -> None:

    await zl.say("z-drop", f"LIENKET {await zl.code('VHXH')}")
    async with zl.ctx.db.session() as s, s.begin():
        await queue_manual_reminder(s, zl.ctx.ward_id, 4, "VHXH", clock.now(), clock.now().date())
    zl.fake.fail_next("sendMessage", "drop")
    assert (await zl.dispatcher().tick()).retried == 1
    assert sum("Nhiệm vụ 4" in t for t in zl.fake.texts_to("z-drop")) == 1  # it did reach Zalo
    async with zl.ctx.db.session() as s:
        outcomes = list(
            await s.scalars(
                select(DeliveryAttempt.outcome)
                .join(Reminder, Reminder.id == DeliveryAttempt.reminder_id)
                .where(DeliveryAttempt.chat_id == "z-drop", Reminder.kind != "reply")
            )
        )
    assert outcomes == ["unknown"]


async def test_a_long_message_is_split_below_2000_characters(zl: Harness) -> None:
    lines = [f"{i}. " + "Nội dung nhiệm vụ khá dài cần nhắc " * 3 for i in range(60)]
    result = await zl.bot.channel.send("z-long", OutboundMessage("\n".join(lines)))
    parts = zl.fake.texts_to("z-long")
    assert len(parts) >= 3 and all(len(p) <= 2000 for p in parts)
    assert "\n".join(parts) == "\n".join(lines) and result.message_id == zl.fake.sent[-1]["message_id"]


async def test_an_unlinked_zalo_user_only_gets_how_to_link(zl: Harness) -> None:
    answer = await zl.say("z-stranger", "/summary")
    assert "chưa được liên kết" in answer and "TỔNG HỢP" not in answer


async def test_a_person_on_both_channels_gets_one_copy_on_the_preferred_one(zl: Harness, clock: ManualClock) -> None:
    from tests.conftest import RecordingChannel

    code = await zl.code("VHXH")
    await zl.say("z-both", f"LIENKET {code}")  # first link: Zalo becomes the preferred channel
    async with zl.ctx.db.session() as s, s.begin():
        from store.models import Person

        person = await s.scalar(select(Person).where(Person.name == "Trưởng VHXH"))
        assert person is not None and person.preferred_channel == "zalo"
        second = await issue_link_code(s, person, clock.now(), timedelta(hours=1))
    telegram = RecordingChannel("telegram")
    from bot.messages import InboundMessage as Msg

    await zl.conversation.handle(
        Msg(channel="telegram", chat_id="t-both", message_id="1", text=f"/start {second.code}")
    )
    async with zl.ctx.db.session() as s, s.begin():
        await queue_manual_reminder(s, zl.ctx.ward_id, 4, "VHXH", clock.now(), clock.now().date())
    await zl.dispatcher(telegram=telegram).tick()

    def reminders_on_telegram() -> list[str]:
        # Replies to what was typed on Telegram go back there; reminders go to one chat only.
        return [m.text for _, m in telegram.sent if m.text.startswith("🔔")]

    await until(lambda: sum("Nhiệm vụ 4" in t for t in zl.fake.texts_to("z-both")) == 1, what="the Zalo copy")
    assert reminders_on_telegram() == []
    # "/prefer" on Telegram moves the next reminders there.
    replies = await zl.conversation.handle(Msg(channel="telegram", chat_id="t-both", message_id="2", text="/prefer"))
    assert replies[0].text == "Từ nay nhắc việc sẽ được gửi qua Telegram."

    async def reply_dispatcher_done() -> bool:
        # The answer woke the harness's reply dispatcher (Zalo only): once it has put the
        # Telegram answer back for a worker that serves Telegram, its tick is over, and it
        # cannot claim the next reminder after the clock moves and send it on Zalo.
        async with zl.ctx.db.session() as s:
            waiting = await s.scalar(
                select(func.count(Reminder.id)).where(
                    Reminder.chat_id == "t-both", Reminder.state == "pending", Reminder.last_error.is_(None)
                )
            )
        return waiting == 0

    await until(reply_dispatcher_done, what="the reply dispatcher's tick")
    async with zl.ctx.db.session() as s, s.begin():
        await queue_manual_reminder(
            s, zl.ctx.ward_id, 4, "VHXH", clock.now() + timedelta(seconds=1), clock.now().date()
        )
    clock.advance(seconds=2)
    await zl.dispatcher(telegram=telegram).tick()
    assert len(reminders_on_telegram()) == 1 and sum("Nhiệm vụ 4" in t for t in zl.fake.texts_to("z-both")) == 1


async def test_webhook_refuses_wrong_or_missing_secret_and_accepts_wrapped_and_bare(ctx: AppContext) -> None:
    fake = FakeZalo()
    api = await serve(fake.app())
    bot = ZaloBot(fake.token, api.url, Conversation(ctx), webhook=True)
    hook = await serve(webhook_app(zalo=bot.feed, zalo_secret="zalo-secret-123"))
    bare = {
        "event_name": "message.text.received",
        "message": {
            "from": {"id": "zw", "display_name": "A", "is_bot": False},
            "chat": {"id": "zw", "chat_type": "PRIVATE"},
            "text": "xin chào",
            "message_id": "w1",
            "date": 1767225600000,
        },
    }
    wrapped = {"ok": True, "result": {**bare, "message": {**bare["message"], "message_id": "w2"}}}  # type: ignore[dict-item]
    try:
        async with bot.running(), replies_sent(ctx, {"zalo": bot.channel}), httpx.AsyncClient() as client:
            url = f"{hook.url}/zalo/webhook"
            assert (await client.post(url, json=bare)).status_code == 403
            assert (await client.post(url, json=bare, headers={"X-Bot-Api-Secret-Token": "wrong"})).status_code == 403
            big = {"x": "a" * 300_000}
            ok = {"X-Bot-Api-Secret-Token": "zalo-secret-123"}
            assert (await client.post(url, json=big, headers=ok)).status_code == 413
            assert (await client.post(url, json=bare, headers=ok)).status_code == 200
            assert (await client.post(url, json=wrapped, headers=ok)).status_code == 200
            await until(lambda: len(fake.texts_to("zw")) == 2, what="both webhook updates answered")
        # A read session: it never waits for SQLite's write lock (a worker may still hold it
        # while it stops on a loaded machine).
        async with ctx.db.read() as s:
            ids = set(await s.scalars(select(InboundMessage.message_id).where(InboundMessage.chat_id == "zw")))
        assert ids == {"w1", "w2"}
    finally:
        await hook.stop()
        await api.stop()


async def test_idle_polls_html_502_and_429_are_handled_and_the_token_never_logged(
    ctx: AppContext, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeZalo(idle_timeout=0.1)
    api = await serve(fake.app())
    install_redaction([fake.token])
    caplog.set_level(logging.DEBUG)
    fake.fail_next("getUpdates", "502html")
    fake.fail_next("sendMessage", "429")
    bot = ZaloBot(fake.token, api.url, Conversation(ctx), poll_timeout=1, min_poll_interval=0.05, max_backoff=0.2)
    try:
        async with bot.running(), replies_sent(ctx, {"zalo": bot.channel}):
            await until(lambda: sum(1 for m, _ in fake.calls if m == "getUpdates") >= 4, what="polls after a 502")
            with pytest.raises(ChannelError) as err:
                await bot.channel.send("z-429", OutboundMessage("xin chào"))
            assert not err.value.permanent and err.value.retry_after == 2
            fake.blocked.add("z-blocked")
            with pytest.raises(ChannelError) as blocked:
                await bot.channel.send("z-blocked", OutboundMessage("xin chào"))
            assert blocked.value.permanent  # HTTP 200 with ok:false is a failure
            fake.push_text("z-9", "xin chào")
            await until(lambda: fake.texts_to("z-9"), what="an answer after the faults")
    finally:
        await api.stop()
    assert fake.token not in caplog.text
    assert "1234567890" not in caplog.text
    assert "/bot***/getUpdates" in caplog.text  # URLs were logged, with the token masked
    assert "Zalo getUpdates failed" in caplog.text  # the 502 was logged, without the URL


async def test_the_client_reads_408_as_no_updates_and_a_list_as_updates() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/getUpdates") and b'"timeout":1' in request.content.replace(b" ", b""):
            return httpx.Response(408, json={"ok": False, "description": "Request timeout"})
        return httpx.Response(200, json={"ok": True, "result": [{"message": {"message_id": "a"}}]})

    client = ZaloClient("tok:123456", "http://zalo.invalid", httpx.AsyncClient(transport=httpx.MockTransport(handler)))
    assert await client.get_updates(timeout=1) == []
    assert await client.get_updates(timeout=2) == [{"message": {"message_id": "a"}}]
    with pytest.raises(ZaloError):
        await ZaloClient(
            "t",
            "http://zalo.invalid",
            httpx.AsyncClient(
                transport=httpx.MockTransport(lambda r: httpx.Response(200, json={"ok": False, "error_code": 5}))
            ),
        ).get_me()
    await client.aclose()


def test_update_parsing_reads_millisecond_dates_string_ids_and_skips_bots() -> None:
    update = {
        "event_name": "message.text.received",
        "message": {
            "from": {"id": "u1", "display_name": "B", "is_bot": False},
            "chat": {"id": "c1", "chat_type": "PRIVATE"},
            "text": "đã xong",
            "message_id": "m1",
            "date": 1767225600000,
        },
    }
    parsed = parse_update(update)
    assert parsed is not None and parsed.chat_id == "c1" and parsed.message_id == "m1"
    assert parsed.sent_at is not None and parsed.sent_at.year == 2026
    sticker = {**update, "event_name": "message.sticker.received"}
    assert parse_update(sticker).text == ""  # type: ignore[union-attr]
    bot_update = {"message": {**update["message"], "from": {"id": "b", "is_bot": True}}}  # type: ignore[dict-item]
    assert parse_update(bot_update) is None


@pytest.mark.slow
async def test_nhacviec_run_with_a_zalo_token_serves_zalo(ctx: AppContext, caplog: pytest.LogCaptureFixture) -> None:
    from bot.app.messengers import run_messengers
    from bot.settings import SecretStr

    fake = FakeZalo(idle_timeout=0.2)
    api = await serve(fake.app())
    ctx.settings = ctx.settings.replace(
        zalo_token=SecretStr(fake.token),
        zalo_base_url=api.url,
        tick_seconds=0.2,
    )
    caplog.set_level(logging.DEBUG)
    stop = asyncio.Event()
    running = asyncio.create_task(run_messengers(ctx, stop))
    try:
        fake.push_text("z-run", "xin chào")
        await until(lambda: fake.texts_to("z-run"), timeout=20, what="an answer through nhacviec run")
        assert "chưa được liên kết" in fake.texts_to("z-run")[0]
    finally:
        stop.set()
        await asyncio.wait_for(running, 30)
        await api.stop()
    assert fake.token not in caplog.text
    assert "/bot***/getUpdates" in caplog.text  # URLs were logged, with the token masked


async def test_a_502_on_the_welcome_is_retried_not_lost(zl: Harness, clock: ManualClock) -> None:
    """The answer to /start goes through the outbox: one HTML 502 from Zalo delays it."""
    from store.models import Reminder

    async def welcome_state() -> str | None:
        async with zl.ctx.db.session() as s:
            return await s.scalar(select(Reminder.state).where(Reminder.kind == "reply", Reminder.chat_id == "z-502"))

    code = await zl.code("VP")
    zl.fake.fail_next("sendMessage", "502html")
    zl.fake.push_text("z-502", f"LIENKET {code}")

    async def refused_and_kept() -> bool:
        return any(m == "sendMessage" for m, _ in zl.fake.calls) and await welcome_state() == "pending"

    await until(refused_and_kept, what="the welcome to be refused once and kept for a retry")
    assert zl.fake.texts_to("z-502") == []
    clock.advance(minutes=2)
    await zl.dispatcher().tick()
    assert zl.fake.texts_to("z-502")[0].startswith("Xin chào")


async def test_an_update_that_can_never_be_stored_is_skipped_and_polling_goes_on(
    zl: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """The poller holds an update only while the database is away: one refused for another
    reason (here a sender name that is a list) is tried a few times, logged and skipped, so
    the people writing after it are still answered."""
    bad = zl.fake.push_text("z-poison", "xin chào")
    bad["message"]["from"]["display_name"] = []
    with caplog.at_level(logging.ERROR):
        answer = await zl.say("z-after", "xin chào")
    assert "chưa được liên kết" in answer  # answered: polling went past the bad update
    assert zl.fake.handled(bad) and zl.fake.texts_to("z-poison") == []
    assert "skipped: not stored after 3 tries" in caplog.text
