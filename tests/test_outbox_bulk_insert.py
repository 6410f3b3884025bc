"""The planner's bulk insert writes rows the rest of the store reads back exactly: on SQLite
datetimes are text, so a row written in another format than SQLAlchemy's would miss every
equality and shift every comparison (a moment's rows would not be found as one moment)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from store.db import Database
from store.models import Reminder, Ward
from store.outbox import insert_reminders, reminder_row


async def test_bulk_inserted_times_compare_equal_to_the_same_instant(db: Database) -> None:
    due = datetime(2026, 6, 25, 1, 0, tzinfo=UTC)
    now = due - timedelta(days=1)
    async with db.session() as s, s.begin():
        ward = Ward(key="w")
        s.add(ward)
        await s.flush()
        rows = [reminder_row(ward.id, f"k{i}", "before", due, now) for i in range(3)]
        assert await insert_reminders(s, rows) == 3
    async with db.session() as s:
        at_due = await s.scalar(select(func.count(Reminder.id)).where(Reminder.next_attempt_at == due))
        latest = await s.scalar(select(func.max(Reminder.due_at)))
        not_after = await s.scalar(select(func.count(Reminder.id)).where(Reminder.due_at <= due))
    assert (at_due, latest, not_after) == (3, due, 3)
