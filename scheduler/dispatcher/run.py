"""The Dispatcher: claims due rows in batches and takes each batch through decide → send →
record (scheduler.dispatcher.decide, .send, .record), several batches overlapping."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scheduler.clock import Clock
from scheduler.delivery import Sender
from scheduler.dispatcher.base import (
    GROUPED_KINDS,
    MOMENT_REST_MAX,
    Delivery,
    DispatcherConfig,
    Outcome,
    Renderer,
    TickStats,
)
from scheduler.dispatcher.decide import decide
from scheduler.dispatcher.lease import LeaseKeeper
from scheduler.dispatcher.record import STOPPED, Finished, Recorder
from scheduler.dispatcher.send import send
from scheduler.workcal import WorkingCalendar
from store.claim_moment import claim_rest_of_moment
from store.db import Database
from store.delivery import delete_attempts, release
from store.enums import AttemptOutcome
from store.outbox import claim

log = logging.getLogger("scheduler.dispatcher")

# At shutdown, the longest wait to record the last outcomes or release the rows not sent.
RECORD_AT_STOP = 4.0


@dataclass
class Dispatcher:
    db: Database
    channels: dict[str, Sender]
    renderer: Renderer
    clock: Clock
    calendar: WorkingCalendar
    config: DispatcherConfig
    stats: TickStats = field(default_factory=TickStats)
    # Set on shutdown: the batch in hand is finished and recorded, no new batch is claimed.
    stopping: bool = False
    # Channels paused after a channel-wide error: name → (until, current pause seconds).
    paused: dict[str, tuple[datetime, float]] = field(default_factory=dict)
    # Whether a unit's (ward id, unit code) reminders also go to its deputies: the plan's
    # remind_deputies, read in bot/ (the scheduler does not hold the plan).
    remind_deputies: Callable[[int, str], bool] = field(default=lambda ward_id, unit_code: False)
    # Set by `hurry`: sends in flight are cut off now.
    hurried: asyncio.Event = field(default_factory=asyncio.Event)

    async def tick(self) -> TickStats:
        """Drain every due row and return what happened.

        Several drain loops overlap, so while one batch waits for its last sends (and
        records them) the next batch is already sending: a burst keeps the channel busy."""
        total = TickStats()
        await asyncio.gather(*(self._drain(total) for _ in range(self.config.pipelines)))
        self.stats.add(total)
        return total

    async def _drain(self, total: TickStats) -> None:
        while not self.stopping:
            ids = await claim(
                self.db, self.config.worker, self.clock.now(), self.config.batch, self.config.lease_seconds
            )
            if not ids:
                return
            full = len(ids) >= self.config.batch
            if full:
                # A head's rows of one moment stay in one batch, hence one message.
                ids += await claim_rest_of_moment(
                    self.db,
                    self.config.worker,
                    self.clock.now(),
                    self.config.lease_seconds,
                    ids,
                    GROUPED_KINDS,
                    MOMENT_REST_MAX,
                )
            total.claimed += len(ids)
            for result in await self.deliver(ids):
                setattr(total, result, getattr(total, result) + 1)
            if not full:
                return

    async def deliver(self, ids: list[int]) -> list[str]:
        """Handle claimed rows; returns, per row, the TickStats field it counts under."""
        async with self.db.session() as s, s.begin():
            decisions = await decide(s, ids, self)
        pending = {rid: d for rid, d in decisions.items() if not isinstance(d, str)}
        results: dict[int, str] = {rid: d for rid, d in decisions.items() if isinstance(d, str)}
        if pending:
            results.update(await self._send_and_record(pending))
        return list(results.values())

    async def send_claimed(self, pending: dict[int, list[Delivery]], until: datetime) -> TickStats:
        """Send rows this worker holds until `until` with their "sending" attempts written
        (answers written claimed, scheduler.dispatcher.direct) and record them as any batch:
        a row that waited until its lease ran short is renewed first, and not sent if
        another worker took it meanwhile. Once stopping, they are released instead (their
        attempts deleted)."""
        total = TickStats(claimed=len(pending))
        for result in (await self._send_and_record(pending, until)).values():
            setattr(total, result, getattr(total, result) + 1)
        self.stats.add(total)
        return total

    def hurry(self) -> None:
        """Shutdown, the grace over: sends still on the wire are cut off now (recorded as
        unknown outcome, their rows given back), rows not started are released."""
        self.stopping = True
        self.hurried.set()

    async def _send_and_record(
        self, pending: dict[int, list[Delivery]], until: datetime | None = None
    ) -> dict[int, str]:
        """Send every row, `concurrency` at a time, handing each finished row to the recorder,
        the batch's lease renewed meanwhile (scheduler.dispatcher.lease).

        Stopping (`stopping`), no new send starts; the sends on the wire may finish until
        `hurry` (or a cancel) cuts them off, recorded as unknown outcome; rows not started are
        released at once (not left leased), and a row cut between two recipients is retried
        for the rest. A row another worker took over is not sent."""
        gate = asyncio.Semaphore(self.config.concurrency)
        recorder = Recorder(self.db, self)
        recording = asyncio.ensure_future(recorder.run())
        lease = LeaseKeeper(self.db, self.clock, self.config.worker, list(pending), self.config.lease_seconds, until)
        lease.start()
        started: set[int] = set()
        abort = False

        async def send_row(rid: int, deliveries: list[Delivery]) -> None:
            async with gate:
                # Once stopping, no new send starts: the rest of the batch is released.
                if abort or self.stopping or not await lease.may_send(rid):
                    return
                started.add(rid)
                outcomes = []
                for d in deliveries:
                    if abort or self.stopping:
                        break
                    try:
                        outcomes.append(await send(self, d))
                    except asyncio.CancelledError:
                        # Cut off by a shutdown while on the wire: it may have arrived.
                        outcomes.append(Outcome(d, self.clock.now(), 1, AttemptOutcome.UNKNOWN, STOPPED, stopped=True))
                        break
                unsent = [d.attempt_id for d in deliveries[len(outcomes) :]]
                recorder.put(Finished(rid, outcomes, unsent))

        rows = [asyncio.ensure_future(send_row(rid, d)) for rid, d in pending.items()]
        cancelled = False
        try:
            await self._until_done_or_hurried(rows)
        except asyncio.CancelledError:
            cancelled = True
        try:
            if cancelled or self.hurried.is_set():
                abort = True
                await asyncio.shield(self._cut_off(rows, recorder))
            recorder.put(None)
            await asyncio.shield(self._bounded(recording, cancelled or self.hurried.is_set()))
        finally:
            await lease.stop()
        untouched = [rid for rid in pending if rid not in started]
        if untouched:
            attempt_ids = [d.attempt_id for rid in untouched for d in pending[rid]]
            await asyncio.shield(self._release(untouched, attempt_ids))
        if cancelled:
            raise asyncio.CancelledError
        return recorder.counted

    async def _until_done_or_hurried(self, rows: Sequence[asyncio.Future[Any]]) -> None:
        waiting: set[asyncio.Future[Any]] = {r for r in rows if not r.done()}
        hurried: asyncio.Future[Any] = asyncio.ensure_future(self.hurried.wait())
        try:
            while waiting and not self.hurried.is_set():
                done, _ = await asyncio.wait({*waiting, hurried}, return_when=asyncio.FIRST_COMPLETED)
                waiting -= done
        finally:
            hurried.cancel()

    async def _cut_off(self, rows: Sequence[asyncio.Future[Any]], recorder: Recorder) -> None:
        """Give sends on the wire `stop_grace` seconds (none once hurried), then cancel them."""
        running = [r for r in rows if not r.done()]
        if running and not self.hurried.is_set():
            hurried: asyncio.Future[Any] = asyncio.ensure_future(self.hurried.wait())
            await asyncio.wait([*running, hurried], timeout=self.config.stop_grace)
            hurried.cancel()
            running = [r for r in running if not r.done()]
        for r in running:
            r.cancel()
        if running:
            await asyncio.wait(running, timeout=2.0)
            log.warning("shutdown: %d sends still on the wire were cut off (recorded as unknown outcome)", len(running))
        recorder.hurry()

    async def _bounded(self, recording: asyncio.Future[Any], stopping: bool) -> None:
        if not stopping:
            await recording
            return
        try:
            await asyncio.wait_for(recording, RECORD_AT_STOP)
        except TimeoutError:
            log.error("shutdown: the outcomes of the last sends could not be recorded in %.0f s", RECORD_AT_STOP)

    async def _release(self, ids: list[int], attempt_ids: list[int]) -> None:
        try:
            async with asyncio.timeout(RECORD_AT_STOP):
                async with self.db.session() as s, s.begin():
                    await delete_attempts(s, attempt_ids)
                    await release(s, self.config.worker, ids)
        except Exception as exc:  # the database away: the rows come back after their lease
            log.warning("releasing %d unsent outbox rows failed (%s); they return after the lease", len(ids), exc)
