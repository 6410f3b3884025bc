"""Dialect helpers shared by the store's modules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

CHUNK = 500


async def insert_or_ignore(
    session: AsyncSession,
    model: type[DeclarativeBase],
    rows: Sequence[dict[str, Any]],
    conflict: Sequence[str],
) -> list[int]:
    """INSERT … ON CONFLICT (conflict) DO NOTHING on SQLite and PostgreSQL alike; returns
    the ids of the rows that were new (in no particular order)."""
    if not rows:
        return []
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table: Any = model.__table__
    ids: list[int] = []
    for i in range(0, len(rows), CHUNK):
        stmt = (
            insert(table)
            .values(list(rows[i : i + CHUNK]))
            .on_conflict_do_nothing(index_elements=list(conflict))
            .returning(table.c.id)
        )
        ids.extend(row[0] for row in (await session.execute(stmt)).all())
    return ids
