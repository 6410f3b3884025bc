"""`nhacviec backup`: SQLite's online backup API, consistent while the bot writes (a plain
copy of a WAL database can be torn); for PostgreSQL, the pg_dump command to use."""

from __future__ import annotations

import shlex
import sqlite3
from pathlib import Path

from sqlalchemy.engine import URL, make_url


def sqlite_path(database_url: str) -> Path | None:
    """The file of a SQLite URL; None for another database."""
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite"):
        return None
    if not url.database or url.database == ":memory:":
        raise ValueError("cơ sở dữ liệu SQLite trong bộ nhớ không sao lưu được")
    return Path(url.database)


def backup_sqlite(source: Path, target: Path) -> int:
    """Copy `source` to `target` page by page while others may write; the copy is a single
    self-contained file (rollback journal, not WAL), checked with integrity_check.
    Returns its page count."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # in one step: a consistent snapshot under one read lock
            dst.execute("PRAGMA journal_mode=DELETE")
            check = dst.execute("PRAGMA integrity_check").fetchone()
            pages = int(dst.execute("PRAGMA page_count").fetchone()[0])
        finally:
            dst.close()
    finally:
        src.close()
    if not check or check[0] != "ok":
        target.unlink(missing_ok=True)
        raise RuntimeError(f"bản sao lưu không toàn vẹn: {check}")
    return pages


def pg_dump_command(database_url: str, out: str) -> str:
    """The pg_dump line for a PostgreSQL URL, without the driver suffix and the password
    (give it with PGPASSWORD or ~/.pgpass, never on a command line)."""
    url = make_url(database_url)
    plain = URL.create("postgresql", url.username, None, url.host, url.port, url.database, url.query)
    return f"pg_dump -Fc {shlex.quote(plain.render_as_string(hide_password=False))} > {shlex.quote(out)}"
