"""The Telegram pacer: even spacing, no bursts, everyone waits after a 429."""

import asyncio
from datetime import timedelta

import pytest
from telegram.error import RetryAfter

from bot.channels.telegram.pacing import PacedRateLimiter


async def _ok() -> bool:
    return True


async def test_sends_are_spread_evenly_and_never_exceed_the_window_cap() -> None:
    limiter = PacedRateLimiter(max_rate=50.0)
    loop = asyncio.get_running_loop()
    starts: list[float] = []

    async def record() -> bool:
        starts.append(loop.time())
        return True

    t0 = loop.time()
    await asyncio.gather(*(limiter.process_request(record, (), {}, "sendMessage", {}, None) for _ in range(60)))
    elapsed = loop.time() - t0
    assert elapsed > 1.1  # 60 sends at 50/s cannot take less than 59 intervals
    for i, start in enumerate(starts):
        assert sum(1 for s in starts[i:] if s - start < 1.0) <= 50


async def test_updates_and_button_answers_are_not_paced() -> None:
    limiter = PacedRateLimiter(max_rate=1.0)
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    for _ in range(5):
        await limiter.process_request(_ok, (), {}, "answerCallbackQuery", {}, None)
    assert loop.time() - t0 < 0.2


async def test_a_429_pushes_everyone_back_by_retry_after() -> None:
    limiter = PacedRateLimiter(max_rate=100.0)

    async def flooded() -> bool:
        raise RetryAfter(timedelta(seconds=1))

    with pytest.raises(RetryAfter):
        await limiter.process_request(flooded, (), {}, "sendMessage", {}, None)
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    await limiter.process_request(_ok, (), {}, "sendMessage", {}, None)
    assert loop.time() - t0 >= 0.9


async def test_one_chat_gets_one_message_a_second_and_others_are_not_held_up() -> None:
    limiter = PacedRateLimiter(max_rate=50.0, chat_burst=1)
    loop = asyncio.get_running_loop()
    sent: dict[int, list[float]] = {}

    def send_to(chat: int):  # type: ignore[no-untyped-def]
        async def record() -> bool:
            sent.setdefault(chat, []).append(loop.time())
            return True

        return limiter.process_request(record, (), {}, "sendMessage", {"chat_id": chat}, None)

    t0 = loop.time()
    await asyncio.gather(*(send_to(chat) for chat in (1, 2, 1, 3, 1, 4)))
    busy = sorted(sent[1])
    assert all(later - earlier >= 0.95 for earlier, later in zip(busy, busy[1:], strict=False))
    assert max(sent[2] + sent[3] + sent[4]) - t0 < 0.3


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

    pace = ScriptedPace()
    limiter = PacedRateLimiter(max_rate=30.0, shared=pace)  # type: ignore[arg-type]
    await limiter.process_request(_ok, (), {}, "sendMessage", {"chat_id": 1}, None)
    assert pace.asked == 2


async def test_a_chat_gets_a_short_burst_at_the_bot_pace_then_one_a_second() -> None:
    limiter = PacedRateLimiter(max_rate=50.0, chat_burst=3)
    loop = asyncio.get_running_loop()
    sent: list[float] = []

    async def record() -> bool:
        sent.append(loop.time())
        return True

    t0 = loop.time()
    for _ in range(5):  # one after another, as an answer and its files go
        await limiter.process_request(record, (), {}, "sendMessage", {"chat_id": 9}, None)
    assert sent[2] - t0 < 0.3  # the burst: an answer does not wait behind the reminder before it
    assert sent[3] - t0 >= 0.95 and sent[4] - t0 >= 1.95
