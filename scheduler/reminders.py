"""Reminder planning: pure functions from occurrences and policy to reminder instants."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from scheduler.nags import series_end
from scheduler.occurrences import Occurrence, expand
from scheduler.plan import Plan, Task
from scheduler.policy import ReminderPolicy
from scheduler.workcal import WorkingCalendar
from store.enums import AssignmentRole, ReminderKind


class PolicyError(ValueError):
    pass


@dataclass(frozen=True)
class Slot:
    """One reminder of one occurrence for one role: the day, the kind and its sequence."""

    day: date
    kind: ReminderKind  # before, due, overdue, checkin or escalate
    seq: int  # before: working days ahead; overdue: nag number; otherwise 0


@dataclass(frozen=True)
class PlannedReminder:
    at: datetime  # aware, local zone
    kind: ReminderKind
    seq: int
    task_stt: int
    occurrence_key: str
    due: date  # nominal last day on time
    working_due: date  # the last working day on or before `due`
    unit: str
    role: AssignmentRole
    task_label: str = ""  # how people name the task ("II.3"); the STT when not given

    def __post_init__(self) -> None:
        if not self.task_label:
            object.__setattr__(self, "task_label", str(self.task_stt))


def check_policy(policy: ReminderPolicy, calendar: WorkingCalendar) -> None:
    if not calendar.office_hours.contains(policy.send_time):
        raise PolicyError(f"Giờ nhắc {policy.send_time:%H:%M} nằm ngoài giờ hành chính")


def slots(
    occurrence: Occurrence,
    role: AssignmentRole,
    policy: ReminderPolicy,
    calendar: WorkingCalendar,
    until: date,
    stop: date | None = None,
) -> Iterator[Slot]:
    """Reminder days for one occurrence and role, up to `until`. Overdue nags back off
    (policy.overdue_gaps) and end the day before `stop`, when the task's next period takes
    over (scheduler.nags.series_end); otherwise they are unbounded in principle and the
    dispatcher skips them once the task is done, or while the unit is blocked."""
    working_due = calendar.on_or_before(occurrence.due)
    if occurrence.checkin:
        if role == AssignmentRole.COORDINATE and not policy.checkin_coordinators:
            return
        yield Slot(calendar.add_working_days(working_due, -policy.checkin_before_working_days), ReminderKind.CHECKIN, 0)
        return
    for n in policy.before_working_days:
        day = calendar.add_working_days(working_due, -n)
        # A reminder before its period begins would land in the previous cycle (weekly work:
        # ten working days before Friday is two weeks back) and read as that one's reminder.
        if occurrence.start is not None and day < occurrence.start:
            continue
        yield Slot(day, ReminderKind.BEFORE, n)
    if policy.on_due:
        yield Slot(working_due, ReminderKind.DUE, 0)
    # Overdue nags and the escalation go to the lead unit only: it answers for the task.
    if role != AssignmentRole.LEAD:
        return
    if policy.escalate_after_working_days > 0:
        yield Slot(
            calendar.add_working_days(occurrence.due, policy.escalate_after_working_days), ReminderKind.ESCALATE, 0
        )
    gaps = policy.overdue_gaps()
    nag = calendar.add_working_days(occurrence.due, 1)
    seq = 1
    while nag <= until and (stop is None or nag < stop):
        yield Slot(nag, ReminderKind.OVERDUE, seq)
        nag = calendar.add_working_days(nag, next(gaps))
        seq += 1


def horizon(task: Task, end: date) -> date:
    """How far past `end` a task's occurrences are needed: a reminder runs at most ~4
    calendar weeks ahead of a due day (10 working days + Tết), and the database keeps
    two months of occurrences ahead so replies about the next period find it."""
    before = max(task.policy.before_working_days or (0,))
    return end + timedelta(days=max(60, before * 2 + 40))


def task_occurrences(task: Task, plan_start: date, end: date, activated_due: date | None = None) -> list[Occurrence]:
    """The occurrences of one task that reminders up to `end` may concern."""
    return expand(
        task.rule,
        until=horizon(task, end),
        plan_start=plan_start,
        checkin=task.policy.checkin,
        activated_due=activated_due,
    )


def plan_occurrences(plan: Plan, end: date, activated: dict[int, date] | None = None) -> dict[int, list[Occurrence]]:
    """Per task stt, its occurrences up to its horizon past `end`: expanded once, then
    given both to the database sync and to reminder planning."""
    activated = activated or {}
    return {t.stt: task_occurrences(t, plan.issued, end, activated.get(t.stt)) for t in plan.tasks}


def plan_task(
    task: Task,
    calendar: WorkingCalendar,
    start: date,
    end: date,
    occurrences: list[Occurrence],
) -> list[PlannedReminder]:
    """All reminders of one task whose day falls in [start, end]."""
    policy = task.policy
    out: list[PlannedReminder] = []
    roles = [(u, AssignmentRole.LEAD) for u in task.lead] + [(u, AssignmentRole.COORDINATE) for u in task.coordinate]
    for i, occ in enumerate(occurrences):
        working_due = calendar.on_or_before(occ.due)
        stop = series_end(occurrences, i)
        # Each slot's instant once, for every unit of its role.
        per_role: dict[AssignmentRole, list[tuple[Slot, datetime]]] = {}
        for role in AssignmentRole:
            per_role[role] = [
                (s, calendar.local_instant(s.day, policy.send_time))
                for s in slots(occ, role, policy, calendar, end, stop)
                if start <= s.day <= end
            ]
        for unit, role in roles:
            for s, at in per_role[role]:
                out.append(
                    PlannedReminder(
                        at=at,
                        kind=s.kind,
                        seq=s.seq,
                        task_stt=task.stt,
                        occurrence_key=occ.key,
                        due=occ.due,
                        working_due=working_due,
                        unit=unit,
                        role=role,
                        task_label=task.label,
                    )
                )
    return out


def plan_reminders(
    plan: Plan,
    calendar: WorkingCalendar,
    start: date,
    end: date,
    activated: dict[int, date] | None = None,
    unit: str | None = None,
    occurrences: dict[int, list[Occurrence]] | None = None,
    escalate_once: bool = True,
) -> list[PlannedReminder]:
    """The reminder calendar of a whole plan in [start, end], sorted by time, as it runs
    when nobody answers. `occurrences` (from plan_occurrences) saves expanding them again.
    Leadership hears once per task and unit (`escalate_once`); the planner, which knows
    which periods were answered, passes False and keeps the first one still wanted."""
    if occurrences is None:
        occurrences = plan_occurrences(plan, end, activated)
    out: list[PlannedReminder] = []
    # Nothing is reminded before the plan exists.
    start = max(start, plan.issued)
    for task in plan.tasks:
        check_policy(task.policy, calendar)
        out.extend(plan_task(task, calendar, start, end, occurrences.get(task.stt, [])))
    if unit is not None:
        out = [r for r in out if r.unit == unit]
    out.sort(key=lambda r: (r.at, r.task_stt, r.unit, r.kind, r.seq))
    return first_escalations(out) if escalate_once else out


def first_escalations(
    reminders: list[PlannedReminder], already: set[tuple[int, str]] | None = None
) -> list[PlannedReminder]:
    """`reminders` (sorted by time) with one escalation per task and unit: the first, and
    none for the pairs in `already` (task stt, unit code)."""
    seen = set(already or ())
    out = []
    for r in reminders:
        if r.kind == ReminderKind.ESCALATE:
            if (r.task_stt, r.unit) in seen:
                continue
            seen.add((r.task_stt, r.unit))
        out.append(r)
    return out
