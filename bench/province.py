"""Issue 26 item 6: a province (up to ~3,300 wards) on one database, measured in one run.

    python -m bench.scale province [--sizes 100,1000,3300] [--url …] [--jobs-per-ward 0]

For each size N, from an empty database: the first planning of N wards (the seed plan under
N ward keys, a year ahead) with its plan sync's rows per second; the bot's re-plan of every
ward with nothing changed; a serve-first start (`open_context(plan_first=False)`: every ward
served from its rows, none planned) with the time spent reading N plan files said apart; two
workers planning the N wards of a restart on a new day together under the ward lease (how the
wards split); the first answer after a restart (a head of the last ward asks "/tasks"); in a
fresh database, the daily horizon advance (N wards planned 35 days ahead, then seven mornings
in a row, each adding the day that entered the window). Then the alternatives for the same
number of reminders: PTB's JobQueue (APScheduler in memory) and APScheduler's SQL job store,
a job added per reminder. Figures are printed, never asserted. A PostgreSQL database given
with --url is wiped first.
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

from bench.scale import PLAN_AT, ROOT, commit, fresh, plan_wards, seed
from scheduler.workcal import VN_ZONE
from store.db import Database
from store.models import Assignment, Occurrence, Reminder, Task, Unit, Ward

# The advance's first planning, a Monday: from PLAN_AT the windows would end in Tết, whose
# days off take no reminders. Over the next seven mornings the window's end passes 27/07 (the
# seed plan's overdue nags and check-ins of the month: 46 reminders a ward) and on the last,
# a Monday, the plan rows' horizon (60 days past the window) enters a new month, quarter and
# week, so the periods entering with it are added too.
ADVANCE_AT = datetime(2027, 6, 21, 7, 0, tzinfo=VN_ZONE)


async def _rows(db: Database) -> int:
    async with db.session() as s:
        total = 0
        for model in (Unit, Task, Occurrence, Assignment):
            total += await s.scalar(sa.select(sa.func.count()).select_from(model)) or 0
        return total


async def _served_start(db: Database, wards: int, folder: Path) -> tuple[float, float, float, float, int]:
    """Seconds to read N plan files alone; for open_context serve-first from these files
    (serving begins; beyond a few new files the rest are read beside the answers); until the
    last file is read and served; for a restart; and how many plans that restart left unread."""
    from bot.app.service import open_context
    from bot.settings import Settings
    from bot.wards import load_wards
    from scheduler.clock import ManualClock

    text = (ROOT / "data" / "tasks.yaml").read_text(encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(wards):
        # One ward per file, each its own identity (ward name), as a province deploys them.
        (folder / f"w{i:04d}.yaml").write_text(text.replace("Phường Nhị Chiểu", f"Phường Thử {i:04d}"), "utf-8")
    settings = Settings(database_url=db.url, plan_path=folder, _env_file=None)  # type: ignore[call-arg]
    t0 = time.perf_counter()
    load_wards(folder)
    read = time.perf_counter() - t0
    t0 = time.perf_counter()
    ctx = await open_context(settings, ManualClock(PLAN_AT + timedelta(days=1)), plan_first=False)
    serving = time.perf_counter() - t0
    if ctx.reading is not None:
        await ctx.reading.work()
    total = time.perf_counter() - t0
    assert len(ctx.wards) == wards
    await ctx.db.dispose()
    # A restart: the files are the bytes the wards were served from, so no plan is read.
    t0 = time.perf_counter()
    ctx = await open_context(settings, ManualClock(PLAN_AT + timedelta(days=1)), plan_first=False)
    restart = time.perf_counter() - t0
    unread = sum(not w.read for w in ctx.served())
    await ctx.db.dispose()
    return read, serving, total, restart, unread


async def _two_workers(url: str, folder: Path) -> str:
    """Two Tickers (two workers' planners) plan the served wards of a new day together."""
    from bot.app.service import Ticker, make_dispatcher, open_context
    from bot.settings import Settings
    from scheduler.clock import ManualClock

    settings = Settings(database_url=url, plan_path=folder, _env_file=None)  # type: ignore[call-arg]
    clock = ManualClock(PLAN_AT + timedelta(days=2))
    contexts = [await open_context(settings, clock, plan_first=False) for _ in range(2)]
    tickers = []
    for n, ctx in enumerate(contexts):
        ticker = Ticker(ctx, make_dispatcher(ctx, {}))
        ticker.dispatcher.config.worker = f"bench:{n}"
        tickers.append(ticker)
    t0 = time.perf_counter()
    passes = 0
    while any(len(t._planned) < len(contexts[0].wards) for t in tickers):
        await asyncio.gather(*(t.plan_if_due() for t in tickers))
        passes += 1
    elapsed = time.perf_counter() - t0
    for ctx in contexts:
        await ctx.db.dispose()
    skipped = [t.leased_elsewhere for t in tickers]
    return (
        f"two workers planned {len(contexts[0].wards)} wards of a new day in {elapsed:.1f} s "
        f"({passes} ticks each); a ward held by the other was skipped {skipped[0]} / {skipped[1]} times"
    )


async def _analyze(db: Database) -> None:
    """Fresh statistics after the bulk load, as autovacuum takes them on a default server
    within a minute. The bench's server may run with autovacuum off: without statistics the
    planner guesses the tables small and scans every ward's periods to find one ward's
    (the assignments query of a re-plan: 154 ms for one ward of 3,300 unanalysed, 4.5 ms
    analysed, by EXPLAIN ANALYZE)."""
    if db.dialect == "postgresql":
        async with db.session() as s, s.begin():
            await s.execute(sa.text("ANALYZE"))


async def _first_answer(url: str, folder: Path) -> float:
    """Seconds from a restart (the service's serve-first open_context over N wards) until a
    linked head of the last ward has the answer to "/tasks" handed to the channel: the
    issue's "first answer within 10 s of start whatever the number of wards"."""
    from bench.reply_latency import TimedChannel
    from bot.actions.people import create_person
    from bot.app.service import Ticker, make_dispatcher, open_context
    from bot.conversation.handle import Conversation
    from bot.messages import InboundMessage
    from bot.settings import Settings
    from scheduler.clock import ManualClock
    from store.models import ChatIdentity

    settings = Settings(database_url=url, plan_path=folder, _env_file=None)  # type: ignore[call-arg]
    clock = ManualClock(PLAN_AT + timedelta(days=1))
    ctx = await open_context(settings, clock, plan_first=False)
    last = max(ctx.served(), key=lambda w: w.key)
    async with ctx.db.session() as s, s.begin():
        person = await create_person(s, last.ward_id, "Trưởng thử", "head", "VHXH", clock.now())
        s.add(ChatIdentity(person_id=person.id, channel="telegram", chat_id="first", linked_at=clock.now()))
    await ctx.db.dispose()
    t0 = time.perf_counter()
    ctx = await open_context(settings, clock, plan_first=False)
    channel = TimedChannel()
    ticker = Ticker(ctx, make_dispatcher(ctx, {"telegram": channel}))
    wakeups = asyncio.create_task(ticker.serve_wakeups())
    await Conversation(ctx).handle(InboundMessage("telegram", "first", "1", "/tasks"))
    while "first" not in channel.arrived:
        await asyncio.sleep(0.001)
    elapsed = channel.arrived["first"] - t0
    ticker.dispatcher.stopping = True
    ticker.woken.set()
    await wakeups
    await ctx.db.dispose()
    return elapsed


async def one_size(url: str | None, wards: int) -> int:
    db = await fresh(url, f"province-{wards}.db")
    plan, calendar = seed()
    inserted, times = await plan_wards(db, plan, calendar, wards, PLAN_AT, 365)
    rows = await _rows(db)
    total = sum(times)
    await _analyze(db)
    print(
        f"  {wards:>5} wards, first planning: {total:.1f} s = {total / wards * 1000:.0f} ms/ward, "
        f"{inserted:,} reminders ({inserted / total:,.0f}/s), {rows:,} plan rows synced"
    )
    later = PLAN_AT + timedelta(minutes=10)
    _, times = await plan_wards(db, plan, calendar, wards, later, 365)
    print(
        f"  {wards:>5} wards, re-plan with nothing changed: median {statistics.median(times) * 1000:.1f} ms/ward, "
        f"a pass {sum(times):.1f} s"
    )
    folder = Path(tempfile.mkdtemp()) / "plans"
    read, serving, start, restart, unread = await _served_start(db, wards, folder)
    print(
        f"  {wards:>5} wards, serve-first start from new files (open_context, nothing planned): serving after "
        f"{serving:.1f} s, every file read and served after {start:.1f} s; the {wards} plan files alone, read "
        f"apart: {read:.1f} s; a restart: {restart:.2f} s, {unread} plans left to read when needed"
    )
    print(f"  {wards:>5} wards, {await _two_workers(db.url, folder)}")
    print(
        f"  {wards:>5} wards, first answer after a restart (a head of the last ward, /tasks): "
        f"{await _first_answer(db.url, folder):.2f} s"
    )
    async with db.session() as s:
        reminders = await s.scalar(sa.select(sa.func.count(Reminder.id))) or 0
        owners = await s.scalar(sa.select(sa.func.count()).where(Ward.planning_owner.is_not(None))) or 0
    assert owners == 0
    await db.dispose()
    await daily_advance(url, wards)
    return reminders


async def daily_advance(url: str | None, wards: int, days: int = 7) -> None:
    """The daily horizon advance as the bot lives it: N wards first planned with the bot's
    35-day horizon (a fresh database, so the year planned above does not already hold the new
    days' rows), then the first pass of each following morning, `days` mornings in a row: each
    adds the reminders of the day that entered the window (and, on a period's boundary, the
    periods that entered the plan rows' horizon)."""
    db = await fresh(url, f"advance-{wards}.db")
    plan, calendar = seed()
    inserted, times = await plan_wards(db, plan, calendar, wards, ADVANCE_AT, 35)
    await _analyze(db)
    print(
        f"  {wards:>5} wards, first planning with the bot's 35-day horizon: "
        f"{sum(times) / wards * 1000:.0f} ms/ward, {inserted:,} reminders"
    )
    per_ward: list[float] = []
    for day in range(1, days + 1):
        morning = ADVANCE_AT + timedelta(days=day)
        n, times = await plan_wards(db, plan, calendar, wards, morning, 35)
        per_ward.extend(times)
        print(
            f"  {wards:>5} wards, the daily horizon advance to {morning:%a %d/%m}: "
            f"median {statistics.median(times) * 1000:.1f} ms/ward, a pass {sum(times):.2f} s, {n:,} new reminders"
        )
    print(
        f"  {wards:>5} wards, the daily horizon advance over {days} mornings: "
        f"median {statistics.median(per_ward) * 1000:.1f} ms/ward"
    )
    await db.dispose()


async def bench_advance(args: argparse.Namespace) -> None:
    """The daily advance alone (`python -m bench.scale advance --wards 100 [--url …]`)."""
    dialect = "postgresql" if args.url and args.url.startswith("postgresql") else "sqlite"
    print(f"{dialect}: the daily horizon advance (commit {commit()})")
    await daily_advance(args.url, args.wards)


async def bench_province(args: argparse.Namespace) -> None:
    sizes = [int(n) for n in args.sizes.split(",")]
    dialect = "postgresql" if args.url and args.url.startswith("postgresql") else "sqlite"
    print(f"{dialect}: a province, sizes {sizes} (commit {commit()})")
    for wards in sizes:
        reminders = await one_size(args.url, wards)
        args.jobs = min(reminders, args.max_jobs)
        print(f"  {wards:>5} wards: the alternatives, {args.jobs:,} jobs (one per reminder, capped at --max-jobs)")
        await asyncio.to_thread(_alternatives, args)


def _alternatives(args: argparse.Namespace) -> None:
    from bench.scale import bench_apscheduler

    bench_apscheduler(args)
