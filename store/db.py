"""Async engine and sessions; schema upgrades through Alembic on start."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from store import pg_options
from store.text import storable_parameters
from store.versioning import SCHEMA_HEAD, SchemaTooNew

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


READ_ONLY = "nhacviec_read_only"
# Seconds a new PostgreSQL connection may take (libpq's connect_timeout, unless the URL sets
# one): a link that takes the connection and then passes nothing (a TCP proxy cut, a firewall
# dropping packets) would otherwise hang `nhacviec status` or a start forever, never
# reaching the one line that says the database is away.
PG_CONNECT_TIMEOUT = 10
# pg_advisory_xact_lock key for schema changes ("nhacviec" in ASCII, fits a bigint): every
# worker starting on one PostgreSQL migrates in turn, the later ones finding nothing to do.
MIGRATION_LOCK = 0x6E68_6163_7669_6563
# Seconds a pooled PostgreSQL connection may sit idle and still be used without a ping
# (_ping_when_idle). The dispatcher's tick (every 2 s by default) keeps the first one warm.
PING_AFTER_IDLE = 5.0
_RETURNED = "nhacviec_returned_at"


class Database:
    """One engine per process. SQLite transactions take the write lock up front
    (BEGIN IMMEDIATE) so a read-then-write never fails half-way with SQLITE_BUSY; read-only
    work (`read()`) begins a plain deferred transaction instead, which in WAL mode reads a
    consistent snapshot without taking the write lock, so a long summary or export never
    holds up the outbox or the conversation."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        kwargs: dict[str, Any] = {"echo": echo}
        if self.dialect == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                path = Path(parsed.database)
                path.parent.mkdir(parents=True, exist_ok=True)
                # Every message and chat id is in it: its owner's only. SQLite gives its
                # -wal and -shm files the database's own mode.
                if not path.exists():
                    path.touch(mode=0o600)
                    path.chmod(0o600)
            kwargs["connect_args"] = {"timeout": 30}
        else:
            # The connection used last is taken first (LIFO), so a warm connection serves the
            # next transaction and the rest may go idle; see _ping_when_idle for the ping.
            kwargs.update(pool_size=10, max_overflow=10, pool_use_lifo=True)
            parsed, kwargs["connect_args"] = _pg_connect(parsed)
        self.engine: AsyncEngine = create_async_engine(parsed, **kwargs)
        _storable_text(self.engine)
        if self.dialect == "sqlite":
            _sqlite_pragmas(self.engine)
        else:
            _ping_when_idle(self.engine)
            if parsed.get_driver_name() == "asyncpg":
                _connect_failures_as_operational(self.engine)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # PostgreSQL: one snapshot for every statement of the read, as SQLite's WAL gives.
        read_options: dict[str, Any] = {READ_ONLY: True}
        if self.dialect == "postgresql":
            read_options.update(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        self.read_sessions = async_sessionmaker(self.engine.execution_options(**read_options), expire_on_commit=False)
        # PostgreSQL: each statement its own transaction, committed (and its WAL flushed) when
        # it returns, without the BEGIN and COMMIT round trips of a transaction (`one_statement`).
        self.one_statement_sessions = (
            async_sessionmaker(self.engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False)
            if self.dialect == "postgresql"
            else self.sessions
        )

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    def session(self) -> AsyncSession:
        return self.sessions()

    def one_statement(self) -> AsyncSession:
        """A session for work done in ONE statement that must be committed when it returns
        (an inbound message stored before anything else): on PostgreSQL the statement runs
        in autocommit, a transaction of its own, sparing two of the three round trips a
        transaction takes; on SQLite a transaction as `session()`, whose BEGIN and COMMIT
        cost no round trip. Never for two statements that must stand or fall together."""
        return self.one_statement_sessions()

    def read(self) -> AsyncSession:
        """A session for reading only (summaries, exports, roll-ups). On SQLite its
        transaction is a snapshot that takes no lock writers wait for; a write through it
        would have to take the write lock mid-transaction and may fail busy: use
        `session()` for anything that writes. On PostgreSQL, where reads never block
        writers, it is a READ ONLY, REPEATABLE READ transaction: one snapshot for all its
        statements, as on SQLite."""
        return self.read_sessions()

    async def upgrade(self, target: str = "head", *, from_snapshot: bool = True) -> tuple[str | None, str | None]:
        """Bring the schema to `target` (a revision lower than the database's downgrades);
        returns (revision before, revision after). Several processes may call it at once:
        on PostgreSQL they take a transaction-scoped advisory lock first, so one migrates
        and the others wait, then find the schema current (two workers starting on an
        empty database both start). SQLite's BEGIN IMMEDIATE serialises them the same way.
        SchemaTooNew when the database is at a revision this code does not have. A new
        SQLite database is created at head from store/snapshot.py's script (unless not
        `from_snapshot`), without Alembic: SQLite's and PostgreSQL's alike."""
        if target == "head":
            # The usual case, every command and every start: the schema is current, said by
            # one query, without loading Alembic (~150 ms of imports and ~10 MiB kept for the
            # life of the process).
            current = await self._recorded_revision()
            if current == SCHEMA_HEAD:
                return current, current
            if current is None and from_snapshot:
                if await self._create_at_head():
                    return None, SCHEMA_HEAD
                # Another worker may have created it meanwhile (we waited for its lock).
                if await self._recorded_revision() == SCHEMA_HEAD:
                    return SCHEMA_HEAD, SCHEMA_HEAD
        async with self._migrating() as conn:
            return await conn.run_sync(_upgrade, target)

    @contextlib.asynccontextmanager
    async def _migrating(self) -> AsyncIterator[AsyncConnection]:
        """The transaction a schema change runs in, holding the migration lock: on PostgreSQL
        the advisory lock, READ COMMITTED whatever the server's default (a worker that waited
        for the lock must see the tables the worker before it committed; under REPEATABLE
        READ its snapshot, taken by the lock statement, would not, and it would create them
        again); on SQLite BEGIN IMMEDIATE (`_sqlite_pragmas`)."""
        if not self.is_postgres:
            async with self.engine.begin() as conn:
                yield conn
            return
        async with self.engine.execution_options(isolation_level="READ COMMITTED").begin() as conn:
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            yield conn

    async def _create_at_head(self) -> bool:
        """Create the schema at head in an empty database, in one transaction, from
        store/snapshot.py's script; False when the database (PostgreSQL: its current schema)
        holds anything already: Alembic then sees to it. Workers starting together wait for
        each other: SQLite's BEGIN IMMEDIATE, PostgreSQL's migration lock (`upgrade`); the
        later ones find the tables."""
        from store.snapshot import head_statements, pg_head_statements

        async with self._migrating() as conn:
            if self.is_postgres:
                held = "SELECT count(*) FROM pg_class WHERE relnamespace = current_schema()::regnamespace"
                statements = pg_head_statements()
            else:
                held, statements = "SELECT count(*) FROM sqlite_master", head_statements()
            if (await conn.exec_driver_sql(held)).scalar():
                return False
            for statement in statements:
                await conn.exec_driver_sql(statement)
        return True

    async def at_head(self) -> bool:
        """Whether the schema is this code's (SCHEMA_HEAD), said by one query."""
        return await self._recorded_revision() == SCHEMA_HEAD

    async def _recorded_revision(self) -> str | None:
        """alembic_version's one row, or None (no table yet, or several heads)."""
        async with self.read() as s:
            # Connect outside the guard: a database that cannot be reached is said once, here,
            # not taken for an empty one and connected to again (a hung link: 2 × the timeout).
            await s.connection()
            try:
                rows = (await s.execute(text("SELECT version_num FROM alembic_version"))).scalars().all()
            except Exception:  # no table yet: the migration below creates it
                return None
        return rows[0] if len(rows) == 1 else None

    async def dispose(self) -> None:
        await self.engine.dispose()


def _config(connection: Connection) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def _current(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    heads = MigrationContext.configure(connection).get_current_heads()
    return ",".join(heads) if heads else None


def _upgrade(connection: Connection, target: str = "head") -> tuple[str | None, str | None]:
    from alembic import command
    from alembic.script import ScriptDirectory

    cfg = _config(connection)
    script = ScriptDirectory.from_config(cfg)
    before = _current(connection)
    for rev in (before or "").split(","):
        if rev and not _known(script, rev):
            raise SchemaTooNew(rev, script.get_current_head() or "?")
    if target == "head" or before is None or _is_ahead(script, target, before):
        command.upgrade(cfg, target)
    else:
        command.downgrade(cfg, target)
    return before, _current(connection)


def _known(script: ScriptDirectory, rev: str) -> bool:
    try:
        return script.get_revision(rev) is not None
    except Exception:  # alembic raises its own errors for an unknown id
        return False


def _is_ahead(script: ScriptDirectory, target: str, current: str) -> bool:
    """Whether `target` descends from `current` (so reaching it is an upgrade)."""
    if target == current:
        return True
    return any(r.revision == current for r in script.iterate_revisions(target, "base"))


def _pg_connect(url: URL) -> tuple[URL, dict[str, Any]]:
    """The URL and connection arguments for a PostgreSQL driver. asyncpg (the default,
    ~6 MiB lighter than psycopg: bench/idle_memory.py) takes no libpq options in its URL: the
    two an operator's URL may carry are translated (sslmode is asyncpg's `ssl`, with the same
    modes; connect_timeout its `timeout`, 0 waiting for ever as in libpq), and its own
    numbers and yes/no options are given their types (statement_cache_size=0, behind a
    pooler). psycopg's URL is libpq's and kept as it is. A value that is no number raises
    ValueError (bot/settings.py says it first, in one line)."""
    if url.get_driver_name() != "asyncpg":
        return url, ({} if "connect_timeout" in url.query else {"connect_timeout": PG_CONNECT_TIMEOUT})
    query = dict(url.query)
    timeout = float(str(query.pop("connect_timeout", PG_CONNECT_TIMEOUT)))
    args: dict[str, Any] = {"timeout": timeout if timeout > 0 else None}
    if "sslmode" in query:
        query["ssl"] = query.pop("sslmode")
    for name, kind in pg_options.NUMBERS.items():
        if name in query:
            args[name] = kind(str(query.pop(name)))
    for name in pg_options.FLAGS:
        if name in query:
            args[name] = str(query.pop(name)).lower() in ("1", "true", "yes", "on")
    return url.set(query=query), args


def _connect_failures_as_operational(engine: AsyncEngine) -> None:
    """A connection that cannot be made is said as OperationalError, as psycopg says it:
    asyncpg lets the socket's errors through as they are (refused, unknown host, no route,
    timed out, a certificate refused: all OSError) and the server's refusals (a role, a
    password, a database, too many connections) as its plain Error. Everything that looks at
    a database gone away (`database_away`, `unusable`, the CLI's one line) then sees one kind."""
    from sqlalchemy import exc as sa

    @event.listens_for(engine.sync_engine, "do_connect")
    def _connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        try:
            return dialect.connect(*cargs, **cparams)
        except (OSError, dialect.loaded_dbapi.Error) as exc:
            raise sa.OperationalError(None, None, exc) from exc


def unusable(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot be reached or used at all (stopped, wrong
    address, role, password or database, a locked or unreadable SQLite file), as opposed to
    a statement it refused: OperationalError or InterfaceError, as every driver says it
    (asyncpg's connect failures are made OperationalError: `_connect_failures_as_operational`)."""
    from sqlalchemy import exc as sa

    return isinstance(exc, sa.OperationalError | sa.InterfaceError)


def database_away(exc: BaseException) -> bool:
    """Whether `exc` says the database could not be reached or was busy (a connection
    refused or cut, a pool timeout, SQLite locked past its busy timeout): worth trying the
    same work again later, unlike a statement the database refused."""
    from sqlalchemy import exc as sa

    if isinstance(exc, sa.DBAPIError):
        return bool(exc.connection_invalidated) or isinstance(exc, sa.OperationalError | sa.InterfaceError)
    return isinstance(exc, sa.TimeoutError | sa.DisconnectionError | OSError)


def _storable_text(engine: AsyncEngine) -> None:
    """Every string sent to the database is made storable (store/text.py) right before the
    driver sees it: PostgreSQL refuses NUL in text ("text fields cannot contain NUL") and no
    driver encodes a lone surrogate (UnicodeEncodeError), and either would roll back the
    transaction holding the message's answer."""

    @event.listens_for(engine.sync_engine, "before_cursor_execute", retval=True)
    def _before(
        conn: Connection, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> tuple[str, Any]:
        return statement, storable_parameters(parameters)


def _ping_when_idle(engine: AsyncEngine) -> None:
    """A pooled PostgreSQL connection that sat idle for PING_AFTER_IDLE seconds is pinged
    when taken, and replaced if the server dropped it (a restart, a link cut while idle), as
    pool_pre_ping would; one used more recently is not. pool_pre_ping's round trip on every
    transaction was a sixth of an answer's round trips (issue 26). A server gone within those
    seconds fails the statement instead: the pool is then reconnected, and the work is what
    any path does with the database away (a message not stored is refused for its platform
    to send again, an answer is held, an outcome is kept and written again)."""
    sync = engine.sync_engine

    @event.listens_for(sync, "checkin")
    def _checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED] = time.monotonic()

    @event.listens_for(sync, "checkout")
    def _checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get(_RETURNED)
        if returned is None or time.monotonic() - returned < PING_AFTER_IDLE:
            return  # new (its connect just succeeded) or used a moment ago
        try:
            sync.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            # The pool discards this connection and takes or makes another.
            raise DisconnectionError("pooled connection dropped while idle") from exc


def _sqlite_pragmas(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")
