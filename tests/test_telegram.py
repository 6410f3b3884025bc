"""End to end through our Bot API client (bot/channels/telegram/api.py) and the fake Telegram
Bot API server."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
from sqlalchemy import func, select

from bot.actions.tasks import queue_manual_reminder
from bot.channels.telegram.app import TelegramBot
from bot.channels.webhooks import webhook_app
from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.settings import SecretStr
from scheduler.clock import ManualClock
from store.models import ChatIdentity, DeliveryAttempt, InboundMessage, Reminder, StatusReport
from tests.fakes.server import serve
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_harness import CHAT_INTERVAL, Harness, burst, tg
from tests.fakes.waiting import until
from tests.helpers import answered, replies_sent

__all__ = ["tg"]  # the fixture (tests/fakes/telegram_harness.py)


async def test_commands_are_registered_with_vietnamese_descriptions(tg: Harness) -> None:
    names = {c["command"]: c["description"] for c in tg.fake.commands}
    assert names["tasks"] == "Nhiệm vụ đang mở của đơn vị" and "summary" in names


async def test_link_reminder_button_press_is_stored(tg: Harness, clock: ManualClock) -> None:
    await tg.link(5001, "VHXH")
    async with tg.ctx.db.session() as s, s.begin():
        await queue_manual_reminder(s, tg.ctx.ward_id, 4, "VHXH", clock.now(), tg.ctx.today())
    await tg.dispatcher().tick()
    reminder = next(m for m in tg.fake.sent if m["chat_id"] == "5001" and "Nhiệm vụ 4 (chủ trì)" in m["text"])
    assert "Hạn: Thứ Ba, 30/06/2026 — còn 6 ngày làm việc" in reminder["text"]
    buttons = reminder["reply_markup"]["inline_keyboard"][0]
    assert [b["text"] for b in buttons] == ["Đã xong", "Đang làm", "Vướng mắc"]
    before = len(tg.fake.texts_to(5001))
    tg.fake.push_button(5001, buttons[0]["callback_data"], reminder["message_id"])
    await until(lambda: len(tg.fake.texts_to(5001)) > before, what="confirmation")
    assert tg.fake.texts_to(5001)[-1].splitlines()[0] == "Đã ghi nhận: Nhiệm vụ 4 — báo xong, chưa có sản phẩm."
    assert tg.fake.answered_callbacks
    async with tg.ctx.db.session() as s:
        assert await s.scalar(select(func.count(StatusReport.id)).where(StatusReport.status == "done")) == 1


async def test_the_morning_of_25_6_is_one_message_to_the_vhxh_head(tg: Harness, clock: ManualClock) -> None:
    """The issue's morning: 9 reminders fall due for the VHXH head at 08:00 on 25/6/2026."""
    await tg.link(5010, "VHXH")
    clock.current = clock.current.replace(day=25, hour=7, minute=58)
    await tg.dispatcher().tick()
    assert [m for m in tg.fake.sent if m["chat_id"] == "5010" and m["text"].startswith("🔔")] == []
    clock.current = clock.current.replace(hour=8, minute=0)
    stats = await tg.dispatcher().tick()
    morning = [m for m in tg.fake.sent if m["chat_id"] == "5010" and m["text"].startswith("🔔")]
    assert len(morning) == 1 and stats.sent >= 8
    text = morning[0]["text"]
    async with tg.ctx.db.session() as s:
        rows = (
            await s.execute(
                select(Reminder.id)
                .join(DeliveryAttempt, DeliveryAttempt.reminder_id == Reminder.id)
                .where(
                    DeliveryAttempt.chat_id == "5010",
                    DeliveryAttempt.provider_message_id == str(morning[0]["message_id"]),
                )
            )
        ).all()
    assert len(rows) == stats.sent  # every reminder of the morning is named in that one message
    assert text.count("• NV ") == stats.sent


async def test_free_text_reply_to_a_reminder_is_stored_and_in_the_office_summary(
    tg: Harness, clock: ManualClock
) -> None:
    await tg.link(5002, "VHXH")
    await tg.link(5003, "VHXH", role="office", name="Chị Lan")
    clock.current = clock.current.replace(day=25, hour=8)
    await tg.dispatcher().tick()
    reminder = next(m for m in tg.fake.sent if m["chat_id"] == "5002" and "NV 4 (chủ trì)" in m["text"])
    # A reply without a task number to a message that carried several tasks: asked which.
    ask = await tg.say(5002, "dang lam 70%", reply_to=reminder["message_id"])
    assert ask.startswith("Tin nhắc đó có ") and " 4," in ask
    answer = await tg.say(5002, "4")
    assert answer == "Đã ghi nhận: Nhiệm vụ 4 — Đang thực hiện 70%."
    before = len(tg.fake.texts_to(5003))
    await tg.say(5003, "/summary")
    await until(lambda: "THEO ĐƠN VỊ" in "\n".join(tg.fake.texts_to(5003)[before:]), what="the whole summary")
    # A long summary arrives in several parts: wait until the outbox holds none of them.
    await until(lambda: answered(tg.ctx, "telegram", "5003"), what="every part of the summary")
    summary = "\n".join(tg.fake.texts_to(5003)[before:])
    assert summary.startswith("TỔNG HỢP TIẾN ĐỘ")
    assert "VHXH: Đang thực hiện trong hạn, hạn 30/06/2026, 70%" in summary


async def test_a_strangers_summary_gets_nothing_but_how_to_link(tg: Harness) -> None:
    answer = await tg.say(6000, "/summary")
    assert "chưa được liên kết" in answer and "TỔNG HỢP" not in answer
    async with tg.ctx.db.session() as s:
        row = await s.scalar(select(InboundMessage).where(InboundMessage.chat_id == "6000"))
        assert row is not None and row.text == "/summary" and row.outcome == "unlinked"


async def test_a_unit_head_cannot_run_office_commands(tg: Harness) -> None:
    await tg.link(5004, "VP")
    assert (await tg.say(5004, "/overdue")).startswith("Xin lỗi, lệnh này dành cho văn phòng")


async def _ok_counts(tg: Harness, ids: list[int]) -> dict[int, int]:
    async with tg.ctx.db.session() as s:
        rows = (
            await s.execute(
                select(DeliveryAttempt.reminder_id, func.count())
                .where(DeliveryAttempt.outcome == "ok", DeliveryAttempt.reminder_id.in_(ids))
                .group_by(DeliveryAttempt.reminder_id)
            )
        ).all()
    counts: dict[int, int] = {}
    for rid, n in rows:
        assert rid is not None  # selected by reminder_id IN ids
        counts[rid] = n
    return counts


async def test_a_429_storm_during_a_burst_delivers_all_none_twice(tg: Harness, clock: ManualClock) -> None:
    # 80 rows: every 429 holds the whole bot for its retry_after (1 s, real time), so 200
    # rows took ~100 s per database for no more than 80 show.
    ids = await burst(tg, 80)
    sent_before = len(tg.fake.sent)
    tg.fake.storm_ratio = 0.3
    d = tg.dispatcher(batch=50)
    for _ in range(60):
        await d.tick()
        counts = await _ok_counts(tg, ids)
        if len(counts) == len(ids):
            break
        clock.advance(seconds=1)
    assert len(counts) == 80 and set(counts.values()) == {1}
    assert len(tg.fake.sent) - sent_before == 80  # no message reached Telegram twice
    assert d.stats.retried > 15  # the storm really happened


async def test_a_restart_mid_burst_loses_nothing(ctx: AppContext, clock: ManualClock) -> None:
    fake = FakeTelegram()
    server = await serve(fake.app())
    try:
        first = TelegramBot(
            fake.token, f"{server.url}/bot", Conversation(ctx), poll_timeout=1, chat_interval=CHAT_INTERVAL
        )
        async with first.running(), replies_sent(ctx, {"telegram": first.channel}):
            tg = Harness(ctx, fake, server, first, first.conversation)
            ids = await burst(tg, 200)
            base = len(fake.sent)
            task = asyncio.create_task(tg.dispatcher("before-restart", batch=50).tick())
            await until(lambda: len(fake.sent) - base >= 60, what="part of the burst")
            task.cancel()  # what Ctrl+C / SIGTERM does to the running bot
            with pytest.raises(asyncio.CancelledError):
                await task
        partial = len(fake.sent) - base
        assert 0 < partial < 200
        second = TelegramBot(
            fake.token, f"{server.url}/bot", Conversation(ctx), poll_timeout=1, chat_interval=CHAT_INTERVAL
        )
        async with second.running(), replies_sent(ctx, {"telegram": second.channel}):
            tg = Harness(ctx, fake, server, second, second.conversation)
            clock.advance(seconds=121)  # leases of rows claimed but never sent expire
            await tg.dispatcher("after-restart", batch=50).tick()
        counts = await _ok_counts(tg, ids)
        assert len(counts) == 200 and set(counts.values()) == {1}
        assert len(fake.sent) - base == 200
    finally:
        await server.stop()


async def test_a_blocked_user_is_marked_unreachable_and_the_office_told_once(tg: Harness, clock: ManualClock) -> None:
    await tg.link(5010, "VHXH", role="office")
    await tg.link(5011, "VP")
    tg.fake.blocked.add("5011")
    async with tg.ctx.db.session() as s, s.begin():
        for stt in (5, 12):
            await queue_manual_reminder(s, tg.ctx.ward_id, stt, "VP", clock.now(), clock.now().date())
    d = tg.dispatcher()
    await d.tick()
    await d.tick()
    async with tg.ctx.db.session() as s:
        identity = await s.scalar(select(ChatIdentity).where(ChatIdentity.chat_id == "5011"))
        assert identity is not None and identity.unreachable_at is not None
        assert "blocked" in (identity.unreachable_reason or "")
        # Both reminders met the block: one notice for two failed sends.
        outcomes = list(
            await s.scalars(
                select(DeliveryAttempt.outcome)
                .join(Reminder, Reminder.id == DeliveryAttempt.reminder_id)
                .where(DeliveryAttempt.chat_id == "5011", Reminder.kind == "manual")
            )
        )
        assert outcomes == ["permanent", "permanent"]
    assert sum("Không gửi được" in t for t in tg.fake.texts_to(5010)) == 1


async def test_network_faults_are_retried_by_the_outbox(tg: Harness, clock: ManualClock) -> None:
    await tg.link(5020, "VHXH")
    async with tg.ctx.db.session() as s, s.begin():
        await queue_manual_reminder(s, tg.ctx.ward_id, 4, "VHXH", clock.now(), clock.now().date())
    tg.fake.fail_next("sendMessage", "500")
    d = tg.dispatcher()
    assert (await d.tick()).retried == 1
    clock.advance(minutes=5)
    assert (await d.tick()).sent == 1
    assert sum("Nhiệm vụ 4" in t for t in tg.fake.texts_to(5020)) == 1


async def test_a_dropped_connection_is_an_unknown_outcome_retried_once_and_counted(
    tg: Harness, clock: ManualClock
) -> None:
    await tg.link(5021, "VHXH")
    async with tg.ctx.db.session() as s, s.begin():
        await queue_manual_reminder(s, tg.ctx.ward_id, 4, "VHXH", clock.now(), clock.now().date())
    tg.fake.fail_next("sendMessage", "drop")
    d = tg.dispatcher()
    await d.tick()
    clock.advance(minutes=5)
    await d.tick()
    # The dropped request had reached Telegram: this is the documented duplicate window.
    assert sum("Nhiệm vụ 4" in t for t in tg.fake.texts_to(5021)) == 2
    async with tg.ctx.db.session() as s:
        outcomes = list(
            await s.scalars(
                select(DeliveryAttempt.outcome)
                .join(Reminder, Reminder.id == DeliveryAttempt.reminder_id)
                .where(DeliveryAttempt.chat_id == "5021", Reminder.kind == "manual")
                .order_by(DeliveryAttempt.id)
            )
        )
    # (The welcome was a reply through the outbox too; only the reminder's attempts count here.)
    assert len(outcomes) == 2 and outcomes[0] in ("transient", "unknown") and outcomes[-1] == "ok"


async def test_a_dropped_connection_is_recorded_as_an_unknown_outcome(tg: Harness, clock: ManualClock) -> None:
    await tg.link(5022, "VHXH")
    async with tg.ctx.db.session() as s, s.begin():
        await queue_manual_reminder(s, tg.ctx.ward_id, 4, "VHXH", clock.now(), clock.now().date())
    tg.fake.fail_next("sendMessage", "drop")
    assert (await tg.dispatcher().tick()).retried == 1
    assert sum("Nhiệm vụ 4" in t for t in tg.fake.texts_to(5022)) == 1  # it did reach Telegram
    async with tg.ctx.db.session() as s:
        outcomes = list(
            await s.scalars(
                select(DeliveryAttempt.outcome)
                .join(Reminder, Reminder.id == DeliveryAttempt.reminder_id)
                .where(DeliveryAttempt.chat_id == "5022", Reminder.kind != "reply")
            )
        )
    assert outcomes == ["unknown"]


async def test_long_output_is_split_at_line_boundaries(tg: Harness) -> None:
    from bot.messages import OutboundMessage

    lines = [f"Dòng {i}: " + "nội dung dài " * 8 for i in range(120)]
    await tg.bot.channel.send("5030", OutboundMessage("\n".join(lines)))
    parts = tg.fake.texts_to(5030)
    assert len(parts) >= 3 and all(len(p) <= 4096 for p in parts)
    assert "\n".join(parts) == "\n".join(lines)


async def test_a_handler_error_gets_a_short_apology_not_a_trace(
    tg: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug while answering (not the database away): the message stays stored, marked
    "error", and the apology goes through the outbox like any answer."""

    async def broken(*args: object, **kwargs: object) -> list[object]:
        raise RuntimeError("interpreter exploded")

    monkeypatch.setattr(tg.conversation, "interpret", broken)
    with caplog.at_level(logging.ERROR):
        answer = await tg.say(5040, "xin chào")
    assert answer.startswith("Xin lỗi, đã có lỗi") and "exploded" not in answer
    assert "interpreter exploded" in caplog.text
    async with tg.ctx.db.session() as s:
        outcomes = list(await s.scalars(select(InboundMessage.outcome).where(InboundMessage.chat_id == "5040")))
    assert outcomes == ["error"]


async def test_a_failing_set_my_commands_is_not_fatal(ctx: AppContext, caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeTelegram()
    fake.fail_next("setMyCommands", "500")
    server = await serve(fake.app())
    try:
        bot = TelegramBot(
            fake.token, f"{server.url}/bot", Conversation(ctx), poll_timeout=1, chat_interval=CHAT_INTERVAL
        )
        with caplog.at_level(logging.WARNING):
            async with bot.running(), replies_sent(ctx, {"telegram": bot.channel}):
                fake.push_text(5050, "hi")
                await until(lambda: fake.texts_to(5050), what="an answer")
    finally:
        await server.stop()
    # The call was made and refused (so nothing was registered), the failure was logged,
    # and the bot answered all the same.
    assert [m for m, _ in fake.calls].count("setMyCommands") == 1 and fake.commands == []
    assert "setMyCommands failed" in caplog.text
    assert "chưa được liên kết" in fake.texts_to(5050)[0]


async def test_webhook_with_a_wrong_or_missing_secret_is_refused(ctx: AppContext) -> None:
    fake = FakeTelegram()
    api = await serve(fake.app())
    bot = TelegramBot(fake.token, f"{api.url}/bot", Conversation(ctx), webhook=True)
    hook = await serve(webhook_app(telegram=bot.feed, telegram_secret="s3cret-token"))
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 0,
            "text": "/summary",
            "chat": {"id": 5060, "type": "private"},
            "from": {"id": 5060, "is_bot": False, "first_name": "X"},
        },
    }
    try:
        async with bot.running(), replies_sent(ctx, {"telegram": bot.channel}), httpx.AsyncClient() as client:
            url = f"{hook.url}/telegram/webhook"
            wrong = await client.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"})
            missing = await client.post(url, json=update)
            assert (wrong.status_code, missing.status_code) == (403, 403)
            good = await client.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"})
            assert good.status_code == 200
            await until(lambda: fake.texts_to(5060), what="webhook update processed")
        async with ctx.db.session() as s:
            assert await s.scalar(select(func.count(InboundMessage.id)).where(InboundMessage.chat_id == "5060")) == 1
    finally:
        await hook.stop()
        await api.stop()


@pytest.mark.slow
async def test_nhacviec_run_with_a_token_serves_telegram(ctx: AppContext, caplog: pytest.LogCaptureFixture) -> None:
    from bot.app.messengers import run_messengers

    fake = FakeTelegram()
    server = await serve(fake.app())
    ctx.settings = ctx.settings.replace(
        telegram_token=SecretStr(fake.token),
        telegram_base_url=f"{server.url}/bot",
        tick_seconds=0.2,
    )
    stop = asyncio.Event()
    caplog.set_level(logging.DEBUG)
    running = asyncio.create_task(run_messengers(ctx, stop))
    try:
        fake.push_text(5070, "xin chào")
        await until(lambda: fake.texts_to(5070), what="an answer through nhacviec run")
        assert "chưa được liên kết" in fake.texts_to(5070)[0]
    finally:
        stop.set()
        await asyncio.wait_for(running, 30)
        await server.stop()
    assert fake.token not in caplog.text  # httpx logs URLs; the token inside them is redacted
    assert "/bot***/getUpdates" in caplog.text
