"""Where every task stands for one lead unit, as of a cut-off day: the one classification
that `/summary`, the export and the weekly digest all use, so they never disagree.

The four classes of government task tracking (done on time, done late, not done and still
within the deadline, not done and overdue) plus two that stand outside the count: a
conditional task still waiting for its condition, and work a unit declared not applicable.

Rules, all judged on the ward's local calendar day (Asia/Ho_Chi_Minh):
- A deadline occurrence is done when the latest report at the cut-off says "done"; its
  completion date is the day of the first "done" report of that unbroken run (a unit that
  said done, then "still working", then done again completed on the last of those). Done on
  or before the due day is on time — a report at 23:00 local on the due day is on time.
- Ongoing work ("Thường xuyên") is judged per check-in period: a period is fulfilled when the
  unit answered it with "done" or "in progress" (the work went on), or reported a difficulty
  in it ("vướng: …" is a report for its period: the unit spoke, the office knows why); a
  period it declared not applicable is left out; one still unanswered is in term until the
  period ends, overdue after. A "done" waiting for the office's review of the period's
  product, or a period whose product the office returned, is not fulfilled (as one-off work).
- Periods of recurring work that fell due before the start of tracking (plan setting
  `tracking_from`; by default the day the plan was first served) and were not reported are
  "before tracking": neither counted nor overdue, nor nagged (scheduler/nags.py). A report
  the office records for one still counts. One-off deadlines are always judged: a task due
  before the bot was started and not done is overdue.
- A task × unit with several occurrences in the window (monthly check-ins, a yearly task whose
  last year is still open) takes its worst occurrence, in the order overdue, in term, done late,
  done on time — a missed month stays visible for the whole report, and the work is "done" only
  when every period is. The periods are kept so a table can show "4/6 kỳ".
- The office's review (plan setting `confirm_done`, default true): a "done" counts only
  once the office has confirmed it (/xacnhan); until then it is not done — "chờ xác nhận"
  with its product, "báo xong, chưa có sản phẩm" without — and its completion date, once
  confirmed, is the day the unit reported it. A returned task (/tralai) is open again and
  not done. A decline ("không phát sinh") counts as not applicable only once the office has
  accepted it; until then, or when refused, the work is not done. These states are kept as
  a `marker` beside the class so the summary and the export can name them.
- An occurrence belongs to a window when its period has started by the cut-off and it was not
  closed before the window began; check-in periods when they overlap the window.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from scheduler.plan import Plan, Target
from scheduler.rating_rules import RatingRules
from scheduler.windows import ReportWindow
from scheduler.workcal import VN_ZONE
from store.enums import UNREVIEWED, AssignmentRole, DeadlineKind, Review, Status
from store.progress import COMPLETES_CHECKIN, COMPLETES_DEADLINE
from store.reporting import AssignmentState, ReportingSnapshot, ReportRow, TaskRow

OnTimeAgainst = Literal["extended", "original"]
Standing = Literal["done_on_time", "done_late", "in_term", "overdue", "waiting", "not_applicable", "before_tracking"]
FOUR: tuple[Standing, ...] = ("done_on_time", "done_late", "in_term", "overdue")
OUTSIDE: tuple[Standing, ...] = ("waiting", "not_applicable", "before_tracking")  # not in the shares
ALL: tuple[Standing, ...] = (*FOUR, *OUTSIDE)
# Worst first: the roll-up of several occurrences takes the first class present.
_SEVERITY: tuple[Standing, ...] = (
    "overdue",
    "in_term",
    "done_late",
    "done_on_time",
    "before_tracking",
    "not_applicable",
)
DONE: tuple[Standing, ...] = ("done_on_time", "done_late")
OPEN: tuple[Standing, ...] = ("in_term", "overdue")

# What a report still waiting for the office is shown as, beside its class.
Marker = Literal["awaiting_confirmation", "no_product", "returned", "decline_pending"]
MARKER_OF_REVIEW: dict[Review, Marker] = {
    Review.PENDING: "awaiting_confirmation",
    Review.NO_EVIDENCE: "no_product",
    Review.RETURNED: "returned",
}

# Statuses that complete an occurrence, by kind (passed down to the store's queries).
# What completes a deadline and a periodic check-in: the store keeps each assignment's
# completing run by the same sets (store/progress.py).
COMPLETING = COMPLETES_DEADLINE
CHECKIN_COMPLETING = COMPLETES_CHECKIN


@dataclass(frozen=True)
class OccurrenceStanding:
    assignment_id: int
    key: str
    start: date | None
    due: date
    checkin: bool
    standing: Standing
    completed_on: date | None
    last: ReportRow | None
    marker: Marker | None = None  # waiting for the office, or returned by it
    extended_due: date | None = None  # the approved extension; `due` is the plan's deadline
    against: OnTimeAgainst = "extended"  # which of the two the class was judged against

    @property
    def deciding_due(self) -> date:
        """The deadline the class was judged against (see `classify_occurrence`)."""
        return self.extended_due if self.extended_due is not None and self.against == "extended" else self.due


@dataclass(frozen=True)
class UnitStanding:
    """One task × lead unit in the window."""

    task_stt: int
    unit_code: str
    standing: Standing
    occurrences: tuple[OccurrenceStanding, ...]
    last: ReportRow | None  # the unit's latest report on this task at the cut-off
    blocked: ReportRow | None  # the latest difficulty it reported in the window
    task_label: str = ""  # how people name the task ("II.3"); the STT when not given

    def __post_init__(self) -> None:
        if not self.task_label:
            object.__setattr__(self, "task_label", str(self.task_stt))

    @property
    def marker(self) -> Marker | None:
        """What the office still has to do or did (the latest occurrence that has one)."""
        return next((o.marker for o in reversed(self.occurrences) if o.marker is not None), None)

    @property
    def due(self) -> date | None:
        """The due day that decides the class (the worst occurrence's), None while waiting."""
        for occ in self.occurrences:
            if occ.standing == self.standing:
                return occ.due
        return self.occurrences[-1].due if self.occurrences else None

    @property
    def extended_due(self) -> date | None:
        """The approved extension of the occurrence that decides the class, if any."""
        for occ in self.occurrences:
            if occ.standing == self.standing:
                return occ.extended_due
        return self.occurrences[-1].extended_due if self.occurrences else None

    @property
    def completed_on(self) -> date | None:
        """When the work was completed, if every occurrence is (the last completion)."""
        if self.standing not in ("done_on_time", "done_late"):
            return None
        days = [o.completed_on for o in self.occurrences if o.completed_on]
        return max(days) if days else None

    @property
    def periodic(self) -> bool:
        return len(self.occurrences) > 1 or any(o.checkin for o in self.occurrences)

    def periods(self) -> tuple[int, int]:
        """(fulfilled, counted) periods, not-applicable and before-tracking ones left out."""
        counted = [o for o in self.occurrences if o.standing not in ("not_applicable", "before_tracking")]
        return sum(1 for o in counted if o.standing in DONE), len(counted)

    def missing(self) -> tuple[OccurrenceStanding, ...]:
        """The counted periods not yet fulfilled (overdue or still in term), oldest first:
        "đã báo cáo 0/2 kỳ" names both."""
        return tuple(o for o in self.occurrences if o.standing in OPEN)


@dataclass(frozen=True)
class TaskStanding:
    task: TaskRow
    lead: tuple[UnitStanding, ...]
    coordinate: tuple[str, ...]  # unit codes
    coordinate_reports: tuple[tuple[str, ReportRow], ...] = ()  # (unit code, latest report)

    @property
    def standing(self) -> Standing:
        """The row's class: its worst lead unit (waiting and not applicable when all are)."""
        present = {u.standing for u in self.lead}
        for cls in (*_SEVERITY[:4], "waiting", "before_tracking", "not_applicable"):
            if cls in present:
                return cls
        return "waiting"


@dataclass(frozen=True)
class UnitActivity:
    code: str
    name: str
    has_lead_work: bool
    last_report_at: datetime | None  # latest report on any of its assignments at the cut-off

    def reported_since(self, moment: datetime) -> bool:
        return self.last_report_at is not None and self.last_report_at >= moment


@dataclass
class PlanStanding:
    window: ReportWindow
    cutoff: date
    ward_name: str
    plan_code: str
    tasks: list[TaskStanding]
    units: dict[str, UnitActivity]
    window_start_at: datetime = field(default_factory=lambda: datetime.min.replace(tzinfo=UTC))
    # The products units gave, per (task stt, unit code), as the office reads them.
    products: dict[tuple[int, str], list[str]] = field(default_factory=dict)
    rating: RatingRules = field(default_factory=RatingRules)  # the plan's (scheduler/rating.py)

    def leads(self) -> list[UnitStanding]:
        return [u for t in self.tasks for u in t.lead]

    def overdue(self) -> list[UnitStanding]:
        """The task × lead unit pairs counted "Quá hạn chưa hoàn thành", in plan order: the one
        list `/overdue`, the digest and the desk show, so it always equals the count of
        `/summary` (`counts()["overdue"]`)."""
        return [u for u in self.leads() if u.standing == "overdue"]

    def of_class(self, *classes: Standing) -> list[UnitStanding]:
        return [u for u in self.leads() if u.standing in classes]

    def counts(self, unit_code: str | None = None) -> Counter[Standing]:
        counts: Counter[Standing] = Counter({cls: 0 for cls in ALL})
        counts.update(u.standing for u in self.leads() if unit_code is None or u.unit_code == unit_code)
        return counts

    def lead_units(self) -> list[UnitActivity]:
        return [u for u in self.units.values() if u.has_lead_work]

    def not_reported(self) -> list[UnitActivity]:
        """Units with lead work that sent no report in the window (up to the cut-off)."""
        return [u for u in self.lead_units() if not u.reported_since(self.window_start_at)]

    def silent_since(self, moment: datetime) -> list[UnitActivity]:
        """Units with open lead work and no report since `moment`."""
        open_units = {u.unit_code for u in self.leads() if u.standing in ("in_term", "overdue")}
        return [u for u in self.lead_units() if u.code in open_units and not u.reported_since(moment)]


def share(part: int, total: int) -> float | None:
    """Percentage with one decimal; None when there is nothing to divide."""
    return None if total == 0 else round(part * 100 / total, 1)


def local_day(moment: datetime, zone: ZoneInfo = VN_ZONE) -> date:
    return moment.astimezone(zone).date()


def day_end(day: date, zone: ZoneInfo = VN_ZONE) -> datetime:
    """The last instant of a local day: the cut-off instant of a report judged on `day`."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone) - timedelta(microseconds=1)


def day_start(day: date, zone: ZoneInfo = VN_ZONE) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


# --- one occurrence ------------------------------------------------------------------------


def classify_occurrence(
    a: AssignmentState,
    cutoff: date,
    zone: ZoneInfo = VN_ZONE,
    on_time_against: OnTimeAgainst = "extended",
    *,
    confirm_done: bool = True,
    tracking_from: date | None = None,
) -> OccurrenceStanding:
    """One occurrence's class. With an approved extension the deadline is the extended day
    (as VPCP counts), or the plan's own when `on_time_against` is "original".

    The city roll-up counts with these rules (and `_in_window`'s, `roll_up`'s) restated in
    SQL, store/rollup.py: a change here is made there too (tests/test_rollup_counts.py)."""
    status = a.last.status if a.last else None
    review = a.last.review if a.last else None
    completed_on = local_day(a.completing.at, zone) if a.completing is not None else None
    due = a.extended_due if a.extended_due is not None and on_time_against == "extended" else a.due
    marker: Marker | None = MARKER_OF_REVIEW.get(review) if review is not None else None
    if a.checkin:
        # A period's "in progress" or difficulty is its report; a "done" asks for the
        # period's product like one-off work, and a product returned is redone first.
        marker = None
        if status == Status.DONE and review is not None and review in UNREVIEWED and confirm_done:
            marker, completed_on = MARKER_OF_REVIEW[review], None
        elif review == Review.RETURNED:
            marker, completed_on = "returned", None
        elif status == Status.BLOCKED and a.last is not None:
            completed_on = local_day(a.last.at, zone)  # a difficulty reported is a report
    elif status == Status.NOT_APPLICABLE and review == Review.PENDING:
        marker = "decline_pending"
    elif status == Status.DONE and review in UNREVIEWED and confirm_done:
        completed_on = None  # said done; not done until the office has seen the product
    standing: Standing
    if status == Status.NOT_APPLICABLE and marker != "decline_pending":
        standing = "not_applicable"
    elif completed_on is not None:
        standing = "done_on_time" if completed_on <= due else "done_late"
    elif tracking_from is not None and a.due < tracking_from and periodic_key(a.occurrence_key):
        standing = "before_tracking"
    else:
        standing = "overdue" if cutoff > due else "in_term"
    return OccurrenceStanding(
        assignment_id=a.assignment_id,
        key=a.occurrence_key,
        start=a.start,
        due=a.due,
        checkin=a.checkin,
        standing=standing,
        completed_on=completed_on if standing in ("done_on_time", "done_late") else None,
        last=a.last,
        extended_due=a.extended_due,
        against=on_time_against,
        marker=marker,
    )


def periodic_key(key: str) -> bool:
    """An occurrence of recurring work ("2026-05", "2026-Q2", "2026"), not a one-off
    deadline ("once", "activated", a milestone "m1")."""
    return key[:4].isdigit()


def _in_window(
    a: AssignmentState, window: ReportWindow, cutoff: date, zone: ZoneInfo, confirm_done: bool = True
) -> bool:
    if a.start is not None and a.start > cutoff:
        return False
    if a.checkin:
        return a.due >= window.start
    # Work closed before the window began was reported in an earlier report (a done the office
    # has not confirmed, or a decline it has not accepted, is not closed).
    review = a.last.review if a.last is not None else None
    closed = a.completing if not (confirm_done and review in UNREVIEWED) else None
    if closed is None and a.last is not None and a.last.status == Status.NOT_APPLICABLE and review != Review.PENDING:
        closed = a.last
    return closed is None or local_day(closed.at, zone) >= window.start


def roll_up(occurrences: Sequence[OccurrenceStanding]) -> Standing:
    present = {o.standing for o in occurrences}
    for cls in _SEVERITY:
        if cls in present:
            return cls
    return "not_applicable"


def _plan_order(codes: Sequence[str], code: str) -> tuple[int, str]:
    return (codes.index(code) if code in codes else len(codes), code)


def _latest(reports: Iterable[ReportRow | None]) -> ReportRow | None:
    found = [r for r in reports if r is not None]
    return max(found, key=lambda r: (r.at, r.id)) if found else None


# --- the whole plan ------------------------------------------------------------------------


def classify_plan(
    plan: Plan,
    snapshot: ReportingSnapshot,
    window: ReportWindow,
    cutoff: date,
    zone: ZoneInfo = VN_ZONE,
    on_time_against: OnTimeAgainst = "extended",
    *,
    tracking_from: date | None = None,
) -> PlanStanding:
    """Every task × lead unit as of `cutoff` (a local day) in `window`; recurring periods
    due before `tracking_from` (else the plan's setting) are "before tracking".

    The snapshot must have been loaded for the same cut-off (see `snapshot_bounds`). Lead and
    coordinating units come from the database's assignments; the plan is read only for the
    units of a conditional task that has no occurrence yet.
    """
    by_task: dict[int, list[AssignmentState]] = {}
    for a in snapshot.assignments:
        if _in_window(a, window, cutoff, zone, plan.confirm_done):
            by_task.setdefault(a.task_stt, []).append(a)
    unit_names = {u.code: u.name for u in snapshot.units}

    tasks: list[TaskStanding] = []
    for task in snapshot.tasks:
        rows = by_task.get(task.stt, [])
        spec = plan.task(task.stt)
        leads: dict[str, list[AssignmentState]] = {}
        coordinating: dict[str, list[AssignmentState]] = {}
        for a in rows:
            (leads if a.role == AssignmentRole.LEAD else coordinating).setdefault(a.unit_code, []).append(a)
        lead: list[UnitStanding] = []
        if task.deadline_kind == DeadlineKind.CONDITIONAL and task.activated_due is None:
            codes = spec.lead if spec else ()
            lead = [
                UnitStanding(task.stt, c, "waiting", (), None, None, task_label=task.label)
                for c in codes
                if c in unit_names
            ]
        for code, states in leads.items():
            occs = tuple(
                classify_occurrence(
                    a,
                    cutoff,
                    zone,
                    on_time_against,
                    confirm_done=plan.confirm_done,
                    tracking_from=plan.tracking_from or tracking_from,
                )
                for a in states
            )
            lead.append(
                UnitStanding(
                    task_stt=task.stt,
                    unit_code=code,
                    standing=roll_up(occs),
                    occurrences=occs,
                    last=_latest(a.last for a in states),
                    blocked=_latest(a.last_blocked for a in states),
                    task_label=task.label,
                )
            )
        if not lead:
            continue  # nothing of this task falls in the window yet
        coordinate = tuple(coordinating) or (spec.coordinate if spec else ())
        coordinate_reports = tuple(
            (code, r) for code, states in coordinating.items() if (r := _latest(a.last for a in states)) is not None
        )
        tasks.append(
            TaskStanding(
                task=task,
                lead=tuple(sorted(lead, key=lambda u: _plan_order(spec.lead if spec else (), u.unit_code))),
                coordinate=tuple(c for c in coordinate if c in unit_names),
                coordinate_reports=coordinate_reports,
            )
        )

    lead_codes = {u.unit_code for t in tasks for u in t.lead}
    last_at: dict[str, datetime] = {}
    for a in snapshot.assignments:
        if a.last is not None and (a.unit_code not in last_at or a.last.at > last_at[a.unit_code]):
            last_at[a.unit_code] = a.last.at
    units = {
        u.code: UnitActivity(u.code, u.name, u.code in lead_codes, last_at.get(u.code))
        for u in snapshot.units
        if u.code in lead_codes or u.code in last_at
    }
    return PlanStanding(
        window=window,
        cutoff=cutoff,
        ward_name=snapshot.ward_name or plan.ward,
        plan_code=snapshot.plan_code or plan.code,
        tasks=tasks,
        units=units,
        window_start_at=day_start(window.start, zone),
        rating=plan.rating,
    )


@dataclass(frozen=True)
class SnapshotBounds:
    cutoff: datetime
    since: datetime
    started_by: date
    periods_from: date


def snapshot_bounds(window: ReportWindow, cutoff: date, zone: ZoneInfo = VN_ZONE) -> SnapshotBounds:
    """What to ask the store for a standing as of the local day `cutoff`."""
    return SnapshotBounds(
        cutoff=day_end(cutoff, zone),
        since=day_start(window.start, zone),
        started_by=cutoff,
        periods_from=window.start,
    )


# --- targets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetFigure:
    """A figure a unit reported for a quantitative target in one period (filled by the
    targets work; the export shows them, and empty cells where none was reported)."""

    target_code: str
    unit_code: str
    value: float | None  # None while the unit's figures do not give it yet (e.g. no total)
    reported_at: datetime | None = None
    period: str = ""  # e.g. "6 tháng đầu năm 2026"
    note: str = ""
    met: bool | None = None  # judged by the caller; None: not judged (see `target_met`)


def target_met(target: Target, value: float) -> bool:
    if target.comparator == ">=":
        return value >= target.value
    if target.comparator == "<=":
        return value <= target.value
    return value == target.value


def figures_by_target(figures: Iterable[TargetFigure]) -> Mapping[str, list[TargetFigure]]:
    out: dict[str, list[TargetFigure]] = {}
    for f in figures:
        out.setdefault(f.target_code, []).append(f)
    return out
