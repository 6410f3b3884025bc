"""Deadline rules → occurrences: the concrete deadlines a task has over time."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from scheduler.deadlines import Conditional, DeadlineRule, Milestones, Once, Ongoing, Period, Recurring
from scheduler.periods import Freq, next_period, period_due, period_end, period_key, period_start

PERIOD_END_KEY = "end"


@dataclass(frozen=True)
class Occurrence:
    # Stable per task: "once", "2026", "2026-Q4", "2026-05", "2026-W27", "m1" (first
    # milestone), "end" (the end of a span), "activated".
    key: str
    due: date  # the last day still on time (calendar day, may be a weekend)
    start: date | None = None  # first day of the period, None for one-off deadlines
    checkin: bool = False  # periodic check-in of ongoing work, not a deadline
    label: str = ""  # a milestone's own words ("Ban hành kế hoạch")


def _day_of_month(year: int, month: int, day: int) -> date:
    """Clamp the 31st to shorter months."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def recurring_due(rule: Recurring, start: date) -> date:
    dip = rule.day_in_period
    if dip is None:
        return period_due(rule.freq, start)
    if rule.freq == "weekly":
        due = start + timedelta(days=dip.day - 1 + (7 if dip.next_period else 0))
    elif dip.next_period and dip.month is not None:  # "trước ngày 20/01 của năm sau"
        due = _day_of_month(start.year + 1, dip.month, dip.day)
    elif dip.next_period:  # the month right after the period: "ngày 10 của tháng sau"
        following = period_end(rule.freq, start) + timedelta(days=1)
        due = _day_of_month(following.year, following.month, dip.day)
    elif dip.month is None:  # monthly
        due = _day_of_month(start.year, start.month, dip.day)
    else:
        due = _day_of_month(start.year, dip.month, dip.day)
    return due - timedelta(days=1) if dip.strict else due


def _recurring(rule: Recurring, until: date) -> list[Occurrence]:
    out: list[Occurrence] = []
    start = rule.start
    while start <= until and (rule.end is None or start <= rule.end):
        out.append(Occurrence(key=period_key(rule.freq, start), due=recurring_due(rule, start), start=start))
        start = next_period(rule.freq, start)
    return out


def _checkins(freq: Freq, first: date, until: date, stop: date | None = None) -> list[Occurrence]:
    """One check-in per period of `freq` from the one containing `first`; with `stop`,
    only those due before it (the final due of a span is its own occurrence)."""
    out: list[Occurrence] = []
    start = period_start(freq, first)
    while start <= until:
        due = period_end(freq, start)
        if stop is not None and due >= stop:
            break
        out.append(Occurrence(key=period_key(freq, start), due=due, start=start, checkin=True))
        start = next_period(freq, start)
    return out


def _period(rule: Period, until: date, plan_start: date) -> list[Occurrence]:
    """Check-ins from the later of the span's start and the plan's issue date (years already
    behind when the plan is issued are nobody's to answer), then the final due."""
    first = max(rule.start, plan_start)
    out = _checkins(rule.checkin, first, until, stop=rule.end) if first <= rule.end else []
    return [*out, Occurrence(key=PERIOD_END_KEY, due=rule.end, start=rule.start)]


def expand(
    rule: DeadlineRule,
    *,
    until: date,
    plan_start: date,
    checkin: Freq = "monthly",
    activated_due: date | None = None,
) -> list[Occurrence]:
    """Occurrences whose period starts on or before `until`.

    One-off deadlines (a date, each milestone, the end of a span) are always listed. Ongoing
    work gets one check-in per `checkin` period from its start (or the plan's issue date); a
    span gets its own check-ins (yearly by default); a conditional task has none until
    someone activates it with a date.
    """
    if isinstance(rule, Once):
        return [Occurrence(key="once", due=rule.due)]
    if isinstance(rule, Milestones):
        # Keys follow the cell's order, so an edited date keeps its occurrence and replies.
        return [Occurrence(key=f"m{i}", due=m.due, label=m.label) for i, m in enumerate(rule.items, start=1)]
    if isinstance(rule, Conditional):
        return [] if activated_due is None else [Occurrence(key="activated", due=activated_due)]
    if isinstance(rule, Recurring):
        return _recurring(rule, until)
    if isinstance(rule, Period):
        return _period(rule, until, plan_start)
    assert isinstance(rule, Ongoing)
    return _checkins(checkin, max(rule.start or plan_start, plan_start), until)
