"""Which code and which schema this is, importable without SQLAlchemy or Alembic (for
`nhacviec --version`, the start line and /healthz)."""

from __future__ import annotations

# The newest migration of store/migrations/versions (tests/test_service_migrate.py checks
# it is Alembic's head, so a new migration cannot forget it; nor the script a new SQLite
# database is made from, `python -m store.snapshot_write`: tests/test_schema_snapshot.py).
SCHEMA_HEAD = "0018v"


class SchemaTooNew(Exception):
    """The database was migrated by a newer release than this code: starting would run old
    code on a schema it does not know. The operator installs that release again (or
    restores the backup taken before the upgrade)."""

    def __init__(self, database_revision: str, code_revision: str) -> None:
        self.database_revision = database_revision
        self.code_revision = code_revision
        super().__init__(
            f"cơ sở dữ liệu ở phiên bản lược đồ {database_revision}, mới hơn mã đang chạy "
            f"(nhacviec {app_version()}, lược đồ {code_revision}). Hãy cài lại bản nhacviec đã nâng cấp "
            "cơ sở dữ liệu, hoặc khôi phục bản sao lưu trước khi nâng cấp (docs/deploying.md)."
        )


def app_version() -> str:
    """The installed distribution's version (the source tree's when not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nhacviec")
    except PackageNotFoundError:  # pragma: no cover - run from a bare checkout
        return "0.0.0+source"


def version_line() -> str:
    return f"nhacviec {app_version()} (lược đồ CSDL {SCHEMA_HEAD})"
