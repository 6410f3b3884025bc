"""A burst of reminders through our Bot API client to the fake Bot API, pacer on.

    python -m bench.telegram_burst [--reminders 1000]

The fake runs in its own process and enforces Telegram's ~30 messages/s with 429s, as
the real API does; this process is the bot (SQLite outbox, dispatcher, our Bot API client
with its PacedRateLimiter). Each reminder goes to a different chat, as in a city-wide deployment.
Prints the sustained delivery rate and this process's peak memory.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import delete, func, select

from bot.actions.people import create_person
from bot.channels.telegram.app import TelegramBot
from bot.conversation.handle import Conversation
from bot.texts.reminders import ReminderRenderer
from scheduler.clock import SystemClock
from scheduler.dispatcher import Dispatcher, DispatcherConfig
from scheduler.plan import load_plan
from scheduler.planner import plan_ward
from scheduler.workcal import load_calendar
from store.db import Database
from store.models import ChatIdentity, Reminder
from store.outbox import insert_reminders, reminder_row
from tests.fakes.server import free_port

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:BENCH-TOKEN"
BODY = (
    "🔔 Sắp đến hạn — Nhiệm vụ 4 (chủ trì)\nBan hành văn bản về việc thực hiện kỷ luật, kỷ cương chấp hành "
    "thời gian làm việc trong giờ hành chính.\nSản phẩm: Công văn\nHạn: Thứ Ba, 30/6/2026 — còn 3 ngày làm việc\n"
    "Đơn vị: Phòng Văn hóa - Xã hội"
)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reminders", type=int, default=1000)
    args = parser.parse_args()
    port = free_port()
    fake = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.telegram_api", "--port", str(port), "--token", TOKEN, "--rate-limit", "30"],
        cwd=ROOT,
    )
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(100):
                try:
                    await client.get(f"http://127.0.0.1:{port}/_stats")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
        clock = SystemClock()
        db = Database(f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'burst.db'}")
        await db.upgrade()
        plan = load_plan(ROOT / "data" / "tasks.yaml")
        calendar = load_calendar(ROOT / "data" / "calendar.yaml")
        async with db.session() as s, s.begin():
            ward = (await plan_ward(s, "bench", plan, calendar, clock.now(), ahead_days=0)).ward_id
            rows = []
            for i in range(args.reminders):
                person = await create_person(s, ward, f"Người {i}", "head", "VHXH", clock.now())
                s.add(
                    ChatIdentity(
                        person_id=person.id, channel="telegram", chat_id=str(100000 + i), linked_at=clock.now()
                    )
                )
                rows.append(
                    reminder_row(ward, f"burst:{i}", "notice", clock.now(), clock.now(), person_id=person.id, body=BODY)
                )
            await s.execute(delete(Reminder))
            await insert_reminders(s, rows)
        bot = TelegramBot(TOKEN, f"http://127.0.0.1:{port}/bot", Conversation.__new__(Conversation), webhook=True)
        dispatcher = Dispatcher(
            db=db,
            channels={"telegram": bot.channel},
            renderer=ReminderRenderer(calendar),
            clock=clock,
            calendar=calendar,
            config=DispatcherConfig(worker="bench", batch=300, concurrency=32, stale_after=timedelta(days=1)),
        )
        before = rss_mb()
        async with bot.running():
            t0 = time.perf_counter()
            while True:
                await dispatcher.tick()
                async with db.session() as s:
                    left = await s.scalar(select(func.count(Reminder.id)).where(Reminder.state != "sent"))
                if not left:
                    break
                await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - t0
        async with httpx.AsyncClient() as client:
            stats = (await client.get(f"http://127.0.0.1:{port}/_stats")).json()
        await db.dispose()
        span = stats["last"] - stats["first"]
        print(
            f"reminders={args.reminders} delivered={stats['sent']} 429s={stats['too_many_requests']} "
            f"retried={dispatcher.stats.retried}"
        )
        print(
            f"elapsed={elapsed:.1f}s rate={args.reminders / elapsed:.2f}/s "
            f"(first-to-last message at the server: {(stats['sent'] - 1) / span:.2f}/s; limit 30/s)"
        )
        print(f"peak_rss={rss_mb():.0f}MB (before the burst: {before:.0f}MB)")
    finally:
        fake.terminate()
        fake.wait()


if __name__ == "__main__":
    asyncio.run(main())
