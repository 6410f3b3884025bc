"""Reminders claimed, sent through a no-op channel and marked, per second.

    python -m bench.outbox [--rows 5000] [--url sqlite+aiosqlite:///tmp/bench.db]
    python -m bench.outbox --url postgresql+asyncpg://postgres@127.0.0.1:5432/test --workers 2

The whole dispatcher path runs (claim with lease, decide recipients, render, send,
record the attempt, finish); only the messenger is a no-op, so the figure is the bot's
own cost per reminder. The PostgreSQL database given is wiped.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from bot.actions.people import create_person
from bot.messages import DeliveryResult, OutboundMessage
from bot.texts.reminders import ReminderRenderer
from scheduler.clock import ManualClock
from scheduler.dispatcher import Dispatcher, DispatcherConfig
from scheduler.plan import load_plan
from scheduler.planner import plan_ward
from scheduler.workcal import load_calendar
from store.db import Database
from store.models import ChatIdentity
from store.outbox import insert_reminders, reminder_row
from store.queries import current_assignments

ROOT = Path(__file__).resolve().parent.parent


class NoopChannel:
    name = "console"
    supports_buttons = True

    def __init__(self) -> None:
        self.count = 0

    async def send(self, chat_id: str, message: OutboundMessage) -> DeliveryResult:
        self.count += 1
        return DeliveryResult(message_id=str(self.count))


async def prepare(url: str, rows: int, clock: ManualClock) -> None:
    if url.startswith("postgresql"):
        engine = create_async_engine(url)
        async with engine.begin() as conn:
            await conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(sa.text("CREATE SCHEMA public"))
        await engine.dispose()
    db = Database(url)
    await db.upgrade()
    plan = load_plan(ROOT / "data" / "tasks.yaml")
    calendar = load_calendar(ROOT / "data" / "calendar.yaml")
    async with db.session() as s, s.begin():
        result = await plan_ward(s, "bench", plan, calendar, clock.now(), ahead_days=0)
        for code in plan.units:
            person = await create_person(s, result.ward_id, f"Head {code}", "head", code, clock.now())
            s.add(ChatIdentity(person_id=person.id, channel="console", chat_id=code, linked_at=clock.now()))
        views = await current_assignments(s, result.ward_id, clock.now().date())
        await s.execute(sa.text("DELETE FROM reminders"))
        batch = [
            reminder_row(
                result.ward_id, f"bench:{i}", "manual", clock.now(), clock.now(), assignment_id=views[i % len(views)].id
            )
            for i in range(rows)
        ]
        await insert_reminders(s, batch)
    await db.dispose()


async def drain(url: str, workers: int, clock: ManualClock) -> tuple[int, float]:
    calendar = load_calendar(ROOT / "data" / "calendar.yaml")
    dbs = [Database(url) for _ in range(workers)]
    channel = NoopChannel()
    dispatchers = [
        Dispatcher(
            db=db,
            channels={"console": channel},
            renderer=ReminderRenderer(calendar),
            clock=clock,
            calendar=calendar,
            config=DispatcherConfig(worker=f"w{i}", batch=100, stale_after=timedelta(days=1)),
        )
        for i, db in enumerate(dbs)
    ]
    t0 = time.perf_counter()
    stats = await asyncio.gather(*(d.tick() for d in dispatchers))
    elapsed = time.perf_counter() - t0
    for db in dbs:
        await db.dispose()
    sent = sum(s.sent for s in stats)
    assert sent == channel.count
    return sent, elapsed


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--url")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    url = args.url or f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    from datetime import datetime

    from scheduler.workcal import VN_ZONE

    clock = ManualClock(datetime(2026, 6, 22, 9, 0, tzinfo=VN_ZONE))
    await prepare(url, args.rows, clock)
    sent, elapsed = await drain(url, args.workers, clock)
    backend = url.split(":", 1)[0]
    print(
        f"backend={backend} workers={args.workers} reminders={sent} elapsed={elapsed:.2f}s rate={sent / elapsed:,.0f}/s"
    )


if __name__ == "__main__":
    asyncio.run(main())
