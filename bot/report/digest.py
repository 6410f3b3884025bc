"""Chat texts built on the standing: the weekly digest for the office and leaders, and the
classification-backed /summary. Pure functions of standings; the caller splits long texts
(bot.texts.common.split_message) for the channel.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.report.rating import RATING_HEADING, rating_lines
from bot.texts.common import vn_date, vn_weekday_date
from bot.texts.extensions import due_phrase
from bot.texts.report import CLASS_LABELS, NOT_REPORTED, percent_text, period_label, quoted, reason, report_words
from bot.texts.review import MARKER_LABELS
from scheduler.order import NaturalKey, natural_key
from scheduler.rating import rate_units
from scheduler.standing import FOUR, PlanStanding, UnitStanding, day_start, share
from scheduler.workcal import WorkingCalendar


def _name(st: PlanStanding, code: str) -> str:
    unit = st.units.get(code)
    return unit.name if unit else code


def _headline(st: PlanStanding) -> list[str]:
    c = st.counts()
    total = sum(c[k] for k in FOUR)
    lines = [f"Tính đến ngày {vn_date(st.cutoff)}: {total} lượt nhiệm vụ có thời hạn (theo đơn vị chủ trì)"]
    for k in FOUR:
        lines.append(f"• {CLASS_LABELS[k]}: {c[k]} ({percent_text(share(c[k], total))})")
    if c["waiting"]:
        lines.append(f"• {CLASS_LABELS['waiting']}: {c['waiting']}")
    for k in ("not_applicable", "before_tracking"):
        if c[k]:
            lines.append(f"• {CLASS_LABELS[k]}: {c[k]}")
    return lines


def _by_key(st: PlanStanding) -> dict[tuple[int, str], UnitStanding]:
    return {(u.task_stt, u.unit_code): u for u in st.leads()}


def _changes(current: PlanStanding, previous: PlanStanding) -> list[str]:
    before = _by_key(previous)
    lines = []
    for key, u in _by_key(current).items():
        old = before.get(key)
        new_report = u.last is not None and (old is None or old.last is None or old.last.id != u.last.id)
        moved = old is not None and old.standing != u.standing
        if not (moved or new_report):
            continue
        line = f"• NV {u.task_label} — {_name(current, u.unit_code)}: "
        line += (
            f"{CLASS_LABELS[old.standing]} → {CLASS_LABELS[u.standing]}" if moved and old else CLASS_LABELS[u.standing]
        )
        if new_report and u.last is not None and report_words(u.last):
            line += f"; báo cáo {vn_date(u.last.at.astimezone(current.window_start_at.tzinfo).date())}: "
            line += quoted(report_words(u.last), 120)
        lines.append(line)
    return lines


def _problems(st: PlanStanding, calendar: WorkingCalendar) -> list[str]:
    lines = []
    for u in st.leads():
        if u.standing != "overdue" and not (u.standing == "in_term" and u.blocked is not None):
            continue
        line = f"• NV {u.task_label} — {_name(st, u.unit_code)}: "
        if u.standing == "overdue":
            missed = [period_label(o.key) for o in u.occurrences if o.standing == "overdue" and o.checkin]
            line += f"quá hạn, chưa báo cáo {', '.join(missed)}" if missed else "quá hạn"
            if not missed and u.due is not None:
                line += f" ({due_phrase(calendar.on_or_before(u.due), u.extended_due)})"
        else:
            line += "đang thực hiện trong hạn"
        if u.blocked is not None:
            line += f"; vướng mắc: {quoted(reason(u.blocked), 120)}"
        lines.append(line)
    return lines


def _coming(st: PlanStanding, calendar: WorkingCalendar, days: int) -> list[str]:
    until = st.cutoff + timedelta(days=days)
    rows: list[tuple[date, NaturalKey, int, str]] = []
    for u in st.leads():
        for o in u.occurrences:
            if o.standing == "in_term" and st.cutoff <= o.due <= until:
                due = calendar.on_or_before(o.due)
                label = period_label(o.key)
                rows.append(
                    (
                        due,
                        natural_key(u.task_label),
                        len(rows),  # a task's lead units in plan order
                        f"• NV {u.task_label} — {_name(st, u.unit_code)}"
                        + (f" ({label})" if label else "")
                        + f": hạn {vn_weekday_date(due)}",
                    )
                )
    return [text for *_, text in sorted(rows)]


def digest_text(
    current: PlanStanding,
    previous: PlanStanding,
    calendar: WorkingCalendar,
    *,
    horizon_days: int = 14,
    silent_after_days: int = 14,
) -> str:
    """The Monday digest: last week's changes (current against a week earlier), overdue and
    blocked work with reasons, what falls due next, units not reporting."""
    week_from = previous.cutoff + timedelta(days=1)
    lines = [
        f"BẢN TIN TIẾN ĐỘ HẰNG TUẦN — Kế hoạch số {current.plan_code}",
        f"{current.ward_name}, tuần từ {vn_date(week_from)} đến {vn_date(current.cutoff)}",
        "",
        *_headline(current),
        "",
        "1. THAY ĐỔI TRONG TUẦN",
        *(_changes(current, previous) or ["Không có thay đổi."]),
        "",
        "2. QUÁ HẠN VÀ VƯỚNG MẮC",
        *(_problems(current, calendar) or ["Không có."]),
        "",
        f"3. ĐẾN HẠN TRONG {horizon_days // 7} TUẦN TỚI (đến {vn_date(current.cutoff + timedelta(days=horizon_days))})",
        *(_coming(current, calendar, horizon_days) or ["Không có."]),
        "",
        f"4. {NOT_REPORTED.upper()} ({silent_after_days} ngày qua)",
        *(_silent(current, calendar, silent_after_days) or ["Không có."]),
        "",
        f"5. {RATING_HEADING} (kỳ từ {vn_date(current.window.start)})",
        *rating_lines(rate_units(current)),
    ]
    return "\n".join(lines)


def _silent(st: PlanStanding, calendar: WorkingCalendar, days: int) -> list[str]:
    since = day_start(st.cutoff - timedelta(days=days - 1), calendar.zone)
    lines = []
    for u in st.silent_since(since):
        when = (
            f"lần cuối {vn_date(calendar.local_date(u.last_report_at))}" if u.last_report_at else "chưa báo cáo lần nào"
        )
        lines.append(f"• {u.name}: {when}")
    return lines


def summary_text(st: PlanStanding, calendar: WorkingCalendar) -> str:
    """/summary on the same classification as the export: headline, by task, by unit, units
    that did not report in the window."""
    lines = [f"TỔNG HỢP TIẾN ĐỘ — Kế hoạch số {st.plan_code}", *_headline(st), "", "THEO NHIỆM VỤ"]
    for t in st.tasks:
        head = t.task.content if len(t.task.content) <= 70 else t.task.content[:69].rsplit(" ", 1)[0] + "…"
        lines.append(f"{t.task.label}. {head}")
        for u in t.lead:
            text = CLASS_LABELS[u.standing]
            if u.periodic:
                done, total = u.periods()
                text += f", đã báo cáo {done}/{total} kỳ"
                if missing := [period_label(o.key) or vn_date(o.due) for o in u.missing()]:
                    text += f" (chưa báo cáo: {', '.join(missing)})"
            elif u.due is not None and (u.standing in ("in_term", "overdue") or u.extended_due is not None):
                text += f", {due_phrase(calendar.on_or_before(u.due), u.extended_due)}"
            if u.last is not None and u.last.percent is not None and u.standing in ("in_term", "overdue"):
                text += f", {u.last.percent}%"
            if u.marker is not None:
                text += f" ({MARKER_LABELS[u.marker]})"
            if u.blocked is not None and u.standing in ("in_term", "overdue"):
                text += f" — vướng: {quoted(reason(u.blocked), 60)}"
            lines.append(f"   {u.unit_code}: {text}")
    lines += ["", "THEO ĐƠN VỊ CHỦ TRÌ"]
    for unit in st.lead_units():
        c = st.counts(unit.code)
        total = sum(c[k] for k in FOUR)
        lines.append(
            f"{unit.code}: {total} lượt — đúng hạn {c['done_on_time']}, xong quá hạn {c['done_late']}, "
            f"trong hạn {c['in_term']}, quá hạn {c['overdue']} ({percent_text(share(c['overdue'], total))})"
        )
    silent = st.not_reported()
    lines += ["", f"{NOT_REPORTED.upper()} TRONG KỲ (từ {vn_date(st.window.start)})"]
    lines += [f"{u.code} — {u.name}" for u in silent] or ["Không có."]
    lines += ["", f"{RATING_HEADING} (kỳ từ {vn_date(st.window.start)})", *rating_lines(rate_units(st))]
    return "\n".join(lines)
