"""Safe start for many workers: migrations under a lock, `nhacviec migrate`, the version,
and a database newer than the code refused in one line."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.cli.main import main
from store.db import MIGRATIONS, Database
from store.versioning import SCHEMA_HEAD, app_version
from tests.conftest import POSTGRES_URL

ROOT = Path(__file__).resolve().parent.parent


def test_the_code_knows_its_schema_head() -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(cfg).get_current_head() == SCHEMA_HEAD


def test_version_prints_the_release_and_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"nhacviec {app_version()} (lược đồ CSDL {SCHEMA_HEAD})"


def _env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NHACVIEC_")}
    return env | {"NHACVIEC_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}


def _nhacviec(url: str, *args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli.main", *args],
        cwd=cwd,
        env=_env(url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


async def _fresh_postgres(name: str) -> str:
    assert POSTGRES_URL
    admin = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


@pytest.mark.skipif(not POSTGRES_URL, reason="needs NHACVIEC_TEST_POSTGRES_URL")
@pytest.mark.slow
def test_two_processes_migrating_an_empty_postgresql_together_both_succeed(tmp_path: Path) -> None:
    """Without the advisory lock one of them crashed on alembic_version's key (3 runs of 3)."""
    assert POSTGRES_URL
    for run in range(3):
        url = asyncio.run(_fresh_postgres(f"{make_url(POSTGRES_URL).database}_migrate"))
        procs = [_nhacviec(url, "migrate", cwd=tmp_path) for _ in range(2)]
        results = [p.communicate(timeout=120) for p in procs]
        for proc, (out, err) in zip(procs, results, strict=True):
            assert proc.returncode == 0, (run, err)
            assert out.startswith(("Đã chuyển lược đồ", "Lược đồ cơ sở dữ liệu đã ở phiên bản")), out
        assert sum("(trống) → " + SCHEMA_HEAD in out for out, _ in results) == 1


def test_migrate_upgrades_once_then_says_there_is_nothing_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NHACVIEC_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    assert main(["migrate"]) == 0
    assert capsys.readouterr().out.strip() == f"Đã chuyển lược đồ cơ sở dữ liệu: (trống) → {SCHEMA_HEAD}."
    assert main(["migrate"]) == 0
    assert f"đã ở phiên bản {SCHEMA_HEAD}" in capsys.readouterr().out
    # Rollback before installing an older release, then forward again.
    assert main(["migrate", "--to", "0009r"]) == 0
    assert capsys.readouterr().out.strip() == f"Đã chuyển lược đồ cơ sở dữ liệu: {SCHEMA_HEAD} → 0009r."
    assert main(["migrate"]) == 0
    assert f"0009r → {SCHEMA_HEAD}" in capsys.readouterr().out
    assert main(["migrate", "--to", "nope"]) == 1
    assert "không có phiên bản lược đồ 'nope'" in capsys.readouterr().err


async def _stamp(url: str, revision: str) -> None:
    db = Database(url)
    await db.upgrade()
    async with db.engine.begin() as conn:
        await conn.execute(sa.text("UPDATE alembic_version SET version_num = :v"), {"v": revision})
    await db.dispose()


@pytest.mark.parametrize("command", [["migrate"], ["status"], ["link", "--role", "city", "--name", "A"]])
def test_a_database_newer_than_the_code_is_refused_in_one_line_naming_both_versions(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'newer.db'}"
    asyncio.run(_stamp(url, "0042z"))
    monkeypatch.setenv("NHACVIEC_DATABASE_URL", url)
    assert main(command) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert "phiên bản lược đồ 0042z, mới hơn mã đang chạy" in err and f"lược đồ {SCHEMA_HEAD})" in err


@pytest.mark.slow
def test_run_with_a_database_newer_than_the_code_exits_with_one_line(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'newer.db'}"
    asyncio.run(_stamp(url, "0042z"))
    env = _env(url) | {"NHACVIEC_PLAN_PATH": os.environ["NHACVIEC_PLAN_PATH"]}
    env["NHACVIEC_CALENDAR_PATH"] = os.environ["NHACVIEC_CALENDAR_PATH"]
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        input="",
    )
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and "0042z" in out.stderr and SCHEMA_HEAD in out.stderr


def test_status_with_the_database_away_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NHACVIEC_DATABASE_URL", "postgresql+psycopg://nhacviec:s3cr3t-pass@127.0.0.1:1/nhacviec")
    assert main(["status"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("Lỗi: không dùng được cơ sở dữ liệu")
    assert "s3cr3t-pass" not in err


@pytest.mark.skipif(not POSTGRES_URL, reason="needs NHACVIEC_TEST_POSTGRES_URL")
async def test_two_workers_opening_an_empty_postgresql_together_both_start(tmp_path: Path) -> None:
    """The whole first start of two workers at once (two engines): schema, wards, plans and
    the first planning; then the same plan is there once."""
    from bot.app.service import open_context
    from bot.settings import Settings
    from scheduler.clock import ManualClock
    from tests.conftest import local

    assert POSTGRES_URL
    for run in range(3):
        url = await _fresh_postgres(f"{make_url(POSTGRES_URL).database}_first_start")
        settings = Settings(database_url=url, files_path=tmp_path / "files", _env_file=None)  # type: ignore[call-arg]
        clock = ManualClock(local("2026-06-22T07:00"))
        results = await asyncio.gather(
            open_context(settings, clock), open_context(settings, clock), return_exceptions=True
        )
        failures = [r for r in results if isinstance(r, BaseException)]
        for r in results:
            if not isinstance(r, BaseException):
                await r.db.dispose()
        assert failures == [], (run, failures)
        engine = create_async_engine(url)
        async with engine.connect() as conn:
            wards = (await conn.execute(sa.text("SELECT count(*) FROM wards"))).scalar_one()
            keys = (
                await conn.execute(sa.text("SELECT count(*) - count(DISTINCT (ward_id, key)) FROM reminders"))
            ).scalar_one()
        await engine.dispose()
        assert wards == 1 and keys == 0
