"""Load a plan into the database idempotently, keeping every status already reported.

Editing the plan (a changed deadline, a new task, a removed unit) updates the rows in
place: removed things are deactivated, never deleted, so their history stays; future
reminders of an occurrence whose due day moved are dropped and planned again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.occurrences import expand
from scheduler.plan import Plan
from scheduler.plan import Task as TaskSpec
from store.models import Assignment, Occurrence, Reminder, Task, Unit, Ward

ROLE_WORDS = {"lead": "chủ trì", "coordinate": "phối hợp"}

Note = Callable[[str], None]


@dataclass
class SyncReport:
    ward_id: int
    changes: list[str] = field(default_factory=list)


async def sync_plan(session: AsyncSession, ward_key: str, plan: Plan, until: date, now: datetime) -> SyncReport:
    """Bring units, tasks, occurrences (up to `until`) and assignments in line with `plan`."""
    ward = await session.scalar(select(Ward).where(Ward.key == ward_key))
    first_load = ward is None
    if ward is None:
        ward = Ward(key=ward_key)
        session.add(ward)
    ward.name, ward.plan_code, ward.coordinating_unit = plan.ward, plan.code, plan.coordinating_unit
    await session.flush()
    report = SyncReport(ward_id=ward.id)
    # The first load is not a change worth listing line by line.
    note: Note = report.changes.append if not first_load else (lambda _: None)

    unit_ids = await _sync_units(session, ward.id, plan, note)
    tasks = await _sync_tasks(session, ward.id, plan, note)
    occurrences = await _sync_occurrences(session, plan, tasks, until)
    await _sync_assignments(session, plan, occurrences, unit_ids, note)
    await session.flush()
    return report


async def _sync_units(session: AsyncSession, ward_id: int, plan: Plan, note: Note) -> dict[str, int]:
    units = {u.code: u for u in await session.scalars(select(Unit).where(Unit.ward_id == ward_id))}
    for spec in plan.units.values():
        unit = units.get(spec.code)
        if unit is None:
            units[spec.code] = Unit(ward_id=ward_id, code=spec.code, name=spec.name, active=True)
            session.add(units[spec.code])
            note(f"Thêm đơn vị {spec.code} ({spec.name})")
        elif not unit.active or unit.name != spec.name:
            if not unit.active:
                note(f"Khôi phục đơn vị {spec.code}")
            unit.active, unit.name = True, spec.name
    for code, unit in units.items():
        if code not in plan.units and unit.active:
            unit.active = False
            note(f"Bỏ đơn vị {code} ({unit.name}); các báo cáo cũ vẫn được giữ")
    await session.flush()
    return {code: u.id for code, u in units.items()}


async def _sync_tasks(session: AsyncSession, ward_id: int, plan: Plan, note: Note) -> dict[int, Task]:
    tasks = {t.stt: t for t in await session.scalars(select(Task).where(Task.ward_id == ward_id))}
    for spec in plan.tasks:
        task = tasks.get(spec.stt)
        if task is None:
            tasks[spec.stt] = Task(
                ward_id=ward_id,
                stt=spec.stt,
                content=spec.content,
                product=spec.product,
                deadline_text=spec.deadline_text,
                deadline_kind=spec.rule.kind,
                active=True,
            )
            session.add(tasks[spec.stt])
            note(f"Thêm nhiệm vụ {spec.stt}: {spec.content[:60]}")
            continue
        if not task.active:
            task.active = True
            note(f"Khôi phục nhiệm vụ {spec.stt}")
        if task.deadline_text != spec.deadline_text:
            note(f'Nhiệm vụ {spec.stt}: thời hạn "{task.deadline_text}" → "{spec.deadline_text}"')
            task.deadline_text, task.deadline_kind = spec.deadline_text, spec.rule.kind
        if task.content != spec.content:
            note(f"Nhiệm vụ {spec.stt}: sửa nội dung")
            task.content = spec.content
        if task.product != spec.product:
            note(f"Nhiệm vụ {spec.stt}: sửa sản phẩm/kết quả")
            task.product = spec.product
    planned = {t.stt for t in plan.tasks}
    for stt, task in tasks.items():
        if stt not in planned and task.active:
            task.active = False
            note(f"Bỏ nhiệm vụ {stt}; các báo cáo cũ vẫn được giữ")
    await session.flush()
    return tasks


async def _sync_occurrences(
    session: AsyncSession, plan: Plan, tasks: dict[int, Task], until: date
) -> dict[int, list[Occurrence]]:
    """Per task stt, its active occurrences after the sync."""
    task_ids = [t.id for t in tasks.values()]
    by_task: dict[int, dict[str, Occurrence]] = {tid: {} for tid in task_ids}
    for occ in await session.scalars(select(Occurrence).where(Occurrence.task_id.in_(task_ids))):
        by_task[occ.task_id][occ.key] = occ
    result: dict[int, list[Occurrence]] = {}
    for spec in plan.tasks:
        task = tasks[spec.stt]
        rows = by_task[task.id]
        expected = expand(
            spec.rule,
            until=until,
            plan_start=plan.issued,
            checkin=spec.policy.checkin,
            activated_due=task.activated_due,
        )
        for want in expected:
            row = rows.get(want.key)
            if row is None:
                rows[want.key] = Occurrence(
                    task_id=task.id, key=want.key, start=want.start, due=want.due, checkin=want.checkin, active=True
                )
                session.add(rows[want.key])
            elif row.due != want.due or not row.active or row.checkin != want.checkin:
                if row.due != want.due:
                    await _drop_pending(session, row.id)
                row.due, row.start, row.checkin, row.active = want.due, want.start, want.checkin, True
        keys = {o.key for o in expected}
        for key, row in rows.items():
            # Future periods of a recurrence are simply not expanded yet; only retire the
            # occurrences the new wording no longer produces.
            if key not in keys and row.active and (row.start is None or row.start <= until):
                row.active = False
                await _drop_pending(session, row.id)
        result[spec.stt] = [r for r in rows.values() if r.active]
    await session.flush()
    return result


async def _sync_assignments(
    session: AsyncSession,
    plan: Plan,
    occurrences: dict[int, list[Occurrence]],
    unit_ids: dict[str, int],
    note: Note,
) -> None:
    occ_ids = [o.id for occs in occurrences.values() for o in occs]
    existing: dict[int, dict[int, Assignment]] = {oid: {} for oid in occ_ids}
    for a in await session.scalars(select(Assignment).where(Assignment.occurrence_id.in_(occ_ids))):
        existing[a.occurrence_id][a.unit_id] = a
    code_of = {uid: code for code, uid in unit_ids.items()}
    for spec in plan.tasks:
        wanted = _wanted_roles(spec)
        before: set[tuple[str, str]] = set()
        for occ in occurrences[spec.stt]:
            current = existing[occ.id]
            before |= {(code_of[a.unit_id], a.role) for a in current.values() if a.active}
            for code, role in wanted.items():
                found = current.get(unit_ids[code])
                if found is None:
                    session.add(
                        Assignment(
                            occurrence_id=occ.id, unit_id=unit_ids[code], role=role, active=True, status="not_started"
                        )
                    )
                elif found.role != role or not found.active:
                    found.role, found.active = role, True
            for uid, a in current.items():
                if code_of[uid] not in wanted and a.active:
                    a.active = False
        after = set(wanted.items())
        if before and before != after:
            for code, role in sorted(after - before):
                note(f"Nhiệm vụ {spec.stt}: {code} là đơn vị {ROLE_WORDS[role]}")
            for code in sorted({c for c, _ in before - after} - set(wanted)):
                note(f"Nhiệm vụ {spec.stt}: bỏ đơn vị {code}")


def _wanted_roles(spec: TaskSpec) -> dict[str, str]:
    return {code: "lead" for code in spec.lead} | {code: "coordinate" for code in spec.coordinate}


async def _drop_pending(session: AsyncSession, occurrence_id: int) -> None:
    """Forget unsent reminders of an occurrence whose due day moved; the planner re-adds them."""
    assignment_ids = select(Assignment.id).where(Assignment.occurrence_id == occurrence_id)
    pending = (Reminder.assignment_id.in_(assignment_ids), Reminder.state == "pending")
    # Rows already tried keep their attempts as history; untried rows simply go.
    await session.execute(
        update(Reminder)
        .where(*pending, Reminder.attempts > 0)
        .values(state="skipped", last_error="thời hạn đã thay đổi")
    )
    await session.execute(delete(Reminder).where(*pending, Reminder.attempts == 0))
