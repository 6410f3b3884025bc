"""A ward's rows by what they are (plan numbers, period keys, unit codes), not by their ids:
for tests that compare two ways of writing the same ward."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from store.db import Database
from store.models import Assignment, Occurrence, Reminder, Task, Unit, Ward

# The plan's own tables: what a sync writes (no ward row, no outbox).
PLAN_TABLES = ("units", "tasks", "occurrences", "assignments")


def _values(row: Any, skip: set[str]) -> tuple[Any, ...]:
    return tuple(getattr(row, c.key) for c in row.__table__.columns if c.key not in skip)


async def ward_rows(db: Database, key: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the ward, outbox included, by what it is (plan numbers, period keys, unit
    codes), not by its ids: a reminder's key names its assignment's id, given as its name."""
    async with db.session() as s:
        ward = await s.scalar(select(Ward).where(Ward.key == key))
        assert ward is not None
        tasks = {t.id: t for t in await s.scalars(select(Task).where(Task.ward_id == ward.id))}
        units = {u.id: u for u in await s.scalars(select(Unit).where(Unit.ward_id == ward.id))}
        occs = {o.id: o for o in await s.scalars(select(Occurrence).where(Occurrence.task_id.in_(tasks)))}
        assignments = {a.id: a for a in await s.scalars(select(Assignment).where(Assignment.occurrence_id.in_(occs)))}
        reminders = list(await s.scalars(select(Reminder).where(Reminder.ward_id == ward.id)))

    def name(aid: int | None) -> tuple[Any, ...]:
        if aid is None:
            return ()
        a = assignments[aid]
        return (tasks[occs[a.occurrence_id].task_id].stt, occs[a.occurrence_id].key, units[a.unit_id].code)

    return {
        "ward": [_values(ward, {"id", "key", "plan_fingerprint"})],
        "units": sorted(_values(u, {"id", "ward_id"}) for u in units.values()),
        "tasks": sorted(_values(t, {"id", "ward_id"}) for t in tasks.values()),
        "occurrences": sorted((tasks[o.task_id].stt, *_values(o, {"id", "task_id"})) for o in occs.values()),
        "assignments": sorted(
            (*name(a.id), *_values(a, {"id", "occurrence_id", "unit_id"})) for a in assignments.values()
        ),
        "reminders": sorted(
            (*name(r.assignment_id), r.key.split(":", 1)[1], *_values(r, {"id", "ward_id", "key", "assignment_id"}))
            for r in reminders
        ),
    }


def plan_tables(rows: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    return {name: rows[name] for name in PLAN_TABLES}
