"""The desk inside `nhacviec run`: in webhook mode on the webhook server's port it is served
by that server, beside the webhooks and /healthz."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bot.context import AppContext
from bot.desk.serve import shares_webhook_server
from bot.settings import SecretStr
from tests.desk_support import login_url
from tests.fakes.server import free_port, serve
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.waiting import until


async def _get(url: str) -> httpx.Response:
    for _ in range(150):
        try:
            async with httpx.AsyncClient() as client:
                return await client.get(url)
        except httpx.TransportError:
            await asyncio.sleep(0.1)
    raise AssertionError(f"nothing listens at {url}")


async def test_the_webhook_server_serves_the_desk(ctx: AppContext) -> None:
    from bot.actions.people import create_person
    from bot.app.messengers import run_messengers

    telegram = FakeTelegram()
    api = await serve(telegram.app())
    port = free_port()
    ctx.settings = ctx.settings.replace(
        telegram_token=SecretStr(telegram.token),
        telegram_base_url=f"{api.url}/bot",
        telegram_webhook_secret=SecretStr("tg-secret_0123456789"),
        webhook_mode=True,
        webhook_port=port,
        desk_port=port,
        public_url="https://nhacviec.example.test",
        tick_seconds=0.2,
    )
    assert shares_webhook_server(ctx.settings)
    async with ctx.db.session() as s, s.begin():
        office = await create_person(s, ctx.ward_id, "Nguyễn Thị Lan", "office", "VHXH", ctx.now())
    stop = asyncio.Event()
    running = asyncio.create_task(run_messengers(ctx, stop))
    try:
        await until(lambda: telegram.webhook_url, what="webhook registered")
        base = f"http://127.0.0.1:{port}"
        assert (await _get(f"{base}/healthz")).status_code in (200, 503)
        page = await _get(f"{base}/")
        assert page.status_code == 401 and "frame-ancestors 'none'" in page.headers["content-security-policy"]
        url = await login_url(ctx, office.id)
        assert url.startswith("https://nhacviec.example.test/dang-nhap/")
        async with httpx.AsyncClient(base_url=base) as client:
            done = await client.post("/" + url.split("/", 3)[3])
            assert done.status_code == 303 and "secure" in done.headers["set-cookie"].lower()
    finally:
        stop.set()
        await asyncio.wait_for(running, 30)
        await api.stop()


@pytest.mark.slow
def test_the_console_demo_prints_a_login_link_for_the_office(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "NHACVIEC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}",
        "NHACVIEC_DESK_PORT": str(port),
        "NHACVIEC_FILES_PATH": str(tmp_path / "files"),
    }
    run = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        input="",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert f"Trang làm việc: http://127.0.0.1:{port}" in run.stdout, run.stdout + run.stderr
    assert re.search(rf"http://127\.0\.0\.1:{port}/dang-nhap/[\w-]{{20,}}", run.stdout)
    assert "Traceback" not in run.stderr


@pytest.mark.slow
def test_run_as_a_service_without_a_channel_is_refused_in_one_line(tmp_path: Path) -> None:
    """Started as a service (stdin /dev/null) with no messenger, nobody could reach the bot:
    it refuses in one line (so a supervisor restarts it and the operator sees why) instead
    of serving only the desk or exiting 0."""
    env = {
        **os.environ,
        "NHACVIEC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}",
        "NHACVIEC_DESK_PORT": str(free_port()),
        "NHACVIEC_FILES_PATH": str(tmp_path / "files"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode != 0
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "NHACVIEC_CHANNELS" in lines[0], done.stderr
