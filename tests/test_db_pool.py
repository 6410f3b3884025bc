"""PostgreSQL's pooled connections: one the server dropped while it sat idle is replaced
before use, as pool_pre_ping would; one used a moment ago is taken without the ping's round
trip, which every transaction paid before (issue 26)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

import bot.conversation.handle as handle
import store.db
from bot.context import AppContext
from bot.conversation.handle import Conversation
from store.db import Database
from store.inbound import store_inbound
from store.models import InboundMessage as InboundRow
from store.versioning import SCHEMA_HEAD
from tests.conftest import POSTGRES_URL, reset_postgres
from tests.helpers import say

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

    def counted(dbapi_connection: Any) -> bool:
        pings.append(dbapi_connection)
        return real(dbapi_connection)

    monkeypatch.setattr(db.engine.sync_engine.dialect, "do_ping", counted)
    try:
        first = await _backend_pid(db)
        for _ in range(5):
            assert await _backend_pid(db) == first  # the warm connection, again
        assert pings == []
    finally:
        await db.dispose()


async def test_a_message_is_stored_on_postgresql_without_a_transaction_of_its_own_and_committed_at_once(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One INSERT in autocommit: committed (its WAL flushed) when it returns, without the
    # BEGIN and COMMIT round trips of a transaction, before the message is interpreted.
    if not ctx.db.is_postgres:
        pytest.skip("SQLite's transactions cost no round trip")
    seen: list[tuple[bool, int | None]] = []

    async def watched(session: AsyncSession, row: dict[str, Any]) -> int | None:
        inbound_id = await store_inbound(session, row)
        raw = (await session.connection()).sync_connection
        assert raw is not None and inbound_id is not None
        driver: Any = raw.connection.dbapi_connection.driver_connection  # type: ignore[union-attr]
        # asyncpg's connection says whether a transaction is open; psycopg's its status.
        idle = (
            not driver.is_in_transaction()
            if hasattr(driver, "is_in_transaction")
            else driver.info.transaction_status.name == "IDLE"
        )
        async with ctx.db.read() as other:  # another connection sees it already
            seen.append((idle, await other.scalar(select(func.count()).where(InboundRow.id == inbound_id))))
        return inbound_id

    monkeypatch.setattr(handle, "store_inbound", watched)
    await say(Conversation(ctx), "someone", "xin chào", channel="telegram")
    assert seen == [(True, 1)]


async def test_the_libpq_options_an_operator_writes_are_understood_by_asyncpg() -> None:
    """sslmode and connect_timeout, written for libpq (psycopg), reach asyncpg as its `ssl`
    and `timeout` (store.db._pg_connect; 0 waits for ever, as in libpq), and asyncpg's own
    numbers and yes/no as such (text would fail every connection: "'<' not supported")."""
    if POSTGRES_URL is None:
        pytest.skip("needs NHACVIEC_TEST_POSTGRES_URL")
    url = sa.make_url(POSTGRES_URL).set(drivername="postgresql+asyncpg")
    written = url.update_query_dict(
        {"sslmode": "disable", "connect_timeout": "0", "statement_cache_size": "0", "direct_tls": "false"}
    )
    await reset_postgres(POSTGRES_URL)
    db = Database(written.render_as_string(hide_password=False))
    try:
        await db.upgrade()
        assert await _backend_pid(db) > 0
    finally:
        await db.dispose()


async def test_workers_starting_together_on_an_empty_database_all_start_whatever_its_isolation() -> None:
    """Under a server whose default is REPEATABLE READ, a worker that waited for the migration
    lock took its snapshot before the first worker committed: it saw no table and created them
    again ("relation already exists"). Schema changes run READ COMMITTED (Database._migrating)."""
    if POSTGRES_URL is None:
        pytest.skip("needs NHACVIEC_TEST_POSTGRES_URL")
    name = sa.make_url(POSTGRES_URL).database
    admin = Database(POSTGRES_URL)
    try:
        async with admin.engine.connect() as conn:
            await conn.execute(sa.text(f"ALTER DATABASE {name} SET default_transaction_isolation = 'repeatable read'"))
            await conn.commit()
        await reset_postgres(POSTGRES_URL)
        workers = [Database(POSTGRES_URL) for _ in range(4)]
        try:
            results = await asyncio.gather(*(w.upgrade() for w in workers), return_exceptions=True)
        finally:
            for w in workers:
                await w.dispose()
        assert [r for r in results if isinstance(r, BaseException)] == []
        assert [r[1] for r in results if not isinstance(r, BaseException)] == [SCHEMA_HEAD] * 4
    finally:
        async with admin.engine.connect() as conn:
            await conn.execute(sa.text(f"ALTER DATABASE {name} RESET default_transaction_isolation"))
            await conn.commit()
        await admin.dispose()
