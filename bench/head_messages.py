"""Messages each unit head receives on the seed plan in a year, before and after issue 11.

    python -m bench.head_messages [--year 2026] [--plan data/tasks.yaml]

Every unit head of the plan is linked; nobody answers (the most a head can receive).

- before: one message per reminder row, as the bot sent before grouping, with the seed
  plan's former nag policy (an overdue nag every 3 working days, `overdue_every_working_days: 3`).
  Counted from the pure planner, so it is a lower bound: the bot of then also ran one
  overdue series per open period in parallel, which today's planner no longer produces.
- rows now: one message per reminder row with today's policy (nags back off 3, 5, 10,
  then every 10 working days; one overdue series per task and unit), i.e. without grouping.
- after: what the real Dispatcher sends now — one message per person per moment — counted
  at a recording channel while a manual clock walks the year (planning weekly, 35 days
  ahead, as the bot does).

Escalations go to leadership, not to heads, and are not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from bot.actions.people import create_person
from bot.messages import DeliveryResult, OutboundMessage
from bot.texts.reminders import ReminderRenderer
from scheduler.clock import ManualClock
from scheduler.dispatcher import Dispatcher, DispatcherConfig
from scheduler.plan import Plan, load_plan
from scheduler.planner import plan_ward
from scheduler.reminders import plan_reminders
from scheduler.workcal import VN_ZONE, WorkingCalendar, load_calendar
from store.db import Database
from store.models import ChatIdentity, Reminder, UTCDateTime

ROOT = Path(__file__).resolve().parent.parent
OLD_NAGS = ("overdue_backoff_working_days: [3, 5, 10]", "overdue_every_working_days: 3")


class CountingChannel:
    name = "console"
    supports_buttons = True

    def __init__(self, calendar: WorkingCalendar, clock: ManualClock) -> None:
        self.calendar, self.clock = calendar, clock
        self.per_day: Counter[tuple[str, date]] = Counter()

    async def send(self, chat_id: str, message: OutboundMessage) -> DeliveryResult:
        self.per_day[(chat_id, self.calendar.local_date(self.clock.now()))] += 1
        return DeliveryResult(message_id=str(sum(self.per_day.values())))


def rows_per_day(plan: Plan, calendar: WorkingCalendar, year: int) -> Counter[tuple[str, date]]:
    """One message per reminder row to the unit's head, per (unit, local day)."""
    out: Counter[tuple[str, date]] = Counter()
    for r in plan_reminders(plan, calendar, date(year, 1, 1), date(year, 12, 31)):
        if r.kind != "escalate":
            out[(r.unit, calendar.local_date(r.at))] += 1
    return out


async def dispatched_per_day(plan: Plan, calendar: WorkingCalendar, year: int, url: str) -> Counter[tuple[str, date]]:
    start = datetime(year, 1, 1, tzinfo=VN_ZONE)
    end = datetime(year + 1, 1, 1, tzinfo=VN_ZONE)
    clock = ManualClock(start)
    db = Database(url)
    await db.upgrade()
    async with db.session() as s, s.begin():
        result = await plan_ward(s, "bench", plan, calendar, clock.now())
        for code in plan.units:
            person = await create_person(s, result.ward_id, f"Thủ trưởng {code}", "head", code, clock.now())
            s.add(ChatIdentity(person_id=person.id, channel="console", chat_id=code, linked_at=clock.now()))
    channel = CountingChannel(calendar, clock)
    dispatcher = Dispatcher(
        db=db,
        channels={"console": channel},
        renderer=ReminderRenderer(calendar, titles=lambda _ward, code, name: plan.head_title(code, name)),
        clock=clock,
        calendar=calendar,
        config=DispatcherConfig(worker="bench"),
    )
    next_plan = start + timedelta(days=7)
    while clock.now() < end:
        async with db.session() as s:
            due_at = await s.scalar(
                sa.select(sa.func.min(Reminder.next_attempt_at, type_=UTCDateTime)).where(Reminder.state == "pending")
            )
        if due_at is not None and due_at < next_plan and due_at < end:
            clock.current = max(due_at, clock.now())
            await dispatcher.tick()
            continue
        clock.current = min(next_plan, end)
        next_plan += timedelta(days=7)
        async with db.session() as s, s.begin():
            await plan_ward(s, "bench", plan, calendar, clock.now())
    await db.dispose()
    return channel.per_day


def per_unit(counts: Counter[tuple[str, date]], units: list[str]) -> dict[str, tuple[int, int, date | None]]:
    """Per unit: (busiest day's count, year total, busiest day)."""
    out = {}
    for code in units:
        days = {day: n for (unit, day), n in counts.items() if unit == code}
        busiest = max(days, key=lambda d: (days[d], -d.toordinal())) if days else None
        out[code] = (days[busiest] if busiest else 0, sum(days.values()), busiest)
    return out


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--plan", default=str(ROOT / "data" / "tasks.yaml"))
    args = parser.parse_args()
    text = Path(args.plan).read_text(encoding="utf-8")
    assert OLD_NAGS[0] in text, "the plan does not use the seed plan's back-off; cannot rebuild the old policy"
    folder = Path(tempfile.mkdtemp())
    old_path = folder / "old.yaml"
    old_path.write_text(text.replace(*OLD_NAGS), encoding="utf-8")
    plan, old = load_plan(args.plan), load_plan(old_path)
    calendar = load_calendar(ROOT / "data" / "calendar.yaml")
    units = list(plan.units)
    before = per_unit(rows_per_day(old, calendar, args.year), units)
    rows_now = per_unit(rows_per_day(plan, calendar, args.year), units)
    after = per_unit(
        await dispatched_per_day(plan, calendar, args.year, f"sqlite+aiosqlite:///{folder / 'b.db'}"), units
    )

    def day(d: date | None) -> str:
        return f"{d:%d/%m}" if d else "—"

    print(f"Seed plan {plan.code}, year {args.year}, every unit head linked, nobody answers.")
    print("| head | busiest day: before | rows now | after | year: before | rows now | after |")
    print("|---|---|---|---|---|---|---|")
    totals = [0, 0, 0]
    for code in units:
        b, r, a = before[code], rows_now[code], after[code]
        totals = [totals[0] + b[1], totals[1] + r[1], totals[2] + a[1]]
        print(
            f"| {plan.units[code].title} ({code}) | {b[0]} ({day(b[2])}) | {r[0]} ({day(r[2])}) | "
            f"{a[0]} ({day(a[2])}) | {b[1]} | {r[1]} | {a[1]} |"
        )
    print(f"| all heads | | | | {totals[0]} | {totals[1]} | {totals[2]} |")


if __name__ == "__main__":
    asyncio.run(main())
