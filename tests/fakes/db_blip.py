"""A database that goes away for a moment, at the driver's edge.

While `blip.away` is set every statement on the engine fails as a dropped connection does
(`OperationalError`), on SQLite and PostgreSQL alike; the database itself is untouched, so
what was committed before is there when it "comes back". `failed` counts the statements
refused, so a test waits for the outage to have been felt instead of sleeping.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from store.db import Database


class _Gone(Exception):
    pass


@dataclass
class DbBlip:
    db: Database
    away: bool = False
    failed: int = 0

    def __post_init__(self) -> None:
        event.listen(self.db.engine.sync_engine, "before_cursor_execute", self._before)

    def _before(self, conn: Any, cursor: Any, statement: str, params: Any, context: Any, executemany: bool) -> None:
        if self.away:
            self.failed += 1
            raise OperationalError(statement, params, _Gone("server closed the connection unexpectedly"))

    def close(self) -> None:
        event.remove(self.db.engine.sync_engine, "before_cursor_execute", self._before)
