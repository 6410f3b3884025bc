"""Reporting windows: the data period a report covers, from a plan's report cycle or given.

A report cycle (`reporting.cycles` of the plan) names its data period by day and month —
under Nghị định 09/2019/NĐ-CP the 6-month report covers 15/12 of the previous year to 14/6 —
and its due date as a recurrence ("Trước ngày 10 tháng 6 hằng năm"). The report of year Y
is the one whose data period *ends* in Y. Its due date usually falls before the period ends
(the office reports on 9/6 for data to 14/6, estimating the last days), so the due date is
not a cut-off; the cut-off is chosen by whoever builds the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from scheduler.folding import fold
from scheduler.occurrences import expand
from scheduler.plan import Plan, ReportCycle


class WindowError(ValueError):
    """An impossible window; the message is Vietnamese for the office."""


@dataclass(frozen=True)
class ReportWindow:
    start: date  # first day of data
    end: date  # last day of data, inclusive
    due: date | None = None  # when the report is due (calendar day), None for a window given by hand
    cycle_code: str | None = None
    cycle_name: str | None = None  # the plan's own name of the cycle, e.g. "Báo cáo 6 tháng"
    year: int | None = None

    def cutoff(self, today: date) -> date:
        """The day a report built `today` is judged at: today, or the window's last day once
        it is over (a report built late still describes its own period)."""
        return min(today, self.end)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def _day(year: int, day_month: tuple[int, int]) -> date:
    day, month = day_month
    try:
        return date(year, month, day)
    except ValueError:
        # 29/2 in a common year: the period ends on the last day of February.
        return date(year, month, 28)


def cycle_window(cycle: ReportCycle, year: int) -> ReportWindow:
    """The window of `cycle` whose data period ends in `year`."""
    end = _day(year, cycle.period_end)
    start_year = year - 1 if cycle.period_start_previous_year else year
    start = _day(start_year, cycle.period_start)
    if start > end:
        raise WindowError(f"Kỳ báo cáo {cycle.code}: ngày bắt đầu số liệu sau ngày kết thúc")
    return ReportWindow(
        start=start, end=end, due=_due(cycle, end), cycle_code=cycle.code, cycle_name=cycle.name, year=year
    )


def _due(cycle: ReportCycle, end: date) -> date:
    """The due day of the cycle's recurrence nearest to the period's end (for a yearly
    cycle, the one in the same year)."""
    occurrences = expand(cycle.rule, until=date(end.year + 1, 12, 31), plan_start=cycle.rule.start)
    return min((o.due for o in occurrences), key=lambda d: (abs((d - end).days), d))


def latest_cycle_window(cycle: ReportCycle, today: date) -> ReportWindow:
    """The window of `cycle` in progress or last begun on `today`: a 6-month report built on
    20/6/2026 covers 15/12/2025–14/6/2026 (the next one only starts on 15/12/2026)."""
    for year in (today.year + 1, today.year, today.year - 1):
        window = cycle_window(cycle, year)
        if window.start <= today:
            return window
    return cycle_window(cycle, today.year - 1)


def custom_window(start: date, end: date) -> ReportWindow:
    if end < start:
        raise WindowError(f"Ngày kết thúc ({end:%d/%m/%Y}) trước ngày bắt đầu ({start:%d/%m/%Y})")
    return ReportWindow(start=start, end=end)


def find_cycle(plan: Plan, code: str) -> ReportCycle:
    for cycle in plan.cycles:
        if cycle.code == code:
            return cycle
    known = ", ".join(c.code for c in plan.cycles) or "kế hoạch chưa khai báo kỳ báo cáo nào"
    raise WindowError(f'Không có kỳ báo cáo "{code}". Các kỳ: {known}')


def resolve_window(
    plan: Plan,
    today: date,
    *,
    cycle: str | None = None,
    year: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> ReportWindow:
    """The window a command asks for: `start`/`end` given by hand, else a cycle of the plan
    (its first cycle by default) for `year` or the one in progress."""
    if start is not None or end is not None:
        if cycle is not None or year is not None:
            raise WindowError("Chọn kỳ báo cáo (--cycle/--year) hoặc khoảng ngày (--from/--to), không chọn cả hai")
        if start is None or end is None:
            raise WindowError("Cần cả ngày bắt đầu (--from) và ngày kết thúc (--to)")
        return custom_window(start, end)
    if cycle is None:
        if not plan.cycles:
            # A plan without cycles: everything from its issue date up to today.
            return custom_window(plan.issued, max(today, plan.issued))
        chosen = plan.cycles[0]
    else:
        chosen = find_cycle(plan, cycle)
    return cycle_window(chosen, year) if year is not None else latest_cycle_window(chosen, today)


def live_window(plan: Plan, today: date) -> ReportWindow:
    """The window a live view (/summary, the weekly digest) judges by: the shortest report
    window in progress on `today` (the 6-month one until 14/6, then the year's), or the
    calendar year when the plan has no cycle covering the day."""
    running = [
        window
        for cycle in plan.cycles
        for year in (today.year, today.year + 1)
        if (window := cycle_window(cycle, year)).contains(today)
    ]
    if running:
        return min(running, key=lambda w: (w.end - w.start, w.end))
    return custom_window(date(today.year, 1, 1), date(today.year, 12, 31))


def upcoming_window(plan: Plan, today: date, grace_days: int = 14) -> ReportWindow:
    """The report the office is working on: the cycle window with the nearest due date not
    more than `grace_days` past (a report sent late is still that report)."""
    windows = [
        window
        for cycle in plan.cycles
        # Not before the plan: a cycle's due dates are its recurrence's, which starts with the plan.
        for year in range(max(today.year - 1, plan.issued.year), today.year + 2)
        if (window := cycle_window(cycle, year)).start <= today
        and window.due is not None
        and (today - window.due).days <= grace_days
    ]
    if windows:
        return min(windows, key=lambda w: (w.due or w.end, w.end - w.start))
    return resolve_window(plan, today)


def cycle_by_word(plan: Plan, word: str) -> ReportCycle:
    """A cycle by its code or by how the office names it in a chat command: "6thang" for
    "Báo cáo 6 tháng", "nam" for "Báo cáo năm" (diacritics and spaces do not matter)."""
    wanted = fold(word).replace(" ", "").replace("_", "")
    for cycle in plan.cycles:
        if cycle.code == word or fold(cycle.name).replace(" ", "").endswith(wanted):
            return cycle
    return find_cycle(plan, word)
