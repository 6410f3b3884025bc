"""Load a plan into the database idempotently, keeping every status already reported.

The plan arrives as plain rows (`PlanRows`): the scheduler has already resolved units and
expanded each task's occurrences, so this module knows tables, not deadline wording.
Editing the plan (a changed deadline, a new task, a removed unit) updates the rows in
place: removed things are deactivated, never deleted, so their history stays; future
reminders of an occurrence whose due day moved are dropped and planned again. What
changed is returned as `Change` records; the words for them are made in `bot/`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store import progress
from store.enums import AssignmentRole, DeadlineKind, ReminderKind, ReminderState, Status
from store.models import Assignment, Occurrence, Reminder, Task, Unit, Ward
from store.sql import count_insert_or_ignore
from store.task_match import HeldTask, WantedTask, match_tasks


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str


@dataclass(frozen=True)
class OccurrenceRow:
    key: str
    due: date
    start: date | None = None
    checkin: bool = False


@dataclass(frozen=True)
class TaskRow:
    stt: int
    content: str
    product: str
    deadline_text: str
    deadline_kind: DeadlineKind
    roles: dict[str, AssignmentRole]  # unit code → its role in the task
    occurrences: list[OccurrenceRow]
    horizon: date  # occurrences starting later are simply not expanded yet
    label: str = ""  # how people name the task ("II.3"); the STT in a plan without sections
    section: str | None = None
    uid: str = ""  # the task's id (scheduler.plan.ids): what finds its row, whatever its number
    uid_written: bool = True  # False: derived from the words, so close words find it too

    @property
    def name(self) -> str:
        return self.label or str(self.stt)

    @property
    def wanted(self) -> WantedTask:
        return WantedTask(self.uid, self.stt, self.content, self.uid_written)


@dataclass(frozen=True)
class PlanRows:
    ward_name: str
    plan_code: str
    coordinating_unit: str
    units: list[UnitRow]
    tasks: list[TaskRow]


class ChangeKind(StrEnum):
    UNIT_ADDED = "unit_added"
    UNIT_RESTORED = "unit_restored"
    UNIT_REMOVED = "unit_removed"
    TASK_ADDED = "task_added"
    TASK_RESTORED = "task_restored"
    TASK_REMOVED = "task_removed"
    DEADLINE_CHANGED = "deadline_changed"
    CONTENT_CHANGED = "content_changed"
    PRODUCT_CHANGED = "product_changed"
    LABEL_CHANGED = "label_changed"
    ROLE_SET = "role_set"
    ROLE_REMOVED = "role_removed"


@dataclass(frozen=True)
class Change:
    """One thing a plan edit changed. `subject` is a unit code or a task's label ("3",
    "II.3"); `old` and `new` carry what the change needs (a name, a deadline before and
    after, a label, a role)."""

    kind: ChangeKind
    subject: str
    old: str = ""
    new: str = ""


@dataclass
class SyncReport:
    ward_id: int
    changes: list[Change] = field(default_factory=list)
    # The ward held no task before: every period and assignment is this transaction's own,
    # so no other transaction holds an outbox row for any of them.
    first_load: bool = False


Note = Callable[[Change], None]


async def activated_dates(
    session: AsyncSession, ward_key: str, tasks: Sequence[WantedTask] | None = None
) -> dict[int, date]:
    """Per task number, the date the office gave a conditional task (/activate). Read before
    the sync renumbers anything: with the plan's `tasks`, each date goes to the number its
    task has in the plan (store/task_match.py), not the number its row had."""
    stmt = (
        select(Task.id, Task.uid, Task.stt, Task.content, Task.active, Task.activated_due)
        .join(Ward, Ward.id == Task.ward_id)
        .where(Ward.key == ward_key)
    )
    rows = (await session.execute(stmt)).all()
    if tasks is None:
        return {r.stt: r.activated_due for r in rows if r.activated_due is not None and r.active}
    due = {r.id: r.activated_due for r in rows}
    found = match_tasks(tasks, [HeldTask(r.id, r.uid, r.stt, r.content, r.active) for r in rows])
    return {tasks[i].stt: due[hid] for i, (hid, _) in found.items() if due[hid] is not None}


async def sync_plan(session: AsyncSession, ward_key: str, plan: PlanRows, now: datetime) -> SyncReport:
    """Bring units, tasks, occurrences and assignments in line with `plan`."""
    ward = await session.scalar(select(Ward).where(Ward.key == ward_key))
    # A ward row made before its first sync (served first, planned later: bot/app/service.py)
    # holds no task yet: that sync is still the first load.
    first_load = ward is None or await session.scalar(select(Task.id).where(Task.ward_id == ward.id).limit(1)) is None
    # A ward without a row holds nothing yet: none of its rows is read.
    held = ward is not None
    if ward is None:
        ward = Ward(key=ward_key)
        session.add(ward)
    ward.name, ward.plan_code, ward.coordinating_unit = plan.ward_name, plan.plan_code, plan.coordinating_unit
    await session.flush()
    report = SyncReport(ward_id=ward.id, first_load=first_load)
    # The first load is not a change worth listing line by line.
    note: Note = report.changes.append if not first_load else (lambda _: None)

    unit_ids = await _sync_units(session, ward.id, plan.units, note, held=held)
    tasks, new_tasks = await _sync_tasks(session, ward.id, plan.tasks, note, held=held)
    periods = await _sync_occurrences(session, plan.tasks, tasks, new_tasks)
    await _sync_assignments(session, plan.tasks, periods, unit_ids, note)
    await session.flush()
    return report


async def _sync_units(
    session: AsyncSession, ward_id: int, wanted: list[UnitRow], note: Note, *, held: bool
) -> dict[str, int]:
    units = {u.code: u for u in await session.scalars(select(Unit).where(Unit.ward_id == ward_id))} if held else {}
    for spec in wanted:
        unit = units.get(spec.code)
        if unit is None:
            units[spec.code] = Unit(ward_id=ward_id, code=spec.code, name=spec.name, active=True)
            session.add(units[spec.code])
            note(Change(ChangeKind.UNIT_ADDED, spec.code, new=spec.name))
        elif not unit.active or unit.name != spec.name:
            if not unit.active:
                note(Change(ChangeKind.UNIT_RESTORED, spec.code, new=spec.name))
            unit.active, unit.name = True, spec.name
    codes = {u.code for u in wanted}
    for code, unit in units.items():
        if code not in codes and unit.active:
            unit.active = False
            note(Change(ChangeKind.UNIT_REMOVED, code, old=unit.name))
    await session.flush()
    return {code: u.id for code, u in units.items()}


async def _sync_tasks(
    session: AsyncSession, ward_id: int, wanted: list[TaskRow], note: Note, *, held: bool
) -> tuple[dict[int, Task], set[int]]:
    """Per task number of the plan, its row: found by id (store/task_match.py), so an insert,
    a renumbering or a reordering moves no report; the number follows the plan. With the ids
    of the rows inserted (they hold no period yet)."""
    rows = list(await session.scalars(select(Task).where(Task.ward_id == ward_id))) if held else []
    matched = await _align(session, rows, wanted)
    tasks: dict[int, Task] = {}
    # New rows go in with one Core INSERT and are read back: ORM flushes of a first load
    # (a ward's tasks, periods and assignments) were 89% of its planning.
    added: list[dict[str, Any]] = []
    for i, spec in enumerate(wanted):
        subject = spec.name
        task = matched.get(i)
        if task is None:
            added.append(
                {
                    "ward_id": ward_id,
                    "stt": spec.stt,
                    "uid": spec.uid or None,
                    "label": spec.name,
                    "section": spec.section,
                    "content": spec.content,
                    "product": spec.product,
                    "deadline_text": spec.deadline_text,
                    "deadline_kind": spec.deadline_kind,
                    "active": True,
                }
            )
            note(Change(ChangeKind.TASK_ADDED, subject, new=spec.content))
            continue
        tasks[spec.stt] = task
        task.stt, task.uid = spec.stt, spec.uid or task.uid
        if not task.active:
            task.active = True
            note(Change(ChangeKind.TASK_RESTORED, subject))
        if task.label != spec.name:
            # Rows written before labels existed get theirs silently; a renumbered plan is news.
            if task.label is not None:
                note(Change(ChangeKind.LABEL_CHANGED, subject, old=task.label, new=spec.name))
            task.label = spec.name
        task.section = spec.section
        if task.deadline_text != spec.deadline_text:
            note(Change(ChangeKind.DEADLINE_CHANGED, subject, old=task.deadline_text, new=spec.deadline_text))
            task.deadline_text, task.deadline_kind = spec.deadline_text, spec.deadline_kind
        if task.content != spec.content:
            note(Change(ChangeKind.CONTENT_CHANGED, subject, old=task.content, new=spec.content))
            task.content = spec.content
        if task.product != spec.product:
            note(Change(ChangeKind.PRODUCT_CHANGED, subject, old=task.product, new=spec.product))
            task.product = spec.product
    kept = {t.id for t in matched.values()}
    new: set[int] = set()
    for task in rows:
        if task.id not in kept and task.active:
            task.active = False
            note(Change(ChangeKind.TASK_REMOVED, task.label or str(task.stt)))
    await session.flush()
    if added:
        await count_insert_or_ignore(session, Task, added, ("ward_id", "stt"))
        new_stts = [row["stt"] for row in added]
        for task in await session.scalars(select(Task).where(Task.ward_id == ward_id, Task.stt.in_(new_stts))):
            tasks[task.stt] = task
            new.add(task.id)
    return tasks, new


async def _align(session: AsyncSession, rows: list[Task], wanted: list[TaskRow]) -> dict[int, Task]:
    """Position in `wanted` → its row. Rows whose number or id changes, and rows the plan no
    longer has, first step aside (number -id, id NULL) so that no unique key of the ward is
    held twice while a renumbering is written; the caller then gives each its new number."""
    by_id = {t.id: t for t in rows}
    found = match_tasks([w.wanted for w in wanted], [HeldTask(t.id, t.uid, t.stt, t.content, t.active) for t in rows])
    matched = {i: by_id[hid] for i, (hid, _) in found.items()}
    kept = {t.id for t in matched.values()}
    moved = False
    for i, task in matched.items():
        spec = wanted[i]
        if task.stt != spec.stt or (spec.uid and task.uid != spec.uid):
            task.stt, moved = -task.id, True
            if spec.uid and task.uid != spec.uid:
                task.uid = None
    for task in rows:
        # A task the plan no longer has parks its number: the number may be another task's now.
        if task.id not in kept and task.stt > 0:
            task.stt, moved = -task.id, True
    if moved:
        await session.flush()
    return matched


@dataclass(frozen=True)
class _Periods:
    """The active occurrences after the sync, per task stt, by id; `new`: those the sync
    inserted, which hold no assignment yet (none is read for them)."""

    active: dict[int, list[int]]
    new: set[int]


async def _sync_occurrences(
    session: AsyncSession, wanted: list[TaskRow], tasks: dict[int, Task], new_tasks: set[int]
) -> _Periods:
    by_task: dict[int, dict[str, Occurrence]] = {t.id: {} for t in tasks.values()}
    held = [tid for tid in by_task if tid not in new_tasks]
    if held:
        for occ in await session.scalars(select(Occurrence).where(Occurrence.task_id.in_(held))):
            by_task[occ.task_id][occ.key] = occ
    flipped: list[int] = []
    added: list[dict[str, Any]] = []
    for spec in wanted:
        task = tasks[spec.stt]
        rows = by_task[task.id]
        for want in spec.occurrences:
            row = rows.get(want.key)
            if row is None:
                added.append(
                    {
                        "task_id": task.id,
                        "key": want.key,
                        "start": want.start,
                        "due": want.due,
                        "checkin": want.checkin,
                        "active": True,
                    }
                )
            elif row.due != want.due or not row.active or row.checkin != want.checkin:
                if row.due != want.due:
                    await _drop_pending(session, row.id)
                if row.checkin != want.checkin:
                    flipped.append(row.id)
                row.due, row.start, row.checkin, row.active = want.due, want.start, want.checkin, True
        keys = {o.key for o in spec.occurrences}
        for key, row in rows.items():
            # Future periods of a recurrence are simply not expanded yet; only retire the
            # occurrences the new wording no longer produces.
            if key not in keys and row.active and (row.start is None or row.start <= spec.horizon):
                row.active = False
                await _drop_pending(session, row.id)
    active = {task_id: [r.id for r in rows.values() if r.active] for task_id, rows in by_task.items()}
    new: set[int] = set()
    if added:
        await session.flush()
        await count_insert_or_ignore(session, Occurrence, added, ("task_id", "key"))
        new_keys = {(row["task_id"], row["key"]) for row in added}
        # Read back as plain ids: only their ids are needed, not ORM objects (a first load's
        # 176 periods a ward).
        stmt = select(Occurrence.id, Occurrence.task_id, Occurrence.key).where(
            Occurrence.task_id.in_(sorted({tid for tid, _ in new_keys}))
        )
        for oid, task_id, key in (await session.execute(stmt)).all():
            if (task_id, key) in new_keys:
                active[task_id].append(oid)
                new.add(oid)
    if flipped:
        # Which statuses complete the occurrence changed ("đang làm" completes a check-in,
        # not a deadline): its assignments' completing runs are read again.
        await session.flush()
        ids = await session.scalars(select(Assignment.id).where(Assignment.occurrence_id.in_(flipped)))
        await progress.rebuild_now(session, list(ids))
    await session.flush()
    return _Periods({spec.stt: active[tasks[spec.stt].id] for spec in wanted}, new)


async def _sync_assignments(
    session: AsyncSession,
    wanted: list[TaskRow],
    periods: _Periods,
    unit_ids: dict[str, int],
    note: Note,
) -> None:
    held = [oid for oids in periods.active.values() for oid in oids if oid not in periods.new]
    existing: dict[int, dict[int, Assignment]] = {oid: {} for oids in periods.active.values() for oid in oids}
    if held:
        for a in await session.scalars(select(Assignment).where(Assignment.occurrence_id.in_(held))):
            existing[a.occurrence_id][a.unit_id] = a
    code_of = {uid: code for code, uid in unit_ids.items()}
    added: list[dict[str, Any]] = []
    for spec in wanted:
        roles = spec.roles
        before: set[tuple[str, str]] = set()
        for oid in periods.active[spec.stt]:
            current = existing[oid]
            before |= {(code_of[a.unit_id], a.role) for a in current.values() if a.active}
            for code, role in roles.items():
                found = current.get(unit_ids[code])
                if found is None:
                    added.append(
                        {
                            "occurrence_id": oid,
                            "unit_id": unit_ids[code],
                            "role": role,
                            "active": True,
                            "status": Status.NOT_STARTED,
                        }
                    )
                elif found.role != role or not found.active:
                    found.role, found.active = role, True
            for uid, a in current.items():
                if code_of[uid] not in roles and a.active:
                    a.active = False
        after = set(roles.items())
        if before and before != after:
            for code, role in sorted(after - before):
                note(Change(ChangeKind.ROLE_SET, spec.name, old=code, new=AssignmentRole(role)))
            for code in sorted({c for c, _ in before - after} - set(roles)):
                note(Change(ChangeKind.ROLE_REMOVED, spec.name, old=code))
    if added:
        await session.flush()
        await count_insert_or_ignore(session, Assignment, added, ("occurrence_id", "unit_id"))


async def _drop_pending(session: AsyncSession, occurrence_id: int) -> None:
    """Forget unsent reminders of an occurrence whose due day moved; the planner re-adds them."""
    assignment_ids = select(Assignment.id).where(Assignment.occurrence_id == occurrence_id)
    pending = (Reminder.assignment_id.in_(assignment_ids), Reminder.state == ReminderState.PENDING)
    # Rows already tried keep their attempts as history; untried rows simply go.
    await session.execute(
        update(Reminder)
        .where(*pending, Reminder.attempts > 0)
        .values(state=ReminderState.SKIPPED, last_error="thời hạn đã thay đổi")
    )
    await session.execute(delete(Reminder).where(*pending, Reminder.attempts == 0))


@dataclass(frozen=True)
class PlannedMark:
    """What a ward's last planning left to compare the next one with."""

    ward_id: int
    fingerprint: str | None  # its inputs and the database state it left; None: never planned
    window: str | None  # the days it covered, "first..end" (scheduler/planner.py)


async def planned_fingerprint(session: AsyncSession, ward_key: str) -> PlannedMark | None:
    """The mark of the ward's last planning, or None for a ward without a row."""
    stmt = select(Ward.id, Ward.plan_fingerprint, Ward.planned_window).where(Ward.key == ward_key)
    row = (await session.execute(stmt)).first()
    return PlannedMark(row[0], row[1], row[2]) if row else None


async def set_planned_fingerprint(session: AsyncSession, ward_id: int, fingerprint: str, window: str) -> None:
    stmt = update(Ward).where(Ward.id == ward_id).values(plan_fingerprint=fingerprint, planned_window=window)
    await session.execute(stmt)


async def add_periods(session: AsyncSession, ward_id: int, tasks: list[TaskRow], since: dict[int, date]) -> bool:
    """The daily advance's sync: the periods that entered each task's horizon since the last
    sync of the same plan (`tasks` carry only those; `since`: per task number, that sync's
    horizon), inserted with their assignments, without comparing the rest of the plan.

    Only when the rows are as that sync left them: no occurrence of the ward's tasks already
    starts after its old horizon and by its new one (the full sync would compare or retire
    it), every task and unit is there. Otherwise nothing is written and False tells the
    caller to sync in full."""
    if not tasks:
        return True
    beyond = (
        select(Task.id, Task.stt, Occurrence.start)
        .outerjoin(Occurrence, (Occurrence.task_id == Task.id) & (Occurrence.start > min(since.values())))
        .where(Task.ward_id == ward_id, Task.active)
    )
    task_ids: dict[int, int] = {}
    by_stt = {t.stt: t for t in tasks}
    for task_id, stt, start in (await session.execute(beyond)).all():
        task_ids[stt] = task_id
        spec = by_stt.get(stt)
        if spec is None or stt not in since:
            return False
        if start is not None and since[stt] < start <= spec.horizon:
            return False
    if set(task_ids) != set(by_stt):
        return False
    wanted = [(spec, o) for spec in tasks for o in spec.occurrences]
    if not wanted:
        return True
    units = (await session.execute(select(Unit.code, Unit.id).where(Unit.ward_id == ward_id, Unit.active))).all()
    unit_ids = dict(units)
    if any(code not in unit_ids for spec, _ in wanted for code in spec.roles):
        return False
    await count_insert_or_ignore(
        session,
        Occurrence,
        [
            {
                "task_id": task_ids[spec.stt],
                "key": o.key,
                "start": o.start,
                "due": o.due,
                "checkin": o.checkin,
                "active": True,
            }
            for spec, o in wanted
        ],
        ("task_id", "key"),
    )
    added = {(task_ids[spec.stt], o.key): spec for spec, o in wanted}
    stmt = select(Occurrence.id, Occurrence.task_id, Occurrence.key).where(
        Occurrence.task_id.in_(sorted({tid for tid, _ in added})), Occurrence.key.in_(sorted({k for _, k in added}))
    )
    assignments = [
        {
            "occurrence_id": oid,
            "unit_id": unit_ids[code],
            "role": role,
            "active": True,
            "status": Status.NOT_STARTED,
        }
        for oid, tid, key in (await session.execute(stmt)).all()
        if (tid, key) in added
        for code, role in added[(tid, key)].roles.items()
    ]
    await count_insert_or_ignore(session, Assignment, assignments, ("occurrence_id", "unit_id"))
    return True


# (task stt, occurrence key, unit code): how planning names an assignment.
AssignmentKey = tuple[int, str, str]


@dataclass(frozen=True)
class PlanningState:
    """What planning reads from the database besides the plan, reduced to a digest: the
    activated dates of conditional tasks, every active assignment with its status (and its
    task, period and unit still active), and the outbox rows that hold back an escalation.
    Planning itself changes the last two (new periods, queued escalations), so the digest to
    keep is the one taken after planning. The rows read are kept too: planning works from
    them without reading them again."""

    digest: str
    blocked: int  # active assignments reported blocked: their office notice falls due with time
    activated: dict[int, date] = field(default_factory=dict)  # active task's number → its date
    # Active assignments → (id, status): how planned reminders find the row they belong to.
    assignments: dict[AssignmentKey, tuple[int, str]] = field(default_factory=dict)
    extended: dict[AssignmentKey, date] = field(default_factory=dict)  # → approved extended day
    rows_hashed: Any = field(default_factory=hashlib.sha256)  # the digest's hash before the escalations


async def planning_state(session: AsyncSession, ward_id: int, *, escalations: bool = True) -> PlanningState:
    """The planning state read now; without `escalations`, its digest is left empty, for the
    caller to take with `state_with_escalations` once it has queued its rows (one read of
    the escalations instead of one before and one after)."""
    h = hashlib.sha256()
    activated = await session.execute(
        select(Task.stt, Task.activated_due, Task.active)
        .where(Task.ward_id == ward_id, Task.activated_due.is_not(None))
        .order_by(Task.stt)
    )
    rows = activated.all()
    h.update(repr([(stt, due) for stt, due, _ in rows]).encode())
    assignments = await session.execute(
        # Extensions move an assignment's reminders; a review (a return, a refused decline)
        # reopens it: both are planning inputs like the status.
        select(
            Assignment.id,
            Assignment.status,
            Assignment.extended_due,
            Assignment.review,
            Task.stt,
            Occurrence.key,
            Unit.code,
        )
        .join(Occurrence, Assignment.occurrence_id == Occurrence.id)
        .join(Task, Occurrence.task_id == Task.id)
        .join(Unit, Assignment.unit_id == Unit.id)
        .where(Task.ward_id == ward_id, Task.active, Occurrence.active, Assignment.active, Unit.active)
        .order_by(Assignment.id)
    )
    state = PlanningState("", 0, {stt: due for stt, due, active in rows if active and due is not None})
    blocked = 0
    for aid, status, extended_due, review, stt, key, code in assignments.all():
        h.update(f"{aid}:{status}:{extended_due}:{review};".encode())
        blocked += status == Status.BLOCKED
        state.assignments[(stt, key, code)] = (aid, status)
        if extended_due is not None:
            state.extended[(stt, key, code)] = extended_due
    state = replace(state, blocked=blocked, rows_hashed=h)
    if not escalations:
        return state
    return replace(state, digest=await state_with_escalations(session, ward_id, state))


async def state_with_escalations(session: AsyncSession, ward_id: int, state: PlanningState) -> str:
    """`state`'s digest with the escalations held read again: what queuing reminders changes
    of it (the assignments hashed before are left as they were read)."""
    escalations = await session.execute(
        select(Reminder.state, func.count())
        .where(Reminder.ward_id == ward_id, Reminder.kind == ReminderKind.ESCALATE)
        .group_by(Reminder.state)
        .order_by(Reminder.state)
    )
    h = state.rows_hashed.copy()
    h.update(repr(escalations.all()).encode())
    return h.hexdigest()
