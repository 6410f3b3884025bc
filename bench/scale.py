"""Issue 14 item 5: one deployment for many wards, measured.

    python -m bench.scale plan [--wards 114] [--url …]        planning into the outbox, re-planning
    python -m bench.scale summary [--wards 114] [--reports 1000000] [--url …]
    python -m bench.scale startup [--pending 100000] [--url …]
    python -m bench.scale morning [--wards 114]              how many reminders a morning sends
    python -m bench.scale apscheduler [--jobs 100000] [--url …] the alternative: a job per reminder
    python -m bench.scale province [--sizes 100,1000,3300] [--url …] issue 26: all of it by size (bench/province.py)
    python -m bench.scale advance [--wards 114] [--url …]    the daily horizon advance alone (bench/province.py)
    python -m bench.scale first [--wards 100] [--runs 5] [--url …] the first planning alone, a fresh database per run
    python -m bench.scale floor --url postgresql+asyncpg://… [--runs 5]  the database's share of one first planning

Wards are the seed plan (data/tasks.yaml) planned under N ward keys ("w000", "w001", …),
through the store and planner functions the bot uses. Figures are printed, never asserted.
A PostgreSQL database given with --url is wiped first; the default is a fresh SQLite file.

plan: from an empty database, N wards planned a year ahead (sync of units, tasks,
occurrences and assignments, then the reminders), cumulative time printed at 10%, 50% and
100% of the wards (linear in wards: the per-ward cost stays flat); then the same reminders
planned again into an emptied outbox with the plan rows in place (the outbox insert path);
then a re-plan of every ward with nothing changed (the bot's 10-minute pass).

summary: the standing behind /summary for one ward holding all `--reports` status reports,
and the city roll-up (`store.reporting.load_snapshots` + classification of every ward) with
the same number of reports spread over N wards; both in a read session (`Database.read`),
with the query plans (EXPLAIN) of the per-assignment lookups.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import statistics
import subprocess
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from scheduler.plan import Plan, load_plan
from scheduler.planner import plan_ward
from scheduler.workcal import VN_ZONE, WorkingCalendar, load_calendar
from store import progress
from store.db import Database
from store.models import Assignment, Occurrence, Reminder, Ward
from store.outbox import insert_reminders, reminder_row

ROOT = Path(__file__).resolve().parent.parent
# Early January: a year ahead covers every period of the seed plan.
PLAN_AT = datetime(2027, 1, 4, 7, 0, tzinfo=VN_ZONE)


def ward_key(i: int) -> str:
    return f"w{i:03d}"


def commit() -> str:
    out = subprocess.run(["git", "log", "-1", "--format=%h"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "bot", "scheduler", "store", "bench"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return out.stdout.strip() + ("+dirty" if dirty else "")


async def fresh(url: str | None, name: str) -> Database:
    if url is None:
        url = f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / name}"
    elif url.startswith("postgresql"):
        engine = create_async_engine(url)
        async with engine.begin() as conn:
            await conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(sa.text("CREATE SCHEMA public"))
        await engine.dispose()
    db = Database(url)
    await db.upgrade()
    return db


def seed() -> tuple[Plan, WorkingCalendar]:
    return load_plan(ROOT / "data" / "tasks.yaml"), load_calendar(ROOT / "data" / "calendar.yaml")


async def plan_wards(
    db: Database, plan: Plan, calendar: WorkingCalendar, wards: int, now: datetime, ahead_days: int
) -> tuple[int, list[float]]:
    """Plan every ward (one transaction each, as the bot does); (rows inserted, seconds per ward)."""
    inserted, times = 0, []
    for i in range(wards):
        t0 = time.perf_counter()
        async with db.session() as s, s.begin():
            inserted += (await plan_ward(s, ward_key(i), plan, calendar, now, ahead_days=ahead_days)).inserted
        times.append(time.perf_counter() - t0)
    return inserted, times


# --- plan --------------------------------------------------------------------------------------


async def bench_plan(args: argparse.Namespace) -> None:
    db = await fresh(args.url, "scale-plan.db")
    plan, calendar = seed()
    print(f"{db.dialect}: {args.wards} wards × the seed plan, a year ahead from {PLAN_AT:%d/%m/%Y} (commit {commit()})")
    inserted, times = await plan_wards(db, plan, calendar, args.wards, PLAN_AT, 365)
    total = sum(times)
    for share in (0.1, 0.5, 1.0):
        n = max(1, round(args.wards * share))
        print(f"  first planning, {n:>3} wards: {sum(times[:n]):6.2f} s ({sum(times[:n]) / n * 1000:.0f} ms/ward)")
    print(f"  first planning: {inserted:,} reminders in {total:.2f} s = {inserted / total:,.0f}/s (sync included)")

    # The outbox write alone: the year's rows of every ward, as the planner built them,
    # inserted in one call into an emptied outbox, then once more (all conflicts).
    async with db.session() as s:
        rows = [
            reminder_row(w, key, kind, due, PLAN_AT, assignment_id=aid, seq=seq)
            for w, key, kind, due, aid, seq in (
                await s.execute(
                    sa.select(
                        Reminder.ward_id,
                        Reminder.key,
                        Reminder.kind,
                        Reminder.due_at,
                        Reminder.assignment_id,
                        Reminder.seq,
                    )
                )
            ).all()
        ]
    async with db.engine.begin() as conn:
        await conn.execute(sa.delete(Reminder))
    for label in ("new", "all already there"):
        t0 = time.perf_counter()
        async with db.session() as s, s.begin():
            n = await insert_reminders(s, rows)
        elapsed = time.perf_counter() - t0
        print(
            f"  outbox insert, {len(rows):,} rows ({label}): {elapsed:.2f} s = {len(rows) / elapsed:,.0f}/s, {n:,} new"
        )

    # The planner into the outbox: the plan rows exist, the outbox is empty, every fingerprint
    # forgotten (as after an upgrade): each ward is planned in full and all its rows are new.
    async with db.engine.begin() as conn:
        await conn.execute(sa.delete(Reminder))
        await conn.execute(sa.update(Ward).values(plan_fingerprint=None))
    again, times = await plan_wards(db, plan, calendar, args.wards, PLAN_AT, 365)
    print(
        f"  planning into an empty outbox: {again:,} reminders in {sum(times):.2f} s = "
        f"{again / sum(times):,.0f}/s ({sum(times) / args.wards * 1000:.0f} ms/ward)"
    )

    # The bot's pass every 10 minutes, nothing changed (35-day horizon as the bot runs it).
    later = PLAN_AT + timedelta(minutes=10)
    async with db.engine.begin() as conn:
        await conn.execute(sa.update(Ward).values(plan_fingerprint=None))
    await plan_wards(db, plan, calendar, args.wards, later, 35)  # full, stores the fingerprints
    runs: list[float] = []
    for k in range(3):
        n, times = await plan_wards(db, plan, calendar, args.wards, later + timedelta(minutes=10 * (k + 1)), 35)
        assert n == 0
        runs.extend(times)
    p95 = sorted(runs)[int(len(runs) * 0.95)]
    print(
        f"  re-plan, nothing changed: median {statistics.median(runs) * 1000:.1f} ms/ward, "
        f"p95 {p95 * 1000:.1f} ms; a pass over {args.wards} wards {sum(runs) / 3:.2f} s"
    )
    async with db.engine.begin() as conn:
        await conn.execute(sa.update(Ward).values(plan_fingerprint=None))
    n, times = await plan_wards(db, plan, calendar, args.wards, later + timedelta(minutes=40), 35)
    print(
        f"  re-plan in full (fingerprints forgotten): median {statistics.median(times) * 1000:.1f} ms/ward, "
        f"a pass {sum(times):.2f} s"
    )
    await db.dispose()


async def bench_first(args: argparse.Namespace) -> None:
    """Issue 26 item 6: the first planning a year ahead of fresh wards, alone: `--runs` runs,
    each on a fresh database (a PostgreSQL one wiped), ms per ward and their median."""
    plan, calendar = seed()
    per_ward: list[float] = []
    for run in range(args.runs):
        db = await fresh(args.url, f"first-{run}.db")
        inserted, times = await plan_wards(db, plan, calendar, args.wards, PLAN_AT, 365)
        await db.dispose()
        per_ward.append(sum(times) / args.wards * 1000)
        print(f"  run {run + 1}: {per_ward[-1]:.1f} ms/ward ({inserted:,} reminders)")
    print(
        f"{db.dialect} (commit {commit()}): first planning a year ahead of {args.wards} fresh wards, "
        f"median of {args.runs} runs: {statistics.median(per_ward):.1f} ms/ward"
    )


async def bench_floor(args: argparse.Namespace) -> None:
    """Issue 26 item 6: what the database alone takes of a first planning on PostgreSQL. One
    ward's first planning (a year ahead, as `first`) is recorded statement by statement, then
    replayed `--runs` times through a bare asyncpg connection, every parameter ready, each time
    in a transaction rolled back with the sequences set back (so the ids it wrote are the
    ones recorded): no planning, no row building, no ORM. Also the foreign-key checks' share of
    the two large inserts (EXPLAIN ANALYZE's trigger times)."""
    import asyncpg
    from sqlalchemy import event

    assert args.url and args.url.startswith("postgresql+asyncpg"), "--url postgresql+asyncpg://… (it is wiped)"
    plan, calendar = seed()
    db = await fresh(args.url, "floor.db")
    await plan_wards(db, plan, calendar, 3, PLAN_AT, 365)
    async with db.session() as s:
        sequences = (await s.execute(sa.text("SELECT sequencename, last_value FROM pg_sequences"))).all()
    recorded: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        recorded.append((statement, parameters))

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    async with db.session() as s:
        outer = await s.begin()
        t0 = time.perf_counter()
        await plan_ward(s, "floor", plan, calendar, PLAN_AT, ahead_days=365)
        whole = time.perf_counter() - t0
        await outer.rollback()
    event.remove(db.engine.sync_engine, "before_cursor_execute", record)
    await db.dispose()

    raw = await asyncpg.connect(
        sa.make_url(args.url).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    try:
        times = []
        explained: list[str] = []
        for run in range(args.runs + 1):
            for name, value in sequences:
                await raw.execute(f"SELECT setval('{name}', {value or 1}, {'true' if value else 'false'})")
            tx = raw.transaction()
            await tx.start()
            t0 = time.perf_counter()
            for statement, parameters in recorded:
                rows = [parameters] if isinstance(parameters, tuple) or not parameters else parameters
                for one in rows:
                    big = statement.startswith(("INSERT INTO reminders", "INSERT INTO assignments"))
                    if run == 0 and big:  # the first pass explains the two large inserts
                        explained += [r[0] for r in await raw.fetch("EXPLAIN (ANALYZE) " + statement, *one)]
                    else:
                        await raw.fetch(statement, *one)
            if run:
                times.append(time.perf_counter() - t0)
            await tx.rollback()
    finally:
        await raw.close()
    floor = statistics.median(times) * 1000
    print(f"postgresql (commit {commit()}): one ward's first planning a year ahead, {len(recorded)} statements")
    print(f"  the whole planning, once (warm): {whole * 1000:.1f} ms")
    print(
        f"  its statements alone, parameters ready, median of {args.runs}: {floor:.1f} ms (min {min(times) * 1000:.1f})"
    )
    for line in explained:
        if line.startswith(("Insert on", "Trigger for", "Execution Time")):
            print("   ", line.strip())


# --- summary -----------------------------------------------------------------------------------

SUMMARY_AT = datetime(2026, 12, 20, 8, 0, tzinfo=VN_ZONE)
STATUSES = ["in_progress"] * 5 + ["done"] * 3 + ["blocked", "not_started", "not_applicable"]


async def _add_reports(db: Database, assignments: list[tuple[int, date | None]], count: int) -> None:
    from bench.summary_export import _insert

    rng = random.Random(9)
    first = datetime(2026, 5, 5, tzinfo=UTC)
    span = (SUMMARY_AT.astimezone(UTC) - first).total_seconds()
    batch: list[dict[str, Any]] = []
    for written in range(1, count + 1):
        aid, start = assignments[rng.randrange(len(assignments))]
        low = max(first, datetime.combine(start, datetime.min.time(), tzinfo=UTC)) if start else first
        at = low + timedelta(seconds=rng.random() * max(span - (low - first).total_seconds(), 1))
        status = rng.choice(STATUSES)
        batch.append(
            {
                "assignment_id": aid,
                "status": status,
                "percent": rng.randrange(10, 100, 10) if status == "in_progress" else None,
                "note": "chưa có hướng dẫn" if status == "blocked" else None,
                "created_at": at,
            }
        )
        if len(batch) == 50_000 or written == count:
            await _insert(db, batch)
            batch = []
    async with db.engine.begin() as conn:
        # Written around record_status: set each assignment's report pointers as it would have.
        await conn.execute(progress.rebuild())
        await conn.execute(sa.text("ANALYZE"))


async def _explain(db: Database, work: Any, table: str = "status_reports") -> list[str]:
    """The query plans of the statements `work` runs (SQLite: EXPLAIN QUERY PLAN)."""
    captured: list[tuple[str, Any]] = []

    def grab(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            captured.append((statement, parameters))

    sa.event.listen(db.engine.sync_engine, "before_cursor_execute", grab)
    try:
        await work()
    finally:
        sa.event.remove(db.engine.sync_engine, "before_cursor_execute", grab)
    plans = []
    async with db.engine.connect() as conn:
        raw: Any = (await conn.get_raw_connection()).driver_connection
        for statement, parameters in captured:
            if table not in statement:
                continue
            if db.is_postgres:
                async with raw.cursor() as cur:
                    await cur.execute("EXPLAIN " + statement, parameters)
                    plans.append("\n".join(r[0] for r in await cur.fetchall()))
            else:
                cur = await raw.execute("EXPLAIN QUERY PLAN " + statement, parameters)
                plans.append("\n".join(str(r[3]) for r in await cur.fetchall()))
    return plans


async def _print_plans(args: argparse.Namespace, db: Database, what: Callable[[], Awaitable[None]]) -> None:
    """The query plans of `what` (with --explain)."""
    if args.explain:
        for p in await _explain(db, what):
            print("    plan:\n      " + p.replace("\n", "\n      "))


async def bench_summary(args: argparse.Namespace) -> None:
    from bot.report import build_standing
    from bot.report.city import city_rollup
    from bot.report.digest import summary_text
    from scheduler.standing import CHECKIN_COMPLETING, COMPLETING, classify_plan, snapshot_bounds
    from scheduler.windows import live_window
    from store.queries import last_report_at
    from store.reporting import load_snapshots

    plan, calendar = seed()
    today = SUMMARY_AT.date()
    window = live_window(plan, today)
    cutoff = window.cutoff(today)

    async def loaded(wards: int) -> tuple[Database, list[int]]:
        db = await fresh(args.url, f"scale-summary-{wards}.db")
        ids = []
        for i in range(wards):
            async with db.session() as s, s.begin():
                ids.append((await plan_ward(s, ward_key(i), plan, calendar, SUMMARY_AT)).ward_id)
        async with db.session() as s:
            rows = [
                (aid, start)
                for aid, start in (
                    await s.execute(
                        sa.select(Assignment.id, Occurrence.start).join(
                            Occurrence, Assignment.occurrence_id == Occurrence.id
                        )
                    )
                ).all()
            ]
        t0 = time.perf_counter()
        await _add_reports(db, rows, args.reports)
        print(
            f"  {args.reports:,} status reports over {len(rows):,} assignments of {wards} ward(s) "
            f"written in {time.perf_counter() - t0:.0f} s"
        )
        return db, ids

    print(
        f"{'postgresql' if args.url and args.url.startswith('postgresql') else 'sqlite'}: "
        f"/summary as of {today:%d/%m/%Y} (commit {commit()})"
    )
    db, ids = await loaded(1)

    async def one() -> None:
        async with db.read() as s:
            st = await build_standing(s, plan, ids[0], window, cutoff, calendar)
        summary_text(st, calendar)

    ms = await timed(args.runs, one)
    print(f"  one ward, all reports on it: /summary median {statistics.median(ms):.0f} ms, max {max(ms):.0f} ms")
    await _print_plans(args, db, one)

    async def silent() -> None:
        async with db.read() as s:
            await last_report_at(s, ids[0])

    ms = await timed(args.runs, silent)
    print(f"  one ward: last report per unit (silent units) median {statistics.median(ms):.0f} ms")
    await _print_plans(args, db, silent)
    await db.dispose()

    if args.wards > 1:
        db, ids = await loaded(args.wards)

        async def rollup() -> None:
            # The bot's own roll-up (a city person's /summary): wards asking the store the
            # same thing are loaded together, then each is classified.
            async with db.read() as s:
                await city_rollup(s, [(i, ward_key(n), plan) for n, i in enumerate(ids)], calendar, today)

        ms = await timed(args.runs, rollup)
        print(
            f"  city roll-up, {args.wards} wards (counted in SQL): median {statistics.median(ms):.0f} ms, "
            f"max {max(ms):.0f} ms ({statistics.median(ms) / args.wards:.1f} ms/ward)"
        )
        if args.explain:
            for p in await _explain(db, rollup, "assignments"):
                print("    plan:\n      " + p.replace("\n", "\n      "))

        async def classified() -> None:
            # What the roll-up did before it counted in SQL, and what it still does for a
            # ward it cannot count (a view of an earlier day): every ward's assignments
            # loaded and classified in Python.
            bounds = snapshot_bounds(window, cutoff, calendar.zone)
            async with db.read() as s:
                snapshots = await load_snapshots(
                    s,
                    ids,
                    cutoff=bounds.cutoff,
                    since=bounds.since,
                    started_by=bounds.started_by,
                    periods_from=bounds.periods_from,
                    completing=COMPLETING,
                    checkin_completing=CHECKIN_COMPLETING,
                )
            for ward_id in ids:
                classify_plan(plan, snapshots[ward_id], window, cutoff, calendar.zone)

        ms = await timed(args.runs, classified)
        print(f"  the same, loaded and classified in Python: median {statistics.median(ms):.0f} ms")

        async def one_of_many() -> None:
            async with db.read() as s:
                st = await build_standing(s, plan, ids[len(ids) // 2], window, cutoff, calendar)
            summary_text(st, calendar)

        ms = await timed(args.runs, one_of_many)
        print(f"  one ward of {args.wards}: /summary median {statistics.median(ms):.0f} ms")
        await db.dispose()


async def timed(runs: int, work: Any) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        await work()
        out.append((time.perf_counter() - t0) * 1000)
    return out


# --- start-up ----------------------------------------------------------------------------------


async def bench_startup(args: argparse.Namespace) -> None:
    """open_context (plan loaded, schema checked, the ward planned) then the dispatcher's
    first tick that finds nothing due, with `--pending` reminders queued for later."""
    from bot.app.service import open_context
    from bot.settings import Settings
    from scheduler.clock import ManualClock

    db = await fresh(args.url, "scale-startup.db")
    plan, calendar = seed()
    now = datetime(2026, 6, 22, 7, 0, tzinfo=VN_ZONE)
    async with db.session() as s, s.begin():
        ward_id = (await plan_ward(s, "default", plan, calendar, now)).ward_id
        later = now + timedelta(days=30)
        await insert_reminders(
            s,
            [reminder_row(ward_id, f"bench:{i}", "manual", later, now, body="x") for i in range(args.pending)],
        )
    url = db.url
    await db.dispose()
    settings = Settings(database_url=url, _env_file=None)  # type: ignore[call-arg]
    for label in ("cold", "warm"):
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        t0 = time.perf_counter()
        ctx = await open_context(settings, ManualClock(now + timedelta(minutes=5)))
        elapsed = time.perf_counter() - t0
        await ctx.db.dispose()
        del ctx
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        print(
            f"{db.dialect}: start-up ({label}) with {args.pending:,} pending reminders: {elapsed:.2f} s, "
            f"memory kept {(after - before) / 2**20:+.1f} MiB (commit {commit()})"
        )


# --- a morning ---------------------------------------------------------------------------------


async def bench_morning(args: argparse.Namespace) -> None:
    """How many reminders a morning sends for N wards, planned as the bot does: the busiest
    and the median working-day morning of the 35 days ahead of 01/12/2026 (quarter-end)."""
    db = await fresh(args.url, "scale-morning.db")
    plan, calendar = seed()
    day = datetime(2026, 12, 1, 7, 0, tzinfo=VN_ZONE)
    await plan_wards(db, plan, calendar, args.wards, day, 35)
    async with db.session() as s:
        dues = list(await s.scalars(sa.select(Reminder.due_at).where(Reminder.due_at >= day)))
    per_day: dict[date, int] = {}
    for at in dues:
        local = at.astimezone(VN_ZONE)
        if local.hour < 12:
            per_day[local.date()] = per_day.get(local.date(), 0) + 1
    busiest = max(per_day, key=lambda d: per_day[d])
    print(
        f"{args.wards} wards: busiest morning {busiest:%d/%m/%Y} {per_day[busiest]:,} reminders; "
        f"median morning {statistics.median(per_day.values()):,.0f} over {len(per_day)} mornings with any"
    )
    await db.dispose()


# --- the alternative: one APScheduler job per reminder -----------------------------------------


async def _noop() -> None:
    return None


def bench_apscheduler(args: argparse.Namespace) -> None:
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    start = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
    runs = [start + timedelta(seconds=37 * i) for i in range(args.jobs)]

    asyncio.run(_jobqueue(runs))

    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'apscheduler.db'}"
    url = url.replace("+aiosqlite", "")
    store = SQLAlchemyJobStore(url=url)
    scheduler = BackgroundScheduler(jobstores={"default": store}, timezone=UTC)
    scheduler.start(paused=True)
    store.remove_all_jobs()
    t0 = time.perf_counter()
    for i, at in enumerate(runs):
        scheduler.add_job(_sync_noop, "date", run_date=at, id=f"r{i}", args=[i])
    elapsed = time.perf_counter() - t0
    print(
        f"APScheduler SQLAlchemyJobStore ({url.split(':', 1)[0]}): {args.jobs:,} jobs added in {elapsed:.1f} s "
        f"= {args.jobs / elapsed:,.0f}/s"
    )
    scheduler.shutdown(wait=False)
    store.remove_all_jobs()


def _sync_noop(_i: int) -> None:
    return None


async def _jobqueue(runs: list[datetime]) -> None:
    from telegram.ext import Application

    app = Application.builder().token("123:BENCH").build()
    jq = app.job_queue
    assert jq is not None
    await jq.start()
    jq.scheduler.pause()
    t0 = time.perf_counter()
    for i, at in enumerate(runs):
        jq.run_once(_callback, when=at, name=f"r{i}")
    elapsed = time.perf_counter() - t0
    print(
        f"PTB JobQueue (APScheduler in memory): {len(runs):,} jobs added in {elapsed:.1f} s "
        f"= {len(runs) / elapsed:,.0f}/s (lost at every restart)"
    )
    await jq.stop(wait=False)


async def _callback(_context: Any) -> None:
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "what",
        choices=["plan", "first", "floor", "summary", "startup", "morning", "apscheduler", "province", "advance"],
    )
    parser.add_argument("--url")
    parser.add_argument("--wards", type=int, default=114)
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--explain", action="store_true", help="summary: print the query plans")
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--sizes", default="100,1000,3300", help="province: ward counts, comma-separated")
    parser.add_argument("--max-jobs", type=int, default=20_000, help="province: jobs added to each alternative")
    args = parser.parse_args()
    if args.what == "apscheduler":
        bench_apscheduler(args)
        return
    from bench.province import bench_advance, bench_province

    work = {
        "plan": bench_plan,
        "first": bench_first,
        "floor": bench_floor,
        "summary": bench_summary,
        "startup": bench_startup,
        "morning": bench_morning,
        "province": bench_province,
        "advance": bench_advance,
    }
    asyncio.run(work[args.what](args))


if __name__ == "__main__":
    main()
