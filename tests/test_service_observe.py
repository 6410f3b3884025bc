"""What an operator sees: a log line per failing send class and one on recovery
(rate-limited), JSON log lines, Prometheus /metrics, /healthz in polling mode too."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from pathlib import Path

import httpx
import pytest

from bot.app.logs import configure_logging
from bot.app.observe import FailureLog, Metrics, observed
from bot.channels.telegram.app import TelegramBot
from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.texts.reminders import ReminderRenderer
from scheduler.clock import ManualClock
from scheduler.dispatcher import Dispatcher, DispatcherConfig
from store.versioning import app_version
from tests.fakes.process import get_when_listening, start_nhacviec
from tests.fakes.server import free_port, serve
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_harness import Harness, burst
from tests.fakes.waiting import until
from tests.helpers import replies_sent


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_failing_class_is_logged_once_a_minute_and_its_recovery_once(caplog: pytest.LogCaptureFixture) -> None:
    ticks = Ticks()
    failures = FailureLog(clock=ticks)
    with caplog.at_level(logging.WARNING, logger="nhacviec.sends"):
        for n in range(30):  # 30 failures over 58 s: one line
            ticks.now = n * 2.0
            failures.failed("telegram", "transient", "Telegram 502: Bad Gateway")
        failures.failed("telegram", "rate_limited", "Telegram 429")  # another class: its own line
        ticks.now = 61.0
        failures.failed("telegram", "transient", "Telegram 502: Bad Gateway")  # a minute on: a summary
        ticks.now = 70.0
        failures.succeeded("zalo")  # another channel: nothing to say
        failures.succeeded("telegram")
        failures.succeeded("telegram")  # said once
    assert [r.getMessage() for r in caplog.records] == [
        "telegram: send failed (transient): Telegram 502: Bad Gateway",
        "telegram: send failed (rate_limited): Telegram 429",
        "telegram: 30 more sends failed (transient) in the last 61 s; last error: Telegram 502: Bad Gateway",
        "telegram: sending recovered after 31 failed sends (transient) over 70 s",
        "telegram: sending recovered after 1 failed sends (rate_limited) over 12 s",  # since 58 s,
    ]


async def test_sends_failures_and_429s_are_counted_per_channel(
    ctx: AppContext, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeTelegram()
    server = await serve(fake.app())
    metrics = Metrics()
    try:
        bot = TelegramBot(fake.token, f"{server.url}/bot", Conversation(ctx), poll_timeout=1, chat_interval=0.01)
        async with bot.running(), replies_sent(ctx, {"telegram": bot.channel}):
            tg = Harness(ctx, fake, server, bot, bot.conversation)
            ids = await burst(tg, 6)
            fake.fail_next("sendMessage", "500", count=2)
            fake.fail_next("sendMessage", "429", count=1, retry_after=1)
            d = Dispatcher(
                db=ctx.db,
                channels=observed({"telegram": bot.channel}, metrics),
                renderer=ReminderRenderer(ctx.calendar),
                clock=ctx.clock,
                calendar=ctx.calendar,
                config=DispatcherConfig(worker="w", concurrency=1),
            )
            with caplog.at_level(logging.WARNING, logger="nhacviec.sends"):
                for _ in range(10):
                    await d.tick()
                    clock.advance(minutes=5)
    finally:
        await server.stop()
    assert len(ids) == 6
    text = metrics.exposition().decode()
    assert 'nhacviec_sends_total{channel="telegram",outcome="ok"} 6.0' in text
    assert 'nhacviec_send_failures_total{channel="telegram",scope="transient"} 3.0' in text
    assert 'nhacviec_rate_limited_total{channel="telegram"} 1.0' in text
    assert 'nhacviec_send_seconds_count{channel="telegram"} 9.0' in text
    lines = [r.getMessage() for r in caplog.records]
    assert any(line.startswith("telegram: send failed (unknown_outcome)") for line in lines)  # a 500
    assert any(line.startswith("telegram: send failed (rate_limited)") for line in lines)
    assert any(line.startswith("telegram: sending recovered after 2 failed sends (unknown_outcome)") for line in lines)


def test_json_log_lines_are_one_object_each_and_redacted() -> None:
    import io

    from bot.app.logs import install_redaction, redact_handlers

    stream = io.StringIO()
    root = logging.getLogger()
    kept = root.handlers[:]
    root.handlers = [logging.StreamHandler(stream)]  # the one basicConfig installs in a service
    try:
        configure_logging(False, "json")
        install_redaction(["123456:SECRET-token"])
        redact_handlers()
        logging.getLogger("nhacviec.sends").warning("send failed via %s", "https://x/bot123456:SECRET-token/send")
    finally:
        root.handlers = kept
    lines = stream.getvalue().strip().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["level"] == "WARNING" and entry["logger"] == "nhacviec.sends"
    assert entry["message"] == "send failed via https://x/bot***/send"


@pytest.mark.slow
async def test_polling_mode_serves_healthz_and_metrics_but_no_webhook(tmp_path: Path) -> None:
    fake = FakeTelegram()
    server = await serve(fake.app())
    port = free_port()
    proc = await start_nhacviec(
        tmp_path,
        {
            "NHACVIEC_TELEGRAM_TOKEN": fake.token,
            "NHACVIEC_TELEGRAM_BASE_URL": f"{server.url}/bot",
            "NHACVIEC_CHANNELS": "telegram",
            "NHACVIEC_HEALTH_SERVER": "true",
            "NHACVIEC_WEBHOOK_PORT": str(port),
            "NHACVIEC_LOG_FORMAT": "json",
        },
    )
    try:
        health = await get_when_listening(f"http://127.0.0.1:{port}/healthz", timeout=60)
        assert health.status_code == 200
        assert health.json()["version"] == app_version() and health.json()["status"] == "ok"
        async with httpx.AsyncClient() as client:
            await until(lambda: any(m == "getUpdates" for m, _ in fake.calls), timeout=30, what="polling")
            metrics = await client.get(f"http://127.0.0.1:{port}/metrics")
            hook = await client.post(f"http://127.0.0.1:{port}/telegram/webhook", json={})
        assert metrics.status_code == 200
        assert 'nhacviec_outbox_rows{state="pending"}' in metrics.text
        assert 'nhacviec_info{schema="' in metrics.text and f'version="{app_version()}"' in metrics.text
        assert "nhacviec_last_tick_timestamp_seconds" in metrics.text
        assert hook.status_code in (404, 405)  # polling: nobody may post updates
        proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(proc.communicate(), 60)
        assert proc.returncode == 0, err.decode()
        for line in err.decode().strip().splitlines():
            json.loads(line)  # every log line is JSON
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await server.stop()
