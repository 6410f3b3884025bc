"""Record: each row's outcome committed as soon as its sends finish (rows finishing while a
commit runs share the next one); retries with backoff, recipients found unreachable, a channel
down, a row given up — the office is told of the last three through the same outbox."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.dispatcher.base import DispatcherConfig, Outcome, Wiring
from store.db import Database
from store.delivery import AttemptResult, delete_attempts, mark_unreachable, rows_by_id, update_attempts
from store.enums import AttemptOutcome, ReminderState
from store.models import Reminder
from store.notices import queue_office_notice
from store.outbox import Close, finish_many

log = logging.getLogger("scheduler.dispatcher")

_RETRYABLE = (AttemptOutcome.TRANSIENT, AttemptOutcome.UNKNOWN, AttemptOutcome.CHANNEL)


@dataclass(frozen=True)
class Finished:
    """One row's sends, handed to the recorder: `unsent` are attempt rows never used."""

    reminder_id: int
    outcomes: list[Outcome]
    unsent: list[int]


class Recorder:
    """Group commit: each finished row is recorded at once; rows finishing while a commit
    runs share the next one, so a burst does not become one transaction per message."""

    def __init__(self, db: Database, wiring: Wiring) -> None:
        self.db = db
        self.wiring = wiring
        self.queue: asyncio.Queue[Finished | None] = asyncio.Queue()
        self.counted: dict[int, str] = {}

    def put(self, item: Finished | None) -> None:
        self.queue.put_nowait(item)

    async def run(self) -> None:
        done = False
        while not done:
            first = await self.queue.get()
            if first is None:
                return
            items = [first]
            while not self.queue.empty():
                item = self.queue.get_nowait()
                if item is None:
                    done = True
                    break
                items.append(item)
            try:
                async with self.db.session() as s, s.begin():
                    self.counted.update(await record(s, self.wiring, items))
            except Exception:
                # The rows stay leased and are sent again after the lease: logged, not lost.
                log.exception("recording %d outbox rows failed", len(items))


async def record(s: AsyncSession, w: Wiring, finished: list[Finished]) -> dict[int, str]:
    now = w.clock.now()
    rows = await rows_by_id(s, [f.reminder_id for f in finished])
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
