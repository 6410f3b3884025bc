"""Telegram polling that comes back by itself.

python-telegram-bot retries getUpdates through network errors, but ends polling for good on
one 401 ("Invalid token. Aborting retry loop"); a token blip then meant nobody's message was
read until a restart, and nothing said so (issue 25). `keep_polling` watches the updater's
polling task: when it has ended while the bot runs, the error is logged and recorded on the
channel's InboundWatch (which /healthz and the dead-man's switch read), and polling is started
again after 1 s, doubling up to a minute while it keeps failing.

PTB keeps no public way to restart a polling task that died: `Updater.stop()` re-raises the
task's error and leaves its stop event set, so the two private fields are reset here (PTB
20–22 name them the same).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from telegram._utils.types import ODVInput
from telegram.ext import Updater
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.channels.watch import InboundWatch

log = logging.getLogger(__name__)

_TASK = "_Updater__polling_task"
_STOP_EVENT = "_Updater__polling_task_stop_event"


def polling_alive(updater: Updater) -> bool:
    task = getattr(updater, _TASK, None)
    return updater.running and (task is None or not task.done())


def _ended_with(updater: Updater) -> str:
    task = getattr(updater, _TASK, None)
    if task is None or not task.done() or task.cancelled():
        return "polling stopped"
    exc = task.exception()
    # The type only: PTB's InvalidToken message quotes the token.
    return type(exc).__name__ if exc is not None else "polling stopped"


async def restart_polling(updater: Updater, start: Callable[[], Awaitable[object]]) -> None:
    with contextlib.suppress(Exception):
        await updater.stop()  # re-raises the error the polling task ended with
    stop_event = getattr(updater, _STOP_EVENT, None)
    if isinstance(stop_event, asyncio.Event):
        stop_event.clear()
    if hasattr(updater, _TASK):
        setattr(updater, _TASK, None)
    await start()


async def keep_polling(
    updater: Updater,
    start: Callable[[], Awaitable[object]],
    watch: InboundWatch,
    *,
    every: float = 1.0,
    backoff_max: float = 60.0,
) -> None:
    """Until cancelled: start polling again whenever it has ended."""
    backoff = 1.0
    while True:
        await asyncio.sleep(every)
        if polling_alive(updater):
            if watch.failing_since is None:
                backoff = 1.0
            continue
        error = _ended_with(updater) if updater.running else (watch.last_error or "polling stopped")
        watch.failed(error)
        log.error("Telegram polling stopped (%s); starting it again in %.0f s", error, backoff)
        await asyncio.sleep(backoff)
        backoff = min(backoff * 2, backoff_max)
        try:
            await restart_polling(updater, start)
        except Exception as exc:
            watch.failed(type(exc).__name__)
            log.error("Telegram polling could not start again (%s)", type(exc).__name__)
            continue
        watch.restarts += 1
        log.warning("Telegram polling started again (restart %d)", watch.restarts)


class WatchedRequest(HTTPXRequest):
    """The getUpdates connection (PTB's default: one connection), telling `watch` how each
    poll ended; PTB sends getUpdates past the rate limiter, so this is where polls are seen."""

    def __init__(self, watch: InboundWatch) -> None:
        super().__init__(connection_pool_size=1)
        self.watch = watch

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        try:
            code, body = await super().do_request(
                url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
            )
        except Exception as exc:
            # The type only: an error may quote the URL, which holds the token.
            self.watch.failed(type(exc).__name__)
            raise
        if code == 200:
            self.watch.ok()
        else:
            self.watch.failed(f"HTTP {code}")
        return code, body
