"""The ward at a glance: one row per task, one column per unit, each cell classified by the
same rules as /summary and the export (scheduler/standing.py, from the same snapshot), with
the marks the office acts on."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.plan import Plan
from scheduler.standing import (
    CHECKIN_COMPLETING,
    COMPLETING,
    FOUR,
    OnTimeAgainst,
    Standing,
    _in_window,
    classify_occurrence,
    classify_plan,
    roll_up,
    snapshot_bounds,
)
from scheduler.windows import ReportWindow
from scheduler.workcal import WorkingCalendar
from store.desk import pending_extension_assignments
from store.enums import AssignmentRole, DeadlineKind, Status
from store.reporting import AssignmentState, ReportRow, load_snapshot

# The standings a cell carries (data-standing), as offices name them: the standing's
# "in term" is split into work begun and work not begun.
CELL_STANDINGS = ("done_on_time", "done_late", "in_progress", "overdue", "not_started", "waiting", "not_applicable")
FLAGS = ("awaiting_confirmation", "returned", "blocked", "extension_pending")
_FLAG_OF_MARKER = {
    "awaiting_confirmation": "awaiting_confirmation",
    "no_product": "awaiting_confirmation",
    "decline_pending": "awaiting_confirmation",
    "returned": "returned",
}


def cell_standing(standing: Standing, last: ReportRow | None) -> str:
    """The standing's class as a cell shows it: "in term" is work in progress once the unit
    has reported anything but "not started", else not started."""
    if standing == "in_term":
        return "in_progress" if last is not None and last.status != Status.NOT_STARTED else "not_started"
    return standing


@dataclass(frozen=True)
class Cell:
    task_label: str
    unit_code: str
    role: str  # lead | coordinate
    standing: str
    flags: tuple[str, ...]
    marker: str | None
    last: ReportRow | None
    due: date | None
    extended_due: date | None


@dataclass
class Row:
    stt: int
    label: str
    content: str
    deadline_text: str
    due: date | None
    extended_due: date | None
    standing: str
    cells: dict[str, Cell] = field(default_factory=dict)


@dataclass
class Matrix:
    window: ReportWindow
    cutoff: date
    units: list[tuple[str, str]]  # (code, name) in plan order
    rows: list[Row]
    counts: dict[str, int]  # the four classes of the standing (lead units)
    cell_counts: Counter[str]

    def shown_units(self, unit: str | None) -> list[tuple[str, str]]:
        return [u for u in self.units if unit is None or u[0] == unit]


def _flags(marker: str | None, last: ReportRow | None, extension: bool) -> tuple[str, ...]:
    out = []
    if marker in _FLAG_OF_MARKER:
        out.append(_FLAG_OF_MARKER[marker])
    if last is not None and last.status == Status.BLOCKED:
        out.append("blocked")
    if extension:
        out.append("extension_pending")
    return tuple(dict.fromkeys(out))


def _latest(states: list[AssignmentState]) -> ReportRow | None:
    found = [a.last for a in states if a.last is not None]
    return max(found, key=lambda r: (r.at, r.id)) if found else None


async def build_matrix(
    s: AsyncSession,
    plan: Plan,
    ward_id: int,
    window: ReportWindow,
    today: date,
    calendar: WorkingCalendar,
    on_time_against: OnTimeAgainst = "extended",
) -> Matrix:
    """The matrix of the ward in `window` as of `today` (cut off at the window's end)."""
    cutoff = window.cutoff(today)
    zone = calendar.zone
    bounds = snapshot_bounds(window, cutoff, zone)
    snapshot = await load_snapshot(
        s,
        ward_id,
        cutoff=bounds.cutoff,
        since=bounds.since,
        started_by=bounds.started_by,
        periods_from=bounds.periods_from,
        completing=COMPLETING,
        checkin_completing=CHECKIN_COMPLETING,
    )
    standing = classify_plan(plan, snapshot, window, cutoff, zone, on_time_against)
    extensions = await pending_extension_assignments(s, ward_id)
    coordinating: dict[tuple[int, str], list[AssignmentState]] = {}
    for a in snapshot.assignments:
        if a.role == AssignmentRole.COORDINATE and _in_window(a, window, cutoff, zone, plan.confirm_done):
            coordinating.setdefault((a.task_stt, a.unit_code), []).append(a)
    rows = []
    cell_counts: Counter[str] = Counter()
    for t in standing.tasks:
        row = Row(
            stt=t.task.stt,
            label=t.task.label,
            content=t.task.content,
            deadline_text=t.task.deadline_text,
            due=next((u.due for u in t.lead if u.due is not None), None),
            extended_due=next((u.extended_due for u in t.lead if u.extended_due is not None), None),
            standing=cell_standing(t.standing, next((u.last for u in t.lead), None)),
        )
        for u in t.lead:
            ids = {o.assignment_id for o in u.occurrences}
            marker = u.marker
            row.cells[u.unit_code] = Cell(
                t.task.label,
                u.unit_code,
                AssignmentRole.LEAD,
                cell_standing(u.standing, u.last),
                _flags(marker, u.last, bool(ids & extensions)),
                marker,
                u.last,
                u.due,
                u.extended_due,
            )
        for code in t.coordinate:
            states = coordinating.get((t.task.stt, code), [])
            occs = [
                classify_occurrence(a, cutoff, zone, on_time_against, confirm_done=plan.confirm_done) for a in states
            ]
            last = _latest(states)
            marker = next((o.marker for o in reversed(occs) if o.marker is not None), None)
            waiting = t.task.deadline_kind == DeadlineKind.CONDITIONAL and t.task.activated_due is None
            cls: Standing = roll_up(occs) if occs else "waiting" if waiting else "in_term"
            row.cells.setdefault(
                code,
                Cell(
                    t.task.label,
                    code,
                    AssignmentRole.COORDINATE,
                    cell_standing(cls, last),
                    _flags(marker, last, any(a.assignment_id in extensions for a in states)),
                    marker,
                    last,
                    occs[0].due if occs else None,
                    occs[0].extended_due if occs else None,
                ),
            )
        cell_counts.update(c.standing for c in row.cells.values())
        rows.append(row)
    counts = standing.counts()
    names = {u.code: u.name for u in snapshot.units}
    units = [(code, names[code]) for code in plan.units if code in names]
    units += [(u.code, u.name) for u in snapshot.units if u.code not in plan.units]
    return Matrix(window, cutoff, units, rows, {k: counts[k] for k in FOUR}, cell_counts)
