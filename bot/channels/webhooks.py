"""Our own ASGI app receiving Telegram and Zalo webhooks (for several worker processes).

What a request must get through, in order, before anything is stored:
1. the platform's secret header (403 without it: no secret configured means no webhook);
2. the body size, enforced while reading: a declared Content-Length over the limit is
   refused before reading anything, and a body streamed without one is refused as soon as
   it passes the limit, so a 100 MB body is never held (413);
3. UTF-8, JSON nested at most MAX_DEPTH deep (checked by a scan before parsing, so no
   RecursionError can escape), a JSON object (400);
4. the channel's feed, awaited: the answer is sent after it returns.

What "200" means, per route (a 200 tells the platform not to send the update again): the
update is stored. Both feeds (TelegramBot.feed, ZaloBot.feed) go through
Conversation.receive, which stores the message in its own transaction and raises when it
could not (the database away: 503, and the platform delivers it again; the inbound
table's unique key makes a re-delivery a no-op). Once stored, answering cannot fail the
request: an answer the database was away for is produced later from the stored row, a
bug is answered with an apology. An update that is not a message is dropped by the
adapter; one it cannot read (it raises ValueError, TypeError, KeyError…) is dropped
knowingly with a log line and answered 400.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from collections.abc import Callable, Coroutine
from typing import Any

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

log = logging.getLogger(__name__)

MAX_BODY = 256 * 1024  # a Telegram update with a 4096-character text and entities is ~20 KB
MAX_DEPTH = 64  # real updates nest ~6 deep (update → message → reply_to_message → chat …)
Feed = Callable[[dict[str, Any]], Coroutine[Any, Any, None]]
# GET /healthz: (HTTP status, JSON body), from bot.app.health.
Health = Callable[[], Coroutine[Any, Any, tuple[int, dict[str, Any]]]]
# GET /metrics: the Prometheus text exposition, from bot.observe.
MetricsText = Callable[[], Coroutine[Any, Any, bytes]]
METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# Errors an adapter raises on an update it cannot read (de_json on a wrong shape, a list
# where a dict was expected, a date past year 9999): not worth a re-delivery.
UNREADABLE = (ValueError, TypeError, KeyError, AttributeError, IndexError, LookupError, OverflowError)


def _unreadable(exc: BaseException) -> bool:
    # datetime.fromtimestamp raises OSError (EOVERFLOW) on some dates; a lost connection
    # (to the database, say) is an OSError too, but one worth a re-delivery.
    if isinstance(exc, OSError):
        return not isinstance(exc, ConnectionError | TimeoutError)
    return isinstance(exc, UNREADABLE)


class Refused(Exception):
    """The request is answered `status` with `text`, and nothing is handed over."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


def _authorised(request: Request, header: str, secret: str | None) -> bool:
    given = request.headers.get(header, "")
    # No secret configured means no webhook at all, never an open door.
    return bool(secret) and hmac.compare_digest(given.encode(), (secret or "").encode())


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    """The body, read chunk by chunk; Refused(413) as soon as it is over `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise Refused(413, "too large")
        except ValueError:
            raise Refused(400, "bad content-length") from None
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise Refused(413, "too large")
            chunks.append(chunk)
    except ClientDisconnect:
        raise Refused(400, "incomplete body") from None
    return b"".join(chunks)


# A string (an unterminated one runs to the end, so every match consumes what it scanned and
# the scan stays linear) or a bracket.
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.DOTALL)


def json_depth(body: bytes) -> int:
    """How deep the arrays and objects of a JSON text nest, brackets inside strings aside.
    A linear scan, so an update nested 100,000 deep costs no recursion to refuse."""
    depth = deepest = 0
    for m in _TOKEN.finditer(body):
        token = m[0]
        if token in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif token in (b"]", b"}"):
            depth -= 1
    return deepest


def parse_update(body: bytes, max_depth: int = MAX_DEPTH) -> dict[str, Any]:
    """A webhook body → the update object, or Refused(400) saying why not."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "body is not UTF-8") from None
    if json_depth(body) > max_depth:
        raise Refused(400, f"json nested deeper than {max_depth}")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise Refused(400, "bad json") from None
    if not isinstance(data, dict):
        raise Refused(400, "bad update: not a json object")
    return data


def _route(path: str, header: str, secret: str | None, feed: Feed) -> Route:
    async def endpoint(request: Request) -> Response:
        if not _authorised(request, header, secret):
            log.warning("webhook %s refused: wrong or missing secret", path)
            return PlainTextResponse("forbidden", status_code=403)
        try:
            data = parse_update(await read_body(request))
        except Refused as refused:
            log.warning("webhook %s refused (%d): %s", path, refused.status, refused.text)
            return PlainTextResponse(refused.text, status_code=refused.status)
        try:
            await feed(data)
        except Exception as exc:
            if _unreadable(exc):
                reason = f"{type(exc).__name__}: {str(exc)[:200]}"
                log.warning("webhook %s: update dropped, the adapter could not read it (%s)", path, reason)
                return PlainTextResponse("bad update", status_code=400)
            log.exception("webhook %s: update not handled; answering 503 so that it is delivered again", path)
            return PlainTextResponse("not stored, retry", status_code=503)
        return JSONResponse({"ok": True})

    return Route(path, endpoint, methods=["POST"])


def webhook_app(
    *,
    telegram: Feed | None = None,
    telegram_secret: str | None = None,
    zalo: Feed | None = None,
    zalo_secret: str | None = None,
    health: Health | None = None,
    metrics: MetricsText | None = None,
) -> Starlette:
    routes = [_health_route(health)]
    if metrics is not None:
        routes.append(_metrics_route(metrics))
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


def _metrics_route(metrics: MetricsText) -> Route:
    async def endpoint(request: Request) -> Response:
        return Response(await metrics(), media_type=METRICS_TYPE)

    return Route("/metrics", endpoint, methods=["GET"])
