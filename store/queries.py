"""Read-side queries shared by the conversation, the dispatcher and the summaries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Date, Table, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.enums import CLOSED, AssignmentRole, DeadlineKind, PersonRole, ReminderKind, ReminderState, Review, Status
from store.labels import label_key
from store.models import Assignment, ChatIdentity, Occurrence, Person, Reminder, StatusReport, Task, Unit, Ward


@dataclass(frozen=True)
class AssignmentView:
    id: int
    occurrence_id: int
    task_id: int
    task_stt: int
    content: str
    product: str
    deadline_text: str
    deadline_kind: DeadlineKind
    unit_id: int
    unit_code: str
    unit_name: str
    role: AssignmentRole
    occurrence_key: str
    start: date | None
    due: date
    checkin: bool
    status: Status
    percent: int | None
    note: str | None
    status_at: datetime | None
    done_at: datetime | None
    active: bool
    # How people name the task ("II.3"); rows written before labels existed show the STT.
    task_label: str = ""
    task_section: str | None = None
    # The ward the task belongs to (unit codes repeat across the wards of a city).
    ward_id: int = 0
    # The day the office extended this unit's deadline to (/duyet); `due` stays the original.
    extended_due: date | None = None
    review: Review | None = None  # of the latest report

    def __post_init__(self) -> None:
        if not self.task_label:
            object.__setattr__(self, "task_label", str(self.task_stt))

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED

    @property
    def effective_due(self) -> date:
        """The deadline the unit now works to: the approved extension, else the plan's."""
        return self.extended_due or self.due


_A, _O, _T, _U = (cast(Table, m.__table__) for m in (Assignment, Occurrence, Task, Unit))
# An AssignmentView's columns, in its fields' order, read as plain rows: the ORM's four
# entities per row (identity map, instance state) were most of an answer's reading time on
# the path of every reply (issue 26).
_VIEW_COLUMNS = (
    _A.c.id,
    _O.c.id,
    _T.c.id,
    _T.c.stt,
    _T.c.content,
    _T.c.product,
    _T.c.deadline_text,
    _T.c.deadline_kind,
    _U.c.id,
    _U.c.code,
    _U.c.name,
    _A.c.role,
    _O.c.key,
    _O.c.start,
    _O.c.due,
    _O.c.checkin,
    _A.c.status,
    _A.c.percent,
    _A.c.note,
    _A.c.status_at,
    _A.c.done_at,
    _A.c.active,
    _O.c.active,
    _T.c.active,
    _U.c.active,
    _T.c.label,
    _T.c.section,
    _T.c.ward_id,
    _A.c.extended_due,
    _A.c.review,
)
_VIEWS = select(*_VIEW_COLUMNS).select_from(
    _A.join(_O, _A.c.occurrence_id == _O.c.id).join(_T, _O.c.task_id == _T.c.id).join(_U, _A.c.unit_id == _U.c.id)
)


def _views() -> Any:  # Select[...]; its generic form differs between SQLAlchemy 2.0 and 2.1
    return _VIEWS


def _view(row: Any) -> AssignmentView:
    """The view of one row of `_VIEW_COLUMNS`."""
    (aid, oid, tid, stt, content, product, deadline_text, deadline_kind, uid, code, name, role) = row[:12]
    (key, start, due, checkin, status, percent, note, status_at, done_at) = row[12:21]
    (a_active, o_active, t_active, u_active, label, section, ward_id, extended_due, review) = row[21:]
    return AssignmentView(
        id=aid,
        occurrence_id=oid,
        task_id=tid,
        task_stt=stt,
        content=content,
        product=product,
        deadline_text=deadline_text,
        deadline_kind=deadline_kind,
        unit_id=uid,
        unit_code=code,
        unit_name=name,
        role=role,
        occurrence_key=key,
        start=start,
        due=due,
        checkin=checkin,
        status=status,
        percent=percent,
        note=note,
        status_at=status_at,
        done_at=done_at,
        active=a_active and o_active and t_active and u_active,
        task_label=label or str(stt),
        task_section=section,
        ward_id=ward_id,
        extended_due=extended_due,
        review=review,
    )


async def assignment_views(session: AsyncSession, ids: set[int]) -> list[AssignmentView]:
    if not ids:
        return []
    return [_view(r) for r in (await session.execute(_views().where(_A.c.id.in_(ids)))).all()]


async def assignment_view(session: AsyncSession, assignment_id: int) -> AssignmentView | None:
    row = (await session.execute(_views().where(_A.c.id == assignment_id))).first()
    return _view(row) if row else None


def takes_over(prev_due: date, next_start: date, next_due: date) -> date:
    """The day a recurring task's next period replaces the previous one as the period its
    unit answers for (and is nagged about). Normally the day the next period begins; when
    a period's report is due after the next period has begun ("ngày 10 của tháng sau"),
    the previous period stays the one asked about until the next one's due day."""
    if next_start > prev_due:
        return next_start
    return max(next_due, prev_due + timedelta(days=1))


def _active(ward_id: Any) -> tuple[ColumnElement[bool], ...]:
    return (
        _T.c.ward_id == ward_id,
        _T.c.active.is_(True),
        _O.c.active.is_(True),
        _A.c.active.is_(True),
        _U.c.active.is_(True),
    )


_STARTED = or_(_O.c.start.is_(None), _O.c.start <= bindparam("today", type_=Date()))
# Built once (the reply path reads them for every answer): a statement made per call cost
# more to build and key for the compiled cache than PostgreSQL took to run it.
_CURRENT = _VIEWS.where(*_active(bindparam("ward_id")), _STARTED).order_by(_T.c.stt, _O.c.due)
_CURRENT_OF_UNIT = _CURRENT.where(_A.c.unit_id == bindparam("unit_id"))


async def current_assignments(
    session: AsyncSession, ward_id: int, today: date, unit_id: int | None = None
) -> list[AssignmentView]:
    """Per task and unit, the occurrence that matters today.
    - Recurring work: the period in force today (see `takes_over`), answered or not. An
      earlier period left open is not asked about any more: it stays "không báo cáo".
    - Ongoing work: the current check-in period; older unanswered check-ins lapse.
    - Other deadlines (a date, milestones, a span): the earliest one still open whose period
      has started, else the latest one."""
    params: dict[str, Any] = {"ward_id": ward_id, "today": today}
    if unit_id is not None:
        params["unit_id"] = unit_id
    stmt = _CURRENT if unit_id is None else _CURRENT_OF_UNIT
    rows = [_view(r) for r in (await session.execute(stmt, params)).all()]
    by_key: dict[tuple[int, int], list[AssignmentView]] = {}
    for v in rows:
        by_key.setdefault((v.task_stt, v.unit_id), []).append(v)
    chosen = [_current(views, today) for views in by_key.values()]
    return sorted(chosen, key=lambda v: (v.task_stt, v.role != AssignmentRole.LEAD, v.unit_code))


def _current(views: list[AssignmentView], today: date) -> AssignmentView:
    """`views`: one task and unit's started occurrences, by due day."""
    if views[0].deadline_kind == DeadlineKind.RECURRING:
        periods = sorted((v for v in views if not v.checkin and v.start is not None), key=lambda v: v.start or v.due)
        if periods:
            current = periods[0]
            for nxt in periods[1:]:
                assert nxt.start is not None
                if takes_over(current.due, nxt.start, nxt.due) <= today:
                    current = nxt
            return current
    chosen: AssignmentView | None = None
    for v in views:
        if (
            chosen is None
            or (v.checkin and v.due > chosen.due)
            or (not v.checkin and not chosen.is_open and (v.is_open or v.due > chosen.due))
        ):
            chosen = v
    assert chosen is not None
    return chosen


async def open_assignments(session: AsyncSession, ward_id: int, unit_id: int, today: date) -> list[AssignmentView]:
    return [v for v in await current_assignments(session, ward_id, today, unit_id) if v.is_open]


async def unit_by_code(session: AsyncSession, ward_id: int, code: str) -> Unit | None:
    return await session.scalar(select(Unit).where(Unit.ward_id == ward_id, Unit.code == code))


async def task_by_stt(session: AsyncSession, ward_id: int, stt: int) -> Task | None:
    return await session.scalar(select(Task).where(Task.ward_id == ward_id, Task.stt == stt, Task.active))


_LABELS = select(_T.c.stt, _T.c.label).where(_T.c.ward_id == bindparam("ward_id"), _T.c.active).order_by(_T.c.stt)


async def task_labels(session: AsyncSession, ward_id: int) -> dict[int, str]:
    """Per task number, the label people use ("II.3"; the STT where there is none), in plan order."""
    rows = (await session.execute(_LABELS, {"ward_id": ward_id})).all()
    return {stt: label or str(stt) for stt, label in rows}


async def task_by_label(session: AsyncSession, ward_id: int, text: str) -> Task | None:
    """A ward's active task by the label as people write it: "II.3", "ii.3", "II 3", "II.1.a)".

    Compared on the label's key in Python: a ward has tens of tasks, and the key (case,
    separators, brackets folded away) is not something SQL can index without a column.
    """
    key = label_key(text)
    if not key:
        return None
    for task in await session.scalars(select(Task).where(Task.ward_id == ward_id, Task.active).order_by(Task.stt)):
        if label_key(task.label or str(task.stt)) == key:
            return task
    return None


async def people_with_role(
    session: AsyncSession, ward_id: int, roles: tuple[str, ...], unit_id: int | None = None
) -> list[Person]:
    # People the office unlinked (/huy) no longer act or receive: a count of who was told
    # must not include them.
    stmt = select(Person).where(Person.ward_id == ward_id, Person.role.in_(roles), Person.unlinked_at.is_(None))
    if unit_id is not None:
        stmt = stmt.where(Person.unit_id == unit_id)
    return list(await session.scalars(stmt.order_by(Person.id)))


async def last_report_at(session: AsyncSession, ward_id: int) -> dict[int, datetime]:
    """Per unit id, when it last reported any status.

    The latest report per assignment is one seek at the end of its range of
    ix_status_reports_assignment (assignment_id, created_at); joining every report and
    grouping, as before, read all of a ward's reports (1.2 s with a million of them)."""
    latest = (
        select(func.max(StatusReport.created_at))
        .where(StatusReport.assignment_id == Assignment.id, StatusReport.retracted_at.is_(None))
        .correlate(Assignment)
        .scalar_subquery()
    )
    # Through the ward's tasks and their occurrences (indexed all the way); assignments have
    # no index on unit_id, so starting from the units would scan every ward's assignments.
    per_assignment = (
        select(Assignment.unit_id.label("unit_id"), latest.label("at"))
        .join(Occurrence, Assignment.occurrence_id == Occurrence.id)
        .join(Task, Occurrence.task_id == Task.id)
        .where(Task.ward_id == ward_id)
        .subquery()
    )
    stmt = select(per_assignment.c.unit_id, func.max(per_assignment.c.at)).group_by(per_assignment.c.unit_id)
    return {unit_id: at for unit_id, at in (await session.execute(stmt)).all() if at is not None}


async def active_units(session: AsyncSession, ward_id: int) -> dict[int, Unit]:
    return {u.id: u for u in await session.scalars(select(Unit).where(Unit.ward_id == ward_id, Unit.active))}


async def units_with_linked_head(session: AsyncSession, ward_id: int) -> set[int]:
    """Units whose head has linked at least one chat."""
    stmt = (
        select(Person.unit_id)
        .join(ChatIdentity, ChatIdentity.person_id == Person.id)
        .where(Person.ward_id == ward_id, Person.role == PersonRole.HEAD)
    )
    return {uid for uid in await session.scalars(stmt) if uid is not None}


async def waiting_conditional_tasks(session: AsyncSession, ward_id: int) -> list[str]:
    """Labels of the conditional tasks the office has not given a date yet, in plan order."""
    stmt = (
        select(Task.stt, Task.label)
        .where(
            Task.ward_id == ward_id,
            Task.active,
            Task.deadline_kind == DeadlineKind.CONDITIONAL,
            Task.activated_due.is_(None),
        )
        .order_by(Task.stt)
    )
    return [label or str(stt) for stt, label in (await session.execute(stmt)).all()]


async def ward_id_by_key(session: AsyncSession, key: str) -> int | None:
    return await session.scalar(select(Ward.id).where(Ward.key == key))


async def escalated_pairs(session: AsyncSession, ward_id: int) -> set[tuple[int, str]]:
    """(task stt, unit code) whose escalation to leadership is queued or was sent, for any
    period: leadership hears about a task and unit once."""
    stmt = (
        select(Task.stt, Unit.code)
        .select_from(Reminder)
        .join(Assignment, Reminder.assignment_id == Assignment.id)
        .join(Occurrence, Assignment.occurrence_id == Occurrence.id)
        .join(Task, Occurrence.task_id == Task.id)
        .join(Unit, Assignment.unit_id == Unit.id)
        .where(
            Reminder.ward_id == ward_id,
            Reminder.kind == ReminderKind.ESCALATE,
            Reminder.state.in_((ReminderState.PENDING, ReminderState.SENDING, ReminderState.SENT)),
        )
        .distinct()
    )
    return {(stt, code) for stt, code in (await session.execute(stmt)).all()}


async def blocked_assignments(session: AsyncSession, ward_id: int) -> list[AssignmentView]:
    """Active assignments whose latest status is "blocked"."""
    stmt = _views().where(*_active(ward_id)).where(_A.c.status == Status.BLOCKED)
    return [_view(r) for r in (await session.execute(stmt.order_by(_A.c.id))).all()]
