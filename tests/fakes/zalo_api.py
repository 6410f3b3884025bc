"""A fake Zalo Bot API server on loopback, reached through the client's base URL.

The envelope {ok, result | error_code, description}; getUpdates long-polls and returns
ONE update (no offset), or HTTP 408 "Request timeout" when idle; ids are strings and
dates milliseconds; an update can be served again (the re-delivery some clients saw);
faults on demand: HTML 502 pages, 429s (with a Retry-After header or parameters.retry_after),
500s, an undocumented `{"ok":false,"error_code":-201}` inside HTTP 200, a request that hangs
until released, and a connection dropped after the request was carried out.

`handled(update)` tells when the bot has finished with an update: the poller handles what
one getUpdates returned before it polls again, so a later poll means every reply to that
update has been sent. Tests wait for that instead of sleeping for "nothing more arrives".
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from tests.fakes.telegram_api import _Dropped


@dataclass
class FakeZalo:
    token: str = "1234567890:ZALO-SECRET-abcdef"
    idle_timeout: float = 0.5  # seconds before an idle poll answers 408 (the real API: ~timeout)
    sent: list[dict[str, Any]] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    faults: dict[str, list[str]] = field(default_factory=dict)
    blocked: set[str] = field(default_factory=set)
    _queue: list[dict[str, Any]] = field(default_factory=list)
    _served: list[dict[str, Any]] = field(default_factory=list)
    _arrived: asyncio.Event | None = None
    _next_id: int = 1
    webhook_url: str | None = None  # set by setWebhook {url, secret_token}
    webhook_secret: str | None = None
    polls: int = 0  # getUpdates calls received
    _served_at: list[int] = field(default_factory=list)  # per _served entry: the poll that served it

    # Images people sent, served at GET /media/{name} (the URL an image update carries).
    media: dict[str, bytes] = field(default_factory=dict)
    base_url: str = ""  # set by the test once the server runs, for image URLs
    # A "hang" fault holds its request until this is set.
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def sends(self) -> int:
        """sendMessage requests received, whatever they were answered."""
        return sum(1 for method, _ in self.calls if method == "sendMessage")

    media_requests: int = 0  # GET /media/… received (a refused URL is never requested)
    # name → URL: GET /media/{name} answers 302 to that URL (a CDN redirecting elsewhere).
    redirects: dict[str, str] = field(default_factory=dict)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/bot{token}/{method}", self._endpoint, methods=["POST"]),
                Route("/media/{name}", self._media, methods=["GET"]),
            ]
        )

    async def _media(self, request: Request) -> Response:
        self.media_requests += 1
        if (target := self.redirects.get(request.path_params["name"])) is not None:
            return Response(status_code=302, headers={"location": target})
        content = self.media.get(request.path_params["name"])
        return Response(status_code=404) if content is None else Response(content, media_type="image/jpeg")

    def push_image(
        self, chat_id: str, content: bytes, *, caption: str = "", name: str = "Người dùng"
    ) -> dict[str, Any]:
        """An image from a person: its URL in `photo`, with an optional caption."""
        key = f"img{len(self.media) + 1}.jpg"
        self.media[key] = content
        self._next_id += 1
        message: dict[str, Any] = {
            "from": {"id": chat_id, "display_name": name, "is_bot": False},
            "chat": {"id": chat_id, "chat_type": "PRIVATE"},
            "photo": f"{self.base_url}/media/{key}",
            "message_id": f"zmsg{self._next_id:06d}",
            "date": int(time.time() * 1000),
        }
        if caption:
            message["caption"] = caption
        update = {"event_name": "message.image.received", "message": message}
        self._enqueue(update)
        return update

    def fail_next(self, method: str, kind: str, count: int = 1) -> None:
        self.faults.setdefault(method, []).extend([kind] * count)

    def push_text(self, chat_id: str, text: str, *, name: str = "Người dùng") -> dict[str, Any]:
        self._next_id += 1
        update = {
            "event_name": "message.text.received",
            "message": {
                "from": {"id": chat_id, "display_name": name, "is_bot": False},
                "chat": {"id": chat_id, "chat_type": "PRIVATE"},
                "text": text,
                "message_id": f"zmsg{self._next_id:06d}",
                "date": int(time.time() * 1000),
            },
        }
        self._enqueue(update)
        return update

    def redeliver_last(self) -> dict[str, Any]:
        """Serve the last consumed update again, same message_id."""
        update = self._served[-1]
        self._enqueue(update)
        return update

    def handled(self, update: dict[str, Any]) -> bool:
        """The update was served (the last time, if re-delivered) and the bot has polled since."""
        served = [poll for u, poll in zip(self._served, self._served_at, strict=True) if u is update]
        return bool(served) and update not in self._queue and self.polls > served[-1]

    def texts_to(self, chat_id: str) -> list[str]:
        return [m["text"] for m in self.sent if m["chat_id"] == chat_id]

    def _enqueue(self, update: dict[str, Any]) -> None:
        self._queue.append(update)
        if self._arrived is not None:
            self._arrived.set()

    async def _endpoint(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401)
        method = request.path_params["method"]
        try:
            params = await request.json()
        except ValueError:
            params = {}
        self.calls.append((method, params))
        if method == "getUpdates":
            self.polls += 1
            poll = self.polls
        queue = self.faults.get(method)
        if queue:
            kind = queue.pop(0)
            if kind == "502html":
                return HTMLResponse("<html><body><h1>502 Bad Gateway</h1></body></html>", status_code=502)
            if kind == "429":
                return JSONResponse(
                    {"ok": False, "error_code": 429, "description": "Too many requests"},
                    status_code=429,
                    headers={"Retry-After": "2"},
                )
            if kind == "error201":
                # An undocumented refusal inside HTTP 200 (seen failing 14 of 100 reminders).
                return JSONResponse({"ok": False, "error_code": -201, "description": "Có lỗi xảy ra"})
            if kind == "429long":
                return JSONResponse(
                    {
                        "ok": False,
                        "error_code": 429,
                        "description": "Too many requests",
                        "parameters": {"retry_after": 1},
                    },
                    status_code=429,
                )
            if kind == "hang":
                # The API takes the request and never answers (until the test lets it go).
                await self.release.wait()
            if kind == "500":
                return JSONResponse({"ok": False, "error_code": 500, "description": "Internal error"}, status_code=500)
            if kind == "drop":
                # Carry the request out, then cut the connection before the answer arrives.
                handler = getattr(self, f"_m_{method}")
                await handler(params)
                return _Dropped()
        if method == "getUpdates":
            return await self._m_getUpdates(params, poll)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return JSONResponse({"ok": False, "error_code": 404, "description": "Method not found"}, status_code=404)
        result: Response = await handler(params)
        return result

    async def _m_getMe(self, params: dict[str, Any]) -> Response:
        return JSONResponse(
            {"ok": True, "result": {"id": "bot1", "account_name": "nhacviec", "can_join_groups": False}}
        )

    async def _m_setWebhook(self, params: dict[str, Any]) -> Response:
        self.webhook_url, self.webhook_secret = params.get("url"), params.get("secret_token")
        return JSONResponse({"ok": True, "result": {"url": self.webhook_url, "updated_at": int(time.time() * 1000)}})

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> Response:
        return JSONResponse({"ok": True, "result": {"url": "", "updated_at": int(time.time() * 1000)}})

    async def _m_getUpdates(self, params: dict[str, Any], poll: int = 0) -> Response:
        if not self._queue:
            self._arrived = asyncio.Event()
            try:
                await asyncio.wait_for(self._arrived.wait(), timeout=self.idle_timeout)
            except TimeoutError:
                return JSONResponse({"ok": False, "error_code": 408, "description": "Request timeout"}, status_code=408)
        update = self._queue.pop(0)
        self._served.append(update)
        self._served_at.append(poll)
        return JSONResponse({"ok": True, "result": update})

    async def _m_sendMessage(self, params: dict[str, Any]) -> Response:
        chat_id, text = str(params.get("chat_id", "")), str(params.get("text", ""))
        if chat_id in self.blocked:
            return JSONResponse({"ok": False, "error_code": 403, "description": "User has blocked the bot"})
        if not 1 <= len(text) <= 2000:
            return JSONResponse({"ok": False, "error_code": 400, "description": "text length must be 1-2000"})
        self._next_id += 1
        message_id = f"zout{self._next_id:06d}"
        self.sent.append({"chat_id": chat_id, "text": text, "message_id": message_id})
        return JSONResponse({"ok": True, "result": {"message_id": message_id, "date": int(time.time() * 1000)}})
