"""The Dispatcher: claims due rows in batches and takes each batch through decide → send →
record (scheduler.dispatcher.decide, .send, .record), several batches overlapping."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from scheduler.clock import Clock
from scheduler.delivery import Sender
from scheduler.dispatcher.base import (
    GROUPED_KINDS,
    MOMENT_REST_MAX,
    Delivery,
    DispatcherConfig,
    Renderer,
    TickStats,
)
from scheduler.dispatcher.decide import decide
from scheduler.dispatcher.record import Finished, Recorder
from scheduler.dispatcher.send import send
from scheduler.workcal import WorkingCalendar
from store.claim_moment import claim_rest_of_moment
from store.db import Database
from store.delivery import delete_attempts, release
from store.outbox import claim


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

    async def _send_and_record(self, pending: dict[int, list[Delivery]]) -> dict[int, str]:
        """Send every row, `concurrency` at a time, handing each finished row to the recorder.

        Stopped mid-batch (shutdown cancels us), no new send starts, the sends already on
        the wire finish and are recorded, rows not started are released at once (not left
        leased), and a row cut between two recipients is retried for the rest."""
        gate = asyncio.Semaphore(self.config.concurrency)
        recorder = Recorder(self.db, self)
        recording = asyncio.ensure_future(recorder.run())
        started: set[int] = set()
        abort = False

        async def send_row(rid: int, deliveries: list[Delivery]) -> None:
            async with gate:
                if abort:
                    return
                started.add(rid)
                outcomes = []
                for d in deliveries:
                    if abort:
                        break
                    outcomes.append(await send(self, d))
                unsent = [d.attempt_id for d in deliveries[len(outcomes) :]]
                recorder.put(Finished(rid, outcomes, unsent))

        rows = [asyncio.ensure_future(send_row(rid, d)) for rid, d in pending.items()]
        try:
            await asyncio.gather(*(asyncio.shield(row) for row in rows))
        except asyncio.CancelledError:
            abort = True
            await asyncio.wait(rows, timeout=30)
            untouched = [rid for rid in pending if rid not in started]
            recorder.put(None)
            await asyncio.shield(recording)
            if untouched:
                attempt_ids = [d.attempt_id for rid in untouched for d in pending[rid]]
                await asyncio.shield(self._release(untouched, attempt_ids))
            raise
        recorder.put(None)
        await recording
        return recorder.counted

    async def _release(self, ids: list[int], attempt_ids: list[int]) -> None:
        async with self.db.session() as s, s.begin():
            await delete_attempts(s, attempt_ids)
            await release(s, self.config.worker, ids)
