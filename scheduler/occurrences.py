"""Deadline rules → occurrences: the concrete deadlines a task has over time."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from scheduler.deadlines import Conditional, DeadlineRule, Once, Ongoing, Recurring
from scheduler.periods import Freq, next_period, period_end, period_key, period_start


@dataclass(frozen=True)
class Occurrence:
    key: str  # stable per task: "once", "2026", "2026-Q4", "2026-05", "activated"
    due: date  # the last day still on time (calendar day, may be a weekend)
    start: date | None = None  # first day of the period, None for one-off deadlines
    checkin: bool = False  # periodic check-in of ongoing work, not a deadline


def recurring_due(rule: Recurring, start: date) -> date:
    dip = rule.day_in_period
    if dip is None:
        return period_end(rule.freq, start)
    if dip.month is None:  # monthly: clamp the 31st to shorter months
        day = min(dip.day, calendar.monthrange(start.year, start.month)[1])
        due = date(start.year, start.month, day)
    else:
        day = min(dip.day, calendar.monthrange(start.year, dip.month)[1])
        due = date(start.year, dip.month, day)
    return due - timedelta(days=1) if dip.strict else due


def expand(
    rule: DeadlineRule,
    *,
    until: date,
    plan_start: date,
    checkin: Freq = "monthly",
    activated_due: date | None = None,
) -> list[Occurrence]:
    """Occurrences whose period starts on or before `until`.

    Ongoing work gets one check-in per `checkin` period from its start (or the plan's
    issue date); a conditional task has none until someone activates it with a date.
    """
    if isinstance(rule, Once):
        return [Occurrence(key="once", due=rule.due)]
    if isinstance(rule, Conditional):
        return [] if activated_due is None else [Occurrence(key="activated", due=activated_due)]
    if isinstance(rule, Recurring):
        out: list[Occurrence] = []
        start = rule.start
        while start <= until:
            out.append(Occurrence(key=period_key(rule.freq, start), due=recurring_due(rule, start), start=start))
            start = next_period(rule.freq, start)
        return out
    assert isinstance(rule, Ongoing)
    first = max(rule.start or plan_start, plan_start)
    start = period_start(checkin, first)
    out = []
    while start <= until:
        out.append(
            Occurrence(key=period_key(checkin, start), due=period_end(checkin, start), start=start, checkin=True)
        )
        start = next_period(checkin, start)
    return out
