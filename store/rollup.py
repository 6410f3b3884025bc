"""The city roll-up's counts, classified and counted in SQL.

A city person's `/summary` needs, per ward, only how many task × lead unit rows are done on
time, done late, in term and overdue. Loading ~10,000 assignments of 114 wards into Python
to classify them took 0.5 s; here one statement classifies each assignment from its own
columns (the copy of its latest report and the start of its completing run, kept by
store/progress.py: no status report is read), keeps each task × unit's worst class and
counts them per ward.

These are the rules of `scheduler/standing.py` (`_in_window`, `classify_occurrence`,
`roll_up`) written as SQL. They must agree: tests/test_rollup_counts.py compares both on
random histories, on both databases. Only a live view can be counted this way: a ward with a
lead report newer than the cut-off (a standing as of an earlier day) is answered None, and
the caller classifies it from its history.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, and_, case, cast, false, func, literal_column, not_, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from store.enums import UNREVIEWED, AssignmentRole, Review, Status
from store.models import Assignment, Occurrence, Task, Unit, UTCDateTime
from store.reporting import in_standing

# scheduler.standing's classes, worst first: a task × unit takes its worst occurrence's.
SEVERITY = ("overdue", "in_term", "done_late", "done_on_time", "before_tracking", "not_applicable")
_RANK = {name: rank for rank, name in enumerate(SEVERITY)}


@dataclass(frozen=True)
class CountBounds:
    """What a live standing is judged by (scheduler.standing.snapshot_bounds)."""

    cutoff: datetime  # the last instant of the cut-off day
    cutoff_day: date
    since: datetime  # the first instant of the window
    started_by: date
    periods_from: date
    # Per ward, the start of tracking (scheduler.standing: periodic work due before it and not
    # done is not counted); a ward not listed has none.
    tracking_from: tuple[tuple[int, date], ...] = ()


def fixed_offset(zone: ZoneInfo, around: date) -> timedelta | None:
    """The zone's UTC offset if it has not changed in the years a live standing looks at
    (Việt Nam's has been +07:00 since 1975); None for a zone with daylight saving time."""
    offsets = {
        zone.utcoffset(datetime(year, month, 1, 12))
        for year in range(around.year - 3, around.year + 2)
        for month in (1, 4, 7, 10)
    }
    return offsets.pop() if len(offsets) == 1 else None


def _local_day(instant: Any, offset: timedelta, dialect: str) -> Any:
    seconds = int(offset.total_seconds())
    if dialect == "sqlite":  # stored as text; date() gives 'YYYY-MM-DD', as Date columns are
        return func.date(instant, f"{seconds:+d} seconds")
    return cast(instant + literal_column(f"INTERVAL '{seconds} seconds'"), Date)


async def count_standings(
    session: AsyncSession,
    ward_ids: Sequence[int],
    bounds: CountBounds,
    *,
    confirm_done: bool,
    extended: bool,
    offset: timedelta,
) -> dict[int, Counter[str] | None]:
    """Per ward, how many task × lead unit rows fall in each class of SEVERITY; None for a
    ward that cannot be counted from the assignments' own columns (see the module)."""
    ids = sorted(set(ward_ids))
    if not ids:
        return {}
    dialect = session.get_bind().dialect.name
    checkin = Occurrence.checkin.is_(True)
    status = Assignment.status
    review = func.coalesce(Assignment.review, "")
    run_at = Assignment.run_report_at
    unreviewed = review.in_([str(r) for r in UNREVIEWED]) if confirm_done else false()
    # _in_window: work closed before the window began belongs to an earlier report.
    closed_at = type_coerce(
        func.coalesce(
            case((not_(unreviewed), run_at)),
            case((and_(status == Status.NOT_APPLICABLE, review != Review.PENDING), Assignment.status_at)),
        ),
        UTCDateTime,
    )
    in_window = or_(checkin, closed_at.is_(None), closed_at >= bounds.since)
    # classify_occurrence
    completed_on = case(
        (and_(status == Status.DONE, unreviewed), None),
        (and_(checkin, review == Review.RETURNED), None),
        # a difficulty reported in a check-in period is a report for it
        (and_(checkin, status == Status.BLOCKED), _local_day(Assignment.status_at, offset, dialect)),
        else_=_local_day(run_at, offset, dialect),
    )
    decline_pending = and_(not_(checkin), status == Status.NOT_APPLICABLE, review == Review.PENDING)
    due = func.coalesce(Assignment.extended_due, Occurrence.due) if extended else Occurrence.due
    rank = case(
        (and_(status == Status.NOT_APPLICABLE, not_(decline_pending)), _RANK["not_applicable"]),
        (completed_on <= due, _RANK["done_on_time"]),
        (completed_on.is_not(None), _RANK["done_late"]),
        (
            and_(
                Occurrence.due < case(dict(bounds.tracking_from), value=Task.ward_id),
                func.substr(Occurrence.key, 1, 1).between("0", "9"),
            )
            if bounds.tracking_from
            else false(),
            _RANK["before_tracking"],
        ),
        (due < bounds.cutoff_day, _RANK["overdue"]),
        else_=_RANK["in_term"],
    )
    judged = select(
        Task.ward_id.label("ward_id"),
        func.min(case((in_window, rank))).label("worst"),
        func.max(case((Assignment.status_at > bounds.cutoff, 1), else_=0)).label("newer"),
    )
    per_unit = (
        in_standing(judged, ids, bounds.started_by, bounds.periods_from)
        .where(Assignment.role == AssignmentRole.LEAD)
        .group_by(Task.ward_id, Task.id, Unit.code)
        .subquery()
    )
    stmt = select(per_unit.c.ward_id, per_unit.c.worst, func.count(), func.max(per_unit.c.newer)).group_by(
        per_unit.c.ward_id, per_unit.c.worst
    )
    out: dict[int, Counter[str] | None] = {i: Counter() for i in ids}
    for ward, worst, n, newer in await session.execute(stmt):
        counts = out[ward]
        if newer or counts is None:
            out[ward] = None
        elif worst is not None:
            counts[SEVERITY[worst]] += n
    return out
