"""The plan sync writes new tasks, periods and assignments with Core INSERTs: the rows are
the ones the ORM wrote (the same columns, defaults included), on a first load and when an
edit adds to a ward already loaded."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.plan import Plan
from scheduler.planner import plan_rows
from scheduler.reminders import plan_occurrences
from store.db import Database
from store.enums import Status
from store.models import Assignment, Occurrence, Task, Unit, Ward
from store.sync import PlanRows, sync_plan
from tests.conftest import local
from tests.ward_rows import plan_tables, ward_rows

NOW = local("2026-06-22T07:00")


def _rows(plan: Plan) -> PlanRows:
    end = NOW.date() + timedelta(days=365)
    return plan_rows(plan, plan_occurrences(plan, end, {}), end)


async def _orm_load(s: AsyncSession, key: str, rows: PlanRows) -> None:
    """The rows of a first load written one ORM object at a time, as the sync did before."""
    ward = Ward(key=key, name=rows.ward_name, plan_code=rows.plan_code, coordinating_unit=rows.coordinating_unit)
    s.add(ward)
    await s.flush()
    units = {u.code: Unit(ward_id=ward.id, code=u.code, name=u.name, active=True) for u in rows.units}
    s.add_all(units.values())
    await s.flush()
    for spec in rows.tasks:
        task = Task(
            ward_id=ward.id,
            stt=spec.stt,
            uid=spec.uid or None,
            label=spec.name,
            section=spec.section,
            content=spec.content,
            product=spec.product,
            deadline_text=spec.deadline_text,
            deadline_kind=spec.deadline_kind,
            active=True,
        )
        s.add(task)
        await s.flush()
        for o in spec.occurrences:
            occ = Occurrence(task_id=task.id, key=o.key, start=o.start, due=o.due, checkin=o.checkin, active=True)
            s.add(occ)
            await s.flush()
            for code, role in spec.roles.items():
                s.add(
                    Assignment(
                        occurrence_id=occ.id, unit_id=units[code].id, role=role, active=True, status=Status.NOT_STARTED
                    )
                )
    await s.flush()


async def test_a_first_load_writes_the_rows_the_orm_wrote(db: Database, plan: Plan) -> None:
    rows = _rows(plan)
    async with db.session() as s, s.begin():
        report = await sync_plan(s, "core", rows, NOW)
        await _orm_load(s, "orm", rows)
    assert report.changes == []  # a first load lists no changes
    core, orm = plan_tables(await ward_rows(db, "core")), plan_tables(await ward_rows(db, "orm"))
    assert len(core["assignments"]) > 100
    assert core == orm


async def test_rows_added_to_a_loaded_ward_are_the_rows_the_orm_wrote(db: Database, plan: Plan) -> None:
    rows = _rows(plan)
    fewer = replace(rows, tasks=rows.tasks[: len(rows.tasks) // 2])
    async with db.session() as s, s.begin():
        await sync_plan(s, "core", fewer, NOW)
    async with db.session() as s, s.begin():
        report = await sync_plan(s, "core", rows, NOW)  # the other half arrives by an edit
        await _orm_load(s, "orm", rows)
    assert {c.kind for c in report.changes} == {"task_added"}
    assert plan_tables(await ward_rows(db, "core")) == plan_tables(await ward_rows(db, "orm"))
