"""The deadline rules a phrase is read into, and their JSON shape."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Literal

from scheduler.periods import Freq

ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
WEEKDAYS = {
    "thu hai": 1, "thu 2": 1, "t2": 1,
    "thu ba": 2, "thu 3": 2, "t3": 2,
    "thu tu": 3, "thu 4": 3, "t4": 3,
    "thu nam": 4, "thu 5": 4, "t5": 4,
    "thu sau": 5, "thu 6": 5, "t6": 5,
    "thu bay": 6, "thu 7": 6, "t7": 6,
    "chu nhat": 7, "cn": 7,
}  # fmt: skip


class DeadlineError(ValueError):
    """The wording is not one we understand; the message is Vietnamese for the office."""


# --- rules ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Once:
    due: date
    time: time | None = None  # "trước 11h00 ngày 5/8/2026": the hour on the due day
    kind: Literal["once"] = "once"


@dataclass(frozen=True)
class DayInPeriod:
    """A due day inside each period.

    `day` is the day of the month, or the ISO weekday (1 = Thứ Hai) for weekly work;
    `month` is None unless yearly. With `next_period` the day falls after the period: in the
    month that follows it ("ngày 10 của tháng sau"), in the given month of the next year
    ("ngày 20/01 của năm sau"), or in the next week ("thứ Hai tuần sau").
    """

    day: int
    month: int | None
    strict: bool  # "trước ngày 25" → due on the 24th
    next_period: bool = False


@dataclass(frozen=True)
class Recurring:
    freq: Freq
    start: date
    day_in_period: DayInPeriod | None = None
    end: date | None = None  # "Hằng năm, giai đoạn 2026–2030": no period starts after it
    time: time | None = None
    kind: Literal["recurring"] = "recurring"


@dataclass(frozen=True)
class Period:
    """Work over a span ("Giai đoạn 2026–2030"): due at `end`, asked about every `checkin`."""

    start: date
    end: date
    checkin: Freq = "yearly"
    time: time | None = None
    kind: Literal["period"] = "period"


@dataclass(frozen=True)
class Milestone:
    label: str  # the cell's own words ("Ban hành kế hoạch"), "" when it has none
    due: date
    time: time | None = None


@dataclass(frozen=True)
class Milestones:
    """Several dated steps in one cell, in the cell's order; each is its own occurrence."""

    items: tuple[Milestone, ...]
    kind: Literal["milestones"] = "milestones"

    @property
    def due(self) -> date:
        return max(m.due for m in self.items)


@dataclass(frozen=True)
class Ongoing:
    start: date | None
    kind: Literal["ongoing"] = "ongoing"


@dataclass(frozen=True)
class Conditional:
    condition: str
    kind: Literal["conditional"] = "conditional"


DeadlineRule = Once | Recurring | Period | Milestones | Ongoing | Conditional


@dataclass(frozen=True)
class _Ctx:
    plan_year: int
    default_start: date  # a recurrence or "đến năm 2030" without a start begins here
    original: str  # the whole phrase, quoted in errors


def _clock(at: time) -> str:
    return f"{at:%H:%M}"


def rule_to_json(rule: DeadlineRule) -> dict[str, object]:
    """The stable JSON shape printed by `nhacviec deadline --json`.

    For weekly recurrences `day` is the ISO weekday (1 = Monday); otherwise the day of the
    month. `time` ("HH:MM") appears only when the wording gives a clock time.
    """
    out: dict[str, object]
    if isinstance(rule, Once):
        out = {"kind": "once", "due": rule.due.isoformat()}
    elif isinstance(rule, Recurring):
        out = {"kind": "recurring", "freq": rule.freq, "start": rule.start.isoformat()}
        if rule.day_in_period is not None:
            dip = rule.day_in_period
            out["day_in_period"] = {"day": dip.day, "month": dip.month, "before": dip.strict}
            if dip.next_period:
                out["day_in_period"] = {**out["day_in_period"], "next_period": True}  # type: ignore[dict-item]
            out["day"] = dip.day
        if rule.end is not None:
            out["end"] = rule.end.isoformat()
    elif isinstance(rule, Period):
        out = {
            "kind": "period",
            "start": rule.start.isoformat(),
            "end": rule.end.isoformat(),
            "due": rule.end.isoformat(),
            "checkin": rule.checkin,
        }
    elif isinstance(rule, Milestones):
        out = {
            "kind": "milestones",
            "milestones": [m.due.isoformat() for m in rule.items],
            "labels": [m.label for m in rule.items],
            "due": rule.due.isoformat(),
        }
        times = [_clock(m.time) if m.time else None for m in rule.items]
        if any(times):
            out["times"] = times
        return out
    elif isinstance(rule, Ongoing):
        return {"kind": "ongoing", "start": rule.start.isoformat() if rule.start else None}
    else:
        return {"kind": "conditional", "condition": rule.condition}
    if rule.time is not None:
        out["time"] = _clock(rule.time)
    return out
