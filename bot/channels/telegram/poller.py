"""Telegram long polling that confirms an update only once it is stored.

python-telegram-bot's Updater confirms every update it has handed to its queue with the
next getUpdates, stored or not: a message that arrived while the database was away was
gone for good. Here the offset moves past an update only after `accept` has stored it
(bot/channels/holding.py), so Telegram keeps what could not be stored and serves it again.
A failed getUpdates (network, 5xx, 409, even a 401 while a token is being fixed) is tried
again with a bounded backoff; polling never ends by itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from telegram import Bot, Update
from telegram.error import RetryAfter, TelegramError

from bot.channels.holding import until_stored

log = logging.getLogger(__name__)

MAX_BACKOFF = 60.0


async def poll(
    bot: Bot,
    accept: Callable[[Update], Awaitable[None]],
    *,
    timeout: int,
    allowed_updates: list[str],
    max_backoff: float = MAX_BACKOFF,
    recovered: Callable[[float], Awaitable[None]] | None = None,
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
            updates = await bot.get_updates(offset=offset, timeout=timeout, allowed_updates=allowed_updates)
        except TelegramError as exc:
            if isinstance(exc, RetryAfter):
                backoff = float(exc.retry_after if isinstance(exc.retry_after, int | float) else 1)
            else:
                backoff = min(max(backoff * 2, 1.0), max_backoff)
            log.warning("Telegram getUpdates failed (%s); next poll in %.0f s", type(exc).__name__, backoff)
            await asyncio.sleep(backoff)
            continue
        backoff = 0.0
        for update in updates:
            await until_stored(
                f"Telegram update {update.update_id}",
                lambda u=update: accept(u),  # type: ignore[misc]
                recovered=recovered,
            )
            offset = update.update_id + 1
