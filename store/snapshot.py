"""The SQLite schema at SCHEMA_HEAD as one SQL script (store/migrations/sqlite_head.sql).

A new SQLite database — the quick start's first `nhacviec run`, any command in a fresh
folder — is created from it in one transaction instead of by replaying every migration
through Alembic: Alembic, Mako and the migration modules cost a first command about a third
of its time and stay in the serving process's memory for its whole life. The script is what
the migrations build, dumped (tests/test_schema_snapshot.py checks it still is); after adding
a migration, write it again with `python -m store.snapshot_write`. PostgreSQL, and any database
that already has tables, is migrated by Alembic as before.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

SNAPSHOT = Path(__file__).resolve().parent / "migrations" / "sqlite_head.sql"
# iterdump wraps its script in a transaction of its own; the caller's transaction is used.
_WRAPPING = ("BEGIN TRANSACTION;", "COMMIT;")
HEADER = "-- The schema the migrations build, at SCHEMA_HEAD. Written by `python -m store.snapshot_write`.\n"


def dump(path: Path) -> str:
    """The schema and rows of the SQLite database at `path` as a script."""
    con = sqlite3.connect(path)
    try:
        return "".join(f"{line}\n" for line in con.iterdump() if line not in _WRAPPING)
    finally:
        con.close()


def statements(script: str) -> list[str]:
    """The statements of `script`, one each (a CREATE TABLE spans several lines)."""
    out: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            out.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete statement at the end of the schema script: {buffer[:80]!r}")
    return out


def head_statements() -> list[str]:
    return statements(SNAPSHOT.read_text(encoding="utf-8"))
