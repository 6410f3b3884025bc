"""Status reports: every report kept, the assignment holding the latest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from store import progress
from store.enums import Review, Status
from store.models import Assignment, Occurrence, StatusReport
from store.text import storable


async def record_status(
    session: AsyncSession,
    assignment_id: int,
    person_id: int | None,
    inbound_id: int | None,
    status: str,
    percent: int | None,
    note: str | None,
    now: datetime,
    *,
    review: str | None = None,
) -> Assignment:
    """Keep the report and update the assignment's latest status. A report dated before the
    assignment's latest one (a status recorded later by the office for an earlier day) is
    kept in the history without overriding the newer status. The note is stored escaped
    where a character cannot be stored as is (store.text), never dropped. `review` is where
    the report stands with the office (store.enums.Review; None: nothing to review)."""
    # Callers hand over what a reply was read as; what is kept is one of the stored statuses.
    status, review = Status(status), Review(review) if review is not None else None
    note = storable(note) if note is not None else None
    assignment = await session.get(Assignment, assignment_id)
    assert assignment is not None
    # Read again under a row lock (FOR UPDATE; SQLite's BEGIN IMMEDIATE already serialises):
    # two reports on one assignment at once would otherwise both move the pointers from the
    # same old values, and the one committed last would undo the other.
    await session.refresh(assignment, [*progress.POINTERS, *progress.MIRROR], with_for_update=True)
    report = StatusReport(
        assignment_id=assignment_id,
        person_id=person_id,
        inbound_id=inbound_id,
        status=status,
        percent=percent,
        note=note,
        created_at=now,
        review=review,
    )
    session.add(report)
    await session.flush()
    occurrence = await session.get(Occurrence, assignment.occurrence_id)
    await progress.advance(session, assignment, report, bool(occurrence and occurrence.checkin))
    if assignment.status_at is not None and now < assignment.status_at:
        return assignment
    assignment.status = status
    assignment.percent = percent
    if note:
        assignment.note = note
    assignment.status_at = now
    assignment.review = review
    if status == Status.DONE:
        assignment.done_at = assignment.done_at or now
    else:
        assignment.done_at = None
    return assignment
