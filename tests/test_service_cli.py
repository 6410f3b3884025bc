"""`nhacviec status` and `nhacviec backup`, and tracebacks redacted in the log."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

import bot.app.logs
from bot.app.logs import RedactingFormatter, install_redaction, redact_handlers
from bot.cli.main import main
from bot.context import AppContext
from bot.settings import SecretStr
from store.db import Database
from tests.conftest import POSTGRES_URL

TOKEN = "4242424242:AAE-secret-token-in-a-traceback"


# --- status --------------------------------------------------------------------------------


def test_status_of_a_fresh_database_is_healthy_and_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    monkeypatch.setenv("NHACVIEC_DATABASE_URL", url)
    assert main(["status"]) == 1  # no such file: said, not reported as an empty healthy bot
    assert "không có tệp cơ sở dữ liệu" in capsys.readouterr().err
    assert not (tmp_path / "fresh.db").exists()

    async def migrate() -> None:
        db = Database(url)
        await db.upgrade()
        await db.dispose()

    asyncio.run(migrate())
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Tình trạng: Bình thường.") and "pending 0" in out
    assert main(["status", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "ok" and data["queue"]["pending"] == 0 and data["last_ok"] == {}


def test_status_says_when_rows_are_due_and_nothing_was_sent(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The ward's rows were planned for June 2026 and never sent: the switch has tripped
    (status reads the real time, which is later), and the exit code says so."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NHACVIEC_DATABASE_URL", ctx.db.url)
    monkeypatch.setenv("NHACVIEC_DEADMAN_MINUTES", "30")
    assert main(["status", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "deadman" and data["healthy"] is False
    assert data["queue"]["pending"] > 0 and data["oldest_unsent_due_at"] is not None
    assert main(["status"]) == 1
    assert "CẢNH BÁO" in capsys.readouterr().out


@pytest.mark.parametrize(
    "where",
    [
        "127.0.0.1:1/nhacviec",  # nothing listening: the socket's refusal
        "localhost:1/nhacviec",  # ::1 and 127.0.0.1 both refuse: asyncio's OSError("Multiple exceptions")
        "no-such-host.invalid:5432/nhacviec",  # no such host
        *(["127.0.0.1:5432/no_such_database_here"] if POSTGRES_URL else []),  # the server's refusal (3D000)
    ],
)
@pytest.mark.parametrize("driver", ["asyncpg", "psycopg"])
def test_a_postgresql_that_cannot_be_used_is_one_line_with_either_driver(
    where: str, driver: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """asyncpg lets a connection's socket errors through, and the server's refusals come as a
    plain DBAPIError (store.db.unusable); psycopg says both as OperationalError. Either way
    the operator reads one line, never 'Lỗi không mong đợi'."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NHACVIEC_DATABASE_URL", f"postgresql+{driver}://postgres@{where}")
    assert main(["status"]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Lỗi: không dùng được cơ sở dữ liệu"), lines


@pytest.mark.slow
@pytest.mark.skipif(not POSTGRES_URL, reason="needs NHACVIEC_TEST_POSTGRES_URL")
async def test_status_over_a_hung_link_to_postgresql_ends_in_one_line(tmp_path: Path) -> None:
    """A TCP proxy that takes the connection and passes nothing (a cut link, packets
    dropped): `nhacviec status` hung for good, where a monitor needs a line and an exit code."""
    import os
    import sys

    from tests.fakes.db_proxy import DbProxy

    assert POSTGRES_URL
    proxy, url = await DbProxy.in_front_of(POSTGRES_URL)
    proxy.pause()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NHACVIEC_")}
    try:
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli.main",
            "status",
            cwd=tmp_path,
            env={**env, "PYTHONPATH": str(Path(__file__).resolve().parent.parent), "NHACVIEC_DATABASE_URL": url},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            out, err = await asyncio.wait_for(child.communicate(), 120)
        except TimeoutError:
            child.kill()
            await child.wait()
            raise AssertionError("nhacviec status still waiting for the database after 120 s") from None
    finally:
        await proxy.stop()
    lines = err.decode().strip().splitlines()
    assert child.returncode == 1 and out == b""
    assert len(lines) == 1 and lines[0].startswith("Lỗi: không dùng được cơ sở dữ liệu"), lines
    # One wait for the connect timeout, not two: a link that cannot be made is not taken for
    # an empty database and tried again by the migration.
    assert proxy.connections == 1


# --- backup --------------------------------------------------------------------------------


def _count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_backup_of_sqlite_is_a_consistent_timestamped_copy_while_a_writer_is_busy(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not ctx.db.url.startswith("sqlite"):
        pytest.skip("SQLite's online backup")
    source = Path(ctx.db.url.split("///", 1)[1])
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NHACVIEC_DATABASE_URL", ctx.db.url)
    before = _count(source, "reminders")
    assert before > 0
    writer = sqlite3.connect(source, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE reminders SET state = 'sent'")  # uncommitted while the backup runs
    try:
        assert main(["backup", "--out", str(tmp_path / "backups") + "/"]) == 0
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    out = capsys.readouterr().out
    copies = list((tmp_path / "backups").glob("test-*.db"))
    assert len(copies) == 1 and str(copies[0]) in out and "ok" in out
    copy = copies[0]
    assert _count(copy, "reminders") == before
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM reminders WHERE state = 'sent'").fetchone()[0] == 0
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    assert not Path(f"{copy}-wal").exists()
    # An existing file is never overwritten.
    assert main(["backup", "--out", str(copy)]) == 1
    assert "đã có" in capsys.readouterr().err


def test_backup_of_postgresql_without_pg_dump_prints_the_command_for_out_without_the_password(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NHACVIEC_DATABASE_URL", "postgresql+psycopg://nhacviec:hunter2-secret@db:5432/nhacviec")
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump here
    assert main(["backup", "--out", str(tmp_path / "nightly.dump")]) == 0
    out = capsys.readouterr().out
    assert f"pg_dump -Fc postgresql://nhacviec@db:5432/nhacviec > {tmp_path / 'nightly.dump'}" in out
    assert "hunter2" not in out and "+psycopg" not in out and "pg_restore" in out
    assert main(["backup"]) == 0
    assert "/nhacviec > nhacviec-" in capsys.readouterr().out


@pytest.mark.skipif(not POSTGRES_URL, reason="NHACVIEC_TEST_POSTGRES_URL not set")
@pytest.mark.slow
def test_backup_of_postgresql_runs_pg_dump_into_out_privately_with_its_moment(
    db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import os
    import shutil
    import stat
    import subprocess

    if not db.is_postgres or shutil.which("pg_dump") is None:
        pytest.skip("needs PostgreSQL and pg_dump")
    monkeypatch.setenv("NHACVIEC_DATABASE_URL", db.url)
    out = tmp_path / "nightly.dump"
    assert main(["backup", "--out", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    listing = subprocess.run(["pg_restore", "-l", str(out)], capture_output=True, text=True, check=True).stdout
    assert "backup_marks" in listing
    assert main(["backup", "--out", str(out)]) == 1  # never overwritten


# --- tracebacks in the log -----------------------------------------------------------------


@pytest.fixture
def clean_logging() -> Iterator[None]:
    factory = logging.getLogRecordFactory()
    secrets, installed = set(bot.app.logs._secrets), bot.app.logs._installed
    try:
        yield
    finally:
        logging.setLogRecordFactory(factory)
        bot.app.logs._secrets.clear()
        bot.app.logs._secrets.update(secrets)
        bot.app.logs._installed = installed


def _logger(name: str, formatter: logging.Formatter | None) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    if formatter is not None:
        handler.setFormatter(formatter)
    logger = logging.getLogger(name)
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger, stream


def _fail(url: str) -> None:
    raise ConnectionError(f"cannot reach {url}")


def test_a_logged_traceback_is_redacted_like_the_message(clean_logging: None) -> None:
    install_redaction([TOKEN])
    logger, stream = _logger("test.service.redact", logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    redact_handlers(logger)
    try:
        _fail(f"https://api.telegram.org/bot{TOKEN}/getMe")
    except ConnectionError:
        logger.exception("start failed for bot%s", TOKEN)
    logger.warning("stack", stack_info=True)
    text = stream.getvalue()
    assert "Traceback" in text and "ConnectionError: cannot reach https://api.telegram.org/bot***/getMe" in text
    assert "ERROR test.service.redact: start failed for bot***" in text  # the handler's own format kept
    assert TOKEN not in text and TOKEN.split(":")[1] not in text


def test_an_exception_text_cached_unredacted_by_another_handler_is_still_redacted(clean_logging: None) -> None:
    install_redaction([TOKEN])
    plain_stream, redacted_stream = io.StringIO(), io.StringIO()
    logger = logging.getLogger("test.service.cached")
    plain, redacted = logging.StreamHandler(plain_stream), logging.StreamHandler(redacted_stream)
    redacted.setFormatter(RedactingFormatter())
    logger.handlers, logger.propagate = [plain, redacted], False
    try:
        _fail(TOKEN)
    except ConnectionError:
        logger.error("boom", exc_info=True)
    assert TOKEN in plain_stream.getvalue()  # a handler we did not touch (record.exc_text cached)
    assert "Traceback" in redacted_stream.getvalue() and TOKEN not in redacted_stream.getvalue()


def test_cmd_run_redacts_the_root_handlers_before_anything_runs(
    clean_logging: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """What `nhacviec run` installs: the token from the settings, on the root handlers."""
    from bot.cli.runtime import cmd_run
    from bot.settings import Settings

    root = logging.getLogger()
    saved = root.handlers[:]
    stream = io.StringIO()
    root.handlers = [logging.StreamHandler(stream)]

    async def fails(*args: object) -> None:
        try:
            _fail(TOKEN)
        except ConnectionError:
            logging.getLogger("bot.test").exception("crashed")

    monkeypatch.setattr("bot.cli.runtime._run", fails)
    try:
        settings = Settings(
            telegram_token=SecretStr(TOKEN), database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", _env_file=None
        )  # type: ignore[call-arg]
        assert cmd_run(type("Args", (), {"verbose": False})(), settings) == 0
    finally:
        root.handlers = saved
    assert "Traceback" in stream.getvalue() and TOKEN not in stream.getvalue()
