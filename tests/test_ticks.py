"""The outbox tick's clock (bot/app/service.py `every`): a fixed grid of runs, never two at
once, no burst of make-up runs after a long one."""

from __future__ import annotations

import asyncio

import pytest

from bot.app.service import every


async def test_a_long_run_is_not_doubled_and_the_runs_it_overlapped_are_not_made_up() -> None:
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    starts: list[float] = []
    ends: list[float] = []
    running = 0
    most = 0

    async def work() -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        starts.append(loop.time() - t0)
        # The first run takes 2.5 periods (a backlog drained); the rest are instant.
        await asyncio.sleep(0.25 if len(starts) == 1 else 0)
        ends.append(loop.time() - t0)
        running -= 1

    task = asyncio.create_task(every(0.1, work))
    try:
        while len(starts) < 4:
            await asyncio.sleep(0.02)
    finally:
        task.cancel()
    assert most == 1
    assert starts[0] >= 0.1
    # The grid's points at 0.2 and 0.3 fell inside the long run: the next run is the grid's
    # next point after it ended (0.4), not at once, and the next ones keep to the grid (no
    # burst of make-up runs). Lower bounds only: a loaded machine may run each one late.
    assert starts[1] >= 0.4 - 0.001 and starts[1] > ends[0]
    assert starts[2] >= 0.5 - 0.001
    assert starts[3] >= 0.6 - 0.001


async def test_a_run_that_fails_is_logged_and_the_clock_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    runs = 0

    async def work() -> None:
        nonlocal runs
        runs += 1
        if runs == 1:
            raise RuntimeError("boom")

    task = asyncio.create_task(every(0.01, work))
    try:
        async with asyncio.timeout(5):  # a clock that stopped at the failure never gets there
            while runs < 3:
                await asyncio.sleep(0.01)
    finally:
        task.cancel()
    failed = [r for r in caplog.records if r.exc_info and r.exc_info[1] is not None]
    assert len(failed) == 1 and str(failed[0].exc_info[1]) == "boom"  # type: ignore[index]
