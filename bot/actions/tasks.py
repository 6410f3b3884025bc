"""Acting on a task: finding it by number or label, nudging its units now, activating a
conditional task. Refusals are `ActionError`s whose Vietnamese message is safe to show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.actions.common import ActionError, unit_id_of
from bot.texts import tasks as tt
from store import people
from store.enums import DeadlineKind, ReminderKind
from store.models import Task
from store.outbox import insert_reminders, reminder_row
from store.queries import current_assignments, task_by_label, task_by_stt


async def find_task(session: AsyncSession, ward_id: int, ref: int | str) -> Task:
    """A task by its number (int) or by the label people write ("II.3", "ii 3", "3")."""
    task = await (task_by_stt(session, ward_id, ref) if isinstance(ref, int) else task_by_label(session, ward_id, ref))
    if task is None:
        raise ActionError(tt.no_task(ref))
    return task


def task_name(task: Task) -> str:
    return task.label or str(task.stt)


@dataclass(frozen=True)
class Queued:
    """What a nudge did: the task's label, the units queued (codes, in plan order) and the
    units left out because nobody there could receive it."""

    task: str
    units: list[str]
    nobody: list[str]


async def queue_manual_reminder(
    session: AsyncSession, ward_id: int, ref: int | str, unit_code: str | None, now: datetime, today: date
) -> Queued:
    """Queue an immediate reminder of task `ref` (number or label) for its units (or one unit).

    A unit with nobody to receive it (no head or unit office staff with a reachable linked
    chat) gets no row — it would only be skipped — and is named instead, so the office knows."""
    task = await find_task(session, ward_id, ref)
    unit_id = await unit_id_of(session, ward_id, unit_code)
    views = [v for v in await current_assignments(session, ward_id, today, unit_id) if v.task_id == task.id]
    if not views:
        raise ActionError(tt.nobody_to_remind(task_name(task), task.deadline_kind == DeadlineKind.CONDITIONAL))
    receiving = await people.units_with_receivers(session, ward_id, {v.unit_id for v in views})
    stamp = int(now.timestamp() * 1000)
    rows = [
        reminder_row(ward_id, f"m:{v.id}:{stamp}", ReminderKind.MANUAL, now, now, assignment_id=v.id)
        for v in views
        if v.unit_id in receiving
    ]
    await insert_reminders(session, rows)
    units = list(dict.fromkeys(v.unit_code for v in views if v.unit_id in receiving))
    nobody = list(dict.fromkeys(v.unit_code for v in views if v.unit_id not in receiving))
    return Queued(task_name(task), units, nobody)


async def activate_task(session: AsyncSession, ward_id: int, ref: int | str, due: date) -> Task:
    """Give a conditional task (by number or label) the date its condition fixed."""
    task = await find_task(session, ward_id, ref)
    if task.deadline_kind != DeadlineKind.CONDITIONAL:
        raise ActionError(tt.already_dated(task_name(task), task.deadline_text))
    task.activated_due = due
    return task
