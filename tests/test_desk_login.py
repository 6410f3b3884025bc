"""Login links: throttled per address and per link in bounded memory, one Vietnamese page
for a wrong, used or expired link, and never written to a log (the access log included)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.app.logs import install_redaction, redact
from bot.context import AppContext
from bot.desk.app import desk_app
from bot.desk.auth import Throttle
from bot.texts.desk import TOO_MANY_FOR_LINK, USED_LINK
from tests.desk_support import TwoWards, login_url, path_of, two_wards

BASE = "http://desk.test"


@pytest.fixture
async def wards(ctx: AppContext) -> TwoWards:
    return await two_wards(ctx)


@pytest.fixture
async def client(ctx: AppContext) -> AsyncIterator[httpx.AsyncClient]:
    app = desk_app(ctx, secret=b"k" * 32)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as c:
        yield c


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_throttle_forgets_after_its_window_and_stays_bounded() -> None:
    ticks = Ticks()
    throttle = Throttle(limit=3, window=60, capacity=100, clock=ticks)
    for _ in range(3):
        throttle.hit("1.2.3.4")
    assert throttle.blocked("1.2.3.4") and not throttle.blocked("5.6.7.8")
    ticks.now += 61
    assert not throttle.blocked("1.2.3.4")
    for n in range(10_000):  # a flood of addresses
        throttle.hit(f"10.0.{n // 256}.{n % 256}")
        throttle.hit(f"10.0.{n // 256}.{n % 256}")
    assert len(throttle.seen) <= 100
    assert all(len(hits) <= 3 for hits in throttle.seen.values())
    for _ in range(50):
        throttle.hit("busy")
    assert len(throttle.seen["busy"]) == 3  # one key keeps at most `limit` times


async def test_wrong_used_and_expired_links_get_one_page(
    ctx: AppContext, wards: TwoWards, client: httpx.AsyncClient
) -> None:
    used = path_of(await login_url(ctx, wards.office_a))
    assert (await client.post(used)).status_code == 303
    expired = path_of(await login_url(ctx, wards.office_a))
    ctx.clock.advance(minutes=11)  # type: ignore[attr-defined]
    pages = [
        await client.get("/dang-nhap/" + "x" * 43),  # wrong
        await client.get("/dang-nhap/<script>"),  # not even a token
        await client.post(used),
        await client.get(used),
        await client.post(expired),
    ]
    assert [p.status_code for p in pages] == [410] * 5
    assert all(USED_LINK in p.text and "<script>" not in p.text for p in pages)


async def test_one_link_opened_over_and_over_is_refused_and_others_still_work(
    ctx: AppContext, wards: TwoWards, client: httpx.AsyncClient
) -> None:
    hammered = path_of(await login_url(ctx, wards.office_a))
    for _ in range(12):
        assert (await client.get(hammered)).status_code == 200
    assert (await client.get(hammered)).status_code == 429
    refused = await client.post(hammered)
    assert refused.status_code == 429 and TOO_MANY_FOR_LINK in refused.text
    assert "set-cookie" not in refused.headers
    fresh = path_of(await login_url(ctx, wards.office_a))
    assert (await client.post(fresh)).status_code == 303


def test_a_login_path_is_cut_from_any_log_line() -> None:
    line = '127.0.0.1:5000 - "POST /dang-nhap/AbC_d-123456789012345678 HTTP/1.1" 303'
    assert redact(line) == '127.0.0.1:5000 - "POST /dang-nhap/*** HTTP/1.1" 303'
    assert "AbC" not in redact("https://desk.example/dang-nhap/AbC_d-123456789012345678?x=1")


@contextlib.asynccontextmanager
async def _served_with_access_log(ctx: AppContext) -> AsyncIterator[str]:
    import uvicorn

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self):  # type: ignore[no-untyped-def]
            yield

    config = uvicorn.Config(
        desk_app(ctx), host="127.0.0.1", port=0, log_level="info", access_log=True, lifespan="off", log_config=None
    )
    server = Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        await task


async def test_uvicorns_access_log_never_holds_a_login_link(
    ctx: AppContext, wards: TwoWards, caplog: pytest.LogCaptureFixture
) -> None:
    install_redaction([])  # what `nhacviec run` installs
    path = path_of(await login_url(ctx, wards.office_a))
    token = path.rsplit("/", 1)[1]
    caplog.set_level(logging.DEBUG)
    async with _served_with_access_log(ctx) as base, httpx.AsyncClient(base_url=base) as web:
        assert (await web.get(path)).status_code == 200
        assert (await web.post(path)).status_code == 303
        assert (await web.post(path)).status_code == 410
    access = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
    assert any("/dang-nhap/***" in line for line in access), access  # the access log was on
    assert token not in caplog.text


def test_the_lines_shown_once_after_an_action_are_bounded() -> None:
    from bot.desk.web import Flashes

    flashes = Flashes()
    for session in range(Flashes.capacity + 500):  # sessions that never came back to read theirs
        flashes[session] = ("ok", "Đã ghi nhận")
    assert len(flashes) == Flashes.capacity
    assert Flashes.capacity + 499 in flashes and 0 not in flashes  # the oldest unread go first
