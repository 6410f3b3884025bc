"""How long planning a year of reminders takes for many copies of a plan.

    python -m bench.plan_year [--copies 1000] [--year 2027]

Each copy is planned from scratch through the same pure functions the bot uses
(occurrences → slots → reminders); only the working calendar is shared, as in a real
deployment where one process serves many wards.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from datetime import date
from pathlib import Path

from scheduler.plan import load_plan
from scheduler.reminders import plan_reminders
from scheduler.workcal import load_calendar

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=1000)
    parser.add_argument("--year", type=int, default=2027)
    parser.add_argument("--memory", action="store_true", help="also trace peak memory (slower)")
    args = parser.parse_args()
    plan = load_plan(ROOT / "data" / "tasks.yaml")
    calendar = load_calendar(ROOT / "data" / "calendar.yaml")
    start, end = date(args.year, 1, 1), date(args.year, 12, 31)
    plan_reminders(plan, calendar, start, end)  # warm the holiday index once

    if args.memory:
        tracemalloc.start()
    t0 = time.perf_counter()
    total = 0
    for _ in range(args.copies):
        total += len(plan_reminders(plan, calendar, start, end))
    elapsed = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] if args.memory else 0
    tracemalloc.stop()
    print(f"copies={args.copies} year={args.year} reminders={total} ({total // args.copies} per copy)")
    print(
        f"elapsed={elapsed:.2f}s  per_copy={elapsed / args.copies * 1000:.2f}ms  "
        f"reminders_per_s={total / elapsed:,.0f}" + (f"  peak_traced_mem={peak / 1e6:.1f}MB" if args.memory else "")
    )


if __name__ == "__main__":
    main()
