"""The daily planner: sync the plan into the database and insert the coming reminders.

Idempotent by construction — reminder rows carry a unique key and are inserted with
ON CONFLICT DO NOTHING — so running it every few minutes, from several workers, is safe.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.plan import Plan
from scheduler.reminders import plan_reminders
from scheduler.workcal import WorkingCalendar
from store.models import Assignment, Occurrence, Task, Unit
from store.outbox import insert_reminders, reminder_row
from store.queries import CLOSED
from store.sync import sync_plan


@dataclass
class PlanningResult:
    ward_id: int
    inserted: int
    changes: list[str] = field(default_factory=list)


def reminder_key(assignment_id: int, kind: str, seq: int) -> str:
    return f"a{assignment_id}:{kind}:{seq}"


async def plan_ward(
    session: AsyncSession,
    ward_key: str,
    plan: Plan,
    calendar: WorkingCalendar,
    now: datetime,
    *,
    ahead_days: int = 35,
    stale_after: timedelta = timedelta(hours=20),
) -> PlanningResult:
    if session.get_bind().dialect.name == "postgresql":
        # Several workers start and plan at once; planning one ward is serialised so two
        # first syncs cannot both create the same units and tasks.
        await session.execute(select(func.pg_advisory_xact_lock(zlib.crc32(ward_key.encode()))))
    today = calendar.local_date(now)
    end = today + timedelta(days=ahead_days)
    report = await sync_plan(session, ward_key, plan, end + timedelta(days=60), now)
    ward_id = report.ward_id

    rows = (
        await session.execute(
            select(Assignment.id, Assignment.status, Task.stt, Occurrence.key, Unit.code)
            .join(Occurrence, Assignment.occurrence_id == Occurrence.id)
            .join(Task, Occurrence.task_id == Task.id)
            .join(Unit, Assignment.unit_id == Unit.id)
            .where(Task.ward_id == ward_id, Task.active, Occurrence.active, Assignment.active, Unit.active)
        )
    ).all()
    assignments = {(stt, key, code): (aid, status) for aid, status, stt, key, code in rows}
    activated: dict[int, date] = {
        stt: due
        for stt, due in (
            await session.execute(
                select(Task.stt, Task.activated_due).where(Task.ward_id == ward_id, Task.activated_due.is_not(None))
            )
        ).all()
        if due is not None
    }

    # A reminder older than the catch-up window is never created: it could only be dropped.
    oldest = now - stale_after
    planned = plan_reminders(plan, calendar, calendar.local_date(oldest), end, activated)
    new_rows = []
    for r in planned:
        found = assignments.get((r.task_stt, r.occurrence_key, r.unit))
        if found is None or found[1] in CLOSED or r.at < oldest:
            continue
        new_rows.append(
            reminder_row(
                ward_id, reminder_key(found[0], r.kind, r.seq), r.kind, r.at, now, assignment_id=found[0], seq=r.seq
            )
        )
    inserted = await insert_reminders(session, new_rows)
    return PlanningResult(ward_id=ward_id, inserted=inserted, changes=report.changes)
