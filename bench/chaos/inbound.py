"""dbaway: the database goes away while people write to the bot (issue 25).

The bot runs as `nhacviec run` (polling, then webhook mode). Once the seeded reminders are
out, the database is taken away — PostgreSQL behind a TCP proxy that is cut
(tests/fakes/db_proxy.py), SQLite locked by another connection for longer than its 30 s
busy timeout — and `--messages` people each write one message. The fake Telegram serves
them by getUpdates, or posts them to the bot's webhook and re-posts any that were not
answered 2xx (as Telegram does). The database comes back after `--outage` seconds.

Figures: lost (a message never stored), duplicates (answers beyond the first to one
message), answered (messages with an answer), apologies ("Xin lỗi, đã có lỗi…"), the
webhook's answers while the database was away, and when the last answer arrived.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy.engine import make_url
from starlette.requests import Request
from starlette.responses import Response

from bench.chaos.harness import WEBHOOK_SECRET, Run, log, wait_until, webhook_env
from bench.fake_telegram_logger import FakeTelegramLogger, _ok

Figures = dict[str, Any]
APOLOGY = "Xin lỗi, đã có lỗi"
FIRST_UPDATE = 50_000


@dataclass
class InboundFake(FakeTelegramLogger):
    """The logging fake, plus people writing: getUpdates with Telegram's offset rule, or
    posts to a webhook; and the text of every message sent, by chat."""

    updates: list[dict[str, Any]] = field(default_factory=list)
    texts: list[tuple[float, str, str]] = field(default_factory=list)  # (received, chat, text)
    webhook_answers: Counter[int] = field(default_factory=Counter)

    def write(self, update_id: int, chat_id: str, text: str) -> dict[str, Any]:
        update = {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": int(time.time()),
                "text": text,
                "chat": {"id": int(chat_id), "type": "private"},
                "from": {"id": int(chat_id), "is_bot": False, "first_name": f"Người {chat_id}"},
            },
        }
        with self._lock:
            self.updates.append(update)
        return update

    async def _endpoint(self, request: Request) -> Response:
        method = request.path_params["method"]
        if method == "getUpdates":
            params = await self._params(request)
            offset = int(params.get("offset") or 0)
            with self._lock:  # confirming an offset forgets every earlier update
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
                pending = list(self.updates)
            if not pending:
                await asyncio.sleep(min(float(params.get("timeout") or 0), 1.0))
            return _ok(pending[:100])
        if method == "sendMessage":
            params = await self._params(request)
            with self._lock:
                self.texts.append((time.monotonic(), str(params.get("chat_id")), str(params.get("text") or "")))
            # Starlette caches the body, so the parent reads the same parameters again.
        return await super()._endpoint(request)


class WebhookPoster:
    """Posts each update to the bot's webhook until it is answered 2xx, retrying with a
    backoff (1 s doubling to 8 s), as Telegram re-delivers."""

    def __init__(self, fake: InboundFake, url: str) -> None:
        self.fake, self.url = fake, url
        self.queue: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, name="webhook-poster", daemon=True)
        self.thread.start()

    def post(self, update: dict[str, Any]) -> None:
        with self.lock:
            self.queue.append(update)

    def _run(self) -> None:
        delay = 1.0
        with httpx.Client(timeout=70) as client:
            while not self.done.is_set():
                with self.lock:
                    head = self.queue[0] if self.queue else None
                if head is None:
                    time.sleep(0.05)
                    continue
                try:
                    status = client.post(
                        self.url, json=head, headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
                    ).status_code
                except httpx.HTTPError:
                    status = 0
                self.fake.webhook_answers[status] += 1
                if 200 <= status < 300:
                    with self.lock:
                        self.queue.pop(0)
                    delay = 1.0
                else:
                    time.sleep(delay)
                    delay = min(delay * 2, 8.0)

    def stop(self) -> None:
        self.done.set()
        self.thread.join(80)


class Outage:
    """The database away and back: a cut proxy (PostgreSQL) or a held exclusive lock (SQLite)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.proxy: Any = None
        self.lock: sqlite3.Connection | None = None
        parsed = make_url(url)
        if parsed.get_backend_name() == "postgresql":
            from tests.fakes.db_proxy import ThreadedDbProxy

            self.proxy = ThreadedDbProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
            self.bot_url = self.proxy.url_for(url)
        else:
            self.path = parsed.database
            self.bot_url = url

    def begin(self) -> None:
        if self.proxy is not None:
            self.proxy.cut()
        else:
            self.lock = sqlite3.connect(str(self.path), isolation_level=None, timeout=60)
            self.lock.execute("BEGIN EXCLUSIVE")

    def end(self) -> None:
        if self.proxy is not None:
            self.proxy.restore()
        elif self.lock is not None:
            self.lock.execute("ROLLBACK")
            self.lock.close()
            self.lock = None

    def close(self) -> None:
        self.end()
        if self.proxy is not None:
            self.proxy.stop()


def _stored(run: Run, chats: list[str]) -> dict[str, int]:
    """Inbound rows of our messages, by chat (the unique key keeps at most one per message)."""
    rows = run.probe._all(
        "SELECT chat_id, count(*) FROM inbound_messages WHERE channel = 'telegram' "
        "AND CAST(message_id AS INTEGER) >= :first GROUP BY chat_id",
        first=FIRST_UPDATE,
    )
    ours = set(chats)
    return {str(c): int(n) for c, n in rows if str(c) in ours}


def _one_mode(args: argparse.Namespace, mode: str) -> Figures:
    fake = InboundFake(latency=args.latency)
    run = Run.prepare(f"dbaway-{mode}", args.db, args.url, args.messages, args.seed, args.keep)
    # Run.prepare started its own fake: this one also takes messages in.
    run.fake.stop()
    run.fake, run.telegram_url = fake, fake.start()
    outage = Outage(run.url)
    poster = None
    try:
        extra = {"NHACVIEC_DATABASE_URL": outage.bot_url}
        port = run.new_port()
        if mode == "webhook":
            extra.update(webhook_env(port))
        bot = run.process("bot", extra)
        bot.start()
        bot.wait_ready()
        # The seeded reminders (one per chat) go out first, so every later message to a
        # chat is an answer.
        wait_until(lambda: len(fake.accepted()) >= len(run.chats), 60, tick=bot.supervise)
        if mode == "webhook":
            poster = WebhookPoster(fake, f"http://127.0.0.1:{port}/telegram/webhook")
        log(f"{mode}: database away for {args.outage}s; {len(run.chats)} people write")
        outage.begin()
        t_away = time.monotonic()
        for i, chat in enumerate(run.chats):
            update = fake.write(FIRST_UPDATE + i, chat, args.text)
            if poster is not None:
                poster.post(update)
            time.sleep(min(1.0, args.outage / max(1, len(run.chats)) / 2))
        time.sleep(max(0.0, args.outage - (time.monotonic() - t_away)))
        during = dict(fake.webhook_answers)
        outage.end()
        t_back = time.monotonic()
        log(f"{mode}: database back")

        def answered_all() -> bool:
            with fake._lock:
                got = {c for t, c, _ in fake.texts if t >= t_away}
            return got >= set(run.chats)

        wait_until(answered_all, args.answer_timeout, every=0.5, tick=bot.supervise)
        time.sleep(1.0)
        with fake._lock:
            answers = [(t, c, x) for t, c, x in fake.texts if t >= t_away and c in set(run.chats)]
        per_chat = Counter(c for _, c, _ in answers)
        stored = _stored(run, run.chats)
        code, _ = bot.terminate()
        last = max((t for t, _, _ in answers), default=None)
        return {
            **{k: v for k, v in run.header().items() if k in ("db", "code")},
            f"{mode}.messages": len(run.chats),
            f"{mode}.lost": sum(1 for c in run.chats if stored.get(c, 0) == 0),
            f"{mode}.answered": sum(1 for c in run.chats if per_chat[c] > 0),
            f"{mode}.duplicates": sum(n - 1 for n in per_chat.values() if n > 1),
            f"{mode}.apologies": sum(1 for _, _, x in answers if APOLOGY in x),
            f"{mode}.answered_while_away": sum(1 for t, _, _ in answers if t < t_back),
            f"{mode}.last_answer_after_back_s": round(last - t_back, 1) if last is not None else None,
            **({f"{mode}.webhook_answers_while_away": during} if mode == "webhook" else {}),
            **({f"{mode}.webhook_answers": dict(fake.webhook_answers)} if mode == "webhook" else {}),
            f"{mode}.unexpected_exits": bot.unexpected_exits,
            f"{mode}.exit_code_on_sigterm": code,
        }
    finally:
        if poster is not None:
            poster.stop()
        outage.close()
        run.close()


def dbaway(args: argparse.Namespace) -> Figures:
    """The database away while people write, in polling and in webhook mode."""
    out: Figures = {"scenario": "dbaway"}
    modes = ["polling", "webhook"] if args.mode == "both" else [args.mode]
    for mode in modes:
        figures = _one_mode(args, mode)
        out.update(figures)
        log(json.dumps(figures, ensure_ascii=False, default=str))
    out["settings"] = f"outage {args.outage}s, {args.messages} messages {args.text!r}"
    return out
