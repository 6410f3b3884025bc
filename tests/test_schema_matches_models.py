"""The schema the migrations build is the schema the models describe: a column typed with a
vocabulary (store.models.vocabulary) is still the VARCHAR(16) the migrations made, so typing
a column needs no migration, and a model change without its migration fails here."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, Enum

from store.db import Database
from store.enums import ReminderState
from store.models import Base, Reminder


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    # Column changes come as a list per column; tables and indexes one by one.
    found = [
        d for diff in compare_metadata(context, Base.metadata) for d in (diff if isinstance(diff, list) else [diff])
    ]
    # send_pace is written only through SQL of its own (store/pacing.py); it has no model.
    return [d for d in found if not (d[0] == "remove_table" and d[1].name == "send_pace")]


async def test_the_migrated_schema_and_the_models_agree(db: Database) -> None:
    async with db.engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


async def test_the_comparison_notices_a_column_the_migrations_do_not_have(db: Database) -> None:
    column_type = Reminder.__table__.c.state.type
    assert isinstance(column_type, Enum)  # store.models.vocabulary
    length = column_type.length
    column_type.length = 17
    try:
        async with db.engine.connect() as connection:
            found = await connection.run_sync(_differences)
    finally:
        column_type.length = length
    assert [(d[0], d[2], d[3]) for d in found] == [("modify_type", "reminders", "state")]


def test_a_vocabulary_column_stores_the_same_strings() -> None:
    column_type = Reminder.__table__.c.state.type
    assert isinstance(column_type, Enum) and column_type.enums == [s.value for s in ReminderState]
