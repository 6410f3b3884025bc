"""What the office and leaders read in chat about the plan, on the one standing
(scheduler/standing.py): `/overdue` (`overdue_list`), a unit head's own rating
(`own_rating_text`); `/summary` is bot/report/digest.py `summary_text`, on the same standing.

`/overdue` lists exactly the task × lead unit pairs `/summary` counts "Quá hạn chưa hoàn
thành" (`PlanStanding.overdue`), so the two never disagree; a "done" the office has not
confirmed is open in both, with its marker ("chờ xác nhận").

Below the line: the summary of the per-assignment view (`Summary`, `build_summary`,
`overdue_text`) that `/overdue` used before it took the standing; it classified on its own
and disagreed with `/summary`. Kept only until bot/commands/office.py calls `overdue_list`.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from bot.report import build_standing
from bot.report.rating import unit_rating_text
from bot.texts.common import NO_UNIT, vn_date
from bot.texts.extensions import due_phrase
from bot.texts.report import CLASS_LABELS, period_label, quoted, reason
from bot.texts.review import MARKER_LABELS
from scheduler.plan import Plan
from scheduler.rating import rating_of
from scheduler.standing import OnTimeAgainst, PlanStanding, UnitStanding
from scheduler.windows import live_window
from scheduler.workcal import WorkingCalendar
from store.models import Unit


def overdue_line(u: UnitStanding, calendar: WorkingCalendar) -> str:
    """ "4. VHXH: hạn 30/06/2026, đạt 60% (chờ xác nhận)" — one overdue task × lead unit."""
    if u.periodic:
        missed = [period_label(o.key) or vn_date(o.due) for o in u.occurrences if o.standing == "overdue"]
        done, counted = u.periods()
        what = f"chưa báo cáo {', '.join(missed)} (đã báo cáo {done}/{counted} kỳ)"
    elif u.due is not None:
        what = due_phrase(calendar.on_or_before(u.due), u.extended_due)
    else:
        what = CLASS_LABELS[u.standing].lower()
    if u.last is not None and u.last.percent is not None and u.last.status != "done":
        what += f", đạt {u.last.percent}%"
    if u.marker is not None:
        what += f" ({MARKER_LABELS[u.marker]})"
    if u.blocked is not None:
        what += f" — vướng: {quoted(reason(u.blocked), 60)}"
    return f"{u.task_label}. {u.unit_code}: {what}"


def overdue_list(st: PlanStanding, calendar: WorkingCalendar) -> str:
    """`/overdue`: the pairs `/summary` counts overdue, in plan order, on the same standing."""
    rows = st.overdue()
    if not rows:
        return f"Không có nhiệm vụ quá hạn (ngày {vn_date(st.cutoff)})."
    lines = [f"NHIỆM VỤ QUÁ HẠN — ngày {vn_date(st.cutoff)}: {len(rows)} lượt chủ trì"]
    lines += [overdue_line(u, calendar) for u in rows]
    return "\n".join(lines)


def own_rating_text(st: PlanStanding, unit_code: str, unit_name: str = "") -> str:
    """A unit head's own unit: its score and grade in the window of `st`, and why (each
    task's mark). The head's command builds `st` like `/summary` (live window) and passes
    the unit's name from the plan (the standing knows only units with work in the window)."""
    unit = st.units.get(unit_code)
    return unit_rating_text(st, rating_of(st, unit_code), unit_name or (unit.name if unit else unit_code))


async def own_unit_summary(
    session: AsyncSession,
    plan: Plan,
    ward_id: int,
    unit_id: int,
    today: date,
    calendar: WorkingCalendar,
    on_time_against: OnTimeAgainst = "extended",
) -> str:
    """What a unit head's `/summary` answers: their own unit's score, grade and why, in the
    live window, on the same standing as the office's `/summary`."""
    unit = await session.get(Unit, unit_id)
    if unit is None:
        return NO_UNIT
    window = live_window(plan, today)
    st = await build_standing(session, plan, ward_id, window, window.cutoff(today), calendar, on_time_against)
    return own_rating_text(st, unit.code, unit.name)
