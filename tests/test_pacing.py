"""The Telegram pacer: even spacing, no bursts, everyone waits after a 429. On a virtual
clock (tests/fakes/clock.py): the numbers are exact and no test waits on the wall clock."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

import pytest

from bot.channels.telegram.api import RetryAfter
from bot.channels.telegram.pacing import PacedRateLimiter
from tests.fakes.clock import VirtualTime


async def _ok() -> bool:
    return True


def _paced(clock: VirtualTime, max_rate: float, **kwargs: Any) -> PacedRateLimiter:
    return PacedRateLimiter(max_rate, clock=clock.time, sleep=clock.sleep, **kwargs)


def _send(
    limiter: PacedRateLimiter, record: Any, endpoint: str = "sendMessage", chat: int | None = None
) -> Awaitable[Any]:
    return limiter.paced(endpoint, chat, record)


async def test_sends_are_spread_evenly_and_never_exceed_the_window_cap() -> None:
    clock = VirtualTime()
    limiter = _paced(clock, 50.0)
    starts: list[float] = []

    async def record() -> bool:
        starts.append(clock.time())
        return True

    t0 = clock.time()
    await clock.run(asyncio.gather(*(_send(limiter, record) for _ in range(60))))
    assert starts[-1] - t0 == pytest.approx(59 / 50)  # 60 sends at 50/s: 59 intervals
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert min(gaps) == pytest.approx(1 / 50)
    for i, start in enumerate(starts):
        assert sum(1 for s in starts[i:] if s - start < 1.0) <= 50


async def test_updates_and_button_answers_are_not_paced() -> None:
    clock = VirtualTime()
    limiter = _paced(clock, 1.0)
    t0 = clock.time()
    for _ in range(5):
        await clock.run(_send(limiter, _ok, "answerCallbackQuery"))
    assert clock.time() == t0


async def test_a_429_pushes_everyone_back_by_retry_after() -> None:
    clock = VirtualTime()
    limiter = _paced(clock, 100.0)

    async def flooded() -> bool:
        raise RetryAfter(1.0)

    with pytest.raises(RetryAfter):
        await clock.run(_send(limiter, flooded))
    t0 = clock.time()
    await clock.run(_send(limiter, _ok))
    assert clock.time() - t0 == pytest.approx(1.0)


async def test_one_chat_gets_one_message_a_second_and_others_are_not_held_up() -> None:
    clock = VirtualTime()
    limiter = _paced(clock, 50.0, chat_burst=1)
    sent: dict[int, list[float]] = {}

    def send_to(chat: int) -> Awaitable[Any]:
        async def record() -> bool:
            sent.setdefault(chat, []).append(clock.time())
            return True

        return _send(limiter, record, chat=chat)

    t0 = clock.time()
    await clock.run(asyncio.gather(*(send_to(chat) for chat in (1, 2, 1, 3, 1, 4))))
    busy = sorted(sent[1])
    assert all(later - earlier >= 1.0 for earlier, later in zip(busy, busy[1:], strict=False))
    assert max(sent[2] + sent[3] + sent[4]) - t0 < 0.1  # a few slots at the bot's pace


async def test_a_send_woken_long_after_its_slot_takes_a_fresh_one() -> None:
    from store.pacing import Slot

    class ScriptedPace:
        """A shared grid whose first slot has already passed (the worker was busy)."""

        def __init__(self) -> None:
            self.slots = [Slot(-0.5, -0.5), Slot(0.0)]
            self.asked = 0

        async def reserve(
            self, interval: float, chat_id: str | None = None, chat_interval: float = 1.0, chat_burst: int = 1
        ) -> Slot:
            self.asked += 1
            return self.slots.pop(0)

        async def push_back(self, seconds: float) -> None:
            raise AssertionError("no 429 here")

    clock = VirtualTime()
    pace = ScriptedPace()
    limiter = _paced(clock, 30.0, shared=pace)
    await clock.run(_send(limiter, _ok, chat=1))
    assert pace.asked == 2


async def test_a_chat_gets_a_short_burst_at_the_bot_pace_then_one_a_second() -> None:
    clock = VirtualTime()
    limiter = _paced(clock, 50.0, chat_burst=3)
    sent: list[float] = []

    async def record() -> bool:
        sent.append(clock.time())
        return True

    t0 = clock.time()
    for _ in range(5):  # one after another, as an answer and its files go
        await clock.run(_send(limiter, record, chat=9))
    # The burst: an answer does not wait behind the reminder before it; then one a second.
    assert [round(t - t0, 3) for t in sent] == [0.0, 0.02, 0.04, 1.0, 2.0]
