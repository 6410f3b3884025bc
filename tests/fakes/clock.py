"""Virtual time for code that paces itself (bot/channels/telegram/pacing.py): time passes
only when every task is waiting, and then jumps to the earliest wake-up. A test of spacing
and waiting reads exact numbers and never waits on the wall clock."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable
from typing import TypeVar

from tests.fakes.waiting import settle

T = TypeVar("T")


class VirtualTime:
    """`time()` and `sleep()` to hand to the code under test; `run(aw)` drives it."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._order), woken))
        await woken

    async def run(self, aw: Awaitable[T]) -> T:
        """Await `aw`, letting every ready task run before time moves on to the next wake-up."""
        task = asyncio.ensure_future(aw)
        while True:
            await settle()
            if task.done():
                return task.result()
            if not self._sleepers:
                await task  # waiting on something other than this clock: let it finish
                return task.result()
            at, _, woken = heapq.heappop(self._sleepers)
            self.now = max(self.now, at)
            if not woken.done():
                woken.set_result(None)
