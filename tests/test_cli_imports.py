"""`nhacviec --help` answers without loading the database or the file writers: a text module
importing a store type at run time once pulled SQLAlchemy (and ~0.3 s) into every command.
`nhacviec link` and the running bot load only what they use: every module loaded costs a
command its start and stays in the serving process's memory for its whole life."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.process import telegram_api
from tests.fakes.server import RunningServer, free_port
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.waiting import until

__all__ = ["telegram_api"]  # the fixture (tests/fakes/process.py)

ROOT = Path(__file__).resolve().parent.parent

HEAVY = ("sqlalchemy", "alembic", "openpyxl", "docx", "matplotlib", "telegram")

PROBE = f"""
import contextlib, io, sys
from bot.cli.main import main
with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):
    main(["--help"])
print(",".join(m for m in {HEAVY!r} if m in sys.modules))
"""


@pytest.mark.slow
def test_help_loads_neither_the_database_nor_the_file_writers() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == ""


# What a command's process must not load when it has no use for it: Alembic and Mako (the
# schema is at head, or a new SQLite database is made from its script), the file readers
# and writers, SQLAlchemy's PostgreSQL dialect on SQLite.
NEVER_NEEDED = ("alembic", "mako", "openpyxl", "docx", "lxml", "matplotlib", "sqlalchemy.dialects.postgresql")
# `nhacviec link` in a ward served from its plan as it is: no plan read, no service; nor
# YAML (the calendar's reader loads it when it reads one), the task actions and the outbox
# behind them (linking needs only the refusal and the unit lookup of bot/actions/common.py),
# nor the plan's sync (the ward lock lives with the wards), nor pydantic (the settings are
# read by bot/settings_reader.py; only a plan's schema needs pydantic: ≈ 0.1 s of the start)
# and python-dotenv where there is no .env file. Each cost the command its start.
LINK_LEAVES = (
    *NEVER_NEEDED,
    "pydantic",
    "pydantic_settings",
    "dotenv",
    "scheduler.plan",
    "scheduler.planner",
    "bot.app.service",
    "yaml",
    "bot.actions.tasks",
    "store.outbox",
    "store.sync",
)
# The running bot: also neither the importer (until a plan is uploaded at the desk) nor segno,
# nor the desk's pages with Starlette and Jinja2 until a page is asked for (bot/desk/serve.py
# LazyDesk: ≈ 3 MiB of an idle worker, bench/idle_memory.py), nor prometheus_client where
# /metrics is not served (polling without NHACVIEC_HEALTH_SERVER); nor python-telegram-bot
# anywhere (a Telegram worker speaks the Bot API through bot/channels/telegram/api.py: issue
# 26: ≈ 9 MiB of an idle worker, bench/idle_memory.py), nor APScheduler (the tick is a
# loop of its own, bot/app/service.py `every`: ≈ 1.2 MiB), nor uvicorn until someone
# connects to the desk (bot/desk/serve.py running_desk).
SERVING_LEAVES = (
    *NEVER_NEEDED,
    "telegram",
    "bot.importer",
    "segno",
    "bot.desk.app",
    "bot.desk.intake",
    "starlette",
    "jinja2",
    "prometheus_client",
    "apscheduler",
    "uvicorn",
)

COMMAND_PROBE = """
import atexit, sys
names = sys.argv[1].split(",")
atexit.register(lambda: print("loaded:" + ",".join(m for m in names if m in sys.modules)))
from bot.cli.main import entry
sys.argv = ["nhacviec", *sys.argv[2:]]
entry()
"""


def _loaded(
    tmp_path: Path, names: tuple[str, ...], *args: str, stdin: str = "", env_extra: dict[str, str] | None = None
) -> list[str]:
    """The modules of `names` a `nhacviec ARGS` in `tmp_path` had loaded when it exited."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NHACVIEC_")}
    env |= {"PYTHONPATH": str(ROOT), "NHACVIEC_DESK_PORT": str(free_port()), **(env_extra or {})}
    out = subprocess.run(
        [sys.executable, "-c", COMMAND_PROBE, ",".join(names), *args],
        cwd=tmp_path,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    line = out.stdout.strip().splitlines()[-1]
    assert line.startswith("loaded:"), out.stdout
    return [m for m in line.removeprefix("loaded:").split(",") if m]


@pytest.mark.slow
def test_link_in_a_fresh_folder_then_again_loads_only_what_it_uses(tmp_path: Path) -> None:
    link = ("link", "--unit", "VHXH", "--role", "head")
    # The first: the database made from the schema's script, the plan read and synced.
    assert _loaded(tmp_path, NEVER_NEEDED, *link, "--name", "A") == []
    # The next: the ward and its units from their rows (the plan file's bytes unchanged).
    assert _loaded(tmp_path, LINK_LEAVES, *link, "--name", "B") == []


@pytest.mark.slow
def test_the_running_bot_keeps_neither_the_importer_nor_the_file_writers(tmp_path: Path) -> None:
    # The quick start's `nhacviec run` (the console, the desk), to the console's end of input;
    # then restarted on its database.
    for _ in range(2):
        assert _loaded(tmp_path, SERVING_LEAVES, "run") == []


@pytest.mark.slow
async def test_a_restarted_bot_reads_the_schema_version_and_loads_no_migration_tool(
    tmp_path: Path, db_url: str
) -> None:
    # The first start on an empty database creates it from the schema's script (SQLite's or
    # PostgreSQL's, store/snapshot.py); a restart finds it at SCHEMA_HEAD by one SELECT. Neither
    # keeps Alembic nor Mako (≈ 10 MiB for the life of the process), the other database's
    # dialect (on PostgreSQL, nor the stdlib's sqlite3: ≈ 1.5 MiB of a new worker), or psycopg
    # where the URL names another driver (≈ 6 MiB over asyncpg).
    env = {"NHACVIEC_DATABASE_URL": db_url}
    postgres = db_url.startswith("postgresql")
    unneeded = [
        "alembic",
        "mako",
        *(("sqlalchemy.dialects.sqlite", "sqlite3") if postgres else ("sqlalchemy.dialects.postgresql",)),
    ]
    if "+psycopg" not in db_url:
        unneeded.append("psycopg")
    for _start in ("new database", "restart"):
        assert _loaded(tmp_path, tuple(unneeded), "run", env_extra=env) == []


@pytest.mark.slow
async def test_a_telegram_worker_that_answered_keeps_neither_the_desk_nor_the_file_writers(
    tmp_path: Path, telegram_api: tuple[FakeTelegram, RunningServer]
) -> None:
    # What a service runs (NHACVIEC_CHANNELS=telegram, stdin /dev/null, the desk on), after
    # it answered a first message, stopped by SIGTERM as systemd stops it.
    fake, server = telegram_api
    fake.push_text(1001, "/help")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NHACVIEC_")}
    env |= {
        "PYTHONPATH": str(ROOT),
        "NHACVIEC_DESK_PORT": str(free_port()),
        "NHACVIEC_CHANNELS": "telegram",
        "NHACVIEC_TELEGRAM_TOKEN": fake.token,
        "NHACVIEC_TELEGRAM_BASE_URL": f"{server.url}/bot",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        COMMAND_PROBE,
        ",".join(SERVING_LEAVES),
        "run",
        cwd=tmp_path,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await until(lambda: fake.texts_to(1001), what="the answer to /help", timeout=60)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    line = out.decode().strip().splitlines()[-1]
    assert line == "loaded:", line
