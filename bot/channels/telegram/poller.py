"""Telegram long polling that confirms an update only once it is stored.

python-telegram-bot's Updater (which the service used until issue 26) confirmed every update
it had handed to its queue with the next getUpdates, stored or not: a message that arrived
while the database was away was gone for good. Here the offset moves past an update only
after `accept` has stored it (bot/channels/holding.py), so Telegram keeps what could not be
stored and serves it again. A failed getUpdates (network, 5xx, 409, even a 401 while a token
is being fixed) is tried again with a bounded backoff; polling never ends by itself.

How each getUpdates ended goes to the channel's InboundWatch: /healthz, `nhacviec status` and
the dead-man's switch read it (issue 25: the poller retried a 401 for ever and nobody saw).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.channels.holding import until_stored
from bot.channels.telegram.api import BotApi, RetryAfter, TelegramError
from bot.channels.telegram.updates import Update
from bot.channels.watch import InboundWatch

log = logging.getLogger(__name__)

MAX_BACKOFF = 60.0


async def poll(
    bot: BotApi,
    accept: Callable[[Update], Awaitable[None]],
    *,
    timeout: int,
    allowed_updates: list[str],
    max_backoff: float = MAX_BACKOFF,
    recovered: Callable[[float], Awaitable[None]] | None = None,
    watch: InboundWatch | None = None,
) -> None:
    """getUpdates → store each update → confirm it with the next getUpdates, forever."""
    try:
        await bot.delete_webhook()  # polling and a webhook exclude each other
    except TelegramError as exc:
        log.warning("Telegram deleteWebhook failed: %s", type(exc).__name__)
    offset: int | None = None
    backoff = 0.0
    while True:
        try:
            updates = await bot.get_updates(offset, timeout, allowed_updates)
        except TelegramError as exc:
            if watch is not None:
                # The status or the type only: an error's text is no business of /healthz.
                watch.failed(f"HTTP {exc.status}" if exc.status is not None else type(exc).__name__)
            if isinstance(exc, RetryAfter):
                backoff = exc.retry_after
            else:
                backoff = min(max(backoff * 2, 1.0), max_backoff)
            log.warning("Telegram getUpdates failed (%s); next poll in %.0f s", type(exc).__name__, backoff)
            await asyncio.sleep(backoff)
            continue
        if watch is not None:
            watch.ok()
        backoff = 0.0
        for data in updates:
            offset = await _take(data, accept, recovered, offset)


async def _take(
    data: object,
    accept: Callable[[Update], Awaitable[None]],
    recovered: Callable[[float], Awaitable[None]] | None,
    offset: int | None,
) -> int | None:
    """One update stored (held here until it is); the offset that confirms it."""
    try:
        update = Update.parse(data)
    except ValueError as exc:
        # Telegram sent something we cannot read: confirmed past it if its id can be read,
        # so it does not come back for ever.
        update_id = data.get("update_id") if isinstance(data, dict) else None
        log.error("Telegram update not readable (%s): skipped", exc)
        return update_id + 1 if isinstance(update_id, int) and not isinstance(update_id, bool) else offset
    await until_stored(
        f"Telegram update {update.update_id}",
        lambda: accept(update),
        recovered=recovered,
    )
    return update.update_id + 1
