"""What a report needs from the database, as of a cut-off instant: plain rows, no rules.

Per assignment the history is reduced in SQL to three reports — the latest one at the
cut-off, the first one of the unbroken run of "completing" statuses that the latest one
ends (its date is the completion date), and the latest blocked one since a given instant —
so a ward with a million status reports sends back a few rows per assignment. Which
statuses complete a deadline and which complete a periodic check-in is the caller's rule
(scheduler/standing.py); this module only evaluates it.

As of now (no report newer than the cut-off: every live standing) the three are the
assignment's own pointers (store/progress.py), read with the reports in one statement; as
of an earlier instant they are index seeks on ix_status_reports_assignment
(status_reports.assignment_id, created_at; migration 0002).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, case, func, literal, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from store.enums import AssignmentRole, DeadlineKind, Review, Status
from store.models import (
    Assignment,
    InboundMessage,
    Occurrence,
    Person,
    Reminder,
    StatusReport,
    Task,
    Unit,
    UTCDateTime,
    Ward,
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ReportRow:
    id: int
    status: Status
    percent: int | None
    note: str | None
    text: str | None  # the words as received, when the report came from a message
    person: str | None
    at: datetime
    review: Review | None = None  # where the report stands with the office


@dataclass(frozen=True)
class AssignmentState:
    assignment_id: int
    task_stt: int
    unit_code: str
    role: AssignmentRole
    occurrence_key: str
    start: date | None
    due: date
    checkin: bool
    last: ReportRow | None  # latest report at or before the cut-off
    completing: ReportRow | None  # first report of the completing run `last` ends, if `last` completes
    last_blocked: ReportRow | None  # latest blocked report between `since` and the cut-off
    extended_due: date | None = None  # the office's approved extension of this unit's deadline


@dataclass(frozen=True)
class TaskRow:
    stt: int
    content: str
    product: str
    deadline_text: str
    deadline_kind: DeadlineKind
    activated_due: date | None
    label: str = ""  # "II.3"; the STT where the plan has no sections (or the row predates labels)
    section: str | None = None

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", str(self.stt))


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str


@dataclass(frozen=True)
class ReportingSnapshot:
    ward_name: str
    plan_code: str
    cutoff: datetime
    since: datetime
    tasks: tuple[TaskRow, ...]
    units: tuple[UnitRow, ...]
    assignments: tuple[AssignmentState, ...]


def in_standing(stmt: Any, ward_ids: Sequence[int], started_by: date, periods_from: date) -> Any:
    """`stmt` over the assignments a standing judges: active assignments of active tasks and
    units in these wards, whose period has started by `started_by`; periodic check-ins only
    when their period ends on or after `periods_from`. Shared with store/rollup.py, so the
    roll-up counts exactly the rows the standing classifies."""
    return (
        stmt.join(Occurrence, Assignment.occurrence_id == Occurrence.id)
        .join(Task, Occurrence.task_id == Task.id)
        .join(Unit, Assignment.unit_id == Unit.id)
        .where(
            Task.ward_id.in_(ward_ids),
            Task.active.is_(True),
            Occurrence.active.is_(True),
            Assignment.active.is_(True),
            Unit.active.is_(True),
            or_(Occurrence.start.is_(None), Occurrence.start <= started_by),
            or_(Occurrence.checkin.is_(False), Occurrence.due >= periods_from),
        )
    )


async def load_snapshot(
    session: AsyncSession,
    ward_id: int,
    *,
    cutoff: datetime,
    since: datetime,
    started_by: date,
    periods_from: date,
    completing: Sequence[str],
    checkin_completing: Sequence[str],
) -> ReportingSnapshot:
    """Active tasks, units and assignments of the ward as of `cutoff`.

    Assignments are those whose period has started by `started_by`; periodic check-ins only
    when their period ends on or after `periods_from` (older ones belong to earlier reports).
    """
    snapshots = await load_snapshots(
        session,
        [ward_id],
        cutoff=cutoff,
        since=since,
        started_by=started_by,
        periods_from=periods_from,
        completing=completing,
        checkin_completing=checkin_completing,
    )
    return snapshots[ward_id]


async def load_snapshots(
    session: AsyncSession,
    ward_ids: Sequence[int],
    *,
    cutoff: datetime,
    since: datetime,
    started_by: date,
    periods_from: date,
    completing: Sequence[str],
    checkin_completing: Sequence[str],
) -> dict[int, ReportingSnapshot]:
    """`load_snapshot` for many wards at once (a city roll-up): the same few statements
    whatever the number of wards, each ward's rows found through its own index ranges.
    A ward id that does not exist gets an empty snapshot."""
    ids = sorted(set(ward_ids))
    wards = {w.id: w for w in await session.scalars(select(Ward).where(Ward.id.in_(ids)))} if ids else {}
    # Plain rows, not ORM entities: a city roll-up reads every ward's tasks and units.
    tasks: dict[int, list[TaskRow]] = {i: [] for i in ids}
    task_rows = await session.execute(
        select(
            Task.ward_id,
            Task.stt,
            Task.content,
            Task.product,
            Task.deadline_text,
            Task.deadline_kind,
            Task.activated_due,
            Task.label,
            Task.section,
        )
        .where(Task.ward_id.in_(ids), Task.active)
        .order_by(Task.ward_id, Task.stt)
    )
    for ward, stt, content, product, deadline_text, kind, activated, label, section in task_rows:
        tasks[ward].append(TaskRow(stt, content, product, deadline_text, kind, activated, label or "", section))
    units: dict[int, list[UnitRow]] = {i: [] for i in ids}
    unit_rows = await session.execute(
        select(Unit.ward_id, Unit.code, Unit.name).where(Unit.ward_id.in_(ids), Unit.active).order_by(Unit.id)
    )
    for ward, code, name in unit_rows:
        units[ward].append(UnitRow(code, name))
    r_last, r_break, r_first, r_blocked = (aliased(StatusReport) for _ in range(4))
    last_id = (
        select(r_last.id)
        .where(r_last.assignment_id == Assignment.id, r_last.created_at <= cutoff, r_last.retracted_at.is_(None))
        .order_by(r_last.created_at.desc(), r_last.id.desc())
        .limit(1)
        .correlate(Assignment)
        .scalar_subquery()
    )
    # The latest report that does not complete the assignment: the completing run starts after it.
    breaks = or_(
        and_(Occurrence.checkin.is_(True), r_break.status.not_in(list(checkin_completing))),
        and_(not_(Occurrence.checkin.is_(True)), r_break.status.not_in(list(completing))),
    )
    broken_id = (
        select(r_break.id)
        .where(
            r_break.assignment_id == Assignment.id,
            r_break.created_at <= cutoff,
            r_break.retracted_at.is_(None),
            breaks,
        )
        .order_by(r_break.created_at.desc(), r_break.id.desc())
        .limit(1)
        .correlate(Assignment, Occurrence)
        .scalar_subquery()
    )
    r_break_at = aliased(StatusReport)
    broken_at = select(r_break_at.created_at).where(r_break_at.id == broken_id).scalar_subquery()
    blocked_id = (
        select(r_blocked.id)
        .where(
            r_blocked.assignment_id == Assignment.id,
            r_blocked.retracted_at.is_(None),
            r_blocked.created_at <= cutoff,
            r_blocked.created_at >= since,
            r_blocked.status == Status.BLOCKED,
        )
        .order_by(r_blocked.created_at.desc(), r_blocked.id.desc())
        .limit(1)
        .correlate(Assignment)
        .scalar_subquery()
    )
    # The assignment's own pointers (store/progress.py) hold the three reports as of now: they
    # answer whenever no report is newer than the cut-off, and the seeks run only otherwise
    # (CASE evaluates the branch it takes, on both databases).
    r_latest, r_blocked_now = aliased(StatusReport), aliased(StatusReport)
    fresh = or_(Assignment.last_report_id.is_(None), r_latest.created_at <= cutoff)
    blocked_now = case((r_blocked_now.created_at >= since, Assignment.blocked_report_id))
    columns = select(
        Assignment.id.label("aid"),
        Task.ward_id.label("ward_id"),
        Task.stt.label("stt"),
        Unit.code.label("code"),
        Assignment.role.label("role"),
        Occurrence.key.label("key"),
        Occurrence.start.label("start"),
        Occurrence.due.label("due"),
        Occurrence.checkin.label("checkin"),
        fresh.label("fresh"),
        case((fresh, Assignment.last_report_id), else_=last_id).label("last_id"),
        case((fresh, Assignment.run_report_id)).label("run_id"),
        case((fresh, None), else_=broken_id).label("broken_id"),
        case((fresh, None), else_=broken_at).label("broken_at"),
        case((fresh, blocked_now), else_=blocked_id).label("blocked_id"),
        Assignment.extended_due.label("extended_due"),
    )
    # Materialised so the completing run's start is computed once per assignment: inlined,
    # the lookup below would re-run it for every report it scans.
    base = (
        in_standing(columns, ids, started_by, periods_from)
        .outerjoin(r_latest, r_latest.id == Assignment.last_report_id)
        .outerjoin(r_blocked_now, r_blocked_now.id == Assignment.blocked_report_id)
        .cte("base")
        .prefix_with("MATERIALIZED")
    )
    first_id = (
        select(r_first.id)
        .where(
            r_first.assignment_id == base.c.aid,
            r_first.retracted_at.is_(None),
            r_first.created_at <= cutoff,
            # COALESCE, not "IS NULL OR >": a single lower bound lets the index seek to it;
            # then after the break in (created_at, id) order, as store/progress.py orders.
            r_first.created_at >= func.coalesce(base.c.broken_at, literal(_EPOCH, UTCDateTime)),
            or_(base.c.broken_id.is_(None), r_first.created_at > base.c.broken_at, r_first.id > base.c.broken_id),
        )
        .order_by(r_first.created_at, r_first.id)
        .limit(1)
        .correlate(base)
        .scalar_subquery()
    )
    stmt = select(
        base.c.ward_id,
        base.c.aid,
        base.c.stt,
        base.c.code,
        base.c.role,
        base.c.key,
        base.c.start,
        base.c.due,
        base.c.checkin,
        base.c.last_id,
        case((base.c.fresh, base.c.run_id), else_=first_id),
        base.c.blocked_id,
        base.c.extended_due,
    ).order_by(base.c.ward_id, base.c.stt, base.c.due, base.c.code)
    rows = (await session.execute(stmt)).all()
    # The reports in a second statement, by primary key: joined above, PostgreSQL's planner
    # hashed or merged the whole status_reports table for a roll-up's 10,000 rows.
    wanted = {i for row in rows for i in row[9:12] if i is not None}
    reports = await _reports(session, wanted)
    assignments: dict[int, list[AssignmentState]] = {i: [] for i in ids}
    for ward, aid, stt, code, role, key, start, due, checkin, last, first, blocked, extended in rows:
        assignments[ward].append(
            AssignmentState(
                assignment_id=aid,
                task_stt=stt,
                unit_code=code,
                role=role,
                occurrence_key=key,
                start=start,
                due=due,
                checkin=bool(checkin),
                last=reports.get(last) if last else None,
                # None when the latest report breaks the run (nothing comes after it).
                completing=reports.get(first) if first else None,
                last_blocked=reports.get(blocked) if blocked else None,
                extended_due=extended,
            )
        )
    return {
        i: ReportingSnapshot(
            ward_name=wards[i].name if i in wards else "",
            plan_code=wards[i].plan_code if i in wards else "",
            cutoff=cutoff,
            since=since,
            tasks=tuple(tasks[i]),
            units=tuple(units[i]),
            assignments=tuple(assignments[i]),
        )
        for i in ids
    }


async def _reports(session: AsyncSession, ids: set[int]) -> dict[int, ReportRow]:
    if not ids:
        return {}
    out: dict[int, ReportRow] = {}
    ordered = sorted(ids)
    # Plain rows, not ORM objects: a city roll-up reads ~3 reports per assignment of every
    # ward (over 100,000), and building entities was most of its time. Bounded IN lists:
    # SQLite caps bound parameters, and huge lists plan badly anywhere.
    for i in range(0, len(ordered), 2000):
        chunk = ordered[i : i + 2000]
        stmt: Any = (
            select(
                StatusReport.id,
                StatusReport.status,
                StatusReport.percent,
                StatusReport.note,
                InboundMessage.text,
                Person.name,
                StatusReport.created_at,
                StatusReport.review,
            )
            .outerjoin(Person, StatusReport.person_id == Person.id)
            .outerjoin(InboundMessage, StatusReport.inbound_id == InboundMessage.id)
            .where(StatusReport.id.in_(chunk))
        )
        for rid, status, percent, note, text, person, at, review in (await session.execute(stmt)).all():
            out[rid] = ReportRow(
                id=rid,
                status=status,
                percent=percent,
                note=note,
                text=text or None,
                person=person,
                at=at,
                review=review,
            )
    return out


async def first_served(session: AsyncSession, ward_ids: Sequence[int]) -> dict[int, datetime]:
    """When each ward's plan was first served: its first planned row in the outbox (the
    first planning queues its reminders at once; rows are never deleted once tried). A ward
    never planned is absent. The default start of tracking (scheduler/standing.py)."""
    ids = sorted(set(ward_ids))
    if not ids:
        return {}
    first = select(Reminder.ward_id, func.min(Reminder.id).label("id")).where(Reminder.ward_id.in_(ids))
    firsts = first.group_by(Reminder.ward_id).subquery()
    stmt = select(Reminder.ward_id, Reminder.created_at).join(firsts, Reminder.id == firsts.c.id)
    return {ward: at for ward, at in (await session.execute(stmt)).all()}
