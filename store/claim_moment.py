"""Completing a claimed batch with the rest of its last moment, unit by unit.

The dispatcher makes one message of everything due for a chat in one batch. A batch is cut
at `limit` rows in time order, so when more rows fall due at one moment than a batch holds
(every head linked, a busy 08:00), the moment's rows of a unit could land in two batches and
its head get two messages. Taking, with a full batch, the rest of its last moment's rows of
the same units keeps a head's moment in one batch."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from store.db import Database
from store.enums import ReminderState
from store.models import Assignment, Reminder


async def claim_rest_of_moment(
    db: Database,
    worker: str,
    now: datetime,
    lease_seconds: float,
    claimed: list[int],
    kinds: frozenset[str],
    limit: int,
) -> list[int]:
    """Claim for `worker` the pending rows of `kinds` due at the latest moment of `claimed`
    whose units have a row of that moment in `claimed` (at most `limit`)."""
    if not claimed:
        return []
    async with db.session() as session, session.begin():
        moment = await session.scalar(select(func.max(Reminder.next_attempt_at)).where(Reminder.id.in_(claimed)))
        if moment is None:
            return []
        units = (
            select(Assignment.unit_id)
            .join(Reminder, Reminder.assignment_id == Assignment.id)
            .where(Reminder.id.in_(claimed), Reminder.next_attempt_at == moment)
        )
        candidates = (
            select(Reminder.id)
            .join(Assignment, Assignment.id == Reminder.assignment_id)
            .where(
                Reminder.state == ReminderState.PENDING,
                Reminder.next_attempt_at == moment,
                Reminder.next_attempt_at <= now,
                Reminder.kind.in_(sorted(kinds)),
                Assignment.unit_id.in_(units.scalar_subquery()),
            )
            .order_by(Reminder.id)
            .limit(limit)
        )
        if db.is_postgres:
            candidates = candidates.with_for_update(of=Reminder, skip_locked=True)
        stmt = (
            update(Reminder)
            .where(Reminder.id.in_(candidates.scalar_subquery()))
            .values(
                state=ReminderState.SENDING,
                locked_by=worker,
                locked_until=now + timedelta(seconds=lease_seconds),
            )
            .returning(Reminder.id)
            .execution_options(synchronize_session=False)
        )
        return sorted(row[0] for row in (await session.execute(stmt)).all())
