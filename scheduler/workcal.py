"""The Vietnamese working calendar: weekends, public holidays and official swaps."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from scheduler.vn_holidays import public_holidays

VN_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


class CalendarError(ValueError):
    pass


@dataclass(frozen=True)
class YearSwaps:
    days_off: frozenset[date] = frozenset()
    weekend_workdays: frozenset[date] = frozenset()
    not_days_off: frozenset[date] = frozenset()


@dataclass(frozen=True)
class OfficeHours:
    """Office hours as local-time intervals, e.g. 7:30–11:30 and 13:30–17:00."""

    intervals: tuple[tuple[time, time], ...] = ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))

    def contains(self, moment: time) -> bool:
        return any(start <= moment < end for start, end in self.intervals)


@dataclass
class WorkingCalendar:
    """Working days on `holidays.VN` plus the swaps of `data/calendar.yaml`.

    Holidays are computed per year on first use and cached, so planning a year for many
    plans costs one holiday computation.
    """

    swaps: dict[int, YearSwaps] = field(default_factory=dict)
    office_hours: OfficeHours = field(default_factory=OfficeHours)
    zone: ZoneInfo = VN_ZONE
    _off_by_year: dict[int, frozenset[date]] = field(default_factory=dict, repr=False)
    _worked_weekends: dict[int, frozenset[date]] = field(default_factory=dict, repr=False)
    _days: list[date] = field(default_factory=list, repr=False)
    _floor: dict[date, int] = field(default_factory=dict, repr=False)
    _first_year: int = 10_000
    _last_year: int = 0

    def _year(self, year: int) -> tuple[frozenset[date], frozenset[date]]:
        off = self._off_by_year.get(year)
        if off is None:
            sw = self.swaps.get(year, YearSwaps())
            off = frozenset((public_holidays(year) | sw.days_off) - sw.not_days_off)
            self._off_by_year[year] = off
            self._worked_weekends[year] = sw.weekend_workdays
        return off, self._worked_weekends[year]

    def is_working_day(self, day: date) -> bool:
        off, worked = self._year(day.year)
        if day in worked:
            return True
        return day.weekday() < 5 and day not in off

    def _ensure_index(self, day: date) -> None:
        """Index working days of the years around `day` so moves are O(1) lookups."""
        if self._first_year <= day.year - 1 and day.year + 1 <= self._last_year:
            return
        first = min(self._first_year, day.year - 1) if self._days else day.year - 1
        last = max(self._last_year, day.year + 1) if self._days else day.year + 1
        current, end = date(first, 1, 1), date(last, 12, 31)
        days: list[date] = []
        floor: dict[date, int] = {}
        while current <= end:
            if self.is_working_day(current):
                days.append(current)
            floor[current] = len(days) - 1  # index of the last working day on or before
            current += timedelta(days=1)
        self._days, self._floor = days, floor
        self._first_year, self._last_year = first, last

    def on_or_before(self, day: date) -> date:
        """The last working day on or before `day`."""
        self._ensure_index(day)
        return self._days[self._floor[day]]

    def add_working_days(self, day: date, n: int) -> date:
        """Move `n` working days from `day` (negative: back). `day` itself is not counted."""
        if n == 0:
            return day
        # Make sure the index reaches far enough (a working week has at least 2 days).
        self._ensure_index(day)
        self._ensure_index(day + timedelta(days=4 * n))
        i = self._floor[day]
        if n > 0:
            return self._days[i + n]
        # Going back: a non-working `day` already sits after days[i], which counts as one step.
        return self._days[i + n + (0 if self._days[i] == day else 1)]

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many working days remain from start to end."""
        self._ensure_index(start)
        self._ensure_index(end)
        return self._floor[end] - self._floor[start]

    def local_date(self, moment: datetime) -> date:
        """The calendar day of an instant in the ward's zone."""
        return moment.astimezone(self.zone).date()

    def local_instant(self, day: date, at: time) -> datetime:
        return datetime.combine(day, at, tzinfo=self.zone)


def load_calendar(
    path: Path | None, office_hours: OfficeHours | None = None, zone: ZoneInfo | None = None
) -> WorkingCalendar:
    # YAML is loaded here, not with the module: bot.settings imports OfficeHours from this
    # module for every command, and most (`nhacviec link` among them) read no calendar.
    import yaml

    swaps: dict[int, YearSwaps] = {}
    if path is not None and path.exists():
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for year, spec in (data.get("years") or {}).items():
            spec = spec or {}
            swaps[int(year)] = YearSwaps(
                days_off=_dates(spec.get("days_off"), path, year, "days_off"),
                weekend_workdays=_dates(spec.get("weekend_workdays"), path, year, "weekend_workdays"),
                not_days_off=_dates(spec.get("not_days_off"), path, year, "not_days_off"),
            )
    return WorkingCalendar(swaps=swaps, office_hours=office_hours or OfficeHours(), zone=zone or VN_ZONE)


def _dates(values: Iterable[object] | None, path: Path, year: object, key: str) -> frozenset[date]:
    out = set()
    for value in values or []:
        if isinstance(value, date):
            out.add(value)
            continue
        try:
            out.add(date.fromisoformat(str(value)))
        except ValueError:
            raise CalendarError(f"{path}: năm {year}, {key}: ngày không hợp lệ {value!r}") from None
    return frozenset(out)
