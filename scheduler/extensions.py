"""Reminders of an extended deadline: a unit the office gave more time (/duyet) is reminded
against its new day, and no longer against the plan's.

The occurrence (the plan's deadline) is shared by every unit of a task; an extension is one
unit's. So planning replaces that unit's reminders of that occurrence with the ones the
same policy gives for the extended day. Their keys carry the due day
(`scheduler.planner.reminder_key`), so they are new rows, never mistaken for the old
deadline's reminders already sent.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from scheduler.occurrences import Occurrence
from scheduler.plan import Plan
from scheduler.reminders import PlannedReminder, plan_task
from scheduler.workcal import WorkingCalendar
from store.sync import AssignmentKey


def with_extensions(
    plan: Plan,
    calendar: WorkingCalendar,
    start: date,
    end: date,
    occurrences: dict[int, list[Occurrence]],
    planned: list[PlannedReminder],
    extended: dict[AssignmentKey, date],
) -> list[PlannedReminder]:
    """`planned` with the reminders of each extended assignment planned against its new day."""
    if not extended:
        return planned
    out = [r for r in planned if (r.task_stt, r.occurrence_key, r.unit) not in extended]
    start = max(start, plan.issued)
    for (stt, key, unit), new_due in extended.items():
        task = plan.task(stt)
        if task is None:
            continue
        if unit in task.lead:
            solo = replace(task, lead=(unit,), coordinate=())
        elif unit in task.coordinate:
            solo = replace(task, lead=(), coordinate=(unit,))
        else:
            continue
        moved = [replace(o, due=new_due) if o.key == key else o for o in occurrences.get(stt, [])]
        out += [r for r in plan_task(solo, calendar, start, end, moved) if r.occurrence_key == key]
    out.sort(key=lambda r: (r.at, r.task_stt, r.unit, r.kind, r.seq))
    return out
