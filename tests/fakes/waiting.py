"""Wait for something that happens on another task (a poller, a server)."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable


async def until(predicate: Callable[[], object], timeout: float = 15.0, what: str = "condition") -> None:
    """Poll `predicate` (a plain or an async function, e.g. a database query) until it holds."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def until_sync(predicate: Callable[[], object], timeout: float = 15.0, what: str = "condition") -> None:
    """`until` for code outside an event loop (a server started in another process)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


async def settle(rounds: int = 50) -> None:
    """Let callbacks already scheduled run (a cancellation propagating through gather and
    shield takes a few loop rounds); no wall-clock time passes, nothing is waited for."""
    for _ in range(rounds):
        await asyncio.sleep(0)
