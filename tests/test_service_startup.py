"""`nhacviec run` as a service starts it: what cannot start says so in one Vietnamese line and
a non-zero exit code, never a traceback, never a token; an API that cannot be reached yet is
retried with backoff; webhook mode registers its webhooks itself, or refuses to start."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.channels.startup import StartupFailed
from bot.context import AppContext
from bot.settings import SecretStr
from store.versioning import version_line
from tests.fakes.process import (
    assert_one_clean_line,
    get_when_listening,
    nhacviec_run,
    start_nhacviec,
    telegram_api,
)
from tests.fakes.server import RunningServer, free_port, serve
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.waiting import until
from tests.fakes.zalo_api import FakeZalo

__all__ = ["telegram_api"]  # the fixture (tests/fakes/process.py)

REJECTED = "987654321:AAH-rejected-token-never-shown"
ZALO_REJECTED = "5550001:zalo-rejected-token-never-shown"


@pytest.mark.slow
async def test_a_rejected_telegram_token_is_one_line_without_the_token(
    tmp_path: Path, telegram_api: tuple[FakeTelegram, RunningServer]
) -> None:
    fake, server = telegram_api
    run = await nhacviec_run(
        tmp_path,
        {"NHACVIEC_TELEGRAM_TOKEN": REJECTED, "NHACVIEC_TELEGRAM_BASE_URL": f"{server.url}/bot"},
        "--verbose",  # even the detailed log holds no token
    )
    assert_one_clean_line(run, REJECTED, REJECTED.split(":")[1])
    assert "Telegram từ chối token" in run.last_line()
    assert "thử lại" not in run.stderr  # refused at once: a wrong token is not retried


@pytest.mark.slow
async def test_an_unreachable_telegram_is_retried_then_one_line(tmp_path: Path) -> None:
    port = free_port()  # nobody listens
    run = await nhacviec_run(
        tmp_path,
        {
            "NHACVIEC_TELEGRAM_TOKEN": REJECTED,
            "NHACVIEC_TELEGRAM_BASE_URL": f"http://127.0.0.1:{port}/bot",
            "NHACVIEC_STARTUP_RETRIES": "3",
        },
    )
    assert_one_clean_line(run, REJECTED, REJECTED.split(":")[1])
    assert "không kết nối được Telegram" in run.last_line() and "đã thử 4 lần" in run.last_line()
    retries = [line for line in run.stderr.splitlines() if "thử lại sau" in line]
    assert len(retries) == 3, run.stderr


@pytest.mark.slow
async def test_telegram_reachable_after_a_few_tries_starts_the_bot(tmp_path: Path) -> None:
    """A server boots before its network: the API comes up while the bot is retrying."""
    fake = FakeTelegram()
    port = free_port()
    env = {
        "NHACVIEC_TELEGRAM_TOKEN": fake.token,
        "NHACVIEC_TELEGRAM_BASE_URL": f"http://127.0.0.1:{port}/bot",
        "NHACVIEC_STARTUP_RETRIES": "20",
        "NHACVIEC_STARTUP_RETRY_SECONDS": "0.3",
    }
    proc = await start_nhacviec(tmp_path, env)
    server: RunningServer | None = None
    early: list[str] = []
    try:
        assert proc.stderr is not None
        while not any("thử lại sau" in line for line in early):  # the bot has tried and failed
            early.append((await asyncio.wait_for(proc.stderr.readline(), 60)).decode())
        server = await serve(fake.app(), port)
        await until(lambda: any(m == "getUpdates" for m, _ in fake.calls), timeout=60, what="polling started")
        proc.terminate()
        out, err = await asyncio.wait_for(proc.communicate(), 60)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        if server is not None:
            await server.stop()
    stderr = "".join(early) + err.decode()
    assert proc.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert f"Nhắc việc đang chạy ({version_line()}): telegram" in out.decode()


@pytest.mark.slow
async def test_a_rejected_zalo_token_is_one_line_without_the_token(tmp_path: Path) -> None:
    fake = FakeZalo()
    server = await serve(fake.app())
    try:
        run = await nhacviec_run(tmp_path, {"NHACVIEC_ZALO_TOKEN": ZALO_REJECTED, "NHACVIEC_ZALO_BASE_URL": server.url})
    finally:
        await server.stop()
    assert_one_clean_line(run, ZALO_REJECTED)
    assert "Zalo từ chối token" in run.last_line()


@pytest.mark.slow
async def test_an_invalid_plan_is_one_line_naming_the_check_command(tmp_path: Path) -> None:
    plan = tmp_path / "tasks.yaml"
    plan.write_text("plan: {}\nunits: {}\n", encoding="utf-8")
    run = await nhacviec_run(tmp_path, {"NHACVIEC_PLAN_PATH": str(plan), "NHACVIEC_TELEGRAM_TOKEN": REJECTED})
    assert_one_clean_line(run, REJECTED)
    assert "kế hoạch" in run.last_line() and f"nhacviec check {plan}" in run.last_line()


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({}, "NHACVIEC_PUBLIC_URL"),
        ({"NHACVIEC_PUBLIC_URL": "http://bot.example.test"}, "https://"),
        ({"NHACVIEC_PUBLIC_URL": "https://bot.example.test"}, "NHACVIEC_TELEGRAM_WEBHOOK_SECRET"),
        (
            {"NHACVIEC_PUBLIC_URL": "https://bot.example.test", "NHACVIEC_TELEGRAM_WEBHOOK_SECRET": "has space"},
            "NHACVIEC_TELEGRAM_WEBHOOK_SECRET",
        ),
    ],
)
@pytest.mark.slow
async def test_webhook_mode_without_an_https_url_or_a_secret_refuses_to_start(
    tmp_path: Path, env: dict[str, str], words: str
) -> None:
    port = free_port()  # never called: the settings are refused before any request
    run = await nhacviec_run(
        tmp_path,
        {
            "NHACVIEC_TELEGRAM_TOKEN": REJECTED,
            "NHACVIEC_TELEGRAM_BASE_URL": f"http://127.0.0.1:{port}/bot",
            "NHACVIEC_WEBHOOK_MODE": "true",
            **env,
        },
    )
    assert_one_clean_line(run, REJECTED)
    assert words in run.last_line()
    assert not (tmp_path / "bot.db").exists()  # refused before the database was touched


async def test_webhook_mode_registers_both_webhooks_with_their_secrets_and_serves_healthz(ctx: AppContext) -> None:
    from bot.app.messengers import run_messengers

    telegram, zalo = FakeTelegram(), FakeZalo()
    tg_server, zalo_server = await serve(telegram.app()), await serve(zalo.app())
    port = free_port()
    ctx.settings = ctx.settings.replace(
        telegram_token=SecretStr(telegram.token),
        telegram_base_url=f"{tg_server.url}/bot",
        telegram_webhook_secret=SecretStr("tg-secret_0123456789"),
        zalo_token=SecretStr(zalo.token),
        zalo_base_url=zalo_server.url,
        zalo_webhook_secret=SecretStr("zalo-secret-0123456789"),
        webhook_mode=True,
        webhook_port=port,
        public_url="https://nhacviec.example.test/",
        tick_seconds=0.2,
    )
    stop = asyncio.Event()
    running = asyncio.create_task(run_messengers(ctx, stop))
    try:
        await until(lambda: telegram.webhook_url and zalo.webhook_url, what="both webhooks registered")
        assert telegram.webhook_url == "https://nhacviec.example.test/telegram/webhook"
        assert telegram.webhook_secret == "tg-secret_0123456789"
        set_webhook = next(p for m, p in telegram.calls if m == "setWebhook")
        assert set_webhook["allowed_updates"] == ["message", "callback_query"]
        assert zalo.webhook_url == "https://nhacviec.example.test/zalo/webhook"
        assert zalo.webhook_secret == "zalo-secret-0123456789"
        assert not any(m == "getUpdates" for m, _ in telegram.calls + zalo.calls)  # no polling
        health = await get_when_listening(f"http://127.0.0.1:{port}/healthz")
        assert health.status_code in (200, 503)
        body = health.json()
        assert set(body["queue"]) == {"pending", "sending", "sent", "skipped", "dropped", "failed"}
        assert body["status"] in ("ok", "deadman", "stalled")
    finally:
        stop.set()
        await asyncio.wait_for(running, 30)
        await tg_server.stop()
        await zalo_server.stop()


async def test_run_messengers_refuses_webhook_mode_without_secrets(ctx: AppContext) -> None:
    from bot.app.messengers import run_messengers

    ctx.settings = ctx.settings.replace(
        zalo_token=SecretStr(ZALO_REJECTED),
        webhook_mode=True,
        public_url="https://nhacviec.example.test",
    )
    with pytest.raises(StartupFailed, match="NHACVIEC_ZALO_WEBHOOK_SECRET"):
        await run_messengers(ctx, asyncio.Event())


async def test_polling_survives_a_401_and_stops_cleanly(ctx: AppContext) -> None:
    """python-telegram-bot's Updater ended getUpdates for good on a 401 ("Invalid token.
    Aborting retry loop"); our poller waits and polls again, and still stops cleanly."""
    from bot.channels.telegram.app import TelegramBot
    from bot.conversation.handle import Conversation

    fake = FakeTelegram()
    server = await serve(fake.app())
    bot = TelegramBot(fake.token, f"{server.url}/bot", Conversation(ctx), poll_timeout=1)
    try:
        await bot.connect()
        async with bot.running():
            await until(lambda: any(m == "getUpdates" for m, _ in fake.calls), what="polling")
            token, fake.token = fake.token, "revoked"  # every call now answers 401
            polls = len(fake.calls)
            await asyncio.sleep(1.5)
            fake.token = token
            await until(lambda: len(fake.calls) > polls, what="polling again after the 401s")
    finally:
        await server.stop()
