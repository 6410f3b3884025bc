"""An even-paced rate limiter for the Bot API client (bot/channels/telegram/api.py).

AIORateLimiter (python-telegram-bot's, before issue 26; aiolimiter's leaky bucket) either
allows an initial burst of a whole second's worth of messages — which earns 429s from a server
counting any 1-second window — or, with a bucket of one, loses a few percent to event-loop
wake-up latency, since every wait starts when the previous one *ended*. Here each request
gets a slot on a fixed grid (previous slot + 1/rate), so late wake-ups do not accumulate and
a burst runs at the configured rate. A wake-up delayed by a busy event loop could still bunch
several sends together, so each send also checks the real send times of the last second
and never starts more than `window_cap` in any second. After a 429 the grid is pushed
back by retry_after for everyone, as Telegram expects.

Telegram's limit is per bot, not per process. With `shared` (a `store.pacing.SharedPace`,
PostgreSQL) the grid lives in the database: every worker of the bot takes its slots from
one row, so N workers together send at `max_rate`, and a 429 seen by one pushes the grid
back for all of them. Without it (SQLite: one process) the grid is in memory.

Each chat also gets at most one message per `chat_interval` (Telegram: about 1 msg/s per
chat, short bursts tolerated) once it has had a burst of `chat_burst` at the bot's pace.
When a message's chat is not free at its slot, that slot goes unused and a fresh one is
taken once the chat is free, so the bot's grid never bunches. With `shared` the chat's
state is in the database too, so this holds across workers.

A grid only keeps the limit if every slot is used on time. A worker whose event loop (or
host) was busy wakes late, and its overdue sends would go out together with the next
slots of every worker; a send woken more than `late_tolerance` (one interval) after its
slot therefore leaves that slot unused and takes a fresh one. An unused slot costs 1/rate
of a second; the 429 it avoids would stop the whole bot for retry_after.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.channels.telegram.api import RetryAfter
from store.pacing import SharedPace

log = logging.getLogger(__name__)

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

T = TypeVar("T")

# Chat rows in the database are pruned after this many reservations.
PRUNE_EVERY = 2000
# Messages a chat may get at the bot's pace before the 1 per chat_interval applies: an
# answer and its files (an /export and a chart are up to 7 messages), or a long text's
# parts, go at once, so replies stay instant; a longer run to one chat is spaced.
CHAT_BURST = 10
# A send woken later than late_tolerance after its slot takes a fresh slot, at most this often.
MAX_RETAKES = 3


def token_key(token: str) -> str:
    """The name of a bot's pace in the database: a hash, so the token is never stored."""
    return "telegram:" + hashlib.sha256(token.encode()).hexdigest()[:32]


class PacedRateLimiter:
    def __init__(
        self,
        max_rate: float = 28.0,
        window_cap: int | None = None,
        *,
        shared: SharedPace | None = None,
        chat_interval: float = 1.0,
        chat_burst: int = CHAT_BURST,
        late_tolerance: float | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        """`clock` (seconds, monotonic) and `sleep` are the event loop's by default; tests
        give a virtual clock and its sleep, so no test waits on the wall clock."""
        if max_rate <= 0:
            raise ValueError("max_rate must be positive")
        self.interval = 1.0 / max_rate
        self.window_cap = window_cap or max(1, math.ceil(max_rate))
        self.shared = shared
        self.chat_interval = chat_interval
        self.chat_burst = max(1, chat_burst)
        self.late_tolerance = self.interval if late_tolerance is None else late_tolerance
        self._next_slot = 0.0
        self._paused_until = 0.0
        self._recent: deque[float] = deque()
        self._chat_next: dict[str, float] = {}
        self._reservations = 0
        self._shared_failing = False
        self._clock = clock
        self._sleep = sleep or asyncio.sleep

    def _now(self) -> float:
        return self._clock() if self._clock is not None else asyncio.get_running_loop().time()

    async def initialize(self) -> None:
        self._next_slot = 0.0
        await self._prune()

    async def shutdown(self) -> None:
        return None

    def _local_slot(self) -> float:
        # Single-threaded event loop: taking a slot needs no lock.
        now = self._now()
        slot = max(now, self._next_slot)
        self._next_slot = slot + self.interval
        return slot - now

    def _local_chat_slot(self, chat_id: str, delay: float) -> float:
        now = self._now()
        if len(self._chat_next) > 10_000:
            self._chat_next = {c: t for c, t in self._chat_next.items() if t > now}
        # GCRA: the chat's theoretical arrival time may run chat_burst - 1 intervals ahead.
        at = now + delay
        tat = self._chat_next.get(chat_id, 0.0)
        self._chat_next[chat_id] = max(tat, at) + self.chat_interval
        return max(at, tat - (self.chat_burst - 1) * self.chat_interval) - now

    async def _reserve(self, chat_id: str | None) -> tuple[float, float | None]:
        """When (the pacer's clock) this send's slot on the bot's grid comes, and when its chat is free."""
        if self.shared is not None:
            asked = self._now()
            try:
                slot = await self.shared.reserve(self.interval, chat_id, self.chat_interval, self.chat_burst)
            except Exception as exc:
                # The database is away: pace this process alone rather than stop sending.
                if not self._shared_failing:
                    log.warning("send pace: shared slot unavailable, pacing this worker alone: %s", exc)
                self._shared_failing = True
            else:
                if self._shared_failing:
                    log.info("send pace: shared slots available again")
                self._shared_failing = False
                self._reservations += 1
                if self._reservations % PRUNE_EVERY == 0:
                    await self._prune()
                # The server measured the delay somewhere between asking and hearing back.
                at = (asked + self._now()) / 2
                return at + slot.delay, (at + slot.chat_delay if slot.chat_delay is not None else None)
        delay = self._local_slot()
        now = self._now()
        return now + delay, (now + self._local_chat_slot(chat_id, delay) if chat_id is not None else None)

    async def _prune(self) -> None:
        if self.shared is None:
            return
        try:
            await self.shared.prune()
        except Exception as exc:  # the pace must never stop the bot from starting or sending
            log.warning("send pace: pruning old chat rows failed: %s", exc)

    async def _wait_turn(self, chat_id: str | None) -> None:
        slot_at, chat_at = await self._reserve(chat_id)
        if chat_at is not None and chat_at > slot_at + 0.001:
            # The chat had a message less than chat_interval before this slot: the slot goes
            # unused and a fresh one is taken once the chat is free.
            await self._sleep(chat_at - self._now())
            slot_at, _ = await self._reserve(None)
        retakes = 0
        while True:
            await self._sleep(max(0.0, slot_at - self._now()))
            now = self._now()
            if now < self._paused_until:
                # A 429 in this process after this slot was taken: the slot falls in the
                # pause, so wait it out and take a fresh one behind it.
                await self._sleep(self._paused_until - now)
            elif now - slot_at <= self.late_tolerance or retakes >= MAX_RETAKES:
                break
            else:
                # Woken too late (a busy event loop or host): sending now would bunch with the
                # next slots of every worker and earn a 429 that stops them all for
                # retry_after, so this slot goes unused and a fresh one is taken.
                retakes += 1
            slot_at, _ = await self._reserve(None)
        await self._respect_window()

    async def _respect_window(self) -> None:
        while True:
            now = self._now()
            while self._recent and now - self._recent[0] >= 1.0:
                self._recent.popleft()
            if len(self._recent) < self.window_cap:
                self._recent.append(now)
                return
            await self._sleep(self._recent[0] + 1.0 - now)

    async def paced(self, endpoint: str, chat_id: object, call: Callable[[], Awaitable[T]]) -> T:
        """`call()` (the Bot API method `endpoint`, to `chat_id` if it has one) once its
        turn comes; a 429 it meets holds every later send back for retry_after."""
        if endpoint not in UNPACED:
            await self._wait_turn(str(chat_id) if chat_id is not None else None)
        try:
            return await call()
        except RetryAfter as exc:
            await self._hold_back(exc.retry_after)
            raise

    async def _hold_back(self, seconds: float) -> None:
        # Everyone waits: Telegram's flood control is per bot, not per request.
        until = self._now() + seconds
        self._next_slot = max(self._next_slot, until)
        self._paused_until = max(self._paused_until, until)
        if self.shared is not None:
            try:
                await self.shared.push_back(seconds)
            except Exception as exc2:
                log.warning("send pace: could not push the shared pace back: %s", exc2)
