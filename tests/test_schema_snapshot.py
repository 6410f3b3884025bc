"""A new database, SQLite or PostgreSQL, is created from one script (store/snapshot.py), not by
replaying every migration through Alembic; the script is exactly what the migrations build."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from store.db import Database
from store.snapshot import PG_SNAPSHOT, SNAPSHOT, dump
from store.snapshot_write import describe_postgres, migrated_postgres, migrated_script, wipe_postgres
from store.versioning import SCHEMA_HEAD
from tests.conftest import POSTGRES_URL

needs_postgres = pytest.mark.skipif(POSTGRES_URL is None, reason="NHACVIEC_TEST_POSTGRES_URL not set")

PROBE = """
import asyncio, sys
from store.db import Database

async def main():
    db = Database(sys.argv[1])
    print(await db.upgrade())
    await db.dispose()

asyncio.run(main())
print(",".join(m for m in ("alembic", "mako") if m in sys.modules))
"""


async def test_the_sqlite_snapshot_is_what_the_migrations_build() -> None:
    same = SNAPSHOT.read_text(encoding="utf-8") == await migrated_script()
    assert same, "a migration changed the schema: write the script again with `python -m store.snapshot_write`"


@pytest.mark.slow
def test_a_new_sqlite_database_is_created_at_head_without_loading_alembic(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    out = subprocess.run(
        [sys.executable, "-c", PROBE, f"sqlite+aiosqlite:///{path}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout.splitlines() == [f"(None, '{SCHEMA_HEAD}')", ""]
    assert SNAPSHOT.read_text(encoding="utf-8").endswith(dump(path))


async def test_an_old_sqlite_database_is_migrated_by_alembic_to_the_same_schema(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        await db.upgrade("0001")  # an old release's database
        assert await db.upgrade() == ("0001", SCHEMA_HEAD)
    finally:
        await db.dispose()
    assert SNAPSHOT.read_text(encoding="utf-8").endswith(dump(path))


@needs_postgres
async def test_the_postgresql_snapshot_builds_what_the_migrations_build() -> None:
    assert POSTGRES_URL
    schemas = []
    for from_snapshot in (False, True):
        db = await migrated_postgres(POSTGRES_URL, from_snapshot=from_snapshot)
        try:
            schemas.append(await describe_postgres(db))
        finally:
            await db.dispose()
    migrated, scripted = schemas
    assert len(migrated) > 100 and f"version {SCHEMA_HEAD}" in migrated
    assert scripted == migrated, (
        "a migration changed the schema: write the scripts again with `python -m store.snapshot_write --postgres URL`"
    )


@needs_postgres
@pytest.mark.slow
async def test_a_new_postgresql_database_is_created_at_head_without_loading_alembic() -> None:
    assert POSTGRES_URL
    await wipe_postgres(POSTGRES_URL)
    out = subprocess.run(
        [sys.executable, "-c", PROBE, POSTGRES_URL], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.splitlines() == [f"(None, '{SCHEMA_HEAD}')", ""]
    assert PG_SNAPSHOT.read_text(encoding="utf-8").rstrip().endswith(f"VALUES ('{SCHEMA_HEAD}');")


@needs_postgres
async def test_a_postgresql_schema_holding_other_tables_is_left_to_alembic() -> None:
    """An operator's database that already holds a table of theirs is not an empty one: the
    script (which would fail on a name it also creates) is not run; Alembic migrates."""
    assert POSTGRES_URL
    await wipe_postgres(POSTGRES_URL)
    db = Database(POSTGRES_URL)
    try:
        async with db.engine.begin() as conn:
            await conn.exec_driver_sql("CREATE TABLE their_own (x integer)")
        assert await db.upgrade() == (None, SCHEMA_HEAD)
        async with db.read() as s:
            kept = (await s.execute(sa.text("SELECT count(*) FROM their_own"))).scalar()
        assert kept == 0
    finally:
        await db.dispose()
