"""An independent fake Zalo Bot API on loopback that logs every sendMessage it answers.

Apart from tests/fakes/zalo_api.py for the same reason as bench/fake_telegram_logger.py: the
witness shares no code with what it judges. The envelope is Zalo's ({ok, result} or {ok:false,
error_code, description}); getUpdates answers 408 "Request timeout" after a second (nobody
writes during a burst). Faults, switched while it runs:

- `error_ratio`: that share of sendMessage calls (seeded) answered HTTP 200
  `{"ok":false,"error_code":-201}`, an undocumented code seen on the real API;
- `storm_retry_after`: every sendMessage answered 429 with this Retry-After.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bench.fake_telegram_logger import Entry, free_port


@dataclass
class FakeZaloLogger:
    error_ratio: float = 0.0
    storm_retry_after: int | None = None
    latency: float = 0.0
    seed: int = 25
    entries: list[Entry] = field(default_factory=list)
    _rng: random.Random = field(default_factory=random.Random)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _next_message: int = 1
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None
    last_send: float = 0.0

    def __post_init__(self) -> None:
        self._rng.seed(self.seed)

    def start(self) -> str:
        port = free_port()
        config = uvicorn.Config(self.app(), host="127.0.0.1", port=port, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="fake-zalo", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake Zalo server did not start")
            time.sleep(0.02)
        return f"http://127.0.0.1:{port}"

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

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/bot{token}/{method}", self._endpoint, methods=["POST"])])

    async def _endpoint(self, request: Request) -> Response:
        received = time.monotonic()
        method = request.path_params["method"]
        try:
            params = await request.json()
        except (ValueError, ClientDisconnect):
            params = {}
        if method == "getMe":
            return JSONResponse({"ok": True, "result": {"id": "chaos", "account_name": "nhacviec_chaos"}})
        if method in ("deleteWebhook", "setWebhook"):
            return JSONResponse({"ok": True, "result": {"url": ""}})
        if method == "getUpdates":
            await asyncio.sleep(1.0)
            return JSONResponse({"ok": False, "error_code": 408, "description": "Request timeout"}, status_code=408)
        if method != "sendMessage":
            return JSONResponse({"ok": False, "error_code": 404, "description": "Method not found"}, status_code=404)
        return await self._send(params if isinstance(params, dict) else {}, received)

    async def _send(self, params: dict[str, Any], received: float) -> Response:
        self.last_send = received
        entry = Entry(received=received, token="zalo", chat_id=str(params.get("chat_id")), outcome="")
        if self.storm_retry_after is not None:
            body = {"ok": False, "error_code": 429, "description": "Too many requests"}
            headers = {"Retry-After": str(self.storm_retry_after)}
            return self._answer(entry, "429", JSONResponse(body, status_code=429, headers=headers))
        with self._lock:
            refuse = self._rng.random() < self.error_ratio
        if refuse:
            return self._answer(entry, "-201", JSONResponse({"ok": False, "error_code": -201, "description": ""}))
        if self.latency:
            await asyncio.sleep(self.latency)
        with self._lock:
            entry.outcome, entry.message_id, entry.answered = "accepted", self._next_message, time.monotonic()
            self._next_message += 1
            self.entries.append(entry)
        result = {"message_id": f"z{entry.message_id}", "date": int(time.time() * 1000)}
        return JSONResponse({"ok": True, "result": result})

    def _answer(self, entry: Entry, outcome: str, response: Response) -> Response:
        entry.outcome, entry.answered = outcome, time.monotonic()
        with self._lock:
            self.entries.append(entry)
        return response
