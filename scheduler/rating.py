"""Units rated on how they carried out their tasks in a report window (docs/rating.md).

The formula, on the one standing (scheduler/standing.py) so a rating never disagrees with
the counts beside it:

- Each task a unit leads is one item of weight `lead_weight` (default 1.0); each task it
  coordinates one item of weight `coordinate_weight` (default 0.3).
- A lead item's mark (0–1) is the mean of its periods' marks (one period for one-off work):
  done on time 1; done late `max(late_floor, 1 − late_per_day × days late)` (defaults 0.05
  a day, never below 0.5); overdue 0; a product the office returned and the unit has not
  redone 0, even within the deadline. Periods still within their deadline, not applicable,
  waiting for their condition or before the start of tracking are not marked.
- A coordinating item takes the mark of the task's lead units (their mean): a coordinating
  unit shares the result of the work it supports.
- Score = 100 × Σ(weight × mark) / Σ(weight) over the marked items; grade by the plan's
  thresholds (90 / 70 / 50 by default). No marked item: no score ("chưa đủ cơ sở").

Pure functions of a standing; the words are bot/report/wording.py's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from scheduler.order import natural_key
from scheduler.rating_rules import Grade, RatingRules
from scheduler.standing import OccurrenceStanding, PlanStanding, TaskStanding, UnitStanding

Role = Literal["lead", "coordinate"]


@dataclass(frozen=True)
class PeriodMark:
    """One period's mark and why: "on_time", "late" (with its days), "overdue", "returned"."""

    key: str
    why: Literal["on_time", "late", "overdue", "returned"]
    mark: float
    days_late: int = 0


@dataclass(frozen=True)
class RatingItem:
    """One task of a unit: its weight, mark and the periods that gave it."""

    task_stt: int
    task_label: str
    role: Role
    weight: float
    mark: float
    periods: tuple[PeriodMark, ...] = ()  # a lead item's marked periods; empty for coordination


@dataclass(frozen=True)
class UnitRating:
    code: str
    name: str
    items: tuple[RatingItem, ...]  # marked items only, lead first, in natural order
    score: float | None  # 0–100, one decimal; None: nothing marked yet
    grade: Grade | None

    def weighted(self) -> tuple[float, float]:
        """(Σ weight × mark, Σ weight): the working behind the score."""
        return sum(i.weight * i.mark for i in self.items), sum(i.weight for i in self.items)


def period_mark(o: OccurrenceStanding, rules: RatingRules) -> PeriodMark | None:
    """A period's mark, or None when it is not marked (in term, not applicable, waiting)."""
    if o.marker == "returned" and o.standing in ("in_term", "overdue"):
        return PeriodMark(o.key, "returned", 0.0)
    if o.standing == "done_on_time":
        return PeriodMark(o.key, "on_time", 1.0)
    if o.standing == "done_late":
        late = (o.completed_on - o.deciding_due).days if o.completed_on is not None else 0
        return PeriodMark(o.key, "late", rules.late_mark(late), late)
    if o.standing == "overdue":
        return PeriodMark(o.key, "overdue", 0.0)
    return None


def _lead_item(t: TaskStanding, u: UnitStanding, rules: RatingRules) -> RatingItem | None:
    marks = tuple(m for o in u.occurrences if (m := period_mark(o, rules)) is not None)
    if not marks:
        return None
    mark = sum(m.mark for m in marks) / len(marks)
    return RatingItem(t.task.stt, t.task.label, "lead", rules.lead_weight, mark, marks)


def rate_units(st: PlanStanding, rules: RatingRules | None = None) -> list[UnitRating]:
    """Every unit with a task in the window, best score first (units not yet marked last),
    ties in the order of the plan's units."""
    rules = rules or st.rating
    items: dict[str, list[RatingItem]] = {}
    order: list[str] = []

    def add(code: str, item: RatingItem | None) -> None:
        if code not in items:
            items[code] = []
            order.append(code)
        if item is not None and item.weight > 0:
            items[code].append(item)

    for t in st.tasks:
        leads = [(u, _lead_item(t, u, rules)) for u in t.lead]
        for u, item in leads:
            add(u.unit_code, item)
        marked = [i.mark for _, i in leads if i is not None]
        lead_codes = {u.unit_code for u in t.lead}
        for code in t.coordinate:
            if code in lead_codes:
                continue
            mark = sum(marked) / len(marked) if marked else None
            coord = (
                None
                if mark is None
                else RatingItem(t.task.stt, t.task.label, "coordinate", rules.coordinate_weight, mark)
            )
            add(code, coord)
    out = [_unit_rating(st, code, items[code], rules) for code in order]
    rank = {code: i for i, code in enumerate(st.units)}
    return sorted(out, key=lambda r: (r.score is None, -(r.score or 0.0), rank.get(r.code, len(rank)), r.code))


def _unit_rating(st: PlanStanding, code: str, found: Sequence[RatingItem], rules: RatingRules) -> UnitRating:
    ordered = tuple(sorted(found, key=lambda i: (i.role != "lead", natural_key(i.task_label))))
    total = sum(i.weight for i in ordered)
    score = round(100 * sum(i.weight * i.mark for i in ordered) / total, 1) if total > 0 else None
    unit = st.units.get(code)
    return UnitRating(
        code=code,
        name=unit.name if unit else code,
        items=ordered,
        score=score,
        grade=rules.grade(score) if score is not None else None,
    )


def rating_of(st: PlanStanding, unit_code: str, rules: RatingRules | None = None) -> UnitRating | None:
    """One unit's rating (a unit head's own), None when the unit has no task in the window."""
    return next((r for r in rate_units(st, rules) if r.code == unit_code), None)
