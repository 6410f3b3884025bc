"""Calendar periods (month, quarter, half-year, year) used by deadline rules."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Literal

Freq = Literal["monthly", "quarterly", "semiannual", "yearly"]
FREQ_MONTHS: dict[Freq, int] = {"monthly": 1, "quarterly": 3, "semiannual": 6, "yearly": 12}


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def period_start(freq: Freq, day: date) -> date:
    """First day of the period of `freq` that contains `day`."""
    months = FREQ_MONTHS[freq]
    first_month = ((day.month - 1) // months) * months + 1
    return date(day.year, first_month, 1)


def period_end(freq: Freq, start: date) -> date:
    last_month = start.month + FREQ_MONTHS[freq] - 1
    return month_end(start.year, last_month)


def next_period(freq: Freq, start: date) -> date:
    return period_end(freq, start) + timedelta(days=1)


def period_key(freq: Freq, start: date) -> str:
    if freq == "yearly":
        return f"{start.year}"
    if freq == "semiannual":
        return f"{start.year}-H{1 if start.month <= 6 else 2}"
    if freq == "quarterly":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"
