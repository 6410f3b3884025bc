"""The planner's bulk insert writes rows the rest of the store reads back exactly: on SQLite
datetimes are text, so a row written in another format than SQLAlchemy's would miss every
equality and shift every comparison (a moment's rows would not be found as one moment)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from store.db import Database
from store.models import Reminder, Ward
from store.outbox import insert_reminders, reminder_row
from tests.conftest import POSTGRES_URL, reset_postgres


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


async def test_columns_empty_in_every_row_are_left_out_and_read_back_empty(db: Database) -> None:
    now = datetime(2026, 6, 24, 1, 0, tzinfo=UTC)
    async with db.session() as s, s.begin():
        ward = Ward(key="w")
        s.add(ward)
        await s.flush()
        # A body in one row of the first call: the column is sent for all three; none in the
        # second call: left out of the statement, stored NULL all the same.
        first = [reminder_row(ward.id, "a", "notice", now, now, body="Kính gửi")]
        first += [reminder_row(ward.id, k, "before", now, now) for k in ("b", "c")]
        assert await insert_reminders(s, first) == 3
        assert await insert_reminders(s, [reminder_row(ward.id, k, "due", now, now) for k in ("d", "e", "a")]) == 2
    async with db.session() as s:
        rows = (
            await s.execute(
                select(Reminder.key, Reminder.body, Reminder.state, Reminder.attempts, Reminder.chat_id).order_by(
                    Reminder.key
                )
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("a", "Kính gửi", "pending", 0, None),
        ("b", None, "pending", 0, None),
        ("c", None, "pending", 0, None),
        ("d", None, "pending", 0, None),
        ("e", None, "pending", 0, None),
    ]


async def test_texts_of_every_shape_are_stored_as_given(db: Database) -> None:
    await _texts_of_every_shape_come_back(db)


@pytest.mark.skipif(POSTGRES_URL is None, reason="NHACVIEC_TEST_POSTGRES_URL not set")
@pytest.mark.parametrize("driver", ["asyncpg", "psycopg"])
async def test_texts_of_every_shape_are_stored_as_given_by_either_postgresql_driver(driver: str) -> None:
    """asyncpg is the driver of postgresql:// URLs; psycopg's, written before issue 26, still work."""
    assert POSTGRES_URL
    url = make_url(POSTGRES_URL).set(drivername=f"postgresql+{driver}").render_as_string(hide_password=False)
    await reset_postgres(url)
    db = Database(url)
    try:
        await db.upgrade()
        await _texts_of_every_shape_come_back(db)
    finally:
        await db.dispose()


async def _texts_of_every_shape_come_back(db: Database) -> None:
    # PostgreSQL receives each column as one array: asyncpg encodes a list itself, psycopg
    # gets one array literal written by the store (store.sql._array_literal). Quotes,
    # backslashes, braces, commas, the word NULL, blanks and empty text must come back
    # unchanged, and None as NULL; text needing no quotes is sent bare, and the word NULL in
    # any case is still text.
    now = datetime(2026, 6, 24, 1, 0, tzinfo=UTC)
    bodies = [
        'Kính gửi "Tổ 3"',
        "C:\\thư mục\\",
        "{a,b}",
        "NULL",
        "",
        "  lề  ",
        "dòng\nhai",
        None,
        'x\\"y',
        "thường",
        "null",
        "\ttab",
        "Null",
    ]
    async with db.session() as s, s.begin():
        ward = Ward(key="w")
        s.add(ward)
        await s.flush()
        rows = [reminder_row(ward.id, f"k{i}", "notice", now, now, body=b) for i, b in enumerate(bodies)]
        assert await insert_reminders(s, rows) == len(bodies)
    async with db.session() as s:
        stored = {key: body for key, body in (await s.execute(select(Reminder.key, Reminder.body))).all()}
    assert [stored[f"k{i}"] for i in range(len(bodies))] == bodies
