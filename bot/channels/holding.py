"""A poller never moves past an update it could not store.

Telegram forgets an update once the next getUpdates confirms it, and Zalo serves each
update once; so a poller stores every update before it asks for the next. While the
database is away the update is stored again and again, with a backoff that doubles up to a
bound, for as long as it takes (the message exists nowhere else); the wait is logged once
as an error after `ALERT_AFTER` seconds, and once more when the update is stored. An update
refused for another reason (a bug, something the database rejects) is tried a few times,
then skipped with an error line: one bad update must not stop every later one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from store.db import database_away

log = logging.getLogger(__name__)

FIRST_DELAY = 0.5
MAX_DELAY = 8.0
ALERT_AFTER = 60.0
REFUSED_TRIES = 3


async def until_stored(
    what: str,
    store: Callable[[], Awaitable[None]],
    *,
    first_delay: float = FIRST_DELAY,
    max_delay: float = MAX_DELAY,
    alert_after: float = ALERT_AFTER,
    recovered: Callable[[float], Awaitable[None]] | None = None,
) -> bool:
    """Await `store()` until it returns (True), or until it failed REFUSED_TRIES times for
    a reason other than the database being away (False: skipped, logged). A hold longer
    than `alert_after` ends with `recovered(seconds held)` (the office is told)."""
    delay, refused, alerted = first_delay, 0, False
    started = time.monotonic()
    while True:
        try:
            await store()
        except Exception as exc:
            if not database_away(exc):
                refused += 1
                if refused >= REFUSED_TRIES:
                    log.error("%s skipped: not stored after %d tries", what, refused, exc_info=exc)
                    return False
            waited = time.monotonic() - started
            if not alerted and waited >= alert_after:
                alerted = True
                log.error(
                    "%s not stored for %.0f s (%s): polling holds here and keeps trying; nothing is lost",
                    what,
                    waited,
                    type(exc).__name__,
                )
            else:
                log.warning("%s not stored (%s); trying again in %.1f s", what, type(exc).__name__, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, max_delay)
            continue
        if alerted:
            held = time.monotonic() - started
            log.error("%s stored after %.0f s; polling goes on", what, held)
            if recovered is not None:
                try:
                    await recovered(held)
                except Exception as exc:  # telling is a courtesy; the message is safe
                    log.warning("could not tell the office of the hold (%s)", type(exc).__name__)
        return True
