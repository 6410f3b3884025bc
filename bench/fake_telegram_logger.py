"""An independent fake Telegram Bot API on loopback that logs every request it answers.

Written apart from tests/fakes/telegram_api.py on purpose: the chaos harness judges the
bot by what an outside server saw, so the witness shares no code with the thing measured.
It keeps, per sendMessage, when the request arrived, whether it was accepted (the message
"delivered") or refused (429, 401, 400), the message id it returned and when the answer
was written. Faults are switched on and off while it runs:

- `rate_limit`: messages per second per token (sliding 1 s window) before 429 retry_after 1,
  as Telegram's flood control answers a bot that goes faster than ~30/s;
- `storm_retry_after`: every sendMessage answered 429 with this retry_after;
- `unauthorized`: every method answered 401 Unauthorized (a revoked or mistyped token);
- `latency`: seconds each sendMessage takes, half before it is accepted and half after, so a
  process killed mid-request leaves a message delivered but never confirmed to it;
- `hang`: every sendMessage is accepted (delivered) and then not answered while `hang` stays
  set (an API that hangs after taking the request);
- `push_update(chat, text)`: a message from a person, served by getUpdates with real offsets.

It runs in a thread of the harness (`FakeTelegramLogger.start()`), or standalone:

    python -m bench.fake_telegram_logger --port 8081 [--rate-limit 30] [--log sent.jsonl]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

BOT_USER = {"id": 424242, "is_bot": True, "first_name": "Nhắc việc (chaos)", "username": "nhacviec_chaos_bot"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Entry:
    """One sendMessage as the server saw it. Times are time.monotonic() (shared by every
    process on the machine, so a harness can compare them with the moment it sent a kill)."""

    received: float
    token: str
    chat_id: str
    outcome: str  # accepted | 429 | 401 | 400
    message_id: int | None = None
    answered: float | None = None
    text_len: int = 0


@dataclass
class FakeTelegramLogger:
    tokens: set[str] = field(default_factory=set)  # accepted tokens; empty = any
    rate_limit: float | None = None
    storm_retry_after: int | None = None
    unauthorized: bool = False
    latency: float = 0.0
    log_path: Path | None = None
    entries: list[Entry] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)
    webhooks: dict[str, str] = field(default_factory=dict)
    _windows: dict[str, deque[float]] = field(default_factory=dict)
    _next_message: int = 1
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None
    port: int = 0
    last_send: float = 0.0  # when the latest sendMessage arrived (time.monotonic())
    hang: bool = False
    _updates: list[dict[str, Any]] = field(default_factory=list)
    _next_update: int = 1

    def push_update(self, chat_id: str, text: str) -> int:
        """A text message from a person in a private chat; returns its update id."""
        with self._lock:
            update_id = self._next_update
            self._next_update += 1
            chat = int(chat_id)
            self._updates.append(
                {
                    "update_id": update_id,
                    "message": {
                        "message_id": 500_000 + update_id,
                        "date": int(time.time()),
                        "text": text,
                        "from": {"id": chat, "is_bot": False, "first_name": "Người thử"},
                        "chat": {"id": chat, "type": "private"},
                    },
                }
            )
        return update_id

    # --- harness side (any thread) -------------------------------------------------------

    def start(self, port: int | None = None) -> str:
        """Serve on 127.0.0.1 in a daemon thread; returns the base URL the bot is given."""
        self.port = port or free_port()
        config = uvicorn.Config(
            self.app(), host="127.0.0.1", port=self.port, log_level="warning", lifespan="off", timeout_keep_alive=60
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="fake-telegram", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake Telegram server did not start")
            time.sleep(0.02)
        return f"http://127.0.0.1:{self.port}/bot"

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def snapshot(self) -> list[Entry]:
        with self._lock:
            return list(self.entries)

    def accepted(self) -> list[Entry]:
        return [e for e in self.snapshot() if e.outcome == "accepted"]

    def count(self, outcome: str) -> int:
        return sum(1 for e in self.snapshot() if e.outcome == outcome)

    def open_at(self, instant: float) -> list[Entry]:
        """sendMessage requests on the wire at `instant`: arrived, not yet answered."""
        return [
            e
            for e in self.snapshot()
            if e.received <= instant and (e.answered is None or e.answered > instant) and e.outcome == "accepted"
        ]

    # --- the API -------------------------------------------------------------------------

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"]),
                Route("/_log", self._log, methods=["GET"]),
            ]
        )

    async def _log(self, request: Request) -> Response:
        return JSONResponse({"entries": [asdict(e) for e in self.snapshot()], "calls": self.calls})

    async def _params(self, request: Request) -> dict[str, Any]:
        if request.method == "GET":
            raw: dict[str, Any] = dict(request.query_params)
        elif request.headers.get("content-type", "").startswith("application/json"):
            body = await request.json()
            raw = body if isinstance(body, dict) else {}
        elif request.headers.get("content-type", "").startswith("multipart/form-data"):
            # sendPhoto/sendDocument (the digest's chart, a report): the file is not kept.
            form = await request.form()
            raw = {k: v for k, v in form.items() if isinstance(v, str)}
        else:
            raw = dict(parse_qsl((await request.body()).decode()))
        return raw

    async def _endpoint(self, request: Request) -> Response:
        received = time.monotonic()
        token, method = request.path_params["token"], request.path_params["method"]
        try:
            params = await self._params(request)
        except ClientDisconnect:  # the bot died while sending its request: nothing arrived
            return Response(status_code=499)
        with self._lock:
            self.calls[method] = self.calls.get(method, 0) + 1
        if method == "sendMessage":
            return await self._send_message(token, params, received)
        if self.unauthorized or (self.tokens and token not in self.tokens):
            return _error(401, "Unauthorized")
        if method == "getMe":
            return _ok(BOT_USER)
        if method in ("setMyCommands", "deleteMyCommands", "answerCallbackQuery", "close", "logOut"):
            return _ok(True)
        if method == "deleteWebhook":
            self.webhooks.pop(token, None)
            return _ok(True)
        if method == "setWebhook":
            self.webhooks[token] = str(params.get("url", ""))
            return _ok(True)
        if method == "getWebhookInfo":
            return _ok(
                {"url": self.webhooks.get(token, ""), "has_custom_certificate": False, "pending_update_count": 0}
            )
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            with self._lock:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = list(self._updates)
            if ready:
                return _ok(ready)
            # Nobody writes to the bot during a burst: wait a little, answer no updates.
            await asyncio.sleep(min(float(params.get("timeout") or 0), 1.0))
            return _ok([])
        return _error(404, "Not Found: method not found")

    async def _send_message(self, token: str, params: dict[str, Any], received: float) -> Response:
        self.last_send = received
        chat_id = str(params.get("chat_id"))
        text = str(params.get("text") or "")
        entry = Entry(received=received, token=token, chat_id=chat_id, outcome="", text_len=len(text))
        if self.unauthorized or (self.tokens and token not in self.tokens):
            return self._answer(entry, "401", _error(401, "Unauthorized"))
        if not text or len(text) > 4096:
            return self._answer(entry, "400", _error(400, "Bad Request: message text is empty or too long"))
        if self.storm_retry_after is not None:
            wait = self.storm_retry_after
            return self._answer(
                entry, "429", _error(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
            )
        if self.latency:
            await asyncio.sleep(self.latency / 2)
        with self._lock:
            if self.rate_limit is not None:
                window = self._windows.setdefault(token, deque())
                now = time.monotonic()
                while window and now - window[0] >= 1.0:
                    window.popleft()
                if len(window) >= self.rate_limit:
                    refused = _error(429, "Too Many Requests: retry after 1", {"retry_after": 1})
                    entry.outcome, entry.answered = "429", time.monotonic()
                    self._record(entry)
                    return refused
                window.append(now)
            entry.outcome, entry.message_id = "accepted", self._next_message
            self._next_message += 1
            self._record(entry)
        if self.latency:
            await asyncio.sleep(self.latency / 2)
        hung_since = time.monotonic()
        while self.hang and time.monotonic() - hung_since < 600:
            await asyncio.sleep(0.1)  # delivered; the answer never comes while `hang` holds
        message = {
            "message_id": entry.message_id,
            "date": int(time.time()),
            "text": text,
            "from": BOT_USER,
            "chat": {"id": int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id, "type": "private"},
        }
        entry.answered = time.monotonic()
        return _ok(message)

    def _answer(self, entry: Entry, outcome: str, response: Response) -> Response:
        entry.outcome, entry.answered = outcome, time.monotonic()
        with self._lock:
            self._record(entry)
        return response

    def _record(self, entry: Entry) -> None:
        """Called with the lock held."""
        self.entries.append(entry)
        if self.log_path is not None:
            with self.log_path.open("a") as f:
                f.write(json.dumps(asdict(entry)) + "\n")


def _ok(result: Any) -> JSONResponse:
    return JSONResponse({"ok": True, "result": result})


def _error(code: int, description: str, parameters: dict[str, Any] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return JSONResponse(body, status_code=code)


def main() -> None:
    parser = argparse.ArgumentParser(description="independent fake Telegram Bot API that logs what it accepts")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--rate-limit", type=float, help="messages/s per token before 429")
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--log", type=Path, help="append one JSON line per sendMessage")
    args = parser.parse_args()
    fake = FakeTelegramLogger(rate_limit=args.rate_limit, latency=args.latency, log_path=args.log)
    print(f"fake Telegram on {fake.start(args.port)}; GET /_log for what it saw. Ctrl+C stops.")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
