"""What the report cycles make the bot do (pure): before each cycle's due date, a status
sweep of every unit with work, and a reminder to the compiling unit that the report is due.

The instants are planned here; the rows are written at send time by bot/periodic.py, so the
words (the units' tasks, the attached files) are those of that moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from scheduler.plan import Plan, ReportCycle
from scheduler.windows import ReportWindow, cycle_window
from scheduler.workcal import WorkingCalendar
from store.enums import ReminderKind


@dataclass(frozen=True)
class CycleEvent:
    at: datetime  # aware, local zone
    kind: ReminderKind  # SWEEP or REPORT_DUE
    cycle: ReportCycle
    window: ReportWindow
    working_days: int  # before the due date
    due: date  # the last working day on or before the cycle's due date
    unit: str | None  # the compiling unit for "report_due"; None: every unit with work

    @property
    def key(self) -> str:
        """Stable per cycle and year: outbox keys are this plus the person."""
        return f"{self.kind}:{self.cycle.code}:{self.window.year}"


def cycle_events(plan: Plan, calendar: WorkingCalendar, start: date, end: date) -> list[CycleEvent]:
    """Every sweep and report-due reminder whose day falls in [start, end], by time."""
    out: list[CycleEvent] = []
    send_time = plan.policy.send_time
    for cycle in plan.cycles:
        offsets: list[tuple[ReminderKind, int | None]] = [
            (ReminderKind.SWEEP, cycle.sweep_before_working_days),
            (ReminderKind.REPORT_DUE, cycle.report_due_before_working_days),
        ]
        # The window whose due date falls in the range: its data period ends near the due date.
        for year in range(max(start.year - 1, plan.issued.year), end.year + 2):
            window = cycle_window(cycle, year)
            if window.due is None:
                continue
            due = calendar.on_or_before(window.due)
            for kind, before in offsets:
                if before is None or (kind == ReminderKind.REPORT_DUE and not plan.compiled_by):
                    continue
                day = calendar.add_working_days(due, -before)
                if start <= day <= end and day >= plan.issued:
                    out.append(
                        CycleEvent(
                            at=calendar.local_instant(day, send_time),
                            kind=kind,
                            cycle=cycle,
                            window=window,
                            working_days=before,
                            due=due,
                            unit=plan.compiled_by if kind == ReminderKind.REPORT_DUE else None,
                        )
                    )
    out.sort(key=lambda e: (e.at, e.kind != ReminderKind.SWEEP, e.cycle.code))
    return out


def events_due(plan: Plan, calendar: WorkingCalendar, now: datetime, catch_up: timedelta) -> list[CycleEvent]:
    """The events whose instant has come, no longer ago than `catch_up` (a bot that was down
    at 08:00 still sweeps when it starts in the afternoon; one down for days does not)."""
    today = calendar.local_date(now)
    first = calendar.local_date(now - catch_up)
    return [e for e in cycle_events(plan, calendar, first, today) if now - catch_up <= e.at <= now]
