"""`nhacviec backup` and `restore`: SQLite's online backup API, consistent while the bot
writes (a plain copy of a WAL database can be torn); for PostgreSQL, pg_dump.

Each backup carries its own moment (a backup_marks row written into the copy, or committed
just before pg_dump's snapshot): a restore reads it to tell the office from when replies
may be missing (store.restore)."""

from __future__ import annotations

import os
import shlex
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from bot.texts import operator as to


def sqlite_path(database_url: str) -> Path | None:
    """The file of a SQLite URL; None for another database."""
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite"):
        return None
    if not url.database or url.database == ":memory:":
        raise ValueError(to.IN_MEMORY_SQLITE)
    return Path(url.database)


def backup_sqlite(source: Path, target: Path, *, mark: str | None = None, taken_at: datetime | None = None) -> int:
    """Copy `source` to `target` page by page while others may write; the copy is a single
    self-contained file (rollback journal, not WAL), readable by its owner only, checked
    with integrity_check. With `mark` (the code version), the copy records when it was
    taken. Returns its page count."""
    target.parent.mkdir(parents=True, exist_ok=True)
    # Created empty and private first: the copy holds every message and chat id.
    target.touch(mode=0o600, exist_ok=False)
    os.chmod(target, 0o600)
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(target)
        try:
            taken_at = taken_at or datetime.now(UTC)
            src.backup(dst)  # in one step: a consistent snapshot under one read lock
            dst.execute("PRAGMA journal_mode=DELETE")
            if mark is not None:
                _mark(dst, taken_at, str(target), mark)
            check = dst.execute("PRAGMA integrity_check").fetchone()
            pages = int(dst.execute("PRAGMA page_count").fetchone()[0])
        finally:
            dst.close()
    finally:
        src.close()
    if not check or check[0] != "ok":
        target.unlink(missing_ok=True)
        raise RuntimeError(to.backup_damaged(check))
    return pages


def _mark(db: sqlite3.Connection, taken_at: datetime, target: str, version: str) -> None:
    """The moment into the copy, in the form SQLAlchemy stores UTC times on SQLite. A source
    not migrated to backup_marks yet (0010k) gives an unmarked copy."""
    if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'backup_marks'").fetchone():
        stamp = taken_at.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        db.execute(
            "INSERT INTO backup_marks (taken_at, target, code_version) VALUES (?, ?, ?)", (stamp, target, version)
        )
        db.commit()


def restore_sqlite(backup: Path, database: Path, aside: Path | None) -> None:
    """Put `backup` in place of `database` (the bot stopped). The database replaced is first
    copied to `aside` (consistent, its WAL included); its -wal and -shm files are removed,
    since SQLite would otherwise apply the old WAL to the restored file."""
    check = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        ok = check.execute("PRAGMA integrity_check").fetchone()
        ours = check.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone()
    except sqlite3.DatabaseError as exc:
        raise ValueError(to.not_sqlite_file(backup, exc)) from None
    finally:
        check.close()
    if not ok or ok[0] != "ok":
        raise ValueError(to.backup_not_whole(backup, ok[0] if ok else "?"))
    if not ours:
        raise ValueError(to.not_our_database(backup))
    if aside is not None and database.exists():
        backup_sqlite(database, aside)
    staging = database.with_name(database.name + ".restoring")
    staging.unlink(missing_ok=True)
    shutil.copyfile(backup, staging)
    os.chmod(staging, 0o600)
    for extra in ("-wal", "-shm", "-journal"):
        database.with_name(database.name + extra).unlink(missing_ok=True)
    os.replace(staging, database)


def pg_dump(database_url: str, out: Path) -> None:
    """Run pg_dump into `out` (custom format, readable by its owner only); the password
    goes through PGPASSWORD, never the command line. RuntimeError with pg_dump's own first
    line when it fails."""
    url = make_url(database_url)
    plain = URL.create("postgresql", url.username, None, url.host, url.port, url.database, url.query)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.touch(mode=0o600, exist_ok=False)
    os.chmod(out, 0o600)
    done = subprocess.run(
        ["pg_dump", "-Fc", "-f", str(out), plain.render_as_string(hide_password=False)],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        out.unlink(missing_ok=True)
        first = (done.stderr.strip().splitlines() or ["?"])[0]
        raise RuntimeError(to.pg_dump_failed(first[:300]))


def pg_dump_command(database_url: str, out: str) -> str:
    """The pg_dump line for a PostgreSQL URL, without the driver suffix and the password
    (give it with PGPASSWORD or ~/.pgpass, never on a command line)."""
    url = make_url(database_url)
    plain = URL.create("postgresql", url.username, None, url.host, url.port, url.database, url.query)
    return f"pg_dump -Fc {shlex.quote(plain.render_as_string(hide_password=False))} > {shlex.quote(out)}"
