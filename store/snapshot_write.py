"""Writes store/migrations/sqlite_head.sql again from the migrations (after adding one):
`python -m store.snapshot_write`. Kept apart from store/snapshot.py: this builds its database
through store.db, which reads store/snapshot.py, and modules import one way only."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from store.db import Database
from store.snapshot import HEADER, SNAPSHOT, dump


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


def main() -> None:  # pragma: no cover - run by hand after adding a migration
    SNAPSHOT.write_text(asyncio.run(migrated_script()), encoding="utf-8")
    print(f"wrote {SNAPSHOT}")


if __name__ == "__main__":  # pragma: no cover
    main()
