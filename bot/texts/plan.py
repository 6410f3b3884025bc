"""Plain-text views of a plan and its reminder calendar for the CLI."""

from __future__ import annotations

from datetime import date, datetime, time

from bot.texts.common import (
    DEADLINE_KIND_LABELS,
    FREQ_LABELS,
    KIND_LABELS,
    ROLE_LABELS,
    WEEKDAYS,
    shorten,
    vn_date,
    vn_period,
    vn_weekday_date,
)
from scheduler.cycles import CycleEvent
from scheduler.deadlines import Conditional, DeadlineRule, Milestones, Once, Ongoing, Period, Recurring
from scheduler.occurrences import recurring_due
from scheduler.plan import Plan
from scheduler.plan.compare import DiffKind, PlanDiff, TaskDiff
from scheduler.reminders import PlannedReminder
from scheduler.workcal import WorkingCalendar

# Labels for the rule kinds and the frequency added with real plans' wording; the shared
# tables in bot.texts.common are being reworked elsewhere, so they are completed here.
_KIND_LABELS = {**DEADLINE_KIND_LABELS, "period": "giai đoạn", "milestones": "nhiều mốc"}
_FREQ_LABELS = {**FREQ_LABELS, "weekly": "hằng tuần"}


def _due_text(due: date, calendar: WorkingCalendar, at: time | None = None) -> str:
    text = f"{at:%H:%M} ngày {vn_date(due)}" if at else vn_date(due)
    working = calendar.on_or_before(due)
    if working != due:
        text += f" (ngày làm việc cuối: {vn_weekday_date(working)})"
    return text


def _describe_weekly(rule: Recurring) -> str:
    dip = rule.day_in_period
    if dip is None:
        text = "Hằng tuần, hạn Thứ Sáu (cuối tuần làm việc)"
    else:
        day = WEEKDAYS[dip.day - 1]
        day = day[0].upper() + day[1:]
        text = f"Hằng tuần, {'trước' if dip.strict else 'vào'} {day}{' tuần sau' if dip.next_period else ''}"
    if rule.time:
        text += f", trước {rule.time:%H:%M}"
    return f"{text}; kỳ đầu hạn {vn_date(recurring_due(rule, rule.start))}"


def _describe_period(rule: Period, calendar: WorkingCalendar) -> str:
    whole_years = (rule.start.month, rule.start.day, rule.end.month, rule.end.day) == (1, 1, 12, 31)
    if whole_years and rule.start.year == rule.end.year:
        span = f"Năm {rule.start.year}"
    elif whole_years:
        span = f"Giai đoạn {rule.start.year}–{rule.end.year}"
    else:
        span = f"Từ {vn_date(rule.start)} đến {vn_date(rule.end)}"
    text = f"{span}, hạn {_due_text(rule.end, calendar, rule.time)}"
    if rule.start.year < rule.end.year:
        text += f", hỏi tiến độ {_FREQ_LABELS[rule.checkin]}"
    return text


def _describe_milestones(rule: Milestones, calendar: WorkingCalendar) -> str:
    steps = [f"{m.label + ', ' if m.label else ''}hạn {_due_text(m.due, calendar, m.time)}" for m in rule.items]
    return f"{len(steps)} mốc: " + "; ".join(steps)


def describe_rule(rule: DeadlineRule, calendar: WorkingCalendar, checkin: str = "monthly") -> str:
    if isinstance(rule, Once):
        return f"một lần, hạn {_due_text(rule.due, calendar, rule.time)}"
    if isinstance(rule, Recurring):
        if rule.freq == "weekly":
            return _describe_weekly(rule)
        first = recurring_due(rule, rule.start)
        text = f"{_FREQ_LABELS[rule.freq]} từ {vn_date(rule.start)}, kỳ đầu hạn {vn_date(first)}"
        if rule.time:
            text += f" (trước {rule.time:%H:%M})"
        if rule.end:
            text += f", đến hết {vn_date(rule.end)}"
        return text
    if isinstance(rule, Period):
        return _describe_period(rule, calendar)
    if isinstance(rule, Milestones):
        return _describe_milestones(rule, calendar)
    if isinstance(rule, Ongoing):
        start = f" từ {vn_date(rule.start)}" if rule.start else ""
        return f"thường xuyên{start}; hỏi tiến độ {FREQ_LABELS.get(checkin, checkin)}"
    assert isinstance(rule, Conditional)
    return "có điều kiện: chưa có ngày, văn phòng kích hoạt khi có hướng dẫn (/activate)"


def plan_text(plan: Plan, calendar: WorkingCalendar) -> str:
    lines = [f"Kế hoạch {plan.code} — {plan.ward} (ban hành {vn_date(plan.issued)})", "", "Đơn vị:"]
    for unit in plan.units.values():
        lines.append(f"  {unit.code:<9} {unit.name}")
    for code, members in plan.groups.items():
        lines.append(f"  nhóm {code}: {', '.join(members)}")
    lines += ["", f"Nhiệm vụ ({len(plan.tasks)}):"]
    shown: set[str] = set()
    for t in plan.tasks:
        # Section headings as the appendix prints them, each once, above its first task.
        for heading in plan.section_path(t.section):
            if heading.label not in shown:
                shown.add(heading.label)
                lines.append(f"  {heading.label}. {heading.title}".rstrip())
        lines.append(f"  {t.name:>2}. {t.content[:90]}{'…' if len(t.content) > 90 else ''}")
        lines.append(
            f"      chủ trì: {', '.join(t.lead)}" + (f"; phối hợp: {', '.join(t.coordinate)}" if t.coordinate else "")
        )
        lines.append(f"      sản phẩm: {t.product or '(không ghi)'}")
        kind = _KIND_LABELS[t.rule.kind]
        lines.append(
            f'      thời hạn: "{t.deadline_text}" → [{kind}] {describe_rule(t.rule, calendar, t.policy.checkin)}'
        )
    if plan.cycles:
        lines += ["", "Kỳ báo cáo:"]
        for c in plan.cycles:
            (sd, sm), (ed, em) = c.period_start, c.period_end
            prev = " năm trước" if c.period_start_previous_year else ""
            lines.append(f'  {c.name}: "{c.due_text}" — số liệu từ {sd}/{sm}{prev} đến {ed}/{em}')
    if plan.targets:
        lines += ["", "Chỉ tiêu:"]
        for tg in plan.targets:
            value = f"{tg.value:g}"
            names = [task.name if (task := plan.task(stt)) else str(stt) for stt in tg.tasks]
            tasks = f" (nhiệm vụ {', '.join(names)})" if names else ""
            lines.append(f"  {tg.name}: {tg.comparator} {value}{tg.unit}{tasks}")
            # What units type in /chitieu, and who is asked: a ward checks its keys here.
            how = {"share": f"{tg.part}/{tg.total}", "reduction": f"giảm {tg.figure} so với năm trước"}
            keys = how.get(tg.measure, tg.figure)
            lines.append(f"      số liệu: {keys}; đơn vị báo cáo: {', '.join(tg.units) or '—'}")
    return "\n".join(lines)


def schedule_row(r: PlannedReminder) -> dict[str, object]:
    return {
        "at": r.at.isoformat(),
        "unit": r.unit,
        "task": r.task_stt,
        "label": r.task_label,
        "occurrence": r.occurrence_key,
        "kind": r.kind,
        "seq": r.seq,
        "role": r.role,
        "due": r.due.isoformat(),
        "working_due": r.working_due.isoformat(),
    }


CYCLE_KIND_LABELS = {"sweep": "hỏi tình hình trước kỳ báo cáo", "report_due": "nhắc hạn gửi báo cáo"}
ALL_UNITS = "mọi ĐV"


def event_unit(event: CycleEvent, unit: str | None = None) -> str | None:
    """Who an event concerns in the schedule: the compiling unit, or (a sweep) every unit
    with work — shown as the unit asked for when the schedule is filtered by unit."""
    return event.unit if event.unit is not None else unit


def schedule_event_row(event: CycleEvent, unit: str | None = None) -> dict[str, object]:
    return {
        "at": event.at.isoformat(),
        "unit": event_unit(event, unit),
        "task": None,
        "occurrence": None,
        "kind": event.kind,
        "seq": event.working_days,
        "role": None,
        "cycle": event.cycle.code,
        "year": event.window.year,
        "due": (event.window.due or event.due).isoformat(),
        "working_due": event.due.isoformat(),
    }


def _event_line(e: CycleEvent, unit: str | None) -> str:
    who = event_unit(e, unit) or ALL_UNITS
    kind = f"{CYCLE_KIND_LABELS[e.kind]} ({e.working_days} ngày)"
    year = e.window.year or e.window.end.year
    return (
        f"{vn_date(e.at.date())} {e.at:%H:%M}  {who:<8} {'—':<5} {'':<9} {kind:<24} "
        f"hạn {vn_date(e.due)} ({e.cycle.name} {year})"
    )


def schedule_text(rows: list[PlannedReminder], events: list[CycleEvent] | None = None, unit: str | None = None) -> str:
    events = events or []
    if not rows and not events:
        return "Không có lời nhắc nào trong khoảng thời gian này."
    lines: list[tuple[datetime, str]] = []
    for r in rows:
        kind = KIND_LABELS[r.kind] + (
            f" {r.seq} ngày" if r.kind == "before" else f" lần {r.seq}" if r.kind == "overdue" else ""
        )
        period = "" if r.occurrence_key in ("once", "activated") else f" ({vn_period(r.occurrence_key)})"
        lines.append(
            (
                r.at,
                f"{vn_date(r.at.date())} {r.at:%H:%M}  {r.unit:<8} NV {r.task_label:<6} {ROLE_LABELS[r.role]:<9} "
                f"{kind:<24} hạn {vn_date(r.working_due)}{period}",
            )
        )
    lines += [(e.at, _event_line(e, unit)) for e in events]
    # Stable: a cycle event sorts after the task reminders of the same minute.
    out = [text for _, text in sorted(lines, key=lambda pair: pair[0])]
    total = f"Tổng: {len(rows)} lời nhắc"
    if events:
        total += f", {len(events)} việc của kỳ báo cáo (hỏi tình hình, nhắc hạn báo cáo)"
    out.append(total)
    return "\n".join(out)


# --- the plan file against the running database (check --against, reload, desk intake) -----

CONFIRM_HINT = "nhacviec check {plan} --against --confirm"
AGAINST_NO_WARD = "Cơ sở dữ liệu chưa có kế hoạch của {ward} ({code}): lần nạp đầu sẽ thêm {n} nhiệm vụ."
AGAINST_SAME = "So với kế hoạch đang chạy: không nhiệm vụ nào thay đổi."
AGAINST_HEAD = "So với kế hoạch đang chạy: {n} thay đổi về nhiệm vụ."
AGAINST_CONFIRMED = "Đã ghi nhận xác nhận của Văn phòng: lần nạp lại tới, kế hoạch sửa đổi được áp dụng."
AGAINST_NOTHING_TO_CONFIRM = "Không có thay đổi nào cần xác nhận."
IDS_WRITTEN = "Đã ghi mã (id) cho {n} nhiệm vụ vào tệp {path}."
IDS_ALL_WRITTEN = "Mọi nhiệm vụ trong tệp đã có mã (id)."
IDS_NOT_WRITTEN = "Không ghi được mã vào tệp kế hoạch (tệp giữ nguyên): {error}"
AGAINST_NO_FILE = "Không có tệp cơ sở dữ liệu {path}: bot chưa chạy với cơ sở dữ liệu này."
AGAINST_BAD_DB = "Không mở được cơ sở dữ liệu {url}: {error}"


def _reports(n: int) -> str:
    return f"{n} báo cáo" if n else "chưa có báo cáo"


def task_diff_line(c: TaskDiff) -> str:
    """One change to a task, as the office reads it."""
    k = c.kind
    if k == DiffKind.ADDED:
        return f"+ Thêm nhiệm vụ {c.label}: {shorten(c.new, 90)}"
    if k == DiffKind.REMOVED:
        kept = f"; {c.reports} báo cáo cũ vẫn được lưu" if c.reports else ""
        return f"− Bỏ nhiệm vụ {c.label}: {shorten(c.old, 90)}{kept}"
    follow = f"; {c.reports} báo cáo đi theo nhiệm vụ" if c.reports else ""
    if k == DiffKind.RESTORED:
        return f"+ Khôi phục nhiệm vụ {c.label} (mã {c.uid}{follow})"
    if k == DiffKind.RENUMBERED:
        return f"• Nhiệm vụ {c.old} nay là nhiệm vụ {c.new} (mã {c.uid}{follow})"
    if k == DiffKind.REWORDED:
        return f'• Nhiệm vụ {c.label}: sửa nội dung, vẫn là việc cũ (mã {c.uid}): "{shorten(c.new, 90)}"'
    if k == DiffKind.DEADLINE_MOVED:
        return f'• Nhiệm vụ {c.label}: thời hạn "{c.old}" → "{c.new}"'
    if k == DiffKind.LEAD_CHANGED:
        return f"• Nhiệm vụ {c.label}: đơn vị chủ trì {c.old} → {c.new}"
    if k == DiffKind.COORDINATE_CHANGED:
        return f"• Nhiệm vụ {c.label}: đơn vị phối hợp {c.old} → {c.new}"
    return (
        f"! Nhiệm vụ {c.label} (mã {c.uid}): cùng mã nhưng có vẻ là việc khác. "
        f'Trước: "{shorten(c.old, 80)}" (thời hạn "{c.old_deadline}"); '
        f'nay: "{shorten(c.new, 80)}" (thời hạn "{c.new_deadline}"). '
        f"{_reports(c.reports).capitalize()} của việc cũ sẽ được tính cho việc mới."
    )


def plan_diff_lines(diff: PlanDiff, ward: str, code: str, plan_file: str = "") -> list[str]:
    """The comparison, in Vietnamese: what changes for the tasks and where the reports go."""
    if diff.first_load:
        return [AGAINST_NO_WARD.format(ward=ward, code=code, n=len(diff.changes))]
    if not diff.changes:
        lines = [AGAINST_SAME]
    else:
        lines = [AGAINST_HEAD.format(n=len(diff.changes))] + [task_diff_line(c) for c in diff.changes]
    lines.append(
        f"Báo cáo: {diff.reports_kept} báo cáo ở lại với đúng nhiệm vụ của mình "
        "(theo mã nhiệm vụ, không theo số thứ tự)."
    )
    if diff.reports_on_removed:
        lines.append(f"{diff.reports_on_removed} báo cáo của các nhiệm vụ đã bỏ vẫn được lưu.")
    if diff.other_work:
        lines.append(
            f"Có {len(diff.other_work)} nhiệm vụ cùng mã nhưng là việc khác: bot giữ kế hoạch đang chạy cho đến khi "
            "Văn phòng xác nhận, hoặc đặt mã (id) mới cho việc mới. Xác nhận: "
            + CONFIRM_HINT.format(plan=plan_file or "KẾ_HOẠCH.yaml")
        )
    return lines


def other_work_notice(diff: PlanDiff, ward: str, code: str, plan_file: str) -> str:
    """The office's notice at a reload held back by "same id, different work"."""
    lines = [
        f"⚠ Kế hoạch {code} của {ward} vừa được sửa (tệp {plan_file}), nhưng {len(diff.other_work)} nhiệm vụ "
        "giữ mã cũ mà nội dung, thời hạn hoặc đơn vị chủ trì đã khác hẳn:"
    ]
    lines += [task_diff_line(c) for c in diff.other_work]
    lines.append(
        "Bot vẫn nhắc theo kế hoạch đang chạy. Nếu đó là việc mới, hãy đặt mã (id) mới cho nhiệm vụ trong tệp kế "
        "hoạch; nếu vẫn là việc cũ, hãy xác nhận bằng lệnh: " + CONFIRM_HINT.format(plan=plan_file)
    )
    return "\n".join(lines)
