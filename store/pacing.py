"""One sending pace per bot, shared by every worker process on one PostgreSQL.

Each send reserves the next slot on a grid held in one `send_pace` row: a single atomic
upsert moves `next_slot` to `greatest(next_slot, now) + interval` and returns the slot it
took, as a delay from the server's own clock (so workers on hosts whose clocks disagree
still share one grid). N workers therefore send at the bot's rate *together*, and a 429
seen by any of them pushes `next_slot` past its retry_after for all of them.

The chat's own row (~1 msg/s per chat) is updated in the same statement: it is always
locked after the bot's row, so two statements can never wait on each other in a circle.
One round trip per message (~1 ms on a LAN) is far below the 33 ms between slots, so slots
are not reserved in blocks; a block held by a worker with nothing left to send would leave
holes in the grid, and a block used late would bunch with the next worker's slots.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import TextClause, text

from store.db import Database

# The bot's slot and, when a chat is given, the chat's. A chat's row holds its theoretical
# arrival time (GCRA, a token bucket in one timestamp): a message may go once that time is at
# most (chat_burst - 1) intervals ahead, so a short burst (an answer and its files) goes at
# the bot's pace and a longer one at one message per chat_interval.
_RESERVE_WITH_CHAT = text(
    """
    WITH pace AS (
        INSERT INTO send_pace AS p (key, next_slot)
        VALUES (:key, clock_timestamp() + make_interval(secs => :interval))
        ON CONFLICT (key) DO UPDATE
            SET next_slot = greatest(p.next_slot, clock_timestamp()) + make_interval(secs => :interval)
        RETURNING p.next_slot - make_interval(secs => :interval) AS slot
    ), chat AS (
        INSERT INTO send_pace AS c (key, next_slot)
        SELECT :chat_key, pace.slot + make_interval(secs => :chat_interval) FROM pace
        ON CONFLICT (key) DO UPDATE
            SET next_slot = greatest(c.next_slot, excluded.next_slot - make_interval(secs => :chat_interval))
                + make_interval(secs => :chat_interval)
        RETURNING c.next_slot AS tat
    )
    SELECT extract(epoch FROM pace.slot - clock_timestamp())::float8,
           extract(epoch FROM greatest(pace.slot, chat.tat - make_interval(secs => :chat_interval * :chat_burst))
                   - clock_timestamp())::float8
    FROM pace, chat
    """
)

_RESERVE = text(
    """
    INSERT INTO send_pace AS p (key, next_slot)
    VALUES (:key, clock_timestamp() + make_interval(secs => :interval))
    ON CONFLICT (key) DO UPDATE
        SET next_slot = greatest(p.next_slot, clock_timestamp()) + make_interval(secs => :interval)
    RETURNING extract(epoch FROM p.next_slot - make_interval(secs => :interval) - clock_timestamp())::float8
    """
)

_PUSH_BACK = text(
    """
    INSERT INTO send_pace AS p (key, next_slot)
    VALUES (:key, clock_timestamp() + make_interval(secs => :seconds))
    ON CONFLICT (key) DO UPDATE
        SET next_slot = greatest(p.next_slot, clock_timestamp() + make_interval(secs => :seconds))
    """
)

# Chat rows whose slot is long past say nothing any more; the bot's row stays.
_PRUNE = text(
    "DELETE FROM send_pace WHERE key LIKE :prefix AND next_slot < clock_timestamp() - make_interval(secs => :age)"
)


@dataclass(frozen=True)
class Slot:
    """Seconds from now until the bot's slot, and until the chat's (None: no chat given)."""

    delay: float
    chat_delay: float | None = None


class SharedPace:
    """The `send_pace` rows of one bot (`key`, a hash of its token, never the token)."""

    def __init__(self, db: Database, key: str) -> None:
        if not db.is_postgres:
            raise ValueError("a shared pace needs PostgreSQL; SQLite runs one process, paced in memory")
        self.db = db
        self.key = key

    def chat_key(self, chat_id: str) -> str:
        return f"{self.key}/chat/{chat_id}"

    async def _run(self, statement: TextClause, **params: object) -> list[tuple[float, ...]]:
        # Autocommit: one statement, one round trip, row locks held only while it runs.
        async with self.db.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            result = await conn.execute(statement, params)
            return [tuple(row) for row in result.all()] if result.returns_rows else []

    async def reserve(
        self, interval: float, chat_id: str | None = None, chat_interval: float = 1.0, chat_burst: int = 1
    ) -> Slot:
        """Take the next slot of the bot's grid (and the chat's, when given)."""
        if chat_id is None:
            rows = await self._run(_RESERVE, key=self.key, interval=interval)
            return Slot(rows[0][0])
        rows = await self._run(
            _RESERVE_WITH_CHAT,
            key=self.key,
            interval=interval,
            chat_key=self.chat_key(chat_id),
            chat_interval=chat_interval,
            chat_burst=chat_burst,
        )
        return Slot(rows[0][0], rows[0][1])

    async def push_back(self, seconds: float) -> None:
        """Nobody sends for this bot before `seconds` from now (a 429's retry_after)."""
        await self._run(_PUSH_BACK, key=self.key, seconds=seconds)

    async def prune(self, older_than: float = 60.0) -> None:
        await self._run(_PRUNE, prefix=f"{self.key}/chat/%", age=older_than)
