"""Our own ASGI app receiving Telegram and Zalo webhooks (for several worker processes).

Requests without the right secret header are refused; bodies are size-limited; the
answer is immediate and the update is processed after.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

log = logging.getLogger(__name__)

MAX_BODY = 256 * 1024
Feed = Callable[[dict[str, Any]], Coroutine[Any, Any, None]]
# GET /healthz: (HTTP status, JSON body), from bot.health.
Health = Callable[[], Coroutine[Any, Any, tuple[int, dict[str, Any]]]]


def _authorised(request: Request, header: str, secret: str | None) -> bool:
    given = request.headers.get(header, "")
    # No secret configured means no webhook at all, never an open door.
    return bool(secret) and hmac.compare_digest(given.encode(), (secret or "").encode())


def _route(path: str, header: str, secret: str | None, feed: Feed) -> Route:
    tasks: set[asyncio.Task[None]] = set()

    async def endpoint(request: Request) -> Response:
        if not _authorised(request, header, secret):
            log.warning("webhook %s refused: wrong or missing secret", path)
            return PlainTextResponse("forbidden", status_code=403)
        body = await request.body()
        if len(body) > MAX_BODY:
            return PlainTextResponse("too large", status_code=413)
        try:
            data = json.loads(body)
        except ValueError:
            return PlainTextResponse("bad json", status_code=400)
        if not isinstance(data, dict):
            return PlainTextResponse("bad update", status_code=400)
        # Answer at once; the update is processed in the background.
        task: asyncio.Task[None] = asyncio.create_task(feed(data))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        return JSONResponse({"ok": True})

    return Route(path, endpoint, methods=["POST"])


def webhook_app(
    *,
    telegram: Feed | None = None,
    telegram_secret: str | None = None,
    zalo: Feed | None = None,
    zalo_secret: str | None = None,
    health: Health | None = None,
) -> Starlette:
    routes = [_health_route(health)]
    if telegram is not None:
        routes.append(_route("/telegram/webhook", "X-Telegram-Bot-Api-Secret-Token", telegram_secret, telegram))
    if zalo is not None:
        routes.append(_route("/zalo/webhook", "X-Bot-Api-Secret-Token", zalo_secret, zalo))
    return Starlette(routes=routes)


def _health_route(health: Health | None) -> Route:
    """200 while healthy, 503 when the dead-man's switch has tripped or the bot stalled."""

    async def endpoint(request: Request) -> Response:
        if health is None:
            return PlainTextResponse("ok")
        try:
            status, body = await health()
        except Exception as exc:  # the database is down, say
            log.warning("healthz failed: %s", type(exc).__name__)
            return JSONResponse({"status": "error", "error": type(exc).__name__}, status_code=503)
        return JSONResponse(body, status_code=status)

    return Route("/healthz", endpoint, methods=["GET"])
