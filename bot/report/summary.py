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

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.report import build_standing
from bot.report.rating import unit_rating_text
from bot.texts.common import NO_UNIT, ROLE_LABELS, STATUS_LABELS, vn_date
from bot.texts.extensions import due_phrase
from bot.texts.report import CLASS_LABELS, period_label, quoted, reason
from bot.texts.review import MARKER_LABELS
from scheduler.plan import Plan
from scheduler.rating import rating_of
from scheduler.standing import OnTimeAgainst, PlanStanding, UnitStanding
from scheduler.windows import live_window
from scheduler.workcal import VN_ZONE, WorkingCalendar
from store.models import Unit
from store.queries import (
    AssignmentView,
    active_units,
    current_assignments,
    last_report_at,
    units_with_linked_head,
    waiting_conditional_tasks,
)


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


# --- the per-assignment summary `/overdue` used before the standing (to be removed) -------


CATEGORY_LABELS = {
    "done_on_time": "Hoàn thành đúng hạn",
    "done_late": "Hoàn thành quá hạn",
    "in_progress": "Đang thực hiện trong hạn",
    "overdue": "Quá hạn chưa hoàn thành",
    "ongoing": "Nhiệm vụ thường xuyên",
    "not_applicable": "Không phát sinh",
    "waiting": "Chờ điều kiện (chưa có ngày)",
}


def classify(v: AssignmentView, today: date, zone: ZoneInfo = VN_ZONE, confirm_done: bool = True) -> str:
    """As scheduler/standing.py: a decline the office has not accepted is not "not
    applicable", and (with confirm_done) a done the office has not confirmed is not done."""
    if v.status == "not_applicable" and v.review != "pending":
        return "not_applicable"
    if v.checkin:
        return "ongoing"
    if v.status == "done" and not (confirm_done and v.review in ("pending", "no_evidence")):
        done_day = v.done_at.astimezone(zone).date() if v.done_at else today
        return "done_on_time" if done_day <= v.effective_due else "done_late"
    return "overdue" if today > v.effective_due else "in_progress"


@dataclass
class Summary:
    today: date
    views: list[AssignmentView]
    calendar: WorkingCalendar
    silent_units: list[tuple[str, str, datetime | None]] = field(default_factory=list)
    unlinked_units: list[tuple[str, str]] = field(default_factory=list)
    waiting_tasks: list[str] = field(default_factory=list)  # labels
    confirm_done: bool = True  # the plan's setting: a done counts once the office confirms it

    def leads(self) -> list[AssignmentView]:
        return [v for v in self.views if v.role == "lead"]

    def overdue(self) -> list[AssignmentView]:
        zone = self.calendar.zone
        return [v for v in self.leads() if classify(v, self.today, zone, self.confirm_done) == "overdue"]


async def build_summary(
    session: AsyncSession,
    ward_id: int,
    now: datetime,
    silent_after_days: int,
    calendar: WorkingCalendar,
    *,
    confirm_done: bool = True,
) -> Summary:
    today = calendar.local_date(now)
    views = await current_assignments(session, ward_id, today)
    last = await last_report_at(session, ward_id)
    units = await active_units(session, ward_id)
    with_open = {v.unit_id for v in views if v.is_open}
    cutoff = now - timedelta(days=silent_after_days)
    silent = [
        (units[uid].code, units[uid].name, last.get(uid))
        for uid in sorted(with_open, key=lambda u: units[u].code)
        if uid in units and (last.get(uid) is None or last[uid] < cutoff)
    ]
    linked_units = await units_with_linked_head(session, ward_id)
    unlinked = [
        (units[uid].code, units[uid].name)
        for uid in sorted(with_open, key=lambda u: units[u].code)
        if uid in units and uid not in linked_units
    ]
    waiting = await waiting_conditional_tasks(session, ward_id)
    return Summary(
        today=today,
        views=views,
        calendar=calendar,
        silent_units=silent,
        unlinked_units=unlinked,
        waiting_tasks=waiting,
        confirm_done=confirm_done,
    )


def _status(v: AssignmentView) -> str:
    text = STATUS_LABELS.get(v.status, v.status)
    if v.percent is not None and v.status != "done":
        text += f" {v.percent}%"
    return text


def summary_text(s: Summary) -> str:
    leads = s.leads()
    counts: dict[str, int] = defaultdict(int)
    for v in leads:
        counts[classify(v, s.today, s.calendar.zone, s.confirm_done)] += 1
    deadlined = sum(counts[k] for k in ("done_on_time", "done_late", "in_progress", "overdue"))
    overdue_share = f" ({counts['overdue'] * 100 // deadlined}%)" if deadlined else ""
    lines = [f"TỔNG HỢP TIẾN ĐỘ — ngày {vn_date(s.today)}", ""]
    lines.append(f"Quá hạn chưa hoàn thành: {counts['overdue']}/{deadlined} lượt chủ trì có thời hạn{overdue_share}")
    for key in ("done_on_time", "done_late", "in_progress", "ongoing", "not_applicable"):
        if counts[key]:
            lines.append(f"• {CATEGORY_LABELS[key]}: {counts[key]}")
    if s.waiting_tasks:
        lines.append(f"• {CATEGORY_LABELS['waiting']}: nhiệm vụ {', '.join(s.waiting_tasks)}")

    lines += ["", "THEO NHIỆM VỤ"]
    by_task: dict[int, list[AssignmentView]] = defaultdict(list)
    for v in s.views:
        by_task[v.task_stt].append(v)
    for stt in sorted(by_task):
        group = by_task[stt]
        head = group[0]
        due = "thường xuyên" if head.checkin else f"hạn {vn_date(s.calendar.on_or_before(head.due))}"
        lines.append(f"{head.task_label}. {head.content[:70]}{'…' if len(head.content) > 70 else ''} ({due})")
        for v in group:
            overdue = classify(v, s.today, s.calendar.zone, s.confirm_done) == "overdue"
            mark = " ⚠ quá hạn" if v.role == "lead" and overdue else ""
            note = f" — {v.note[:60]}" if v.note else ""
            lines.append(f"   {v.unit_code} ({ROLE_LABELS[v.role]}): {_status(v)}{mark}{note}")

    lines += ["", "THEO ĐƠN VỊ"]
    by_unit: dict[str, list[AssignmentView]] = defaultdict(list)
    for v in leads:
        by_unit[v.unit_code].append(v)
    for code in sorted(by_unit):
        group = by_unit[code]
        done = sum(1 for v in group if v.status in ("done", "not_applicable"))
        late = sum(1 for v in group if classify(v, s.today, s.calendar.zone, s.confirm_done) == "overdue")
        lines.append(f"{code}: chủ trì {len(group)}, xong {done}, quá hạn {late}")

    lines += ["", "ĐƠN VỊ IM LẶNG (chưa báo cáo gần đây)"]
    if s.silent_units:
        for code, name, at in s.silent_units:
            when = f"lần cuối {vn_date(s.calendar.local_date(at))}" if at else "chưa báo cáo lần nào"
            lines.append(f"{code} — {name}: {when}")
    else:
        lines.append("Không có.")
    if s.unlinked_units:
        lines += ["", "ĐƠN VỊ CHƯA LIÊN KẾT TÀI KHOẢN NHẮN TIN"]
        lines += [f"{code} — {name}" for code, name in s.unlinked_units]
    return "\n".join(lines)


def overdue_text(s: Summary) -> str:
    rows = s.overdue()
    if not rows:
        return f"Không có nhiệm vụ quá hạn (ngày {vn_date(s.today)})."
    lines = [f"NHIỆM VỤ QUÁ HẠN — ngày {vn_date(s.today)}"]
    for v in rows:
        note = f" — {v.note[:60]}" if v.note else ""
        due = due_phrase(s.calendar.on_or_before(v.due), v.extended_due)
        lines.append(f"{v.task_label}. {v.unit_code}: {due}, {_status(v)}{note}")
    return "\n".join(lines)
