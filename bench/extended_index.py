"""Issue 26 item 6 (one cheap part): the index behind `extended_assignments`, before/after.

    python -m bench.extended_index [--wards 1000] [--per-ward 440] [--url URL]

Builds a database of N wards (15 units, `--per-ward` assignments each, 2% of them with an
approved extension) with plain inserts, then times store.extensions.extended_assignments
for 50 wards with the index of migration 0011i and after dropping it (the query as planning
runs it once per ward). A PostgreSQL database given with --url is wiped.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from store.db import Database
from store.extensions import extended_assignments
from store.models import Assignment, Occurrence, Task, Unit, Ward

UNITS = 15
SAMPLE = 50
CHUNK = 20_000


async def _wipe(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(sa.text("CREATE SCHEMA public"))
    await engine.dispose()


async def _fill(db: Database, wards: int, per_ward: int) -> None:
    rng = random.Random(26)
    tasks_per_ward = max(1, per_ward // 3)  # a task has ~3 units (one lead, coordinators)
    async with db.session() as s, s.begin():
        await s.execute(
            sa.insert(Ward), [{"id": w, "key": f"w{w}", "name": f"Phường {w}"} for w in range(1, wards + 1)]
        )
        await s.execute(
            sa.insert(Unit),
            [
                {"id": (w - 1) * UNITS + u, "ward_id": w, "code": f"U{u}", "name": f"Đơn vị {u}", "active": True}
                for w in range(1, wards + 1)
                for u in range(1, UNITS + 1)
            ],
        )
        task_rows = []
        occ_rows = []
        for w in range(1, wards + 1):
            for t in range(1, tasks_per_ward + 1):
                tid = (w - 1) * tasks_per_ward + t
                task_rows.append(
                    {"id": tid, "ward_id": w, "stt": t, "content": "x", "deadline_text": "x", "deadline_kind": "once"}
                )
                occ_rows.append({"id": tid, "task_id": tid, "key": "once", "due": date(2026, 6, 30)})
        for i in range(0, len(task_rows), CHUNK):
            await s.execute(sa.insert(Task), task_rows[i : i + CHUNK])
            await s.execute(sa.insert(Occurrence), occ_rows[i : i + CHUNK])
        rows = []
        for w in range(1, wards + 1):
            for n in range(per_ward):
                tid = (w - 1) * tasks_per_ward + n % tasks_per_ward + 1
                unit = (w - 1) * UNITS + (n // tasks_per_ward) % UNITS + 1
                rows.append(
                    {
                        "occurrence_id": tid,
                        "unit_id": unit,
                        "role": "lead",
                        "active": True,
                        "status": "not_started",
                        "extended_due": date(2026, 7, 15) if rng.random() < 0.02 else None,
                    }
                )
            if len(rows) >= CHUNK:
                await s.execute(sa.insert(Assignment), rows)
                rows = []
        if rows:
            await s.execute(sa.insert(Assignment), rows)


async def _time(db: Database, wards: list[int]) -> tuple[float, int]:
    """Mean ms per call over `wards` (after one warm-up call), and the extensions found."""
    found = 0
    async with db.read() as s:
        await extended_assignments(s, wards[0])
        times = []
        for w in wards:
            t0 = time.perf_counter()
            found += len(await extended_assignments(s, w))
            times.append((time.perf_counter() - t0) * 1000)
    return statistics.mean(times), found


async def run(url: str, wards: int, per_ward: int) -> None:
    if url.startswith("postgresql"):
        await _wipe(url)
    db = Database(url)
    try:
        await db.upgrade()
        t0 = time.perf_counter()
        await _fill(db, wards, per_ward)
        async with db.engine.begin() as conn:
            await conn.execute(sa.text("ANALYZE"))
        print(
            f"{db.dialect}: {wards} wards, {wards * per_ward} assignments (filled in {time.perf_counter() - t0:.1f} s)"
        )
        sample = random.Random(7).sample(range(1, wards + 1), min(SAMPLE, wards))
        with_index, found = await _time(db, sample)
        async with db.engine.begin() as conn:
            await conn.execute(sa.text("DROP INDEX ix_assignments_extended"))
            await conn.execute(sa.text("ANALYZE"))
        without, found_without = await _time(db, sample)
        assert found == found_without
        print(f"  extended_assignments without the index: {without:.3f} ms per ward (mean of {len(sample)})")
        print(f"  extended_assignments with ix_assignments_extended: {with_index:.3f} ms per ward")
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--wards", type=int, default=1000)
    parser.add_argument("--per-ward", type=int, default=440)
    parser.add_argument("--url", help="database URL (default: a new SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        asyncio.run(run(url, args.wards, args.per_ward))


if __name__ == "__main__":
    main()
