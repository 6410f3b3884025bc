"""Each assignment's three pointers into its report history, kept as reports are recorded.

A standing needs, per assignment, three reports: the latest one, the first one of the
unbroken run of "completing" reports the latest one ends (its date is the completion date),
and the latest "blocked" one. Found in the history, that is four index seeks per
assignment; a city roll-up reads ~10,000 assignments and those seeks were most of its time.
So `record_status` keeps them on the assignment (`last_report_id`, `run_report_id`,
`blocked_report_id`), and store/reporting.py reads them whenever no report is newer than the
cut-off (every live standing), falling back to the seeks for an earlier cut-off.

Invariant: the pointers equal what the seeks find over the whole history, ordered by
(created_at, id), leaving out the reports taken back (`retracted_at`, store/statuses.py
retract_last). Reports are never deleted, so only a new report or a retraction moves them:
the usual one is the newest and moves them in memory; one dated before the latest (the
office recording an earlier day) and a retraction are rare and re-read the assignment's
history. `rebuild` recomputes
them in one statement (migration 0009r, bulk loads), with the assignment's copy of its latest
report (`status`, `review`, `status_at`), which the city roll-up counts from
(store/rollup.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Update, case, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from store.enums import Status
from store.models import Assignment, Occurrence, StatusReport, UTCDateTime

# Which statuses complete an assignment: a deadline is met by "done"; a periodic check-in
# by any answer that the work goes on. scheduler/standing.py classifies with the same sets.
COMPLETES_DEADLINE: tuple[str, ...] = (Status.DONE,)
COMPLETES_CHECKIN: tuple[str, ...] = (Status.DONE, Status.IN_PROGRESS)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
POINTERS = ("last_report_id", "run_report_id", "run_report_at", "blocked_report_id")
# The assignment's copy of its latest report that record_status keeps; `rebuild` sets it too.
MIRROR = ("status", "review", "status_at")


def completes(status: str, checkin: bool) -> bool:
    return status in (COMPLETES_CHECKIN if checkin else COMPLETES_DEADLINE)


async def advance(session: AsyncSession, assignment: Assignment, report: StatusReport, checkin: bool) -> None:
    """Move the pointers for `report`, just recorded (flushed: it has its id), before the
    assignment's mirror of its latest report (`status`, `status_at`…) is updated."""
    if assignment.status_at is not None and report.created_at < assignment.status_at:
        # Dated before the latest: it may start or break the completing run in the middle.
        await rebuild_now(session, [assignment.id])
        return
    if not completes(report.status, checkin):
        assignment.run_report_id, assignment.run_report_at = None, None
    elif assignment.run_report_id is None:
        assignment.run_report_id, assignment.run_report_at = report.id, report.created_at
    # else the latest report completed too: the run goes on from where it started.
    assignment.last_report_id = report.id
    if report.status == Status.BLOCKED:
        assignment.blocked_report_id = report.id


async def rebuild_now(session: AsyncSession, assignment_ids: Sequence[int]) -> None:
    """`rebuild` these assignments in the session's transaction, and refresh the ones the
    session holds (the UPDATE does not touch objects already loaded)."""
    if not assignment_ids:
        return
    await session.flush()
    await session.execute(rebuild(assignment_ids))
    wanted = set(assignment_ids)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Assignment) and obj.id in wanted:
            await session.refresh(obj, [*POINTERS, *MIRROR])


def rebuild(assignment_ids: Sequence[int] | None = None) -> Update:
    """One UPDATE setting the pointers of these assignments (all when None) from their
    history: correlated seeks on ix_status_reports_assignment."""
    r_last, r_blocked, r_break, r_break_at, r_first, r_run_at, r_mirror = (aliased(StatusReport) for _ in range(7))

    def latest(r: Any, *where: Any) -> Any:
        return (
            select(r.id)
            .where(r.assignment_id == Assignment.id, r.retracted_at.is_(None), *where)
            .order_by(r.created_at.desc(), r.id.desc())
            .limit(1)
            .correlate(Assignment)
            .scalar_subquery()
        )

    checkin = (
        select(Occurrence.checkin)
        .where(Occurrence.id == Assignment.occurrence_id)
        .correlate(Assignment)
        .scalar_subquery()
    )
    breaks = case(
        (checkin.is_(True), r_break.status.not_in(list(COMPLETES_CHECKIN))),
        else_=r_break.status.not_in(list(COMPLETES_DEADLINE)),
    )
    break_id = latest(r_break, breaks)
    break_at = select(r_break_at.created_at).where(r_break_at.id == break_id).scalar_subquery()
    # The first report after the latest break in (created_at, id) order; none when the
    # latest report is itself a break.
    run = (
        select(r_first.id)
        .where(
            r_first.assignment_id == Assignment.id,
            r_first.retracted_at.is_(None),
            r_first.created_at >= func.coalesce(break_at, literal(_EPOCH, UTCDateTime)),
            or_(break_id.is_(None), r_first.created_at > break_at, r_first.id > break_id),
        )
        .order_by(r_first.created_at, r_first.id)
        .limit(1)
        .correlate(Assignment)
        .scalar_subquery()
    )
    last_id = latest(r_last)
    run_at = select(r_run_at.created_at).where(r_run_at.id == run).scalar_subquery()

    def of_last(column: str) -> Any:
        return select(getattr(r_mirror, column)).where(r_mirror.id == last_id).scalar_subquery()

    stmt = update(Assignment).values(
        last_report_id=last_id,
        blocked_report_id=latest(r_blocked, r_blocked.status == Status.BLOCKED),
        run_report_id=run,
        run_report_at=run_at,
        # No report: as record_status leaves a new assignment.
        status=func.coalesce(of_last("status"), Status.NOT_STARTED),
        review=of_last("review"),
        status_at=of_last("created_at"),
    )
    if assignment_ids is not None:
        stmt = stmt.where(Assignment.id.in_(list(assignment_ids)))
    return stmt.execution_options(synchronize_session=False)
