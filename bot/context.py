"""What the running bot shares: database, calendar, clock, settings, and the plan of every
ward it serves."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from bot.settings import Settings
from bot.wards import WardPlan, check_plan, find_wards
from scheduler.clock import Clock
from scheduler.plan import Plan
from scheduler.workcal import WorkingCalendar
from store.db import Database

if TYPE_CHECKING:
    from store.outbox import LeasedReply


class _PlanOnUse:
    """A ServedWard's plan, read from its file when first used when none was given."""

    def __get__(self, ward: ServedWard | None, owner: type | None = None) -> Plan | None:
        if ward is None:
            return None  # the field's default: no plan given
        plan: Plan | None = ward.__dict__.get("_plan")
        if plan is None:
            plan = ward.__dict__["_plan"] = check_plan(ward.path)
        return plan

    def __set__(self, ward: ServedWard, plan: Plan | None) -> None:
        ward.__dict__["_plan"] = plan


@dataclass(frozen=True)
class ServedWard:
    """One ward this process serves: its row, its identity and the plan file it comes from.
    Without a plan given, the plan is read from the file when first needed: a restart serves
    thousands of wards from their rows (the file's bytes unchanged since they were served,
    by digest) without reading thousands of plans first."""

    ward_id: int
    key: str
    path: Path
    plan: Plan = _PlanOnUse()  # type: ignore[assignment]

    @property
    def read(self) -> bool:
        """Whether the plan is in memory already."""
        return self.__dict__.get("_plan") is not None


class ReplySender(Protocol):
    """The running bot's dispatcher, which sends an answer as soon as it is committed
    (bot/app/service.py Ticker; scheduler/dispatcher/direct.py)."""

    def lease(self, channel: str, now: datetime) -> tuple[str, datetime] | None:
        """(worker, until) to write an answer for `channel` claimed with; None when this
        process does not send on that channel (or is stopping)."""
        ...

    def hand_over(self, reply: LeasedReply) -> None:
        """Send `reply`, written claimed and committed."""
        ...


class PlanReading:
    """New or edited plan files the service reads after it started answering (bot/app/service.py
    `read_rest`): a person whose ward is not served yet is answered once it is."""

    def __init__(self, files: int, work: Callable[[], Awaitable[None]]) -> None:
        self.files = files  # how many were left to read at the start
        self.work = work  # the reading itself, which the service runs beside its answers
        self.done = False
        self._progress = asyncio.Event()

    async def progress(self) -> None:
        """Until the next chunk of wards is served (or the reading ends)."""
        await self._progress.wait()

    def advanced(self, *, done: bool = False) -> None:
        self.done = done
        event, self._progress = self._progress, asyncio.Event()
        event.set()


class NotReadYet(LookupError):
    """A ward not served while plans are still being read: it may be one of them."""

    def __init__(self, ward_id: int, reading: PlanReading) -> None:
        super().__init__(f"ward {ward_id} is not served yet: plan files are still being read")
        self.reading = reading


@dataclass
class AppContext:
    db: Database
    settings: Settings
    # The first ward served (by key): what the console and single-ward tools act on. With
    # one plan it is the ward, as it always was.
    plan: Plan
    calendar: WorkingCalendar
    clock: Clock
    ward_id: int
    # Wakes the dispatcher at once after a reply is queued (set by the running bot).
    wake: Callable[[], None] = field(default=lambda: None)
    # Sends an answer at once, written claimed (set by the running bot). None: answers wait
    # in the outbox for a dispatcher's claim (tests, the console, tools).
    replies: ReplySender | None = None
    # The Telegram bot's @username once getMe answered (for /moi's deep link).
    telegram_username: str | None = None
    # Every ward served, by ward id (one entry, the ward above, unless given several).
    wards: dict[int, ServedWard] = field(default_factory=dict)
    # The plan files still being read after the start (None: every file was read before).
    reading: PlanReading | None = None

    def __post_init__(self) -> None:
        if not self.wards:
            # Built by hand (tests, benches): the one ward, planned under the settings' key.
            only = ServedWard(self.ward_id, self.settings.ward, self.settings.plan_path, self.plan)
            self.wards = {self.ward_id: only}

    def plan_of(self, ward_id: int) -> Plan:
        """The plan of one ward (a person's, a turn's): the one place that maps a ward to its
        plan. LookupError for a ward this process does not serve (its plan file removed);
        NotReadYet while plan files are still being read."""
        if ward_id == self.ward_id:
            return self.plan  # kept equal to wards[ward_id].plan by serve(); tests may swap it
        served = self.wards.get(ward_id)
        if served is None:
            if self.reading is not None and not self.reading.done:
                raise NotReadYet(ward_id, self.reading)
            raise LookupError(f"ward {ward_id} is not served by this process")
        return served.plan

    def served(self) -> list[ServedWard]:
        """The wards served, in key order (a stable order for lists and round-robins)."""
        return sorted(self.wards.values(), key=lambda w: w.key)

    def serve(self, ward: ServedWard) -> None:
        """Serve `ward` (new, or its plan reloaded)."""
        self.wards[ward.ward_id] = ward
        if ward.ward_id == self.ward_id:
            self.plan = ward.plan

    def stop_serving(self, ward_id: int) -> None:
        """The ward's plan file was removed: its people are told so, nothing more is planned.
        The first ward's slot passes to the next one, so single-ward tools keep a ward."""
        self.wards.pop(ward_id, None)
        if ward_id == self.ward_id and self.wards:
            first = self.served()[0]
            self.ward_id, self.plan = first.ward_id, first.plan

    def find_served(self, text: str) -> list[ServedWard]:
        """The served wards `text` names (name with or without diacritics or "Phường", key)."""
        by_key = {w.key: w for w in self.served()}
        found = find_wards([WardPlan(w.key, w.path, w.plan) for w in by_key.values()], text)
        return [by_key[w.key] for w in found]

    def files_for(self, ward_id: int) -> Path:
        """Where a ward's files go: NHACVIEC_FILES_PATH itself with one ward (as always), a
        folder per ward with several, so two wards' charts and reports of one week or one
        plan number never overwrite each other before they are sent."""
        root = self.settings.files_path.resolve()
        served = self.wards.get(ward_id)
        if len(self.wards) <= 1 or served is None:
            return root
        return root / served.key.replace(":", "_")

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.calendar.local_date(self.clock.now())
