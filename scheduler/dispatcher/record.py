"""Record: each row's outcome committed as soon as its sends finish (rows finishing while a
commit runs share the next one); retries with backoff, recipients found unreachable, a channel
down, a row given up — the office is told of the last three through the same outbox."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.dispatcher.base import DispatcherConfig, Outcome, Wiring
from store.db import Database
from store.delivery import AttemptResult, delete_attempts, mark_unreachable, rows_by_id, update_attempts
from store.enums import AttemptOutcome, ReminderState
from store.models import Reminder
from store.notices import queue_office_notice
from store.outbox import Close, finish_many

log = logging.getLogger("scheduler.dispatcher")

STOPPED = "dừng khi đang gửi, chưa rõ đã đến chưa"
_RETRYABLE = (AttemptOutcome.TRANSIENT, AttemptOutcome.UNKNOWN, AttemptOutcome.CHANNEL)


@dataclass(frozen=True)
class Finished:
    """One row's sends, handed to the recorder: `unsent` are attempt rows never used."""

    reminder_id: int
    outcomes: list[Outcome]
    unsent: list[int]


# An outcome that cannot be written (the database away) is kept and written again, first
# after RETRY_FIRST seconds, doubling up to RETRY_MAX, for at most PATIENCE seconds: never sent
# again meanwhile, since the batch's lease is renewed while it waits (scheduler.dispatcher.lease).
RETRY_FIRST = 0.5
RETRY_MAX = 10.0
PATIENCE = 600.0
# A failure that is not the database being away (a refused value) is tried this many times.
REFUSED_TRIES = 3


def _database_away(exc: BaseException) -> bool:
    """A lost connection, a refused connection, a lock held too long or a timeout."""
    if isinstance(exc, OperationalError | InterfaceError | OSError | TimeoutError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


class Recorder:
    """Group commit: each finished row is recorded at once; rows finishing while a commit
    runs share the next one, so a burst does not become one transaction per message.

    A commit that fails keeps its outcomes in memory and retries them with the ones that
    arrive meanwhile (issue 25: an outcome lost to a database blip meant the row was sent
    again after the lease — 47 duplicates in one 20 s outage)."""

    def __init__(self, db: Database, wiring: Wiring) -> None:
        self.db = db
        self.wiring = wiring
        self.queue: asyncio.Queue[Finished | None] = asyncio.Queue()
        self.counted: dict[int, str] = {}
        self.failed_commits = 0
        self.unrecorded: list[Finished] = []  # given up (shutdown, or PATIENCE ran out)
        self._hurry = asyncio.Event()
        self._refused = 0  # consecutive failures that were not the database being away

    def put(self, item: Finished | None) -> None:
        self.queue.put_nowait(item)

    def hurry(self) -> None:
        """Shutdown: one more try for what is held, then give up (logged)."""
        self._hurry.set()

    async def run(self) -> None:
        held: list[Finished] = []
        closing = False
        delay = RETRY_FIRST
        failing_since: float | None = None
        loop = asyncio.get_running_loop()
        while True:
            if not held:
                if closing:
                    return
                first = await self.queue.get()
                if first is None:
                    return
                held.append(first)
            while not self.queue.empty():
                item = self.queue.get_nowait()
                if item is None:
                    closing = True
                else:
                    held.append(item)
            if await self._commit(held):
                if failing_since is not None:
                    log.warning("recorded %d outbox rows after the database came back", len(held))
                held, delay, failing_since = [], RETRY_FIRST, None
                continue
            failing_since = failing_since if failing_since is not None else loop.time()
            if self._hurry.is_set() or loop.time() - failing_since > PATIENCE or self._refused >= REFUSED_TRIES:
                self._give_up(held)
                held = []
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._hurry.wait(), delay)
            delay = min(delay * 2, RETRY_MAX)

    async def _commit(self, items: list[Finished]) -> bool:
        try:
            async with self.db.session() as s, s.begin():
                self.counted.update(await record(s, self.wiring, items))
        except Exception as exc:
            self.failed_commits += 1
            # The database answered and refused (not a lost connection or a lock): retrying
            # longer would only hold the batch.
            self._refused = 0 if _database_away(exc) else self._refused + 1
            log.warning(
                "recording %d outbox rows failed (%s: %s); kept in memory and retried, not sent again",
                len(items),
                type(exc).__name__,
                str(exc).splitlines()[0][:200] if str(exc) else "",
            )
            return False
        return True

    def _give_up(self, items: list[Finished]) -> None:
        self.unrecorded.extend(items)
        sent = [f.reminder_id for f in items if any(o.kind == AttemptOutcome.OK for o in f.outcomes)]
        log.error(
            "could not record %d outbox rows (ids %s); those sent (%d) may be sent again after their lease",
            len(items),
            ",".join(str(f.reminder_id) for f in items[:50]),
            len(sent),
        )


async def record(s: AsyncSession, w: Wiring, finished: list[Finished]) -> dict[int, str]:
    now = w.clock.now()
    # A row sent to everyone it was for is closed as sent whatever it holds: only the others
    # (a retry's backoff, a notice to the office) read it. Most batches, and every answer
    # handed over, then record in two statements, not three.
    read = [f.reminder_id for f in finished if not _plainly_sent(f)]
    rows = await rows_by_id(s, read) if read else {}
    await update_attempts(
        s,
        [
            AttemptResult(o.delivery.attempt_id, o.kind, o.duration_ms, o.error, o.message_id)
            for f in finished
            for o in f.outcomes
        ],
    )
    await delete_attempts(s, [a for f in finished for a in f.unsent])
    closes: list[Close] = []
    counted: dict[int, str] = {}
    for f in finished:
        if _plainly_sent(f):
            closes.append(Close(f.reminder_id, ReminderState.SENT))
            counted[f.reminder_id] = "sent"
            continue
        r = rows[f.reminder_id]
        for o in f.outcomes:
            if o.kind == AttemptOutcome.PERMANENT and o.delivery.identity_id is not None:
                await _mark_unreachable(s, w, r.ward_id, o, now)
            if o.kind == AttemptOutcome.CHANNEL and o.duration_ms > 0:
                # Told once per channel and day, through the same outbox.
                await queue_office_notice(
                    s,
                    r.ward_id,
                    f"channel:{o.delivery.channel}:{w.calendar.local_date(now).isoformat()}",
                    w.renderer.channel_down(o.delivery.channel, o.error or ""),
                    now,
                )
        verdict = after_send(f.outcomes, r, bool(f.unsent), now, w.config, _pause_left(w, now))
        next_at = now + timedelta(seconds=verdict.retry_in) if verdict.retry_in is not None else None
        closes.append(Close(r.id, verdict.state, verdict.reason, next_at, verdict.failures))
        counted[r.id] = verdict.counted
        if verdict.gave_up:
            await queue_office_notice(
                s,
                r.ward_id,
                f"failed:{r.id}",
                w.renderer.gave_up(r.id, r.attempts + verdict.failures, verdict.reason),
                now,
            )
    await s.flush()
    await finish_many(s, w.config.worker, now, closes)
    return counted


def _plainly_sent(f: Finished) -> bool:
    """Every send of the row went through (`after_send` closes it as sent)."""
    return bool(f.outcomes) and not f.unsent and all(o.kind == AttemptOutcome.OK and not o.stopped for o in f.outcomes)


def _pause_left(w: Wiring, now: datetime) -> float:
    left = [(until - now).total_seconds() for until, _ in w.paused.values()]
    return max([*left, w.config.channel_pause])


async def _mark_unreachable(s: AsyncSession, w: Wiring, ward_id: int, o: Outcome, now: datetime) -> None:
    assert o.delivery.identity_id is not None
    marked = await mark_unreachable(s, o.delivery.identity_id, now, o.error)
    if marked is None:
        return
    body = w.renderer.unreachable(marked.person_name, marked.unit_name, marked.channel, o.error or "")
    key = f"unreachable:{marked.identity_id}:{int(marked.linked_at.timestamp())}"
    await queue_office_notice(s, ward_id, key, body, now)


@dataclass(frozen=True)
class Verdict:
    """How a sent row ends: its new state, why, when to retry, how it is counted and how
    many failures it adds to the row's attempts."""

    state: ReminderState
    counted: str  # a TickStats field
    reason: str | None = None
    retry_in: float | None = None  # seconds, for state "pending"
    gave_up: bool = False
    failures: int = 0


def after_send(
    outcomes: list[Outcome],
    row: Reminder,
    cut_short: bool,
    now: datetime,
    config: DispatcherConfig,
    channel_pause: float,
) -> Verdict:
    if any(o.stopped for o in outcomes):
        # Cut off on the wire by a shutdown: given back at once for the next start, which
        # sends it again (the attempt says "unknown": the one countable duplicate window).
        return Verdict(ReminderState.PENDING, "retried", STOPPED, 0.0)
    if cut_short:
        # Stopped between two recipients: those reached are recorded; the rest get it
        # after the restart. Not a failure.
        return Verdict(ReminderState.PENDING, "retried", "dừng giữa chừng", 0.0)
    retry = [o for o in outcomes if o.kind in _RETRYABLE]
    if not retry:
        if any(o.kind == AttemptOutcome.OK for o in outcomes):
            return Verdict(ReminderState.SENT, "sent")
        return Verdict(ReminderState.FAILED, "failed", outcomes[0].error if outcomes else None)
    error = retry[0].error
    too_old = now - row.due_at > config.stale_after
    if any(o.kind == AttemptOutcome.CHANNEL for o in retry):
        # The channel broke, not this message: wait for the channel, count nothing.
        if too_old:
            return Verdict(ReminderState.FAILED, "failed", error, gave_up=True)
        return Verdict(ReminderState.PENDING, "retried", error, channel_pause)
    waits = [o.retry_after for o in retry if o.retry_after is not None]
    if waits and len(waits) == len(retry):
        # Flow control (429): wait as told; only the row's age limits how long.
        if too_old:
            return Verdict(ReminderState.FAILED, "failed", error, gave_up=True)
        return Verdict(ReminderState.PENDING, "retried", error, max(waits))
    failures = row.attempts + 1
    if failures >= config.max_attempts:
        return Verdict(ReminderState.FAILED, "failed", error, gave_up=True, failures=1)
    delay = min(config.backoff_base * 2 ** (failures - 1), config.backoff_max)
    return Verdict(ReminderState.PENDING, "retried", error, delay, failures=1)
