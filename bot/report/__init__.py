"""The office's report: standing of the plan as of a day, and the files and texts built on it.

`build_standing` is the one way to get a `PlanStanding`; /summary, the export and the digest
all start from it.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from bot.reading.evidence import Found, describe
from scheduler.plan import Plan
from scheduler.standing import (
    CHECKIN_COMPLETING,
    COMPLETING,
    OnTimeAgainst,
    PlanStanding,
    classify_plan,
    snapshot_bounds,
)
from scheduler.windows import ReportWindow
from scheduler.workcal import WorkingCalendar
from store.evidence import evidence_by_task_unit
from store.models import Evidence
from store.reporting import first_served, load_snapshot


async def build_standing(
    session: AsyncSession,
    plan: Plan,
    ward_id: int,
    window: ReportWindow,
    cutoff: date,
    calendar: WorkingCalendar,
    on_time_against: OnTimeAgainst = "extended",
) -> PlanStanding:
    """Every task × lead unit of the ward as of the local day `cutoff` within `window`;
    an approved extension is judged as `on_time_against` says (NHACVIEC_ON_TIME_AGAINST)."""
    bounds = snapshot_bounds(window, cutoff, calendar.zone)
    snapshot = await load_snapshot(
        session,
        ward_id,
        cutoff=bounds.cutoff,
        since=bounds.since,
        started_by=bounds.started_by,
        periods_from=bounds.periods_from,
        completing=COMPLETING,
        checkin_completing=CHECKIN_COMPLETING,
    )
    served = (await first_served(session, [ward_id])).get(ward_id)
    tracking = calendar.local_date(served) if served is not None else None  # plan.tracking_from first
    standing = classify_plan(plan, snapshot, window, cutoff, calendar.zone, on_time_against, tracking_from=tracking)
    given = await evidence_by_task_unit(session, ward_id, bounds.cutoff)
    standing.products = {key: list(dict.fromkeys(evidence_words(e) for e in items)) for key, items in given.items()}
    return standing


def evidence_words(e: Evidence) -> str:
    """A piece of evidence as the report shows it."""
    if e.kind == "file":
        return f"tệp/ảnh lưu tại {e.path}" if e.path else f"tệp/ảnh chưa tải được (mã tệp {(e.file_id or '')[:60]})"
    return describe(Found("link" if e.kind == "link" else "document", e.doc_number, e.doc_date, e.url))
