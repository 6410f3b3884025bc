"""An even-paced rate limiter for python-telegram-bot.

AIORateLimiter (aiolimiter's leaky bucket) either allows an initial burst of a whole
second's worth of messages — which earns 429s from a server counting any 1-second
window — or, with a bucket of one, loses a few percent to event-loop wake-up latency,
since every wait starts when the previous one *ended*. Here each request gets a slot on
a fixed grid (previous slot + 1/rate), so late wake-ups do not accumulate and a burst
runs at the configured rate. A wake-up delayed by a busy event loop could still bunch
several sends together, so each send also checks the real send times of the last second
and never starts more than `window_cap` in any second. After a 429 the grid is pushed
back by retry_after for everyone, as Telegram expects.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

# Reading updates and answering button presses are not messages and are not paced.
UNPACED = frozenset(
    {
        "getUpdates",
        "answerCallbackQuery",
        "getMe",
        "setMyCommands",
        "deleteWebhook",
        "setWebhook",
        "getWebhookInfo",
        "close",
        "logOut",
    }
)

Result = bool | dict[str, Any] | list[dict[str, Any]]


class PacedRateLimiter(BaseRateLimiter[None]):
    def __init__(self, max_rate: float = 29.5, window_cap: int | None = None) -> None:
        if max_rate <= 0:
            raise ValueError("max_rate must be positive")
        self.interval = 1.0 / max_rate
        self.window_cap = window_cap or max(1, math.ceil(max_rate))
        self._next_slot = 0.0
        self._recent: deque[float] = deque()

    async def initialize(self) -> None:
        self._next_slot = 0.0

    async def shutdown(self) -> None:
        return None

    def _slot(self) -> float:
        # Single-threaded event loop: taking a slot needs no lock.
        now = asyncio.get_running_loop().time()
        slot = max(now, self._next_slot)
        self._next_slot = slot + self.interval
        return slot - now

    async def _respect_window(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            while self._recent and now - self._recent[0] >= 1.0:
                self._recent.popleft()
            if len(self._recent) < self.window_cap:
                self._recent.append(now)
                return
            await asyncio.sleep(self._recent[0] + 1.0 - now)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> Result:
        if endpoint not in UNPACED:
            delay = self._slot()
            if delay > 0:
                await asyncio.sleep(delay)
            await self._respect_window()
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            # Everyone waits: Telegram's flood control is per bot, not per request.
            self._next_slot = max(self._next_slot, asyncio.get_running_loop().time() + seconds)
            raise
