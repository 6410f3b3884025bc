"""Dialect helpers shared by the store's modules."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from operator import countOf, itemgetter
from typing import Any

from sqlalchemy import Dialect, Enum
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.dml import Insert


def _dialect_insert(dialect: str) -> Callable[[Any], Any]:
    """The dialect's INSERT (with ON CONFLICT), imported for the dialect in use: PostgreSQL's
    package loads every PostgreSQL driver's module, ~2 MiB a SQLite bot would keep resident."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


# Rows per executemany call: bounds the memory of one call, not the statement size.
CHUNK = 5000


@lru_cache(maxsize=64)
def _insert_ignore(dialect: str, table: Any, conflict: tuple[str, ...]) -> Insert:
    """One statement per dialect, table and conflict target, built once: SQLAlchemy then
    compiles it once per column set (its compiled cache is keyed by the statement) and runs
    it executemany-style ("insertmanyvalues" batches with RETURNING), instead of compiling
    a new multi-VALUES statement for every chunk of rows, which cost ~77% of planning."""
    insert = _dialect_insert(dialect)
    return insert(table).on_conflict_do_nothing(index_elements=list(conflict)).returning(table.c.id)


def _group(rows: Sequence[dict[str, Any]]) -> dict[tuple[str, ...], list[dict[str, Any]]]:
    """executemany needs every row to carry the same keys: rows grouped by key set (callers
    build rows with one helper, so there is normally a single group)."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    return groups


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
    table: Any = model.__table__
    stmt = _insert_ignore(session.get_bind().dialect.name, table, tuple(conflict))
    connection = await session.connection()
    ids: list[int] = []
    for group in _group(rows).values():
        for i in range(0, len(group), CHUNK):
            result = await connection.execute(stmt, group[i : i + CHUNK])
            ids.extend(row[0] for row in result.all())
    return ids


@dataclass(frozen=True)
class _Driver:
    """An INSERT … ON CONFLICT DO NOTHING compiled once to the driver's SQL, with the bind
    processors of its columns, for `count_insert_or_ignore`."""

    sql: str  # SQLite's statement; PostgreSQL's is made per chunk (`_unnest_sql`)
    names: tuple[str, ...]  # the parameters in the order the statement takes them
    processors: tuple[Callable[[Any], Any] | None, ...]
    memo_slots: tuple[int, ...]  # columns of one type share a memo of converted values
    arrays: bool  # PostgreSQL: one array per column, unnested server-side


@lru_cache(maxsize=64)
def _driver_insert(dialect: Dialect, table: Any, conflict: tuple[str, ...], columns: tuple[str, ...]) -> _Driver | None:
    postgres = dialect.name == "postgresql"
    insert = _dialect_insert(dialect.name)
    compiled: Any = (
        insert(table)
        .on_conflict_do_nothing(index_elements=list(conflict))
        .compile(dialect=dialect, column_keys=list(columns))
    )
    names = tuple(compiled.positiontup) if compiled.positional else tuple(compiled.binds)
    if set(names) != set(columns) or (not postgres and not compiled.positional):
        # A column default the rows do not carry (computed per row by SQLAlchemy), or a
        # driver this path does not know: left to the general path.
        return None
    # The dialect's own type (dialect_impl): the generic type's processor skips the dialect's
    # formatting, and SQLite compares datetimes as text, so every row must be written in the
    # one format SQLAlchemy writes ("2026-06-25 01:00:00.000000") or equality and order break.
    processors = tuple(table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names)
    # A vocabulary column (store.models.vocabulary) checks its own values: one memo per column.
    kinds = [t if isinstance(t := table.c[name].type, Enum) else type(t) for name in names]
    slots = tuple(kinds.index(kind) for kind in kinds)
    if not postgres:
        return _Driver(str(compiled), names, processors, slots, arrays=False)
    # PostgreSQL: a row per round trip, even pipelined, costs more than the row itself;
    # one array per column and unnest() send a chunk as one statement (`_unnest_sql`).
    return _Driver("", names, processors, slots, arrays=True)


@lru_cache(maxsize=256)
def _unnest_sql(
    dialect: Dialect, table: Any, conflict: tuple[str, ...], names: tuple[str, ...], same: frozenset[str]
) -> str:
    """PostgreSQL's INSERT of a chunk: one array per column, unnested server-side, except the
    columns holding one value in every row of the chunk (`same`: the ward, the state, the
    time of an outbox chunk), sent once. Dumping arrays element by element was the largest
    cost of a first planning's inserts."""
    quote = dialect.identifier_preparer.quote
    cols = ", ".join(quote(n) for n in names)
    typed = {n: table.c[n].type.compile(dialect=dialect) for n in names}
    arrays = [n for n in names if n not in same]
    # asyncpg takes its parameters by position ($1…, in `names`' order), psycopg by name.
    mark = {n: f"${i}" if dialect.driver == "asyncpg" else f"%({n})s" for i, n in enumerate(names, 1)}
    values = ", ".join(f"{mark[n]}::{typed[n]}" if n in same else f"u.{quote(n)}" for n in names)
    unnest = ", ".join(f"{mark[n]}::{typed[n]}[]" for n in arrays)
    target = ", ".join(quote(c) for c in conflict)
    return (
        f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({cols}) "
        f"SELECT {values} FROM unnest({unnest}) AS u({', '.join(quote(n) for n in arrays)}) "
        f"ON CONFLICT ({target}) DO NOTHING"
    )


def _array_params(dialect: Dialect, columns: dict[str, list[Any]], same: frozenset[str]) -> Any:
    """`_unnest_sql`'s parameters: a column's one value, or its values as an array. asyncpg
    encodes a list in C, in PostgreSQL's binary format; psycopg gets one literal per column."""
    if dialect.driver == "asyncpg":
        return tuple(col[0] if n in same else col for n, col in columns.items())
    return {n: col[0] if n in same else _array_literal(col) for n, col in columns.items()}


# Types whose str() PostgreSQL reads back as the value (exact types: an enum's str() may be
# its name; booleans print "True"/"False", which PostgreSQL reads as such).
_LITERAL_TYPES = frozenset({str, int, bool, date, datetime, type(None)})


def _array_literal(values: list[Any]) -> str | list[Any]:
    """A column's values as one array literal ('{"a","b",NULL}'): psycopg dumps a list element
    by element in Python (a quoting search per value, ~20% of a first planning's time), where
    this is one join. Only text is quoted, and only where it must be: an integer, a boolean, a
    date or an instant never holds what PostgreSQL's array input reads specially (white space
    inside an element is kept). Anything else, or an aware datetime (the text would drop its
    offset where psycopg converts it), is left to psycopg."""
    types = set(map(type, values))
    if not types <= _LITERAL_TYPES or (
        datetime in types and any(v.tzinfo is not None for v in values if type(v) is datetime)
    ):
        return values
    element = _element if str in types else str
    if type(None) in types:
        return "{" + ",".join("NULL" if v is None else element(v) for v in values) + "}"
    return "{" + ",".join(map(element, values)) + "}"


# Text that must be quoted in an array literal: delimiters, quotes, backslashes, any white
# space (leading and trailing would be dropped), the empty string, or the word NULL.
_NEEDS_QUOTES = re.compile(r'[{},"\\\s]|^$|^null$', re.IGNORECASE)


def _element(value: Any) -> str:
    text = str(value)
    if _NEEDS_QUOTES.search(text) is None:
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _same_in_every_row(columns: dict[str, list[Any]]) -> frozenset[str]:
    """The columns with one value throughout, leaving at least one array (it gives the row count)."""
    same = [n for n, col in columns.items() if all(v == col[0] for v in col)]
    if len(same) == len(columns):
        same = same[1:]
    return frozenset(same)


def _carried(table: Any, columns: tuple[str, ...], group: Sequence[dict[str, Any]]) -> tuple[str, ...]:
    """The columns worth sending: one that is None in every row and has no default would be
    NULL anyway. An outbox row leaves half its columns empty (no body, no chat, no lock…),
    and every value sent is picked, converted and bound once per row."""
    return tuple(
        name
        for name in columns
        if table.c[name].default is not None
        or table.c[name].server_default is not None
        or countOf(map(itemgetter(name), group), None) != len(group)
    )


async def count_insert_or_ignore(
    session: AsyncSession,
    model: type[DeclarativeBase],
    rows: Sequence[dict[str, Any]],
    conflict: Sequence[str],
) -> int:
    """`insert_or_ignore` when only the number of new rows matters (the planner's outbox
    rows: 100,000 in a year of 114 wards). The statement is compiled once; SQLite runs it
    through the driver's own executemany, PostgreSQL unnests one array per column. Each
    distinct value is converted once (a plan's rows share a few instants: created_at is one
    `now`, next_attempt_at equals due_at), since SQLAlchemy's per-value bind processing was
    the largest cost left. Same conversions as the general path; the count is the
    driver's rowcount (ignored rows are not counted on either database)."""
    if not rows:
        return 0
    table: Any = model.__table__
    connection = await session.connection()
    dialect = connection.dialect
    count = 0
    for all_columns, group in _group(rows).items():
        columns = _carried(table, all_columns, group)
        driver = _driver_insert(dialect, table, tuple(conflict), columns)
        if driver is None:
            count += len(await insert_or_ignore(session, model, group, conflict))
            continue
        memos: list[dict[Any, Any]] = [{} for _ in driver.names]
        # Only the columns with a bind processor (datetimes, vocabularies) are touched per row; the
        # rest are picked in C by itemgetter.
        steps = [
            (i, process, memos[slot])
            for i, (process, slot) in enumerate(zip(driver.processors, driver.memo_slots, strict=True))
            if process is not None
        ]
        pick = itemgetter(*driver.names)
        converted_rows: list[tuple[Any, ...]] = []
        for row in group:
            picked = pick(row)
            values = list(picked) if len(driver.names) > 1 else [picked]
            for i, process, memo in steps:
                value = values[i]
                if value is not None:
                    converted = memo.get(value)
                    if converted is None:
                        converted = memo[value] = process(value)
                    values[i] = converted
            converted_rows.append(tuple(values))
        for i in range(0, len(converted_rows), CHUNK):
            chunk = converted_rows[i : i + CHUNK]
            if driver.arrays:
                columns_of = {n: list(col) for n, col in zip(driver.names, zip(*chunk, strict=True), strict=True)}
                same = _same_in_every_row(columns_of)
                sql = _unnest_sql(dialect, table, tuple(conflict), driver.names, same)
                result = await connection.exec_driver_sql(sql, _array_params(dialect, columns_of, same))
            else:
                result = await connection.exec_driver_sql(driver.sql, chunk)
            count += result.rowcount
    return count
