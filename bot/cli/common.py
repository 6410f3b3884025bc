"""What every CLI command shares: its error type, exit codes and argument parsing."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.texts import operator as to

if TYPE_CHECKING:  # imported where used: `nhacviec --help` loads none of them
    from bot.settings import Settings
    from scheduler.plan import Plan
    from scheduler.workcal import WorkingCalendar

EXIT_ERROR = 1
EXIT_USAGE = 2


class CliError(Exception):
    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.code = code


def open_calendar(settings: Settings) -> WorkingCalendar:
    from scheduler.workcal import CalendarError, load_calendar

    try:
        return load_calendar(settings.calendar_path, settings.hours(), settings.zone())
    except CalendarError as exc:
        raise CliError(str(exc)) from None


def open_plan(settings: Settings, path: str | None = None) -> Plan:
    from scheduler.plan import PlanError, load_plan

    target = Path(path) if path else settings.plan_path
    if target.is_dir():
        raise CliError(to.plan_folder_given(str(target)))
    try:
        return load_plan(target)
    except PlanError as exc:
        raise CliError(str(exc)) from None


def resolve_unit(plan: Plan, text: str) -> str:
    unit = plan.find_unit(text)
    if unit is None:
        known = ", ".join(plan.units)
        raise CliError(to.no_such_unit(text, known), EXIT_USAGE)
    return unit.code


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(to.bad_iso_date(text)) from None


def parse_datetime(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(to.bad_iso_datetime(text)) from None
    return value  # a naive value is read in the ward's zone by the command (settings.timezone)
