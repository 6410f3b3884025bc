"""What the dispatcher's steps share: the words it is given (Renderer), its settings, what it
counts, and one send in the making (Delivery) and done (Outcome)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from scheduler.clock import Clock
from scheduler.delivery import OutboundMessage, Sender
from scheduler.workcal import WorkingCalendar
from store.enums import AttemptOutcome, ReminderKind
from store.queries import AssignmentView


class Renderer(Protocol):
    """The words of what the outbox sends, made in `bot/` and passed in."""

    def reminder(
        self, kind: str, view: AssignmentView, today: date, leads: list[str], *, buttons: bool
    ) -> OutboundMessage: ...

    def escalation(self, view: AssignmentView, today: date) -> OutboundMessage: ...

    def group(
        self, items: list[tuple[str, AssignmentView, list[str]]], today: date, *, buttons: bool
    ) -> OutboundMessage: ...

    def unreachable(self, person: str, unit: str, channel: str, error: str) -> str: ...

    def gave_up(self, reminder_id: int, attempts: int, error: str | None) -> str: ...

    def channel_down(self, channel: str, error: str) -> str: ...

    def nobody_linked(self, units: list[tuple[str, list[str], int]], since: datetime, until: datetime) -> str: ...


@dataclass
class TickStats:
    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    dropped: int = 0
    retried: int = 0
    failed: int = 0

    def add(self, other: TickStats) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Delivery:
    person_id: int | None
    identity_id: int | None
    channel: str
    chat_id: str
    message: OutboundMessage
    attempt_id: int = 0  # the "sending" attempt row written before the send
    shared: SharedSend | None = None  # one message carrying several rows to this chat


@dataclass(eq=False)
class SharedSend:
    """One message for several rows: the first row to reach it sends it, the others share
    the outcome (each row still gets its own attempt, with the same provider message id)."""

    _task: asyncio.Future[Outcome] | None = None

    async def run(self, send: Callable[[], Awaitable[Outcome]]) -> Outcome:
        if self._task is None:
            self._task = asyncio.ensure_future(send())
        return await asyncio.shield(self._task)


# Planned reminder kinds are combined into one message per person and moment. A nudge the
# office sends now (/remind) stays its own message: it is an act of its own, about one task.
GROUPED_KINDS = frozenset({ReminderKind.BEFORE, ReminderKind.DUE, ReminderKind.OVERDUE, ReminderKind.CHECKIN})
# At most this many rows complete a full batch's last moment (store.claim_moment): a unit
# has one row per task at a moment, so this bounds a batch, not a head's message.
MOMENT_REST_MAX = 1000


@dataclass
class Outcome:
    delivery: Delivery
    started_at: datetime
    duration_ms: int
    kind: AttemptOutcome
    error: str | None = None
    message_id: str | None = None
    retry_after: float | None = None
    # Cut off by a shutdown while on the wire: it may have arrived (kind UNKNOWN); the row
    # is given back at once, no failure counted.
    stopped: bool = False


@dataclass
class DispatcherConfig:
    worker: str
    batch: int = 50
    lease_seconds: float = 120
    max_attempts: int = 8
    stale_after: timedelta = timedelta(hours=20)
    backoff_base: float = 30.0
    backoff_max: float = 3600.0
    concurrency: int = 8
    pipelines: int = 1
    # A channel that failed as a whole (invalid token) is paused this long, doubling up to
    # channel_pause_max while it keeps failing.
    channel_pause: float = 30.0
    channel_pause_max: float = 600.0
    # Shutdown: sends still on the wire this long after the stop are cut off (recorded as
    # unknown outcome, their rows given back), so a hung API cannot hold the process.
    stop_grace: float = 5.0


class Wiring(Protocol):
    """What the steps read from the Dispatcher (scheduler.dispatcher.run): its channels, the
    words it is given, its clock, calendar and settings, and the channels it has paused."""

    @property
    def channels(self) -> dict[str, Sender]: ...

    @property
    def renderer(self) -> Renderer: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def calendar(self) -> WorkingCalendar: ...

    @property
    def config(self) -> DispatcherConfig: ...

    @property
    def paused(self) -> dict[str, tuple[datetime, float]]:
        """Channels paused after a channel-wide error: name → (until, current pause seconds)."""
        ...

    @property
    def remind_deputies(self) -> Callable[[int, str], bool]:
        """Whether a unit's (ward id, unit code) reminders also go to its deputies."""
        ...
