"""Moving a unit's next reminder later (/hoanlai): the outbox row itself moves, so the
postponement is as durable as the row, and planning — which inserts by key and ignores
keys it already has — never brings the reminder back at its old time."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.enums import CLOSED, ReminderState
from store.models import Assignment, Occurrence, Reminder, Task

POSTPONED_REASON = "đơn vị đã đề nghị hoãn lại"


async def next_pending(
    session: AsyncSession, ward_id: int, task_stt: int, unit_id: int, kinds: Iterable[str], after: datetime
) -> list[Reminder]:
    """The pending reminders (of `kinds`, due after `after`) of the unit's open assignment
    of task `task_stt` whose reminder comes next — any period of it — earliest first; []
    when none. A row already due is on its way (or too old to be sent): not "next"."""
    first = await session.scalar(
        select(Reminder)
        .join(Assignment, Assignment.id == Reminder.assignment_id)
        .join(Occurrence, Occurrence.id == Assignment.occurrence_id)
        .join(Task, Task.id == Occurrence.task_id)
        .where(
            Task.ward_id == ward_id,
            Task.stt == task_stt,
            Assignment.unit_id == unit_id,
            Assignment.active,
            Assignment.status.not_in(list(CLOSED)),
            Reminder.state == ReminderState.PENDING,
            Reminder.kind.in_(list(kinds)),
            Reminder.due_at > after,
        )
        .order_by(Reminder.due_at, Reminder.id)
        .limit(1)
    )
    if first is None or first.assignment_id is None:
        return []
    return await pending_of(session, first.assignment_id, kinds, after)


async def pending_of(
    session: AsyncSession, assignment_id: int, kinds: Iterable[str], after: datetime
) -> list[Reminder]:
    """The assignment's reminders still to be sent after `after`, earliest first."""
    return list(
        await session.scalars(
            select(Reminder)
            .where(
                Reminder.assignment_id == assignment_id,
                Reminder.state == ReminderState.PENDING,
                Reminder.kind.in_(list(kinds)),
                Reminder.due_at > after,
            )
            .order_by(Reminder.due_at, Reminder.id)
        )
    )


async def postpone(session: AsyncSession, keep: Reminder, at: datetime, skip: list[Reminder], now: datetime) -> bool:
    """Move `keep` to `at` and skip `skip` (the reminders it replaces), all or nothing:
    False, with nothing changed, when a dispatcher has just taken one of them to send."""
    try:
        async with session.begin_nested():
            moved = await session.execute(
                update(Reminder)
                .where(Reminder.id == keep.id, Reminder.state == ReminderState.PENDING)
                .values(due_at=at, next_attempt_at=at)
                .execution_options(synchronize_session=False)
            )
            if getattr(moved, "rowcount", 0) != 1:
                raise _Taken
            if skip:
                skipped = await session.execute(
                    update(Reminder)
                    .where(Reminder.id.in_([r.id for r in skip]), Reminder.state == ReminderState.PENDING)
                    .values(state=ReminderState.SKIPPED, last_error=POSTPONED_REASON, finished_at=now)
                    .execution_options(synchronize_session=False)
                )
                if getattr(skipped, "rowcount", 0) != len(skip):
                    raise _Taken
    except _Taken:
        return False
    return True


class _Taken(Exception):
    """A row left "pending" while it was being postponed."""
