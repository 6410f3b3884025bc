"""The schema at SCHEMA_HEAD as one SQL script per database (store/migrations/sqlite_head.sql,
postgresql_head.sql).

A new database — the quick start's first `nhacviec run`, any command in a fresh folder, a
province's first worker on an empty PostgreSQL — is created from it in one transaction
instead of by replaying every migration through Alembic: Alembic, Mako and the migration
modules cost a first command about a third of its time and stay in the serving process's
memory for its whole life (~10 MiB of a PostgreSQL worker's). The script is what the
migrations build, dumped (tests/test_schema_snapshot.py checks it still is); after adding a
migration, write both again with `python -m store.snapshot_write --postgres URL`. A database
that already has tables is migrated by Alembic as before.
"""

from __future__ import annotations

from pathlib import Path

SNAPSHOT = Path(__file__).resolve().parent / "migrations" / "sqlite_head.sql"
PG_SNAPSHOT = SNAPSHOT.with_name("postgresql_head.sql")
# iterdump wraps its script in a transaction of its own; the caller's transaction is used.
_WRAPPING = ("BEGIN TRANSACTION;", "COMMIT;")
HEADER = "-- The schema the migrations build, at SCHEMA_HEAD. Written by `python -m store.snapshot_write`.\n"


def dump(path: Path) -> str:
    """The schema and rows of the SQLite database at `path` as a script."""
    import sqlite3  # here: the stdlib's SQLite (~1 MiB of library) stays out of a PostgreSQL worker

    con = sqlite3.connect(path)
    try:
        return "".join(f"{line}\n" for line in con.iterdump() if line not in _WRAPPING)
    finally:
        con.close()


def statements(script: str) -> list[str]:
    """The statements of `script`, one each (a CREATE TABLE spans several lines)."""
    import sqlite3

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


def pg_head_statements() -> list[str]:
    """PostgreSQL's script, one statement each: pg_dump's lines, every statement ending a
    line with ";" (the schema has no function body that could hold one)."""
    out: list[str] = []
    buffer: list[str] = []
    for line in PG_SNAPSHOT.read_text(encoding="utf-8").splitlines():
        if not buffer and (not line.strip() or line.startswith("--")):
            continue
        buffer.append(line)
        if line.endswith(";"):
            out.append("\n".join(buffer))
            buffer = []
    if buffer:
        raise ValueError(f"incomplete statement at the end of the schema script: {buffer[0][:80]!r}")
    return out
