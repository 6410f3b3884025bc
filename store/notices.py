"""Notices to the office: one at once (`queue_office_notice`), and the daily notice of
reminders nobody could receive.

A reminder skipped because its unit has nobody linked is counted where it is recorded (the
outbox row: state "skipped", its reason, `finished_at`). The notice is one outbox row per
office person per report day, keyed by that day; it is due at the day's report time, and
until it is claimed every new skip rewrites its text from those rows (workers take turns
on the notice's rows, see `hold_office_notice`). So it lists, per
unit, everything skipped in the window, and goes out once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.enums import PersonRole, ReminderState
from store.models import Assignment, Occurrence, Reminder, Task, Unit
from store.outbox import insert_reminders, notice_rows, queue_notice
from store.queries import people_with_role


async def skipped_by_unit(
    session: AsyncSession, ward_id: int, reason: str, since: datetime, until: datetime
) -> list[tuple[str, list[str], int]]:
    """Rows of the ward skipped for `reason` in (since, until]: per unit code, the labels of
    the tasks concerned and how many rows."""
    rows = await session.execute(
        select(Unit.id, Unit.code, Task.stt, Task.label, func.count(Reminder.id))
        .join(Assignment, Reminder.assignment_id == Assignment.id)
        .join(Occurrence, Assignment.occurrence_id == Occurrence.id)
        .join(Task, Occurrence.task_id == Task.id)
        .join(Unit, Assignment.unit_id == Unit.id)
        .where(
            Reminder.ward_id == ward_id,
            Reminder.state == ReminderState.SKIPPED,
            Reminder.last_error == reason,
            Reminder.finished_at > since,
            Reminder.finished_at <= until,
        )
        .group_by(Unit.id, Unit.code, Task.stt, Task.label)
        .order_by(Unit.id, Task.stt)
    )
    out: dict[int, tuple[str, list[str], int]] = {}
    for unit_id, code, stt, label, count in rows.all():
        _, labels, total = out.get(unit_id, (code, [], 0))
        out[unit_id] = (code, [*labels, label or str(stt)], total + count)
    return list(out.values())


async def queue_office_notice(session: AsyncSession, ward_id: int, key: str, body: str, now: datetime) -> int:
    """Tell the ward's office `body` at once, each office person once (the key makes it
    once); how many rows were new."""
    office = await people_with_role(session, ward_id, (PersonRole.OFFICE,))
    return await queue_notice(session, ward_id, office, key, body, now)


async def hold_office_notice(
    session: AsyncSession, ward_id: int, key: str, due_at: datetime, now: datetime
) -> list[int]:
    """Queue notice `key` for every office person of the ward (once), lock its rows and
    return the ids of those still pending.

    The lock makes workers rewriting the notice at once take turns: on PostgreSQL the second
    waits for the first to commit, then reads the skipped rows (the first's included) afresh,
    so no worker's units are lost by another writing the text it computed before."""
    office = await people_with_role(session, ward_id, (PersonRole.OFFICE,))
    rows = notice_rows(ward_id, office, key, "", now, due_at=due_at)
    await insert_reminders(session, rows)
    if not rows:
        return []
    held = await session.execute(
        select(Reminder.id, Reminder.state)
        .where(Reminder.ward_id == ward_id, Reminder.key.in_([r["key"] for r in rows]))
        .order_by(Reminder.id)
        .with_for_update()
    )
    return [rid for rid, state in held.all() if state == ReminderState.PENDING]


async def set_notice_text(session: AsyncSession, ids: list[int], body: str) -> None:
    if ids:
        await session.execute(
            update(Reminder).where(Reminder.id.in_(ids)).values(body=body).execution_options(synchronize_session=False)
        )
