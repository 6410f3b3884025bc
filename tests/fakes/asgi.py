"""A POST through an ASGI app's own interface (no socket), and the webhook secrets the
webhook tests share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

ZALO_HEADER = "X-Bot-Api-Secret-Token"
TELEGRAM_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET = "hook-secret-1"


async def asgi_post(
    app: Any, path: str, chunks: Iterable[bytes], headers: dict[str, str] | None = None
) -> tuple[int, bytes, int]:
    """POST through the ASGI interface itself: (status, body, request bytes the app read)."""
    source = iter(chunks)
    read = 0
    pending: bytes | None = next(source, None)

    async def receive() -> dict[str, Any]:
        nonlocal read, pending
        if pending is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        chunk, pending = pending, next(source, None)
        read += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": pending is not None}

    status = 0
    body = b""

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, body
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            body += message.get("body", b"")

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    await app(scope, receive, send)
    return status, body, read
