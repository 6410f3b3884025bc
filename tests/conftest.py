from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from scheduler.plan import Plan, load_plan
from scheduler.workcal import WorkingCalendar, load_calendar
from tests.helpers import isolated_logging

ROOT = Path(__file__).resolve().parent.parent
# The suite's own plan and calendar: byte-for-byte copies of data/ as of issue 13, frozen so a
# ward editing its plan never moves a test (and line numbers in checker messages stay put).
PLAN_PATH = ROOT / "tests" / "data" / "plan.yaml"
CALENDAR_PATH = ROOT / "tests" / "data" / "calendar.yaml"
# The production files, read only by the tests that check the product ships them intact.
PRODUCTION_PLAN_PATH = ROOT / "data" / "tasks.yaml"
PRODUCTION_CALENDAR_PATH = ROOT / "data" / "calendar.yaml"


@pytest.fixture(autouse=True)
def fixture_plan_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever builds Settings (the CLI, open_context, a subprocess) reads the fixture plan."""
    monkeypatch.setenv("NHACVIEC_PLAN_PATH", str(PLAN_PATH))
    monkeypatch.setenv("NHACVIEC_CALENDAR_PATH", str(CALENDAR_PATH))


@pytest.fixture(autouse=True)
def no_logging_leaks() -> Iterator[None]:
    """Undo global logging state a test installs (redaction, handlers, filters, levels)."""
    with isolated_logging():
        yield
    assert logging.getLogRecordFactory() is _ORIGINAL_RECORD_FACTORY


_ORIGINAL_RECORD_FACTORY = logging.getLogRecordFactory()


@pytest.fixture(scope="session")
def plan() -> Plan:
    return load_plan(PLAN_PATH)


@pytest.fixture(scope="session")
def calendar() -> WorkingCalendar:
    return load_calendar(CALENDAR_PATH)


# --- database fixtures ---------------------------------------------------------------------

import os  # noqa: E402
from collections.abc import AsyncIterator  # noqa: E402
from datetime import datetime  # noqa: E402

import bot.commands  # noqa: E402, F401  (registers every chat command, as the running bot does)
from bot.context import AppContext  # noqa: E402
from bot.messages import ChannelError, DeliveryResult, OutboundMessage  # noqa: E402
from bot.settings import Settings  # noqa: E402
from scheduler.clock import ManualClock  # noqa: E402
from scheduler.planner import plan_ward  # noqa: E402
from scheduler.workcal import VN_ZONE  # noqa: E402
from store.db import Database  # noqa: E402
from store.snapshot_write import wipe_postgres  # noqa: E402

POSTGRES_URL = os.environ.get("NHACVIEC_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])


async def reset_postgres(url: str) -> None:
    """The test database is wiped: every test starts from an empty, migrated schema."""
    await wipe_postgres(url)


@pytest.fixture(params=BACKENDS)
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    assert POSTGRES_URL
    await reset_postgres(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    await database.upgrade()
    yield database
    await database.dispose()


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN_ZONE)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(local("2026-06-22T07:00"))


@pytest.fixture
async def ctx(db: Database, plan: Plan, calendar: WorkingCalendar, clock: ManualClock, tmp_path: Path) -> AppContext:
    settings = Settings(database_url=db.url, files_path=tmp_path / "files", _env_file=None)  # type: ignore[call-arg]
    async with db.session() as s, s.begin():
        result = await plan_ward(s, settings.ward, plan, calendar, clock.now())
    return AppContext(db=db, settings=settings, plan=plan, calendar=calendar, clock=clock, ward_id=result.ward_id)


class RecordingChannel:
    """Implements our channel contract in memory; failures are scripted per chat."""

    supports_buttons = True

    def __init__(self, name: str = "console") -> None:
        self.name = name
        self.sent: list[tuple[str, OutboundMessage]] = []
        self.failures: dict[str, list[ChannelError]] = {}

    async def send(self, chat_id: str, message: OutboundMessage) -> DeliveryResult:
        queue = self.failures.get(chat_id)
        if queue:
            raise queue.pop(0)
        self.sent.append((chat_id, message))
        return DeliveryResult(message_id=str(len(self.sent)))

    def texts_to(self, chat_id: str) -> list[str]:
        return [m.text for c, m in self.sent if c == chat_id]
