"""A fake Telegram Bot API server on loopback, reached through the bot's base URL.

It supports what Nhắc việc calls, delivers updates through getUpdates with real `offset`
semantics, records what the bot sent, and injects faults on demand: 429 with
retry_after, 500, slow responses and dropped connections; it can also enforce
Telegram's ~30 messages/s limit with 429s, as the real server does.

    python -m tests.fakes.telegram_api --port 8081   # standalone, for benchmarks
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

BOT_USER = {"id": 777000111, "is_bot": True, "first_name": "Nhắc việc", "username": "nhacviec_test_bot"}


@dataclass
class Fault:
    kind: str  # "429" | "500" | "401" | "slow" | "hang" | "drop"
    retry_after: int = 1
    delay: float = 0.0


@dataclass
class FakeTelegram:
    token: str = "123456:TEST-TOKEN"
    rate_limit: float | None = None  # messages per second before 429s, like the real server
    storm_ratio: float = 0.0  # share of sendMessage calls answered 429 at random
    storm_retry_after: int = 1
    seed: int = 7
    sent: list[dict[str, Any]] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    blocked: set[str] = field(default_factory=set)
    missing_chats: set[str] = field(default_factory=set)
    commands: list[dict[str, Any]] = field(default_factory=list)
    # sendDocument / sendPhoto uploads: method, chat_id, filename, content (bytes), caption
    files: list[dict[str, Any]] = field(default_factory=list)
    answered_callbacks: list[str] = field(default_factory=list)
    webhook_url: str | None = None
    webhook_secret: str | None = None  # the secret_token given to setWebhook
    rejected: int = 0  # 429s answered
    release: asyncio.Event = field(default_factory=asyncio.Event)  # lets "hang" faults answer
    _updates: list[dict[str, Any]] = field(default_factory=list)
    _next_update: int = 1
    _next_message: int = 1000
    _window: deque[float] = field(default_factory=deque)
    _random: random.Random = field(init=False)
    _arrived: asyncio.Event | None = None
    # Files people sent (photos, documents): file_id → (file_path, bytes), served by getFile
    # and GET /file/bot{token}/{file_path}; `file_downloads` counts the downloads.
    user_files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    file_downloads: int = 0
    # Files whose download is `n` bytes of filler (sent in 64 KiB chunks, no Content-Length)
    # whatever getFile declared: a server sending far more than it said. file_id → n;
    # `file_bytes_served` counts what left the fake before the bot hung up.
    oversized: dict[str, int] = field(default_factory=dict)
    file_bytes_served: int = 0

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    # --- what tests do -------------------------------------------------------------------

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"]),
                Route("/file/bot{token}/{path:path}", self._file_download, methods=["GET"]),
                Route("/_stats", self._stats, methods=["GET"]),
            ]
        )

    def fail_next(self, method: str, kind: str, count: int = 1, retry_after: int = 1, delay: float = 0.0) -> None:
        self.faults.setdefault(method, []).extend(Fault(kind, retry_after, delay) for _ in range(count))

    def push_text(self, chat_id: int, text: str, *, name: str = "Người dùng", reply_to: int | None = None) -> int:
        message = self._user_message(chat_id, text, name)
        if reply_to is not None:
            original = next((m for m in self.sent if m["message_id"] == reply_to), None)
            message["reply_to_message"] = {
                "message_id": reply_to,
                "date": int(time.time()),
                "chat": message["chat"],
                "from": BOT_USER,
                "text": original["text"] if original else "",
            }
        return self._push({"message": message})

    def push_photo(self, chat_id: int, content: bytes, *, caption: str = "", name: str = "Người dùng") -> int:
        """A photo from a person (Telegram sends several sizes; the largest is last)."""
        file_id = f"photo{len(self.user_files) + 1}"
        self.user_files[file_id] = (f"photos/{file_id}.jpg", content)
        message = self._user_message(chat_id, "", name)
        del message["text"]
        message["photo"] = [
            {"file_id": f"{file_id}-small", "file_unique_id": f"u{file_id}s", "width": 90, "height": 90},
            {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "width": 800,
                "height": 600,
                "file_size": len(content),
            },
        ]
        if caption:
            message["caption"] = caption
        return self._push({"message": message})

    def push_document(
        self, chat_id: int, content: bytes, filename: str, *, caption: str = "", name: str = "Người dùng"
    ) -> int:
        file_id = f"doc{len(self.user_files) + 1}"
        self.user_files[file_id] = (f"documents/{file_id}", content)
        message = self._user_message(chat_id, "", name)
        del message["text"]
        message["document"] = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": filename,
            "mime_type": "application/pdf",
            "file_size": len(content),
        }
        if caption:
            message["caption"] = caption
        return self._push({"message": message})

    def push_button(self, chat_id: int, data: str, message_id: int, *, name: str = "Người dùng") -> int:
        original = next((m for m in self.sent if m["message_id"] == message_id), {"text": ""})
        return self._push(
            {
                "callback_query": {
                    "id": f"cb{self._next_update}",
                    "chat_instance": "ci",
                    "data": data,
                    "from": {"id": chat_id, "is_bot": False, "first_name": name},
                    "message": {
                        "message_id": message_id,
                        "date": int(time.time()),
                        "from": BOT_USER,
                        "chat": {"id": chat_id, "type": "private", "first_name": name},
                        "text": original["text"],
                    },
                }
            }
        )

    def texts_to(self, chat_id: int) -> list[str]:
        return [m["text"] for m in self.sent if str(m["chat_id"]) == str(chat_id)]

    def pending_updates(self) -> int:
        return len(self._updates)

    async def _stats(self, request: Request) -> Response:
        """For benchmarks running the fake in another process."""
        times = [m["at"] for m in self.sent]
        return JSONResponse(
            {
                "sent": len(self.sent),
                "too_many_requests": self.rejected,
                "first": min(times, default=0.0),
                "last": max(times, default=0.0),
            }
        )

    # --- the API -------------------------------------------------------------------------

    def _user_message(self, chat_id: int, text: str, name: str) -> dict[str, Any]:
        self._next_message += 1
        return {
            "message_id": self._next_message,
            "date": int(time.time()),
            "text": text,
            "chat": {"id": chat_id, "type": "private", "first_name": name},
            "from": {"id": chat_id, "is_bot": False, "first_name": name},
        }

    def _push(self, body: dict[str, Any]) -> int:
        update = {"update_id": self._next_update, **body}
        self._next_update += 1
        self._updates.append(update)
        if self._arrived is not None:
            self._arrived.set()
        return int(update["update_id"])

    async def _params(self, request: Request) -> dict[str, Any]:
        if request.method == "GET":
            raw: dict[str, Any] = dict(request.query_params)
        elif request.headers.get("content-type", "").startswith("application/json"):
            raw = await request.json()
        elif request.headers.get("content-type", "").startswith("multipart/form-data"):
            raw = _multipart(request.headers["content-type"], await request.body())
        else:
            # The bot posts JSON (multipart for uploads); url-encoded forms are read too.
            raw = dict(parse_qsl((await request.body()).decode()))
        out: dict[str, Any] = {}
        for key, value in raw.items():
            if isinstance(value, str) and value[:1] in "[{":
                try:
                    value = json.loads(value)
                except ValueError:
                    pass
            out[key] = value
        return out

    async def _endpoint(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.path_params["method"]
        params = await self._params(request)
        self.calls.append((method, params))
        queue = self.faults.get(method)
        if queue:
            fault = queue.pop(0)
            if fault.kind == "429":
                return _error(
                    429, f"Too Many Requests: retry after {fault.retry_after}", {"retry_after": fault.retry_after}
                )
            if fault.kind == "500":
                return _error(500, "Internal Server Error")
            if fault.kind == "401":
                # A token blip: Telegram refuses the token for a moment.
                return _error(401, "Unauthorized")
            if fault.kind == "hang":
                # Takes the request and never answers until the test sets `release`.
                await self.release.wait()
            if fault.kind == "slow":
                await asyncio.sleep(fault.delay)
            if fault.kind == "drop":
                # Process the request, then cut the connection before the answer arrives:
                # the sender cannot know whether it worked.
                await self._dispatch(method, params)
                return _Dropped()
        return await self._dispatch(method, params)

    async def _dispatch(self, method: str, params: dict[str, Any]) -> Response:
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        result: Response = await handler(params)
        return result

    async def _m_getFile(self, params: dict[str, Any]) -> Response:
        file_id = str(params.get("file_id", ""))
        if file_id not in self.user_files:
            return _error(400, "Bad Request: invalid file_id")
        path, content = self.user_files[file_id]
        return _ok({"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(content), "file_path": path})

    async def _file_download(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return Response(status_code=401)
        wanted = request.path_params["path"]
        for file_id, (path, content) in self.user_files.items():
            if path == wanted:
                self.file_downloads += 1
                if file_id in self.oversized:
                    filler = self._filler(self.oversized[file_id])
                    return StreamingResponse(filler, media_type="application/octet-stream")
                return Response(content, media_type="application/octet-stream")
        return Response(status_code=404)

    async def _filler(self, size: int) -> AsyncIterator[bytes]:
        chunk = b"\xff" * 65536
        while self.file_bytes_served < size:
            piece = chunk[: size - self.file_bytes_served]
            self.file_bytes_served += len(piece)
            yield piece

    async def _m_getMe(self, params: dict[str, Any]) -> Response:
        return _ok(BOT_USER)

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> Response:
        self.webhook_url = None
        return _ok(True)

    async def _m_setWebhook(self, params: dict[str, Any]) -> Response:
        self.webhook_url = params.get("url")
        self.webhook_secret = params.get("secret_token")
        return _ok(True)

    async def _m_setMyCommands(self, params: dict[str, Any]) -> Response:
        self.commands = params.get("commands") or []
        return _ok(True)

    async def _m_answerCallbackQuery(self, params: dict[str, Any]) -> Response:
        self.answered_callbacks.append(str(params.get("callback_query_id")))
        return _ok(True)

    async def _m_getUpdates(self, params: dict[str, Any]) -> Response:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        # Confirming an offset forgets every earlier update, as Telegram does.
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and timeout > 0:
            self._arrived = asyncio.Event()
            try:
                await asyncio.wait_for(self._arrived.wait(), timeout=min(timeout, 5.0))
            except TimeoutError:
                pass
        return _ok(self._updates[:limit])

    async def _m_sendMessage(self, params: dict[str, Any]) -> Response:
        chat_id = str(params.get("chat_id"))
        if chat_id in self.blocked:
            return _error(403, "Forbidden: bot was blocked by the user")
        if chat_id in self.missing_chats:
            return _error(400, "Bad Request: chat not found")
        text = str(params.get("text") or "")
        if not text or len(text) > 4096:
            return _error(400, "Bad Request: message is too long" if text else "Bad Request: message text is empty")
        if self.storm_ratio and self._random.random() < self.storm_ratio:
            self.rejected += 1
            return _error(
                429, f"Too Many Requests: retry after {self.storm_retry_after}", {"retry_after": self.storm_retry_after}
            )
        if self.rate_limit is not None:
            now = time.monotonic()
            while self._window and now - self._window[0] > 1.0:
                self._window.popleft()
            if len(self._window) >= self.rate_limit:
                self.rejected += 1
                return _error(429, "Too Many Requests: retry after 1", {"retry_after": 1})
            self._window.append(now)
        self._next_message += 1
        message = {
            "message_id": self._next_message,
            "date": int(time.time()),
            "text": text,
            "from": BOT_USER,
            "chat": {"id": int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id, "type": "private"},
        }
        self.sent.append(
            {
                "chat_id": chat_id,
                "text": text,
                "message_id": self._next_message,
                "reply_markup": params.get("reply_markup"),
                "at": time.monotonic(),
            }
        )
        return _ok(message)

    async def _m_sendDocument(self, params: dict[str, Any]) -> Response:
        return self._file("sendDocument", "document", params)

    async def _m_sendPhoto(self, params: dict[str, Any]) -> Response:
        return self._file("sendPhoto", "photo", params)

    def _file(self, method: str, field_name: str, params: dict[str, Any]) -> Response:
        """An upload: recorded in `files` and, with its caption as text, in `sent`."""
        chat_id = str(params.get("chat_id"))
        if chat_id in self.blocked:
            return _error(403, "Forbidden: bot was blocked by the user")
        upload = params.get(field_name)
        if not isinstance(upload, _Upload):
            return _error(400, f"Bad Request: there is no {field_name} in the request")
        caption = str(params.get("caption") or "")
        if len(caption) > 1024:
            return _error(400, "Bad Request: message caption is too long")
        self._next_message += 1
        self.files.append(
            {
                "method": method,
                "chat_id": chat_id,
                "filename": upload.filename,
                "content": upload.content,
                "caption": caption,
                "message_id": self._next_message,
            }
        )
        self.sent.append(
            {
                "chat_id": chat_id,
                "text": caption,
                "message_id": self._next_message,
                "reply_markup": None,
                "at": time.monotonic(),
                field_name: upload.filename,
            }
        )
        file_info: Any = {"file_id": f"f{self._next_message}", "file_unique_id": f"u{self._next_message}"}
        if field_name == "photo":
            file_info = [{**file_info, "width": 100, "height": 100}]
        else:
            file_info["file_name"] = upload.filename
        return _ok(
            {
                "message_id": self._next_message,
                "date": int(time.time()),
                "from": BOT_USER,
                "chat": {"id": int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id, "type": "private"},
                "caption": caption or None,
                field_name: file_info,
            }
        )


@dataclass(frozen=True)
class _Upload:
    filename: str
    content: bytes


def _multipart(content_type: str, body: bytes) -> dict[str, Any]:
    """multipart/form-data as the bot's client sends file uploads (no extra dependency)."""
    from email.parser import BytesParser
    from email.policy import HTTP

    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    out: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True)
        payload = payload if isinstance(payload, bytes) else b""  # decoded: bytes, or nothing
        filename = part.get_filename()
        out[str(name)] = _Upload(filename, payload) if filename else payload.decode()
    return out


def _ok(result: Any) -> JSONResponse:
    return JSONResponse({"ok": True, "result": result})


def _error(code: int, description: str, parameters: dict[str, Any] | None = None) -> JSONResponse:
    """An API error as Telegram shapes it."""
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return JSONResponse(body, status_code=code)


class _Dropped(Response):
    """Starts an answer and dies mid-body: the client sees the connection drop."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"1000")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"ok": tr', "more_body": True})
        raise ConnectionResetError("fake Telegram dropped the connection")


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    parser.add_argument("--rate-limit", type=float, default=30.0)
    args = parser.parse_args()
    fake = FakeTelegram(token=args.token, rate_limit=args.rate_limit)
    uvicorn.run(fake.app(), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
