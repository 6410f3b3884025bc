"""What the running database holds of a ward's plan, read for the plan comparison
(scheduler/plan/compare.py: `nhacviec check --against`, a reload, the desk's plan intake)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.enums import AssignmentRole
from store.models import Assignment, Occurrence, StatusReport, Task, Unit, Ward


@dataclass(frozen=True)
class RunningTask:
    id: int
    uid: str | None
    stt: int
    label: str
    content: str
    deadline_text: str
    active: bool
    leads: tuple[str, ...]  # unit codes leading its active periods
    reports: int  # status reports on it, every unit and period
    coordinates: tuple[str, ...] = ()  # unit codes coordinating its active periods


@dataclass(frozen=True)
class RunningPlan:
    ward_id: int
    tasks: list[RunningTask]
    confirmed: str | None  # the digest of the changes the office confirmed (wards.plan_confirmed)


async def running_plan(session: AsyncSession, ward_id: int | None) -> RunningPlan | None:
    """The ward's tasks as the database holds them, or None for a ward never loaded."""
    if ward_id is None:
        return None
    ward = (await session.execute(select(Ward.id, Ward.plan_confirmed).where(Ward.id == ward_id))).first()
    if ward is None:
        return None
    units: dict[tuple[int, str], set[str]] = {}
    unit_rows = await session.execute(
        select(Occurrence.task_id, Assignment.role, Unit.code)
        .join(Assignment, Assignment.occurrence_id == Occurrence.id)
        .join(Unit, Assignment.unit_id == Unit.id)
        .join(Task, Occurrence.task_id == Task.id)
        .where(
            Task.ward_id == ward_id,
            Occurrence.active,
            Assignment.active,
        )
        .distinct()
    )
    for task_id, role, code in unit_rows:
        units.setdefault((task_id, role), set()).add(code)
    report_rows = await session.execute(
        select(Occurrence.task_id, func.count(StatusReport.id))
        .join(Assignment, Assignment.occurrence_id == Occurrence.id)
        .join(StatusReport, StatusReport.assignment_id == Assignment.id)
        .join(Task, Occurrence.task_id == Task.id)
        .where(Task.ward_id == ward_id)
        .group_by(Occurrence.task_id)
    )
    reports: dict[int, int] = {task_id: n for task_id, n in report_rows}
    tasks = [
        RunningTask(
            t.id,
            t.uid,
            t.stt,
            t.label or str(t.stt),
            t.content,
            t.deadline_text,
            t.active,
            tuple(sorted(units.get((t.id, AssignmentRole.LEAD), ()))),
            reports.get(t.id, 0),
            tuple(sorted(units.get((t.id, AssignmentRole.COORDINATE), ()))),
        )
        for t in await session.scalars(select(Task).where(Task.ward_id == ward_id).order_by(Task.stt))
    ]
    return RunningPlan(ward_id, tasks, ward[1])


async def confirm_changes(session: AsyncSession, ward_id: int, digest: str) -> None:
    """The office confirmed these "same id, different work" changes: a reload showing exactly
    them goes ahead."""
    await session.execute(update(Ward).where(Ward.id == ward_id).values(plan_confirmed=digest))


async def confirmed_digest(session: AsyncSession, ward_id: int) -> str | None:
    return await session.scalar(select(Ward.plan_confirmed).where(Ward.id == ward_id))
