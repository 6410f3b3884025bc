"""Extensions of a unit's deadline: the requests, the office's answer, and the approved
day that reminders and the standing follow (`assignments.extended_due`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.enums import ExtensionState, ReminderKind, ReminderState
from store.models import Assignment, ExtensionRequest, Occurrence, Person, Reminder, Task, Unit

# The reminder kinds that count towards a deadline; an extension re-plans exactly these.
DEADLINE_KINDS = (ReminderKind.BEFORE, ReminderKind.DUE, ReminderKind.OVERDUE, ReminderKind.ESCALATE)


@dataclass(frozen=True)
class PendingExtension:
    request: ExtensionRequest
    task_stt: int
    task_label: str
    unit_id: int
    unit_code: str
    unit_name: str
    requester: str  # the person's name ("" when unknown)


async def request_extension(
    session: AsyncSession,
    ward_id: int,
    assignment_id: int,
    person_id: int | None,
    inbound_id: int | None,
    previous_due: date,
    new_due: date,
    reason: str,
    now: datetime,
) -> tuple[ExtensionRequest, list[ExtensionRequest]]:
    """Record a request; an earlier pending one of the same assignment is replaced.
    Returns the new request and the ones it replaced."""
    replaced = list(
        await session.scalars(
            select(ExtensionRequest).where(
                ExtensionRequest.assignment_id == assignment_id,
                ExtensionRequest.state == ExtensionState.PENDING,
            )
        )
    )
    for old in replaced:
        old.state, old.decided_at = ExtensionState.REPLACED, now
    request = ExtensionRequest(
        ward_id=ward_id,
        assignment_id=assignment_id,
        person_id=person_id,
        inbound_id=inbound_id,
        previous_due=previous_due,
        new_due=new_due,
        reason=reason,
        state=ExtensionState.PENDING,
        requested_at=now,
    )
    session.add(request)
    await session.flush()
    return request, replaced


async def pending_extensions(session: AsyncSession, ward_id: int, task_stt: int) -> list[PendingExtension]:
    """The open requests of one task of the ward, oldest first."""
    stmt = (
        select(ExtensionRequest, Task.stt, Task.label, Unit.id, Unit.code, Unit.name, Person.name)
        .join(Assignment, ExtensionRequest.assignment_id == Assignment.id)
        .join(Occurrence, Assignment.occurrence_id == Occurrence.id)
        .join(Task, Occurrence.task_id == Task.id)
        .join(Unit, Assignment.unit_id == Unit.id)
        .outerjoin(Person, ExtensionRequest.person_id == Person.id)
        .where(
            ExtensionRequest.ward_id == ward_id,
            ExtensionRequest.state == ExtensionState.PENDING,
            Task.stt == task_stt,
        )
        .order_by(ExtensionRequest.requested_at, ExtensionRequest.id)
    )
    return [
        PendingExtension(req, stt, label or str(stt), uid, code, name, person or "")
        for req, stt, label, uid, code, name, person in (await session.execute(stmt)).all()
    ]


async def decide_extension(
    session: AsyncSession, request: ExtensionRequest, approved: bool, by: int, note: str, now: datetime
) -> None:
    """The office's answer. An approval moves the assignment's deadline and forgets the
    unsent reminders of the old one (the planner then plans the new day's)."""
    request.state = ExtensionState.APPROVED if approved else ExtensionState.REFUSED
    request.decided_by, request.decided_at, request.decision_note = by, now, note or None
    if not approved:
        return
    assignment = await session.get(Assignment, request.assignment_id)
    assert assignment is not None
    assignment.extended_due = request.new_due
    pending = (
        Reminder.assignment_id == assignment.id,
        Reminder.state == ReminderState.PENDING,
        Reminder.kind.in_(DEADLINE_KINDS),
    )
    # As for a moved deadline in the plan: rows already tried keep their attempts as history.
    await session.execute(
        update(Reminder)
        .where(*pending, Reminder.attempts > 0)
        .values(state=ReminderState.SKIPPED, last_error="đã gia hạn")
    )
    await session.execute(delete(Reminder).where(*pending, Reminder.attempts == 0))
    await session.flush()


async def extended_assignments(session: AsyncSession, ward_id: int) -> dict[int, date]:
    """Assignment id → approved extended deadline, for the ward's active assignments."""
    stmt = (
        select(Assignment.id, Assignment.extended_due)
        .join(Unit, Assignment.unit_id == Unit.id)
        .where(Unit.ward_id == ward_id, Assignment.extended_due.is_not(None), Assignment.active.is_(True))
    )
    return {aid: due for aid, due in (await session.execute(stmt)).all() if due is not None}


@dataclass(frozen=True)
class ExtensionEvent:
    """One request as the task's history shows it."""

    unit_code: str
    requester: str
    requested_at: datetime
    previous_due: date
    new_due: date
    reason: str
    state: ExtensionState
    decided_by: str
    decided_at: datetime | None
    decision_note: str


async def task_extensions(session: AsyncSession, ward_id: int, task_stt: int) -> list[ExtensionEvent]:
    """Every extension request of a task, oldest first."""
    requester = Person.__table__.alias("requester")
    decider = Person.__table__.alias("decider")
    stmt = (
        select(ExtensionRequest, Unit.code, requester.c.name, decider.c.name)
        .join(Assignment, ExtensionRequest.assignment_id == Assignment.id)
        .join(Occurrence, Assignment.occurrence_id == Occurrence.id)
        .join(Task, Occurrence.task_id == Task.id)
        .join(Unit, Assignment.unit_id == Unit.id)
        .outerjoin(requester, ExtensionRequest.person_id == requester.c.id)
        .outerjoin(decider, ExtensionRequest.decided_by == decider.c.id)
        .where(ExtensionRequest.ward_id == ward_id, Task.stt == task_stt)
        .order_by(ExtensionRequest.requested_at, ExtensionRequest.id)
    )
    return [
        ExtensionEvent(
            unit_code=code,
            requester=who or "",
            requested_at=r.requested_at,
            previous_due=r.previous_due,
            new_due=r.new_due,
            reason=r.reason,
            state=r.state,
            decided_by=by or "",
            decided_at=r.decided_at,
            decision_note=r.decision_note or "",
        )
        for r, code, who, by in (await session.execute(stmt)).all()
    ]
