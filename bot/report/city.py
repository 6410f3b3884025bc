"""The city's view over the wards it oversees: one line per ward (the four classes and the
overdue share), worst first, in chat (`/summary` of a city person) and as a workbook
(`nhacviec export --city`: a roll-up sheet, then a sheet per ward)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from io import BytesIO

from sqlalchemy.ext.asyncio import AsyncSession

from bot.report import build_standing
from bot.report.rows import Report
from bot.texts import wards as texts_wards
from bot.texts.common import vn_date
from bot.texts.report import percent_text
from scheduler.plan import Plan
from scheduler.standing import (
    CHECKIN_COMPLETING,
    COMPLETING,
    FOUR,
    OnTimeAgainst,
    PlanStanding,
    SnapshotBounds,
    classify_plan,
    share,
    snapshot_bounds,
)
from scheduler.windows import ReportWindow, live_window
from scheduler.workcal import WorkingCalendar
from store.reporting import first_served, load_snapshots
from store.rollup import CountBounds, count_standings, fixed_offset


@dataclass(frozen=True)
class WardRollup:
    ward_id: int
    key: str
    plan: Plan
    counts: dict[str, int]  # the four classes (scheduler.standing.FOUR)
    standing: PlanStanding | None = None  # the whole standing, when the workbook needs it

    @classmethod
    def of(cls, ward_id: int, key: str, plan: Plan, standing: PlanStanding) -> WardRollup:
        c = standing.counts()
        return cls(ward_id, key, plan, {k: c[k] for k in FOUR}, standing)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def overdue_share(self) -> float | None:
        return share(self.counts["overdue"], self.total)


def worst_first(rollups: list[WardRollup]) -> list[WardRollup]:
    """The wards with the largest share of overdue work first, then the most overdue items;
    a ward with nothing due yet goes last."""
    return sorted(rollups, key=lambda r: (-(r.overdue_share or -1.0), -r.counts["overdue"], r.plan.ward, r.key))


async def city_rollup(
    s: AsyncSession,
    wards: list[tuple[int, str, Plan]],
    calendar: WorkingCalendar,
    today: date,
    window_of: Callable[[str], ReportWindow] | None = None,
    on_time_against: OnTimeAgainst = "extended",
    *,
    with_products: bool = False,
) -> list[WardRollup]:
    """Each ward's standing as of `today` (in its live window unless `window_of` gives
    another for its key), worst first.

    The chat's roll-up needs counts only: wards whose windows ask the same thing are
    classified and counted together in SQL (`store.rollup.count_standings`, the standing's
    rules on each assignment's own columns); a ward it cannot count (a view of an earlier
    day) is classified from its history. The workbook (`with_products`) builds each ward's
    whole standing, with its products, one ward at a time."""
    out = []
    if with_products:
        for ward_id, key, plan in wards:
            window = window_of(key) if window_of else live_window(plan, today)
            standing = await build_standing(s, plan, ward_id, window, window.cutoff(today), calendar, on_time_against)
            out.append(WardRollup.of(ward_id, key, plan, standing))
        return worst_first(out)
    offset = fixed_offset(calendar.zone, today)
    # Each ward's start of tracking, as its own /summary judges it (bot.report.build_standing).
    served = await first_served(s, [ward_id for ward_id, _, _ in wards])
    tracking = {
        ward_id: plan.tracking_from or (calendar.local_date(served[ward_id]) if ward_id in served else None)
        for ward_id, _, plan in wards
    }
    groups: dict[tuple[SnapshotBounds, bool], list[tuple[int, str, Plan, ReportWindow]]] = {}
    for ward_id, key, plan in wards:
        window = window_of(key) if window_of else live_window(plan, today)
        bounds = snapshot_bounds(window, window.cutoff(today), calendar.zone)
        groups.setdefault((bounds, plan.confirm_done), []).append((ward_id, key, plan, window))
    for (bounds, confirm_done), members in groups.items():
        counted: dict[int, Counter[str] | None] = {}
        if offset is not None:
            counted = await count_standings(
                s,
                [ward_id for ward_id, _, _, _ in members],
                CountBounds(
                    cutoff=bounds.cutoff,
                    cutoff_day=bounds.started_by,  # snapshot_bounds: assignments started by the cut-off day
                    since=bounds.since,
                    started_by=bounds.started_by,
                    periods_from=bounds.periods_from,
                    tracking_from=tuple((w, day) for w, _, _, _ in members if (day := tracking[w]) is not None),
                ),
                confirm_done=confirm_done,
                extended=on_time_against == "extended",
                offset=offset,
            )
        rest = []
        for ward_id, key, plan, window in members:
            counts = counted.get(ward_id)
            if counts is None:
                rest.append((ward_id, key, plan, window))
            else:
                out.append(WardRollup(ward_id, key, plan, {k: counts[k] for k in FOUR}))
        if not rest:
            continue
        snapshots = await load_snapshots(
            s,
            [ward_id for ward_id, _, _, _ in rest],
            cutoff=bounds.cutoff,
            since=bounds.since,
            started_by=bounds.started_by,
            periods_from=bounds.periods_from,
            completing=COMPLETING,
            checkin_completing=CHECKIN_COMPLETING,
        )
        for ward_id, key, plan, window in rest:
            cutoff = window.cutoff(today)
            snapshot, zone, since = snapshots[ward_id], calendar.zone, tracking[ward_id]
            standing = classify_plan(plan, snapshot, window, cutoff, zone, on_time_against, tracking_from=since)
            out.append(WardRollup.of(ward_id, key, plan, standing))
    return worst_first(out)


def rollup_text(rollups: list[WardRollup], today: date) -> str:
    if not rollups:
        return texts_wards.ROLLUP_NO_WARDS
    lines = [texts_wards.ROLLUP_TITLE.format(day=vn_date(today))]
    for n, r in enumerate(rollups, start=1):
        c = r.counts
        if not r.total:
            lines.append(texts_wards.ROLLUP_EMPTY.format(n=n, ward=r.plan.ward))
            continue
        lines.append(
            texts_wards.ROLLUP_LINE.format(
                n=n,
                ward=r.plan.ward,
                total=r.total,
                on_time=c["done_on_time"],
                late=c["done_late"],
                in_term=c["in_term"],
                overdue=c["overdue"],
                share=percent_text(r.overdue_share),
            )
        )
    lines.append(texts_wards.ROLLUP_HINT.format(example=f"/summary {_short(rollups[0].plan.ward)}"))
    return "\n".join(lines)


def _short(ward: str) -> str:
    for kind in ("Phường ", "Xã ", "Đặc khu ", "Thị trấn "):
        if ward.startswith(kind):
            return ward.removeprefix(kind)
    return ward


def _sheet_title(name: str, taken: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = "".join(ch for ch in name if ch not in "[]:*?/\\")[:31] or "Phường"
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def city_workbook(rollups: list[WardRollup], calendar: WorkingCalendar, today: date) -> bytes:
    """The roll-up sheet (one row per ward, worst first), then each ward's appendix."""
    # openpyxl only where a workbook is made: the chat's roll-up imports this module.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from bot.report.xlsx import FONT, _appendix, _cell, _header, _print_setup, fill

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = texts_wards.CITY_SHEET
    headers = texts_wards.CITY_HEADERS
    for row, text in enumerate((texts_wards.CITY_TITLE, texts_wards.CITY_CUTOFF.format(day=vn_date(today))), 1):
        ws.cell(row=row, column=1, value=text).font = Font(name=FONT, size=13 if row == 1 else 11, bold=row == 1)
        ws.cell(row=row, column=1).alignment = Alignment(vertical="center")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(headers))
    header = 4
    _header(ws, header, headers)
    for i, r in enumerate(rollups, start=1):
        row = header + i
        c = r.counts
        values: list[object] = [i, r.plan.ward, r.plan.code, r.total, *(c[k] for k in FOUR), r.overdue_share]
        for col, value in enumerate(values, start=1):
            _cell(ws, row, col, value)
        ws.cell(row=row, column=8).fill = fill("overdue")
        ws.cell(row=row, column=9).number_format = '0.0"%"'
    _print_setup(ws, header, (5, 30, 16, 10, 12, 12, 12, 10, 11))
    taken = {ws.title.lower()}
    for r in rollups:
        assert r.standing is not None, "the workbook's roll-up is built with_products"
        _appendix(wb.create_sheet(_sheet_title(r.plan.ward, taken)), Report(r.plan, r.standing, calendar, today))
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
