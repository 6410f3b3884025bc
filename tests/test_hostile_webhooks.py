"""Hostile webhook requests: huge bodies, deep JSON, bytes that are not UTF-8 or not JSON,
updates the adapters cannot read; 200 only once the update was handed over (Zalo: stored)."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.channels.webhooks import MAX_BODY, json_depth, webhook_app
from bot.channels.zalo.app import ZaloBot
from bot.context import AppContext
from bot.conversation.handle import Conversation
from store.models import InboundMessage
from tests.fakes.asgi import SECRET, TELEGRAM_HEADER, ZALO_HEADER, asgi_post
from tests.fakes.server import free_port


class Recorder:
    def __init__(self, error: BaseException | None = None) -> None:
        self.updates: list[dict[str, Any]] = []
        self.error = error

    async def __call__(self, data: dict[str, Any]) -> None:
        if self.error is not None:
            raise self.error
        self.updates.append(data)


def _apps(feed: Recorder) -> Any:
    return webhook_app(telegram=feed, telegram_secret=SECRET, zalo=feed, zalo_secret=SECRET)


ROUTES = [("/telegram/webhook", TELEGRAM_HEADER), ("/zalo/webhook", ZALO_HEADER)]


@pytest.mark.parametrize(("path", "header"), ROUTES)
async def test_a_100_mb_body_is_refused_413_after_reading_the_limit_and_one_chunk(path: str, header: str) -> None:
    feed = Recorder()
    chunk = b" " * 65536  # uvicorn hands bodies over in chunks of this size
    hundred_mb = (chunk for _ in range(100 * 16))
    status, _, read = await asgi_post(_apps(feed), path, hundred_mb, {header: SECRET})
    assert status == 413
    assert read <= MAX_BODY + len(chunk)  # not 100 MB: reading stopped at the limit
    # Declared up front: refused before a single byte is read.
    status, _, read = await asgi_post(
        _apps(feed), path, (chunk for _ in range(1600)), {header: SECRET, "content-length": str(100 * 2**20)}
    )
    assert (status, read) == (413, 0)
    # Exactly the limit is fine.
    body = json.dumps({"pad": "x" * (MAX_BODY - 20)}).encode()
    body = body[: MAX_BODY - 2] + b'"}' if len(body) > MAX_BODY else body
    status, _, _ = await asgi_post(_apps(feed), path, [body], {header: SECRET})
    assert status == 200 and len(feed.updates) == 1


@pytest.mark.parametrize(("path", "header"), ROUTES)
@pytest.mark.parametrize(
    "body",
    [
        b"[" * 1000 + b"]" * 1000,  # nested 1,000 deep: was HTTP 500 (RecursionError)
        b'{"a":' * 1000 + b"1" + b"}" * 1000,
        b"[" * 200_000,  # unbalanced, far deeper than the recursion limit
        b'{"message": ' + b"[" * 65 + b"]" * 65 + b"}",  # one past the limit
    ],
)
async def test_json_nested_too_deep_is_refused_400_without_recursion(
    path: str, header: str, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    feed = Recorder()
    with caplog.at_level(logging.WARNING, logger="bot.channels.webhooks"):
        status, text, _ = await asgi_post(_apps(feed), path, [body], {header: SECRET})
    assert status == 400 and feed.updates == []
    assert b"deeper than 64" in text
    assert "refused (400)" in caplog.text


def test_depth_ignores_brackets_inside_strings() -> None:
    assert json_depth(b'{"text": "[[[[{{{{ \\" ]]]] [["}') == 1
    assert json_depth(b'{"a": [{"b": []}]}') == 4
    assert json_depth(b'"unterminated [[[[') == 0


@pytest.mark.parametrize(("path", "header"), ROUTES)
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"message": {"text": "\xff\xfe"}}', b"not UTF-8"),
        ('{"text": "Phường"}'.encode("utf-16"), b"not UTF-8"),
        (b"[1, 2]", b"not a json object"),
        (b'"text"', b"not a json object"),
        (b"null", b"not a json object"),
        (b"{", b"bad json"),
        (b"", b"bad json"),
        (b'{"n": ' + b"9" * 5000 + b"}", b"bad json"),  # beyond Python's int digits limit
    ],
)
async def test_bodies_that_are_not_a_json_object_in_utf8_are_refused_400(
    path: str, header: str, body: bytes, expected: bytes
) -> None:
    feed = Recorder()
    status, text, _ = await asgi_post(_apps(feed), path, [body], {header: SECRET})
    assert status == 400 and expected in text and feed.updates == []


@pytest.mark.parametrize(("path", "header"), ROUTES)
async def test_a_wrong_secret_is_refused_403_before_the_body_is_read(path: str, header: str) -> None:
    feed = Recorder()
    status, _, read = await asgi_post(_apps(feed), path, [b"{}"] * 10, {header: "nope"})
    assert (status, read) == (403, 0)
    status, _, _ = await asgi_post(webhook_app(zalo=feed), "/zalo/webhook", [b"{}"], {ZALO_HEADER: ""})
    assert status == 403  # no secret configured: no webhook at all


async def test_an_update_the_adapter_cannot_read_is_dropped_400_and_a_failure_is_503(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.channels.webhooks"):
        status, _, _ = await asgi_post(_apps(Recorder(TypeError("x"))), "/zalo/webhook", [b"{}"], {ZALO_HEADER: SECRET})
        assert status == 400 and "update dropped" in caplog.text
        status, _, _ = await asgi_post(
            _apps(Recorder(ConnectionError("db down"))), "/zalo/webhook", [b"{}"], {ZALO_HEADER: SECRET}
        )
        assert status == 503 and "delivered again" in caplog.text


def _zalo_update(message_id: str, text: str, chat: str = "zh1") -> dict[str, Any]:
    return {
        "ok": True,
        "result": {
            "event_name": "message.text.received",
            "message": {
                "message_id": message_id,
                "date": 1_780_000_000_000,
                "text": text,
                "chat": {"id": chat, "chat_type": "PRIVATE"},
                "from": {"id": chat, "display_name": "Khách", "is_bot": False},
            },
        },
    }


async def _inbound_count(ctx: AppContext) -> int:
    async with ctx.db.session() as s:
        return int(await s.scalar(select(func.count(InboundMessage.id))) or 0)


async def test_zalo_answers_200_only_after_the_message_is_stored(ctx: AppContext) -> None:
    """No background task: when the 200 leaves, the row is in the database (both databases),
    text that cannot be stored as is included."""
    bot = ZaloBot("1:x", f"http://127.0.0.1:{free_port()}", Conversation(ctx), webhook=True)
    app = webhook_app(zalo=bot.feed, zalo_secret=SECRET)
    try:
        for n, text in enumerate(["xin chào", "đã xong\x00", "vướng \ud800"], start=1):
            body = json.dumps(_zalo_update(f"zm{n}", text)).encode()
            status, _, _ = await asgi_post(app, "/zalo/webhook", [body], {ZALO_HEADER: SECRET})
            assert status == 200
            assert await _inbound_count(ctx) == n  # at once, no waiting
        async with ctx.db.session() as s:
            texts = list(await s.scalars(select(InboundMessage.text).order_by(InboundMessage.id)))
        assert texts == ["xin chào", "đã xong\\x00", "vướng \\ud800"]
        # Refused requests store nothing.
        deep = b'{"result": {"message": ' + b"[" * 100 + b"]" * 100 + b"}}"
        for body in (deep, b"\xff", b"[]"):
            status, _, _ = await asgi_post(app, "/zalo/webhook", [body], {ZALO_HEADER: SECRET})
            assert status == 400
        assert await _inbound_count(ctx) == 3
    finally:
        await bot.client.aclose()


async def test_the_feed_is_awaited_not_left_in_the_background() -> None:
    started, finished = asyncio.Event(), asyncio.Event()

    async def slow_feed(data: dict[str, Any]) -> None:
        started.set()
        await asyncio.sleep(0.05)
        finished.set()

    app = webhook_app(telegram=slow_feed, telegram_secret=SECRET)
    status, _, _ = await asgi_post(app, "/telegram/webhook", [b'{"update_id": 1}'], {TELEGRAM_HEADER: SECRET})
    assert status == 200 and finished.is_set()
