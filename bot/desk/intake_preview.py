"""Before a plan starts: its reminder calendar for the first two months, the first message
each unit's head will receive (rendered by the reminders' own renderer), its report cycles
and targets — all from the plan alone, nothing written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.texts import intake as tx
from bot.texts.common import KIND_LABELS, vn_date
from bot.texts.plan import CYCLE_KIND_LABELS, describe_rule
from bot.texts.reminders import render_reminder
from scheduler.cycles import cycle_events
from scheduler.plan import Plan
from scheduler.reminders import PlannedReminder, PolicyError, plan_reminders
from scheduler.workcal import WorkingCalendar
from store.enums import AssignmentRole, DeadlineKind, ReminderKind, Status
from store.queries import AssignmentView

PREVIEW_DAYS = 61


@dataclass(frozen=True)
class Line:
    day: date
    time: str
    unit: str
    task: str
    what: str


@dataclass(frozen=True)
class FirstMessage:
    unit: str
    unit_name: str
    title: str
    day: date
    text: str


@dataclass
class Preview:
    start: date
    end: date
    days: list[tuple[date, list[Line]]]
    first: list[FirstMessage]
    silent: list[str]  # units with no reminder in the two months
    cycles: list[tuple[str, str]]
    targets: list[str]
    problem: str = ""


def _view(plan: Plan, r: PlannedReminder) -> AssignmentView:
    task = plan.task(r.task_stt)
    assert task is not None
    unit = plan.units[r.unit]
    return AssignmentView(
        id=0,
        occurrence_id=0,
        task_id=0,
        task_stt=task.stt,
        content=task.content,
        product=task.product,
        deadline_text=task.deadline_text,
        deadline_kind=DeadlineKind(task.rule.kind),
        unit_id=0,
        unit_code=unit.code,
        unit_name=unit.name,
        role=AssignmentRole(r.role),
        occurrence_key=r.occurrence_key,
        start=None,
        due=r.due,
        checkin=r.kind == "checkin",
        status=Status.NOT_STARTED,
        percent=None,
        note=None,
        status_at=None,
        done_at=None,
        active=True,
        task_label=r.task_label,
    )


def preview(plan: Plan, calendar: WorkingCalendar, today: date) -> Preview:
    start = max(today, plan.issued)
    end = start + timedelta(days=PREVIEW_DAYS - 1)
    cycles = [(c.name, c.due_text) for c in plan.cycles]
    targets = [f"{t.name}: {t.comparator} {t.value:g}{t.unit}" for t in plan.targets]
    try:
        rows = plan_reminders(plan, calendar, start, end)
    except PolicyError as exc:
        return Preview(start, end, [], [], [], cycles, targets, problem=str(exc))
    by_day: dict[date, list[Line]] = {}
    first: dict[str, FirstMessage] = {}
    for r in rows:
        day = r.at.date()
        what = KIND_LABELS.get(r.kind, r.kind) + (tx.days_before(r.seq) if r.kind == ReminderKind.BEFORE else "")
        by_day.setdefault(day, []).append(Line(day, f"{r.at:%H:%M}", r.unit, r.task_label, what))
        if r.unit not in first and r.unit in plan.units:
            unit = plan.units[r.unit]
            title = plan.head_title(unit.code, unit.name)
            leads = [plan.units[c].name for c in (plan.task(r.task_stt) or plan.tasks[0]).lead if c in plan.units]
            message = render_reminder(r.kind, _view(plan, r), day, calendar, leads, buttons=True, title=title)
            first[r.unit] = FirstMessage(unit.code, unit.name, title, day, message.text)
    for e in cycle_events(plan, calendar, start, end):
        who = e.unit or tx.EVERY_UNIT
        what = tx.cycle_line(CYCLE_KIND_LABELS[e.kind], e.cycle.name, vn_date(e.due))
        by_day.setdefault(e.at.date(), []).append(Line(e.at.date(), f"{e.at:%H:%M}", who, "—", what))
    silent = [code for code in plan.units if code not in first]
    return Preview(
        start,
        end,
        sorted(by_day.items()),
        [first[c] for c in plan.units if c in first],
        silent,
        cycles,
        targets,
    )


def understood(plan: Plan, calendar: WorkingCalendar) -> dict[str, str]:
    """Each task's deadline as the bot understands it, by label."""
    return {t.name: describe_rule(t.rule, calendar, t.policy.checkin) for t in plan.tasks}
