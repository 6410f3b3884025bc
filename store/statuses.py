"""Status reports: every report kept, the assignment holding the latest."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from store import progress
from store.enums import Review, Status
from store.models import Assignment, InboundMessage, Occurrence, StatusReport
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
    assignment, checkin = await _locked(session, assignment_id)
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
    await progress.advance(session, assignment, report, checkin)
    if assignment.status_at is not None and now < assignment.status_at:
        return assignment
    _mirror(assignment, report)
    return assignment


def _mirror(assignment: Assignment, report: StatusReport) -> None:
    """The assignment's copy of its latest report, as each report arrives in time order."""
    assignment.status = report.status
    assignment.percent = report.percent
    if report.note:
        assignment.note = report.note
    assignment.status_at = report.created_at
    assignment.review = report.review
    if report.status == Status.DONE:
        assignment.done_at = assignment.done_at or report.created_at
    else:
        assignment.done_at = None


# "sai" / "nhầm" takes back what was just recorded only this long after it was recorded;
# later the report stays and is corrected by a new report.
RETRACT_WINDOW = timedelta(minutes=10)

RetractOutcome = Literal["undone", "already", "too_late", "confirmed", "superseded", "nothing"]


@dataclass(frozen=True)
class Retraction:
    """What "sai" did: `outcome`, and the reports of the message it was about (all of them
    taken back when `undone`, none otherwise)."""

    outcome: RetractOutcome
    reports: list[StatusReport] = field(default_factory=list)

    @property
    def assignment_ids(self) -> list[int]:
        return list(dict.fromkeys(r.assignment_id for r in self.reports))


async def retract_last(
    session: AsyncSession,
    person_id: int,
    retracting_inbound_id: int | None,
    now: datetime,
    *,
    outcomes: Sequence[str],
    window: timedelta = RETRACT_WINDOW,
) -> Retraction:
    """Take back the reports of the last message through which `person_id` reported (a
    message whose inbound outcome is one of `outcomes`: the person's own replies, never
    the office's decisions), as a whole, if it was recorded within `window`.

    The reports are marked (`retracted_at`, `retracted_by` = the message that took them
    back), never deleted: the history keeps them, every standing leaves them out. Each
    assignment's pointers and its copy of the latest report are rebuilt from the reports
    left, so /summary, the export and the desk count as if they had not been made.
    Refused when the office confirmed the product since, or anything else was recorded on
    one of the tasks since (`superseded`): a later report is not silently undone."""
    last = (
        await session.execute(
            select(StatusReport.inbound_id, StatusReport.created_at)
            .join(InboundMessage, InboundMessage.id == StatusReport.inbound_id)
            .where(StatusReport.person_id == person_id, InboundMessage.outcome.in_(list(outcomes)))
            .order_by(StatusReport.created_at.desc(), StatusReport.id.desc())
            .limit(1)
        )
    ).first()
    if last is None:
        return Retraction("nothing")
    inbound_id, at = last
    # The message's reports, found through the person's index (a message's reports are
    # recorded within its turn, a moment before its last one).
    reports = list(
        await session.scalars(
            select(StatusReport)
            .where(
                StatusReport.person_id == person_id,
                StatusReport.created_at >= at - timedelta(minutes=1),
                StatusReport.created_at <= at,
                StatusReport.inbound_id == inbound_id,
            )
            .order_by(StatusReport.created_at, StatusReport.id)
        )
    )
    if any(r.retracted_at is not None for r in reports):
        return Retraction("already", reports)
    if now - at > window:
        return Retraction("too_late", reports)
    assignments = [(await _locked(session, aid))[0] for aid in dict.fromkeys(r.assignment_id for r in reports)]
    ours = {r.id for r in reports}
    for a in assignments:
        if a.last_report_id not in ours:
            return Retraction("confirmed" if a.review == Review.CONFIRMED else "superseded", reports)
    for r in reports:
        r.retracted_at, r.retracted_by = now, retracting_inbound_id
    await progress.rebuild_now(session, [a.id for a in assignments])
    for a in assignments:
        await _mirror_again(session, a)
    return Retraction("undone", reports)


async def _locked(session: AsyncSession, assignment_id: int) -> tuple[Assignment, bool]:
    """The assignment read under a row lock (FOR UPDATE; SQLite's BEGIN IMMEDIATE already
    serialises), over any copy the session holds, and whether its occurrence is a check-in.
    Two reports on one assignment at once would otherwise both move the pointers from the
    same old values, and the one committed last would undo the other. One statement: it is
    on the path of every answer."""
    assignment, checkin = (await session.execute(_LOCKED, {"assignment_id": assignment_id})).one()
    return assignment, bool(checkin)


# Built once: on the path of every answer, building it cost about what PostgreSQL took to run it.
_LOCKED = (
    select(Assignment, Occurrence.checkin)
    .join(Occurrence, Occurrence.id == Assignment.occurrence_id)
    .where(Assignment.id == bindparam("assignment_id"))
    .with_for_update(of=Assignment)
    .execution_options(populate_existing=True)
)


async def _mirror_again(session: AsyncSession, assignment: Assignment) -> None:
    """The assignment's copy of its latest report (percent, note, done day too, which the
    pointers' rebuild does not hold) replayed from the reports that stand."""
    kept = await session.scalars(
        select(StatusReport)
        .where(StatusReport.assignment_id == assignment.id, StatusReport.retracted_at.is_(None))
        .order_by(StatusReport.created_at, StatusReport.id)
    )
    # As sync leaves a new assignment, then every report that stands, in time order.
    assignment.status, assignment.percent, assignment.note = Status.NOT_STARTED, None, None
    assignment.status_at = assignment.review = assignment.done_at = None
    for report in kept:
        _mirror(assignment, report)
