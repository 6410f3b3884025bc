"""PostgreSQL's pooled connections: one the server dropped while it sat idle is replaced
before use, as pool_pre_ping would; one used a moment ago is taken without the ping's round
trip, which every transaction paid before (issue 26)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

import store.db
from store.db import Database
from tests.conftest import POSTGRES_URL, reset_postgres

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL's connection pool")


async def _backend_pid(db: Database) -> int:
    async with db.session() as s:
        return int((await s.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one())


async def test_a_pooled_connection_the_server_dropped_while_idle_is_replaced_before_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert POSTGRES_URL
    await reset_postgres(POSTGRES_URL)
    db = Database(POSTGRES_URL)
    other = Database(POSTGRES_URL)
    try:
        dropped = await _backend_pid(db)  # back in the pool, idle
        async with other.session() as s, s.begin():
            await s.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})
        monkeypatch.setattr(store.db, "PING_AFTER_IDLE", 0.0)  # it sat idle long enough
        assert await _backend_pid(db) != dropped  # no error: a new connection served it
    finally:
        await db.dispose()
        await other.dispose()


async def test_a_connection_used_a_moment_ago_is_taken_without_a_ping(monkeypatch: pytest.MonkeyPatch) -> None:
    assert POSTGRES_URL
    db = Database(POSTGRES_URL)
    pings: list[Any] = []
    real = db.engine.sync_engine.dialect.do_ping
    monkeypatch.setattr(db.engine.sync_engine.dialect, "do_ping", lambda c: pings.append(c) or real(c))
    try:
        first = await _backend_pid(db)
        for _ in range(5):
            assert await _backend_pid(db) == first  # the warm connection, again
        assert pings == []
    finally:
        await db.dispose()
