"""Keeping a batch's lease while it is in hand.

A claimed row is leased for `lease_seconds`; after that any worker may claim it again. A
batch can stay in hand longer than that without anything being wrong: a 429 storm makes its
rows wait out retry_after in the channel's pace, a hung API holds a send, the database away
holds the recording of outcomes. Unless the lease is renewed, a second worker then claims the
same rows and sends them too (issue 25: 4 duplicates with a 120 s lease, 6 with 20 s).

So while a batch is in hand its lease is renewed every `lease_seconds / 4` (at most every
15 s). A renewal only extends rows this worker still holds (fencing on `locked_by`); a row
another worker took over is dropped from the batch before it is sent. If renewals fail (the
database away), no new send starts once less than a third of the lease is known to be left:
the row waits for a renewal, and its send is not started at all if none comes.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from scheduler.clock import Clock
from store.db import Database
from store.delivery import renew_lease

log = logging.getLogger("scheduler.dispatcher")

# Longest wait for a renewal before a send whose lease runs short is given up.
RENEWAL_WAIT = 10.0


class LeaseKeeper:
    """Renews the lease of one batch's rows until `stop`."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        worker: str,
        ids: list[int],
        lease_seconds: float,
        until: datetime | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.worker = worker
        self.ids = list(ids)
        self.lease = timedelta(seconds=lease_seconds)
        # What the claim set (`until`, for rows claimed a while ago): ours until then at least.
        self.until: datetime = until if until is not None else clock.now() + self.lease
        self.lost: set[int] = set()  # rows another worker holds now: never sent by us
        self.every = min(lease_seconds / 4, 15.0)
        self._renewed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="lease-keeper")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            await self.renew()

    async def renew(self) -> bool:
        until = self.clock.now() + self.lease
        try:
            async with self.db.session() as s, s.begin():
                held = await renew_lease(s, self.worker, self.ids, until)
        except Exception as exc:
            log.warning("renewing the lease of %d outbox rows failed (%s); retried", len(self.ids), exc)
            return False
        self.until = until
        # Rows closed already are not held either; only those still to send matter.
        self.lost |= set(self.ids) - held
        self.ids = sorted(held)
        self._renewed.set()
        self._renewed = asyncio.Event()
        return True

    def fresh(self) -> bool:
        """Enough of the lease is left to start a send (a third of it)."""
        return self.until - self.clock.now() > self.lease / 3

    async def may_send(self, reminder_id: int) -> bool:
        """Whether this row may be sent now: ours, with enough lease left (waiting a little
        for a renewal when the database was away)."""
        if reminder_id in self.lost:
            return False
        if self.fresh():
            return True
        # The last renewals failed: try once now, then wait for the keeper's next success.
        if not await self.renew():
            renewed = self._renewed
            try:
                await asyncio.wait_for(renewed.wait(), RENEWAL_WAIT)
            except TimeoutError:
                return False
        return reminder_id not in self.lost and self.fresh()
