"""`nhacviec run` as a child process (as systemd starts it), waiting for something to
listen, the one clean error line a refused start prints, and the fake Telegram Bot API as
a fixture: what the tests of a starting service share."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.fakes.server import RunningServer, free_port, serve
from tests.fakes.telegram_api import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def last_line(self) -> str:
        return self.stderr.strip().splitlines()[-1]


async def start_nhacviec(tmp_path: Path, env: dict[str, str], *args: str) -> asyncio.subprocess.Process:
    """`nhacviec run` started as systemd starts it: a child process configured by NHACVIEC_*
    only (the seed plan and calendar, a database in `tmp_path`, then `env`), pipes open."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("NHACVIEC_")}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli.main",
        "run",
        *args,
        cwd=tmp_path,
        env={
            **base,
            "PYTHONPATH": str(ROOT),
            "NHACVIEC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
            "NHACVIEC_PLAN_PATH": str(ROOT / "data" / "tasks.yaml"),
            "NHACVIEC_CALENDAR_PATH": str(ROOT / "data" / "calendar.yaml"),
            # The desk's port is held at start: never the shared 8080 another run may hold.
            "NHACVIEC_DESK_PORT": str(free_port()),
            **env,
        },
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def nhacviec_run(tmp_path: Path, env: dict[str, str], *args: str, timeout: float = 90) -> Run:
    """`nhacviec run` to its end, retrying an unreachable API quickly."""
    proc = await start_nhacviec(tmp_path, {"NHACVIEC_STARTUP_RETRY_SECONDS": "0.1", **env}, *args)
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    assert proc.returncode is not None
    return Run(proc.returncode, out.decode(), err.decode())


async def get_when_listening(url: str, timeout: float = 15.0) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        for _ in range(int(timeout / 0.05)):
            try:
                return await client.get(url)
            except httpx.TransportError:
                await asyncio.sleep(0.05)
    raise AssertionError(f"nothing listens at {url}")


def assert_one_clean_line(run: Run, *secrets: str) -> None:
    assert run.code != 0
    assert "Traceback" not in run.output
    for secret in secrets:
        assert secret not in run.output
    errors = [line for line in run.stderr.splitlines() if line.startswith("Lỗi")]
    assert len(errors) == 1, run.stderr
    assert run.last_line() == errors[0]


@pytest.fixture
async def telegram_api() -> AsyncIterator[tuple[FakeTelegram, RunningServer]]:
    fake = FakeTelegram()
    server = await serve(fake.app())
    try:
        yield fake, server
    finally:
        await server.stop()
