"""The report window a page shows, from its query: the live one by default, a cycle of the
plan (?ky=CODE[&nam=YEAR]) or a span of days (?tu=…&den=…), and the "as of" day (?ngay=…)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from starlette.datastructures import QueryParams

from bot.desk.web import Refusal
from bot.texts import desk as td
from scheduler.plan import Plan
from scheduler.windows import (
    ReportWindow,
    WindowError,
    custom_window,
    cycle_window,
    find_cycle,
    latest_cycle_window,
    live_window,
)

_DMY = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


def parse_day(text: str) -> date:
    """dd/mm/yyyy as the office writes it, or YYYY-MM-DD (what a date field sends)."""
    try:
        if m := _DMY.match(text):
            return date(int(m[3]), int(m[2]), int(m[1]))
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Refusal(400, td.bad_date(text)) from None


@dataclass(frozen=True)
class Choice:
    window: ReportWindow
    today: date  # the "as of" day
    cycle: str  # "" live, a cycle code, or "khoang" (a span of days)
    year: int | None
    start: date | None
    end: date | None

    def query(self, today: date | None = None) -> str:
        """The same choice as a query string (for links to the files); "" for the live
        window as of `today`, what a page shows when nothing is chosen."""
        if not self.cycle and self.today == today:
            return ""
        parts = []
        if self.cycle:
            parts.append(f"ky={self.cycle}")
        if self.year is not None:
            parts.append(f"nam={self.year}")
        if self.start is not None and self.end is not None:
            parts += [f"tu={self.start.isoformat()}", f"den={self.end.isoformat()}"]
        parts.append(f"ngay={self.today.isoformat()}")
        return "&".join(parts)


def choose(plan: Plan, params: QueryParams, today: date) -> Choice:
    asked_day = params.get("ngay")
    on = parse_day(asked_day) if asked_day else today
    cycle = params.get("ky") or ""
    year_text = params.get("nam") or ""
    year = int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= 2100 else None
    start = parse_day(params["tu"]) if params.get("tu") else None
    end = parse_day(params["den"]) if params.get("den") else None
    try:
        if cycle == "khoang" or (not cycle and start and end):
            if start is None or end is None:
                raise Refusal(400, td.NEED_BOTH_ENDS)
            return Choice(custom_window(start, end), on, "khoang", None, start, end)
        if cycle:
            c = find_cycle(plan, cycle)
            window = cycle_window(c, year) if year is not None else latest_cycle_window(c, on)
            return Choice(window, on, cycle, year, None, None)
    except WindowError as exc:
        raise Refusal(400, str(exc)) from None
    return Choice(live_window(plan, on), on, "", None, None, None)
