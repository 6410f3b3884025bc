"""How long an answer takes now that it goes through the outbox: from the moment an inbound
message is handed to the conversation until the channel's send is called.

    python -m bench.reply_latency [--messages 200] [--people 3300] [--url sqlite+aiosqlite:///tmp/bench-reply.db]

The real path runs: the inbound row is stored, interpreted ("4: đang làm 50%"), the status
and the reply row are written in one transaction, the dispatcher is woken (Ticker's
serve_wakeups), claims the row, writes its "sending" attempt, sends through a no-op
"telegram" channel and records the outcome. Target (issue 12): < 300 ms on SQLite;
issue 26: p50 < 15 ms and p99 < 60 ms at 3,300 people on PostgreSQL.

Then, per answer (medians): how long the inbound row took to be stored (its commit), the
interpretation to its committed answer (the handler returns), and the dispatch until the
send; and the statements and commits the database saw from the message until the send
(each commit of a write is one WAL flush on PostgreSQL).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import create_async_engine

import bot.commands  # noqa: F401  (registers every chat command)
from bot.actions.people import create_person, issue_link_code
from bot.app.service import Ticker, make_dispatcher
from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.messages import DeliveryResult, InboundMessage, OutboundMessage
from bot.settings import Settings
from scheduler.clock import ManualClock
from scheduler.plan import load_plan
from scheduler.planner import plan_ward
from scheduler.workcal import VN_ZONE, load_calendar
from store.db import Database
from store.models import ChatIdentity

ROOT = Path(__file__).resolve().parent.parent


class Steps:
    """The database's statements and commits, timed, as the engine sees them."""

    def __init__(self, db: Database) -> None:
        self.statements: list[float] = []
        self.commits: list[float] = []
        engine = db.engine.sync_engine
        event.listen(engine, "after_cursor_execute", lambda *_: self.statements.append(time.perf_counter()))
        event.listen(engine, "commit", lambda *_: self.commits.append(time.perf_counter()))

    def between(self, times: list[float], start: float, end: float) -> list[float]:
        return [t for t in times if start <= t <= end]


class TimedChannel:
    name = "telegram"
    supports_buttons = True

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}

    async def send(self, chat_id: str, message: OutboundMessage) -> DeliveryResult:
        self.arrived.setdefault(chat_id, time.perf_counter())
        return DeliveryResult(message_id=str(len(self.arrived)))


async def main(url: str, messages: int, people: int) -> None:
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
    clock = ManualClock(datetime(2026, 6, 22, 7, 0, tzinfo=VN_ZONE))
    settings = Settings(database_url=url, _env_file=None)  # type: ignore[call-arg]
    async with db.session() as s, s.begin():
        result = await plan_ward(s, settings.ward, plan, calendar, clock.now())
    ctx = AppContext(db=db, settings=settings, plan=plan, calendar=calendar, clock=clock, ward_id=result.ward_id)
    channel = TimedChannel()
    ticker = Ticker(ctx, make_dispatcher(ctx, {"telegram": channel}))
    wakeups = asyncio.create_task(ticker.serve_wakeups())
    conversation = Conversation(ctx)
    # One linked head per message, so each answer is a first send to its chat; `people`
    # heads in all (the rest linked straight in the database: the province's people).
    async with db.session() as s, s.begin():
        codes = []
        for i in range(messages):
            person = await create_person(s, ctx.ward_id, f"Trưởng {i}", "head", "VHXH", clock.now())
            codes.append((await issue_link_code(s, person, clock.now(), timedelta(hours=1))).code)
        for i in range(messages, people):
            person = await create_person(s, ctx.ward_id, f"Trưởng {i}", "head", "VHXH", clock.now())
            s.add(ChatIdentity(person_id=person.id, channel="telegram", chat_id=f"link-{i}", linked_at=clock.now()))
    for i, code in enumerate(codes):
        await conversation.handle(InboundMessage("telegram", f"link-{i}", "1", f"/start {code}"))
    await asyncio.sleep(0.5)
    channel.arrived.clear()

    latencies = []
    steps = Steps(db)
    stored, answered, dispatched, statements, commits = [], [], [], [], []
    for i in range(messages):
        chat = f"link-{i}"
        started = time.perf_counter()
        await conversation.handle(InboundMessage("telegram", chat, "2", "4: đang làm 50%"))
        returned = time.perf_counter()
        while chat not in channel.arrived:
            await asyncio.sleep(0.001)
        sent = channel.arrived[chat]
        latencies.append((sent - started) * 1000)
        first_commit = min(steps.between(steps.commits, started, sent), default=started)
        stored.append((first_commit - started) * 1000)
        answered.append((returned - first_commit) * 1000)
        dispatched.append((sent - returned) * 1000)
        statements.append(len(steps.between(steps.statements, started, sent)))
        commits.append(len(steps.between(steps.commits, started, sent)))
    ticker.dispatcher.stopping = True
    ticker.woken.set()
    await wakeups
    await db.dispose()
    latencies.sort()
    print(
        f"backend={db.dialect} people={max(people, messages)} answers={messages} latency ms: "
        f"median {statistics.median(latencies):.1f}, p95 {latencies[int(len(latencies) * 0.95) - 1]:.1f}, "
        f"p99 {latencies[max(0, int(len(latencies) * 0.99) - 1)]:.1f}, max {latencies[-1]:.1f}"
    )
    median = statistics.median
    print(
        f"  steps (median ms): stored {median(stored):.1f}, answered {median(answered):.1f}, "
        f"dispatched and sent {median(dispatched):.1f}; until the send: "
        f"{median(statements):.0f} statements, {median(commits):.0f} commits"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--people", type=int, default=0, help="linked heads in all (default: one per message)")
    parser.add_argument("--url", default=f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench-reply.db")
    args = parser.parse_args()
    asyncio.run(main(args.url, args.messages, args.people))
