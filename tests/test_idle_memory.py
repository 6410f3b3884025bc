"""What an idle `nhacviec run` keeps (issue 26: idle ≤ 80 MiB, bench/idle_memory.py): the
desk is built at its first request, the Bot API client's two connection pools share one TLS
context, and the memory start-up freed is handed back once the plan is read. Which modules a
running bot must not load at all: tests/test_cli_imports.py."""

from __future__ import annotations

import asyncio
import platform
import ssl

import httpx
import pytest

from bot.app import memory
from bot.channels.telegram.app import TelegramBot
from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.desk.serve import LazyDesk


async def test_the_desk_is_built_at_its_first_request_and_then_serves_as_before(ctx: AppContext) -> None:
    desk = LazyDesk(ctx)
    assert desk.app is None
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=desk), base_url="http://desk.test") as client:
        page = await client.get("/dang-nhap/khong-phai-lien-ket")
        built = desk.app
        again = await client.get("/static/desk.css")
    assert built is not None and desk.app is built  # built once, kept
    assert page.status_code == 410 and "<html" in page.text  # the desk's page of a wrong link
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert again.status_code == 200


async def test_both_telegram_connections_share_one_tls_context(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[ssl.SSLContext] = []
    real = ssl.create_default_context

    def counted(*args: object, **kwargs: object) -> ssl.SSLContext:
        made.append(real(*args, **kwargs))  # type: ignore[arg-type]
        return made[-1]

    monkeypatch.setattr(ssl, "create_default_context", counted)
    TelegramBot("123:abc", "http://127.0.0.1:9/bot", Conversation(ctx))
    assert len(made) == 1


async def test_start_up_memory_is_released_once_the_plan_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    released: list[bool] = []

    def release() -> bool:
        released.append(True)
        return True

    monkeypatch.setattr(memory, "release_freed_memory", release)
    reading: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(memory.release_after_start(reading, settle=0))
    await asyncio.sleep(0.05)
    assert released == []  # still reading
    reading.set_result(None)
    await task
    assert released == [True]


def test_freed_memory_is_handed_back_on_glibc_and_skipped_elsewhere() -> None:
    assert memory.release_freed_memory() is (platform.libc_ver()[0] == "glibc")
