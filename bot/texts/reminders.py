"""Wording of reminders, escalations and their answer buttons."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from bot.messages import Button, OutboundMessage
from bot.texts.common import (
    ROLE_LABELS,
    STATUS_LABELS,
    channel_down_notice,
    nobody_linked,
    remaining_phrase,
    shorten,
    unreachable_notice,
    vn_date,
    vn_period,
    vn_weekday_date,
)
from bot.texts.extensions import due_phrase
from scheduler.folding import fold
from scheduler.titles import derive_head_title
from scheduler.workcal import WorkingCalendar
from store.queries import AssignmentView

HEADLINES = {
    "before": "🔔 Sắp đến hạn",
    "due": "⏰ Hôm nay là hạn cuối",
    "overdue": "❗ Đã quá hạn",
    "checkin": "📋 Hỏi tiến độ định kỳ",
    "manual": "🔔 Văn phòng nhắc việc",
}


def status_buttons(assignment_id: int) -> tuple[Button, ...]:
    return (
        Button("Đã xong", f"st:{assignment_id}:done"),
        Button("Đang làm", f"st:{assignment_id}:in_progress"),
        Button("Vướng mắc", f"st:{assignment_id}:blocked"),
    )


def answer_hint(label: str | int) -> str:
    return f"Trả lời: {label} xong / {label} đang làm 50% / {label} vướng <lý do>"


# To the ward's leadership (the Chủ tịch heads the UBND unit) the office reports, it does not
# nag: no "Trả lời: 7 xong" line, a closing in the register of a report to a leader.
LEADERSHIP_CLOSING = "Văn phòng kính báo để đồng chí theo dõi, chỉ đạo; khi có kết quả, văn phòng sẽ cập nhật."


def for_leadership(title: str) -> bool:
    """Whether a head's title is the ward's leadership (Chủ tịch / Phó Chủ tịch UBND …)."""
    return fold(title).startswith(("chu tich", "pho chu tich"))


def _addressee(title: str, unit_name: str) -> str:
    who = title or derive_head_title(unit_name)
    return f"Kính gửi đồng chí {who}," if for_leadership(who) else f"Kính gửi {who},"


def render_reminder(
    kind: str,
    v: AssignmentView,
    today: date,
    calendar: WorkingCalendar,
    lead_units: list[str],
    *,
    buttons: bool,
    title: str = "",
) -> OutboundMessage:
    working_due = calendar.on_or_before(v.effective_due)
    # The headline first: it is what a phone's notification shows.
    lines = [f"{HEADLINES.get(kind, '🔔 Nhắc việc')} — Nhiệm vụ {v.task_label} ({ROLE_LABELS[v.role]})"]
    lines.append(_addressee(title, v.unit_name))
    lines.append(shorten(v.content, 220))
    if v.product:
        lines.append(f"Sản phẩm: {shorten(v.product, 160)}")
    if v.checkin:
        lines.append(f"Nhiệm vụ thường xuyên — xin cho biết tiến độ {vn_period(v.occurrence_key)}.")
    else:
        remaining = calendar.working_days_between(today, working_due)
        lines.append(f"Hạn: {vn_weekday_date(working_due)} — {remaining_phrase(remaining)}")
        if v.extended_due is not None:
            lines.append(f"(Đã được gia hạn; hạn gốc {vn_date(calendar.on_or_before(v.due))})")
    if v.role == "coordinate" and lead_units:
        lines.append(f"Đơn vị chủ trì: {', '.join(lead_units)}. Đề nghị đơn vị phối hợp thực hiện và báo kết quả.")
    lines.append(f"Đơn vị: {v.unit_name}")
    if v.review == "returned":
        lines.append(f"Văn phòng đã trả lại: {shorten(v.note or '', 200)}")
    elif v.status != "not_started":
        current = STATUS_LABELS.get(v.status, v.status) + (f" {v.percent}%" if v.percent is not None else "")
        lines.append(f"Trạng thái đã ghi nhận: {current}")
    leader = for_leadership(title or derive_head_title(v.unit_name))
    if leader:
        lines.append(LEADERSHIP_CLOSING)
    elif not buttons:
        lines.append(answer_hint(v.task_label))
    return OutboundMessage("\n".join(lines), status_buttons(v.id) if buttons and not leader else ())


def render_escalation(v: AssignmentView, today: date, calendar: WorkingCalendar, title: str = "") -> OutboundMessage:
    late = calendar.working_days_between(calendar.on_or_before(v.effective_due), today)
    current = STATUS_LABELS.get(v.status, v.status) + (f" {v.percent}%" if v.percent is not None else "")
    note = f"\nGhi chú gần nhất: {v.note}" if v.note else ""
    return OutboundMessage(
        f"⚠ Báo cáo lãnh đạo — Nhiệm vụ {v.task_label} quá hạn {late} ngày làm việc\n"
        f"{shorten(v.content, 200)}\n"
        f"Đơn vị chủ trì: {v.unit_name}\nNgười chịu trách nhiệm: {title or derive_head_title(v.unit_name)}\n"
        f"{due_phrase(v.due, v.extended_due, 'Hạn:')}\nTrạng thái: {current}{note}"
    )


def tasks_list(views: list[AssignmentView], calendar: WorkingCalendar, today: date) -> str:
    """Open tasks of a unit, one line each with due day and current status."""
    if not views:
        return "Đơn vị không có nhiệm vụ nào đang mở."
    lines = ["Nhiệm vụ đang mở:"]
    for v in views:
        if v.checkin:
            when = "thường xuyên"
        else:
            working_due = calendar.on_or_before(v.effective_due)
            left = remaining_phrase(calendar.working_days_between(today, working_due))
            when = f"{due_phrase(calendar.on_or_before(v.due), v.extended_due)}, {left}"
        status = STATUS_LABELS.get(v.status, v.status) + (f" {v.percent}%" if v.percent is not None else "")
        lines.append(f"{v.task_label}. {shorten(v.content, 90)} ({ROLE_LABELS[v.role]}; {when}; {status})")
    return "\n".join(lines)


# The order a head reads a grouped message in: what is late first.
GROUP_ORDER = (
    ("overdue", "❗ Quá hạn"),
    ("due", "⏰ Hôm nay là hạn cuối"),
    ("before", "🔔 Sắp đến hạn"),
    ("checkin", "📋 Hỏi tiến độ định kỳ"),
)
# Up to this many tasks a grouped message carries one row of answer buttons per task.
BUTTON_ROWS_MAX = 4


def render_group(
    items: list[tuple[str, AssignmentView, list[str]]],
    today: date,
    calendar: WorkingCalendar,
    *,
    buttons: bool,
    title: str = "",
) -> OutboundMessage:
    """Every reminder due for one person at one moment, as one message grouped by what it
    asks, each task on one line, ending with how to answer several at once."""
    first = items[0][1]
    lines = [f"🔔 Nhắc việc ngày {vn_date(today)} — {first.unit_name}: {len(items)} nhiệm vụ"]
    lines.append(_addressee(title, first.unit_name))
    for kind, heading in GROUP_ORDER:
        group = [(v, leads) for k, v, leads in items if k == kind]
        if not group:
            continue
        lines += ["", f"{heading}:"]
        for v, leads in sorted(group, key=lambda g: (g[0].due, g[0].task_stt)):
            role = ROLE_LABELS[v.role]
            lines.append(f"• NV {v.task_label} ({role}) — {shorten(v.content, 90)} — {_when(v, today, calendar)}")
            if v.role == "coordinate" and leads:
                lines.append(f"  Chủ trì: {', '.join(leads)}")
    labels = [v.task_label for _, v, _ in items]
    leader = for_leadership(title or derive_head_title(first.unit_name))
    if leader:
        lines += ["", LEADERSHIP_CLOSING]
    else:
        example = f"{labels[0]} xong; {labels[1]} đang làm 50%" if len(labels) > 1 else f"{labels[0]} xong"
        lines += ["", f'Trả lời nhiều việc một lần, ví dụ: "{example}" hoặc "{labels[-1]} vướng: <lý do>".']
    keys: tuple[Button, ...] = ()
    if buttons and not leader and len(items) <= BUTTON_ROWS_MAX:
        keys = tuple(
            Button(f"{v.task_label}: {label}", data, row)
            for row, (_, v, _) in enumerate(items)
            for label, data in (
                ("Xong", f"st:{v.id}:done"),
                ("Đang làm", f"st:{v.id}:in_progress"),
                ("Vướng", f"st:{v.id}:blocked"),
            )
        )
    return OutboundMessage("\n".join(lines), keys)


def _when(v: AssignmentView, today: date, calendar: WorkingCalendar) -> str:
    if v.checkin:
        return f"tiến độ {vn_period(v.occurrence_key)}"
    working_due = calendar.on_or_before(v.effective_due)
    left = remaining_phrase(calendar.working_days_between(today, working_due))
    return f"{due_phrase(calendar.on_or_before(v.due), v.extended_due)}, {left}"


@dataclass(frozen=True)
class ReminderRenderer:
    """The dispatcher's Renderer: every word the outbox sends is made here."""

    calendar: WorkingCalendar
    # The title of a unit's head by (ward id, unit code, unit name): the ward's plan's
    # head_title (Plan.head_title); derived from the name when not given.
    titles: Callable[[int, str, str], str] | None = None

    def title(self, view: AssignmentView) -> str:
        return (
            self.titles(view.ward_id, view.unit_code, view.unit_name)
            if self.titles
            else derive_head_title(view.unit_name)
        )

    def reminder(
        self, kind: str, view: AssignmentView, today: date, leads: list[str], *, buttons: bool
    ) -> OutboundMessage:
        return render_reminder(kind, view, today, self.calendar, leads, buttons=buttons, title=self.title(view))

    def escalation(self, view: AssignmentView, today: date) -> OutboundMessage:
        return render_escalation(view, today, self.calendar, self.title(view))

    def group(
        self, items: list[tuple[str, AssignmentView, list[str]]], today: date, *, buttons: bool
    ) -> OutboundMessage:
        return render_group(items, today, self.calendar, buttons=buttons, title=self.title(items[0][1]))

    def unreachable(self, person: str, unit: str, channel: str, error: str) -> str:
        return unreachable_notice(person, unit, channel, error)

    def gave_up(self, reminder_id: int, attempts: int, error: str | None) -> str:
        return f"⚠ Không gửi được lời nhắc #{reminder_id} sau {attempts} lần thử: {error or 'không rõ lỗi'}"

    def channel_down(self, channel: str, error: str) -> str:
        return channel_down_notice(channel, error)

    def nobody_linked(self, units: list[tuple[str, list[str], int]], since: datetime, until: datetime) -> str:
        def at(moment: datetime) -> str:
            local = moment.astimezone(self.calendar.zone)
            return f"{local:%H:%M} ngày {vn_date(local.date())}"

        return nobody_linked(units, at(since), at(until))
