"""Writes store/migrations/sqlite_head.sql and postgresql_head.sql again from the migrations
(after adding one): `python -m store.snapshot_write --postgres URL`, URL a scratch PostgreSQL
database (wiped) and pg_dump on the PATH. Kept apart from store/snapshot.py: this builds its
databases through store.db, which reads store/snapshot.py, and modules import one way only."""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from store.db import Database
from store.snapshot import HEADER, PG_SNAPSHOT, SNAPSHOT, dump
from store.versioning import SCHEMA_HEAD

# pg_dump's lines that set up its own session or name the schema: the script runs in the
# connection's transaction and schema (its search_path), as the migrations do.
_SESSION_LINES = ("--", "\\", "SET ", "SELECT pg_catalog.set_config(", "COMMENT ON SCHEMA ", "CREATE SCHEMA ")


async def migrated_script() -> str:
    """The script of a new SQLite database migrated to head by Alembic, migration by migration."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "head.db"
        db = Database(f"sqlite+aiosqlite:///{path}")
        try:
            await db.upgrade(from_snapshot=False)
        finally:
            await db.dispose()
        return HEADER + dump(path)


async def wipe_postgres(url: str) -> None:
    db = Database(url)
    try:
        async with db.engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    finally:
        await db.dispose()


async def migrated_postgres(url: str, *, from_snapshot: bool) -> Database:
    """The PostgreSQL database of `url` wiped and brought to head: by Alembic, migration by
    migration, or from the script."""
    await wipe_postgres(url)
    db = Database(url)
    await db.upgrade(from_snapshot=from_snapshot)
    return db


def pg_script(url: str) -> str:
    """The script of the (migrated) PostgreSQL database of `url`, from pg_dump, unqualified."""
    libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    dumped = subprocess.run(
        ["pg_dump", "--schema-only", "--no-owner", "--no-privileges", "--schema=public", libpq],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = [line.replace("public.", "") for line in dumped.splitlines() if not line.startswith(_SESSION_LINES)]
    body = "\n".join(lines).strip()
    while "\n\n\n" in body:
        body = body.replace("\n\n\n", "\n\n")
    return f"{HEADER}{body}\n\nINSERT INTO alembic_version (version_num) VALUES ('{SCHEMA_HEAD}');\n"


async def describe_postgres(db: Database) -> list[str]:
    """What a schema is, read from PostgreSQL's catalog in its current schema: every column
    (type, nullability, default), constraint, index and sequence, and the version row."""
    queries = [
        """SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                  || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
                  || coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')
           FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
           LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
           WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
             AND a.attnum > 0 AND NOT a.attisdropped""",
        """SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
           FROM pg_constraint WHERE connamespace = current_schema()::regnamespace""",
        """SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema()""",
        """SELECT sequencename || ' ' || data_type || ' ' || start_value || ' ' || increment_by
           FROM pg_sequences WHERE schemaname = current_schema()""",
        """SELECT 'version ' || version_num FROM alembic_version""",
    ]
    out: list[str] = []
    async with db.read() as s:
        for query in queries:
            out += sorted((await s.execute(text(query))).scalars().all())
    return out


async def _write(postgres: str | None) -> None:  # pragma: no cover - run by hand after adding a migration
    SNAPSHOT.write_text(await migrated_script(), encoding="utf-8")
    print(f"wrote {SNAPSHOT}")
    if postgres:
        db = await migrated_postgres(postgres, from_snapshot=False)
        await db.dispose()
        PG_SNAPSHOT.write_text(pg_script(postgres), encoding="utf-8")
        print(f"wrote {PG_SNAPSHOT}")


def main() -> None:  # pragma: no cover - run by hand after adding a migration
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", metavar="URL", help="a scratch PostgreSQL database (wiped) to dump")
    asyncio.run(_write(parser.parse_args().postgres))


if __name__ == "__main__":  # pragma: no cover
    main()
