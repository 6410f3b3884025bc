"""Benchmarks: scripts that print figures. Run from the repository root: python -m bench.NAME"""

from sqlalchemy.engine import URL, make_url


def sync_url(url: str) -> URL:
    """The URL a benchmark's own synchronous engine opens the same database with: SQLite's
    stdlib driver, psycopg for PostgreSQL (asyncpg, the bot's, is async only)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.set(drivername="sqlite")
    return parsed.set(drivername="postgresql+psycopg")
