"""The target figures of a report window, as the export's Chỉ tiêu sheet shows them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.texts.common import cycle_title
from bot.texts.report import data_period
from bot.texts.targets import figure_note, requirement, result_text
from scheduler.plan import Plan
from scheduler.standing import TargetFigure
from scheduler.targets import target_results
from scheduler.windows import ReportWindow


def period_text(window: ReportWindow) -> str:
    """ "Báo cáo 6 tháng năm 2026" for a cycle, else the data period."""
    if window.cycle_name and window.year:
        return cycle_title(window.cycle_name, window.year)
    return data_period(window)


async def target_figures(session: AsyncSession, plan: Plan, ward_id: int, window: ReportWindow) -> list[TargetFigure]:
    """One row per target and unit that reported for it in `window`: the computed figure
    (share, reduction or the figure itself), its verdict and the numbers behind it."""
    period = period_text(window)
    return [
        TargetFigure(
            target_code=r.target.code,
            unit_code=r.unit_code,
            value=r.result,
            reported_at=max((row.reported_at for row in r.rows), default=None),
            period=period,
            note=figure_note(r),
            met=r.met,
        )
        for r in await target_results(session, plan, ward_id, window)
    ]


async def targets_summary(session: AsyncSession, plan: Plan, ward_id: int, window: ReportWindow) -> str:
    """The CHỈ TIÊU block of /summary: each target, each unit that reported, computed; the
    units still to report named."""
    if not plan.targets:
        return ""
    results = await target_results(session, plan, ward_id, window)
    lines = [f"CHỈ TIÊU — {period_text(window)}"]
    for target in plan.targets:
        lines.append(f"{target.name} (yêu cầu {requirement(target)})")
        mine = [r for r in results if r.target.code == target.code]
        for r in mine:
            lines.append(f"   {r.unit_code}: {result_text(r).split(': ', 1)[1]}")
        missing = [u for u in target.units if u not in {r.unit_code for r in mine}]
        if missing:
            lines.append(f"   Chưa báo số liệu: {', '.join(missing)}")
    return "\n\n" + "\n".join(lines)
