"""The first planning of a ward without a row reads none of its rows (there are none, nor a
first-served time); a first load reads no escalation held before it queues (none can be: its
assignments are its own), and the escalations once after: it must leave the rows, and a
fingerprint as good, as a planning that reads them all (a ward whose row was made first,
as a serve-first start makes it)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import delete, select, update

from scheduler.plan import Plan
from scheduler.planner import plan_ward, reminder_key
from scheduler.workcal import WorkingCalendar
from store.db import Database
from store.models import Reminder, Ward
from tests.conftest import local
from tests.ward_rows import ward_rows

NOW = local("2026-06-22T07:00")


async def _plan(db: Database, key: str, plan: Plan, calendar: WorkingCalendar, *, minutes: int = 0) -> int:
    async with db.session() as s, s.begin():
        result = await plan_ward(s, key, plan, calendar, NOW + timedelta(minutes=minutes), ahead_days=365)
    return result.inserted


async def test_a_ward_without_a_row_is_planned_as_one_whose_row_was_made_first(
    db: Database, plan: Plan, calendar: WorkingCalendar
) -> None:
    async with db.session() as s, s.begin():
        s.add(Ward(key="served"))
    assert await _plan(db, "fresh", plan, calendar) == await _plan(db, "served", plan, calendar) > 100
    fresh, served = await ward_rows(db, "fresh"), await ward_rows(db, "served")
    assert any(":escalate:" in r[3] for r in fresh["reminders"])  # escalations were queued
    assert fresh == served


async def test_the_first_plannings_fingerprint_stops_the_next_pass(
    db: Database, plan: Plan, calendar: WorkingCalendar
) -> None:
    # A row removed behind the planner's back is not put back 10 minutes later: the pass
    # stopped at the fingerprint the first planning left (escalations queued included).
    assert await _plan(db, "w", plan, calendar) > 0
    async with db.session() as s, s.begin():
        victim = select(Reminder.id).where(Reminder.kind != "escalate", Reminder.due_at > NOW + timedelta(days=1))
        await s.execute(delete(Reminder).where(Reminder.id == victim.limit(1).scalar_subquery()))
    assert await _plan(db, "w", plan, calendar, minutes=10) == 0
    async with db.session() as s, s.begin():
        await s.execute(update(Ward).values(plan_fingerprint=None))
    assert await _plan(db, "w", plan, calendar, minutes=10) == 1


def test_reminder_keys_keep_the_form_stored_rows_have() -> None:
    # The outbox already holds keys of this form: another form would queue every reminder
    # of every ward again.
    assert reminder_key(12, date(2026, 7, 3), "due", 0) == "a12:20260703:due:0"
    assert reminder_key(345, date(2027, 12, 31), "overdue", 2) == "a345:20271231:overdue:2"
