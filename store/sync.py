"""Load a plan into the database idempotently, keeping every status already reported.

Editing the plan (a changed deadline, a new task, a removed unit) updates the rows in
place: removed things are deactivated, never deleted, so their history stays; future
reminders of an occurrence whose due day moved are dropped and planned again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.occurrences import expand
from scheduler.plan import Plan
from store.models import Assignment, Occurrence, Reminder, Task, Unit, Ward

ROLE_WORDS = {"lead": "chủ trì", "coordinate": "phối hợp"}


@dataclass
class SyncReport:
    ward_id: int
    changes: list[str] = field(default_factory=list)


async def ward_id_for(session: AsyncSession, key: str) -> int | None:
    return await session.scalar(select(Ward.id).where(Ward.key == key))


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
    note = report.changes.append if not first_load else (lambda _: None)

    units = {u.code: u for u in await session.scalars(select(Unit).where(Unit.ward_id == ward.id))}
    for spec in plan.units.values():
        row = units.get(spec.code)
        if row is None:
            row = units[spec.code] = Unit(ward_id=ward.id, code=spec.code, name=spec.name, active=True)
            session.add(row)
            note(f"Thêm đơn vị {spec.code} ({spec.name})")
        elif not row.active or row.name != spec.name:
            if not row.active:
                note(f"Khôi phục đơn vị {spec.code}")
            row.active, row.name = True, spec.name
    for code, row in units.items():
        if code not in plan.units and row.active:
            row.active = False
            note(f"Bỏ đơn vị {code} ({row.name}); các báo cáo cũ vẫn được giữ")
    await session.flush()
    unit_ids = {code: u.id for code, u in units.items()}

    tasks = {t.stt: t for t in await session.scalars(select(Task).where(Task.ward_id == ward.id))}
    for spec in plan.tasks:
        row = tasks.get(spec.stt)
        if row is None:
            row = tasks[spec.stt] = Task(
                ward_id=ward.id, stt=spec.stt, content=spec.content, product=spec.product,
                deadline_text=spec.deadline_text, deadline_kind=spec.rule.kind, active=True,
            )
            session.add(row)
            note(f"Thêm nhiệm vụ {spec.stt}: {spec.content[:60]}")
            continue
        if not row.active:
            row.active = True
            note(f"Khôi phục nhiệm vụ {spec.stt}")
        if row.deadline_text != spec.deadline_text:
            note(f'Nhiệm vụ {spec.stt}: thời hạn "{row.deadline_text}" → "{spec.deadline_text}"')
            row.deadline_text, row.deadline_kind = spec.deadline_text, spec.rule.kind
        if row.content != spec.content:
            note(f"Nhiệm vụ {spec.stt}: sửa nội dung")
            row.content = spec.content
        if row.product != spec.product:
            note(f"Nhiệm vụ {spec.stt}: sửa sản phẩm/kết quả")
            row.product = spec.product
    planned_stts = {t.stt for t in plan.tasks}
    for stt, row in tasks.items():
        if stt not in planned_stts and row.active:
            row.active = False
            note(f"Bỏ nhiệm vụ {stt}; các báo cáo cũ vẫn được giữ")
    await session.flush()

    for spec in plan.tasks:
        task_row = tasks[spec.stt]
        expected = expand(spec.rule, until=until, plan_start=plan.issued, checkin=spec.policy.checkin,
                          activated_due=task_row.activated_due)
        occ_rows = {o.key: o for o in await session.scalars(select(Occurrence).where(Occurrence.task_id == task_row.id))}
        expected_keys = {o.key for o in expected}
        for occ in expected:
            row = occ_rows.get(occ.key)
            if row is None:
                row = occ_rows[occ.key] = Occurrence(task_id=task_row.id, key=occ.key, start=occ.start,
                                                     due=occ.due, checkin=occ.checkin, active=True)
                session.add(row)
            elif row.due != occ.due or not row.active or row.checkin != occ.checkin:
                if row.due != occ.due:
                    await _drop_pending(session, row.id)
                row.due, row.start, row.checkin, row.active = occ.due, occ.start, occ.checkin, True
        for key, row in occ_rows.items():
            # Future periods of a recurrence are simply not expanded yet; only retire the
            # occurrences the new wording no longer produces.
            if key not in expected_keys and row.active and (row.start is None or row.start <= until):
                row.active = False
                await _drop_pending(session, row.id)
        await session.flush()

        wanted = {code: "lead" for code in spec.lead} | {code: "coordinate" for code in spec.coordinate}
        before_units: set[tuple[str, str]] = set()
        code_of = {uid: code for code, uid in unit_ids.items()}
        for key, occ_row in occ_rows.items():
            if not occ_row.active:
                continue
            existing = {a.unit_id: a for a in await session.scalars(
                select(Assignment).where(Assignment.occurrence_id == occ_row.id))}
            before_units |= {(code_of[a.unit_id], a.role) for a in existing.values() if a.active}
            for code, role in wanted.items():
                uid = unit_ids[code]
                a = existing.get(uid)
                if a is None:
                    session.add(Assignment(occurrence_id=occ_row.id, unit_id=uid, role=role, active=True,
                                           status="not_started"))
                elif a.role != role or not a.active:
                    a.role, a.active = role, True
            for uid, a in existing.items():
                if code_of[uid] not in wanted and a.active:
                    a.active = False
        after_units = set(wanted.items())
        if before_units and before_units != after_units:
            for code, role in sorted(after_units - before_units):
                note(f"Nhiệm vụ {spec.stt}: {code} là đơn vị {ROLE_WORDS[role]}")
            for code, role in sorted(before_units - after_units):
                if code not in wanted:
                    note(f"Nhiệm vụ {spec.stt}: bỏ đơn vị {code}")
    await session.flush()
    return report


async def _drop_pending(session: AsyncSession, occurrence_id: int) -> None:
    """Forget unsent reminders of an occurrence whose due day moved; the planner re-adds them."""
    assignment_ids = select(Assignment.id).where(Assignment.occurrence_id == occurrence_id)
    pending = (Reminder.assignment_id.in_(assignment_ids), Reminder.state == "pending")
    # Rows already tried keep their attempts as history; untried rows simply go.
    await session.execute(
        update(Reminder).where(*pending, Reminder.attempts > 0)
        .values(state="skipped", last_error="thời hạn đã thay đổi")
    )
    await session.execute(delete(Reminder).where(*pending, Reminder.attempts == 0))
