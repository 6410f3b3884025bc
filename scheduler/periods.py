"""Calendar periods (week, month, quarter, half-year, year) used by deadline rules."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Literal

Freq = Literal["weekly", "monthly", "quarterly", "semiannual", "yearly"]
# Weeks are not a whole number of months, so "weekly" is handled apart from this table.
FREQ_MONTHS: dict[Freq, int] = {"monthly": 1, "quarterly": 3, "semiannual": 6, "yearly": 12}
FRIDAY = 5  # ISO weekday


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def period_start(freq: Freq, day: date) -> date:
    """First day of the period of `freq` that contains `day` (Monday for ISO weeks)."""
    if freq == "weekly":
        return day - timedelta(days=day.weekday())
    months = FREQ_MONTHS[freq]
    first_month = ((day.month - 1) // months) * months + 1
    return date(day.year, first_month, 1)


def period_end(freq: Freq, start: date) -> date:
    """Last calendar day of the period (Sunday for ISO weeks)."""
    if freq == "weekly":
        return start + timedelta(days=6)
    last_month = start.month + FREQ_MONTHS[freq] - 1
    return month_end(start.year, last_month)


def period_due(freq: Freq, start: date) -> date:
    """The due day of a period when the wording gives no day inside it.

    A week is due on its Friday, the end of the working week: a Sunday due day would be
    moved back to Friday by the working calendar anyway, but overdue counting would only
    begin on Monday, a full working week late. Longer periods are due on their last day.
    """
    if freq == "weekly":
        return start + timedelta(days=FRIDAY - 1)
    return period_end(freq, start)


def next_period(freq: Freq, start: date) -> date:
    return period_end(freq, start) + timedelta(days=1)


def period_key(freq: Freq, start: date) -> str:
    if freq == "weekly":
        iso = start.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    if freq == "yearly":
        return f"{start.year}"
    if freq == "semiannual":
        return f"{start.year}-H{1 if start.month <= 6 else 2}"
    if freq == "quarterly":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"
