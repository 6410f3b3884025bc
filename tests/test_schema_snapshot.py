"""A new SQLite database is created from one script (store/snapshot.py), not by replaying
every migration through Alembic; the script is exactly what the migrations build."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from store.db import Database
from store.snapshot import SNAPSHOT, dump
from store.snapshot_write import migrated_script
from store.versioning import SCHEMA_HEAD

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
