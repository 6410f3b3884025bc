from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.plan import Plan, load_plan
from scheduler.workcal import WorkingCalendar, load_calendar

ROOT = Path(__file__).resolve().parent.parent
PLAN_PATH = ROOT / "data" / "tasks.yaml"
CALENDAR_PATH = ROOT / "data" / "calendar.yaml"


@pytest.fixture(scope="session")
def plan() -> Plan:
    return load_plan(PLAN_PATH)


@pytest.fixture(scope="session")
def calendar() -> WorkingCalendar:
    return load_calendar(CALENDAR_PATH)
