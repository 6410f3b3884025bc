"""The classification-backed /summary and the full export for one ward with many status reports.

    python -m bench.summary_export [--reports 1000000] [--url sqlite+aiosqlite:///tmp/bench-report.db]
    python -m bench.summary_export --url postgresql+asyncpg://postgres@127.0.0.1:5432/test_h3

The seed plan is loaded as of 20/12/2026 (a year of monthly check-ins), then `--reports`
status reports are bulk-inserted (executemany on SQLite, COPY on PostgreSQL) over its
assignments and the year. Timed: /summary = standing for the yearly window + its text;
/overdue = the same standing + its list; export = standing + workbook (with its rows fitted
and the rating sheet) + .docx + chart. Targets: summary < 200 ms, export < 5 s.

The standing's per-assignment lookups seek the index on status_reports (assignment_id,
created_at) that migration 0002 creates; --no-index drops it first to show what it saves.
The PostgreSQL database given is wiped.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from bot.report import build_standing
from bot.report.chart import standing_chart
from bot.report.digest import summary_text
from bot.report.docx import export_docx
from bot.report.rows import Report
from bot.report.summary import overdue_list
from bot.report.xlsx import export_xlsx
from scheduler.plan import Plan, load_plan
from scheduler.planner import plan_ward
from scheduler.windows import cycle_window
from scheduler.workcal import VN_ZONE, WorkingCalendar, load_calendar
from store import progress
from store.db import Database
from store.models import Assignment, Occurrence, StatusReport, Task

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 12, 20, 8, 0, tzinfo=VN_ZONE)
STATUSES = ["in_progress"] * 5 + ["done"] * 3 + ["blocked", "not_started", "not_applicable"]
NOTES = {"blocked": "chưa có hướng dẫn của thành phố", "in_progress": None, "done": "đã ban hành văn bản"}


async def prepare(url: str, reports: int, index: bool, plan: Plan, calendar: WorkingCalendar) -> tuple[Database, int]:
    if url.startswith("postgresql"):
        engine = create_async_engine(url)
        async with engine.begin() as conn:
            await conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(sa.text("CREATE SCHEMA public"))
        await engine.dispose()
    db = Database(url)
    await db.upgrade()
    async with db.session() as s, s.begin():
        ward_id = (await plan_ward(s, "bench", plan, calendar, NOW)).ward_id
        rows = (
            await s.execute(
                sa.select(Assignment.id, Occurrence.start, Occurrence.due)
                .join(Occurrence, Assignment.occurrence_id == Occurrence.id)
                .join(Task, Occurrence.task_id == Task.id)
                .where(Task.ward_id == ward_id)
            )
        ).all()
    rng = random.Random(9)
    first = datetime(2026, 5, 5, tzinfo=UTC)
    span = (NOW.astimezone(UTC) - first).total_seconds()
    started = time.perf_counter()
    batch: list[dict[str, Any]] = []
    written = 0
    while written < reports:
        aid, start, _due = rows[rng.randrange(len(rows))]
        low = max(first, datetime.combine(start, datetime.min.time(), tzinfo=UTC)) if start else first
        at = low + timedelta(seconds=rng.random() * max(span - (low - first).total_seconds(), 1))
        status = rng.choice(STATUSES)
        batch.append(
            {
                "assignment_id": aid,
                "status": status,
                "percent": rng.randrange(10, 100, 10) if status == "in_progress" else None,
                "note": NOTES.get(status),
                "created_at": at,
            }
        )
        written += 1
        if len(batch) == 50_000 or written == reports:
            await _insert(db, batch)
            batch = []
    async with db.engine.begin() as conn:
        # Written around record_status: set each assignment's report pointers as it would have.
        await conn.execute(progress.rebuild())
        if not index:
            await conn.execute(sa.text("DROP INDEX ix_status_reports_assignment"))
        await conn.execute(sa.text("ANALYZE"))
    print(
        f"{db.dialect}: {reports:,} status reports on {len(rows):,} assignments in "
        f"{time.perf_counter() - started:.1f} s (index: {'yes' if index else 'no'})"
    )
    return db, ward_id


async def _insert(db: Database, batch: list[dict[str, Any]]) -> None:
    if not db.is_postgres:
        async with db.engine.begin() as conn:
            await conn.execute(sa.insert(StatusReport), batch)
        return
    async with db.engine.begin() as conn:
        raw: Any = (await conn.get_raw_connection()).driver_connection
        async with raw.cursor() as cur:
            copy_sql = "COPY status_reports (assignment_id, status, percent, note, created_at) FROM STDIN"
            async with cur.copy(copy_sql) as copy:
                for r in batch:
                    at = r["created_at"].astimezone(UTC).replace(tzinfo=None)
                    await copy.write_row((r["assignment_id"], r["status"], r["percent"], r["note"], at))


async def timed(runs: int, work: Any) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        await work()
        out.append((time.perf_counter() - started) * 1000)
    return out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--url")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-index", action="store_true")
    args = parser.parse_args()
    url = args.url or f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'bench-report.db'}"
    plan = load_plan(ROOT / "data" / "tasks.yaml")
    calendar = load_calendar(ROOT / "data" / "calendar.yaml")
    db, ward_id = await prepare(url, args.reports, not args.no_index, plan, calendar)
    window = cycle_window(next(c for c in plan.cycles if c.code == "yearly"), 2026)
    cutoff = window.cutoff(NOW.date())

    async def summary() -> None:
        async with db.session() as s:
            st = await build_standing(s, plan, ward_id, window, cutoff, calendar)
        summary_text(st, calendar)

    async def overdue() -> None:
        async with db.session() as s:
            st = await build_standing(s, plan, ward_id, window, cutoff, calendar)
        overdue_list(st, calendar)

    async def export() -> None:
        async with db.session() as s:
            st = await build_standing(s, plan, ward_id, window, cutoff, calendar)
        report = Report(plan, st, calendar, date(2026, 12, 20))
        export_xlsx(report)
        export_docx(report)
        standing_chart(st)

    for name, work in (("summary", summary), ("overdue", overdue), ("export", export)):
        ms = await timed(args.runs, work)
        print(
            f"{db.dialect} {name}: first {ms[0]:.0f} ms, median {statistics.median(ms):.0f} ms, "
            f"max {max(ms):.0f} ms over {args.runs} runs"
        )
    async with db.session() as s:
        st = await build_standing(s, plan, ward_id, window, cutoff, calendar)
    c = st.counts()
    print(f"  {len(st.leads())} task × lead units; " + ", ".join(f"{k} {v}" for k, v in c.items()))
    await db.dispose()


if __name__ == "__main__":
    asyncio.run(main())
