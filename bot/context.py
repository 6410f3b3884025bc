"""What the running bot shares: database, plan, calendar, clock and settings of one ward."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.settings import Settings
from scheduler.clock import Clock
from scheduler.plan import Plan
from scheduler.workcal import WorkingCalendar
from store.db import Database


@dataclass
class AppContext:
    db: Database
    settings: Settings
    plan: Plan
    calendar: WorkingCalendar
    clock: Clock
    ward_id: int
    # Wakes the dispatcher at once after a reply is queued (set by the running bot).
    wake: Callable[[], None] = field(default=lambda: None)
    # The Telegram bot's @username once getMe answered (for /moi's deep link).
    telegram_username: str | None = None

    def plan_of(self, ward_id: int) -> Plan:
        """The plan of one ward (a person's, a turn's): the one place that maps a ward to its
        plan, so that serving several wards changes this and nothing that asks it."""
        if ward_id != self.ward_id:
            raise LookupError(f"ward {ward_id} is not served by this process")
        return self.plan

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.calendar.local_date(self.clock.now())
