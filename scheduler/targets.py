"""The plan's quantitative targets as units report them: which period a figure belongs to,
and what the figures of a unit make of each target (a share, a reduction against the
previous year, or the figure itself), judged against the target's comparator.

Pure apart from `target_results`, which reads the figures of a window and of the same
window a year earlier.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.plan import Plan, Target
from scheduler.standing import target_met
from scheduler.windows import ReportWindow
from store.targets import FigureRow, figures


def period_key(window: ReportWindow) -> str:
    """How figures of a report period are stored: "six_month:2026" for a cycle's window,
    "2026-01-01:2026-12-31" for a window given by its days."""
    if window.cycle_code and window.year:
        return f"{window.cycle_code}:{window.year}"
    return f"{window.start.isoformat()}:{window.end.isoformat()}"


def previous_year(window: ReportWindow) -> ReportWindow:
    """The same report period a year earlier: the baseline of a reduction "so với năm trước"."""

    def back(day: date) -> date:
        try:
            return day.replace(year=day.year - 1)
        except ValueError:  # 29/2
            return day.replace(year=day.year - 1, day=28)

    return replace(
        window,
        start=back(window.start),
        end=back(window.end),
        due=back(window.due) if window.due else None,
        year=window.year - 1 if window.year else None,
    )


@dataclass(frozen=True)
class TargetResult:
    """One unit's standing on one target in one period."""

    target: Target
    unit_code: str
    values: dict[str, float]  # the figures reported this period, by key
    result: float | None  # the share or the reduction in percent, or the figure; None: not computable
    baseline: float | None  # reduction: the previous year's figure used
    met: bool | None  # None while the figures are incomplete
    rows: tuple[FigureRow, ...] = ()  # the stored figures this period

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(k for k in self.target.keys if k not in self.values)


def evaluate(target: Target, unit: str, current: dict[str, float], previous: dict[str, float]) -> TargetResult:
    """What `current` (this period's figures of `unit`, by key) makes of `target`."""
    values = {k: current[k] for k in target.keys if k in current}
    result: float | None = None
    baseline: float | None = None
    if target.measure == "share":
        part, total = values.get(target.part), values.get(target.total)
        if part is not None and total:
            result = round(part * 100 / total, 1)
    elif target.measure == "reduction":
        figure = values.get(target.figure)
        baseline = target.baseline_for(unit)
        if baseline is None:
            baseline = previous.get(target.figure)
        if figure is not None and baseline:
            result = round((baseline - figure) * 100 / baseline, 1)
    else:
        result = values.get(target.figure)
    met = target_met(target, result) if result is not None else None
    return TargetResult(target, unit, values, result, baseline, met)


def by_unit(rows: list[FigureRow]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for r in rows:
        out.setdefault(r.unit_code, {})[r.field] = r.value
    return out


async def target_results(
    session: AsyncSession, plan: Plan, ward_id: int, window: ReportWindow, unit: str | None = None
) -> list[TargetResult]:
    """Per target (plan order) and reporting unit that gave any of its figures in `window`
    (or `unit` alone, reported or not), what the figures make of it."""
    here, before = period_key(window), period_key(previous_year(window))
    rows = await figures(session, ward_id, (here, before))
    current = by_unit([r for r in rows if r.period == here])
    previous = by_unit([r for r in rows if r.period == before])
    out: list[TargetResult] = []
    for target in plan.targets:
        for code in target.units:
            if unit is not None and code != unit:
                continue
            mine = current.get(code, {})
            if unit is None and not any(k in mine for k in target.keys):
                continue
            result = evaluate(target, code, mine, previous.get(code, {}))
            kept = tuple(r for r in rows if r.period == here and r.unit_code == code and r.field in target.keys)
            out.append(replace(result, rows=kept))
    return out


def concerned(plan: Plan, unit: str) -> list[Target]:
    """The targets `unit` reports figures for."""
    return [t for t in plan.targets if unit in t.units]


def keys_of(targets: list[Target]) -> dict[str, str]:
    """Key → what it counts, over `targets`, first label wins, in order of appearance."""
    out: dict[str, str] = {}
    for t in targets:
        for k in t.keys:
            out.setdefault(k, t.label(k))
    return out
