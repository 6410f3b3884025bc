"""Giving the memory start-up used back to the system.

Start-up (the schema check, reading every plan file, the first planning) allocates and frees
a few MiB of short-lived objects. glibc keeps freed heap pages mapped in case they are asked
for again, so an idle worker went on holding them (≈ 1.5 MiB of a Telegram worker's VmRSS,
measured with bench/idle_memory.py). `malloc_trim(0)` hands back the free pages of every
arena; it is glibc's documented call for this, and a no-op elsewhere (musl, macOS).
"""

from __future__ import annotations

import asyncio
import gc
import logging
from typing import Any

log = logging.getLogger(__name__)

# Start-up's last steps (the channels' first calls, the first dispatcher tick) end within a
# few seconds of the plan being read; the trim waits past them.
SETTLE_SECONDS = 10.0


def release_freed_memory() -> bool:
    """Collect garbage, then return free heap pages to the system; whether glibc did it."""
    import ctypes  # here: ≈ 0.4 MiB, for a trim that hands back ≈ 1.5

    gc.collect()
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the process's own symbols: libc's, if it has one
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to hand back this way
        return False
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    trim(0)
    return True


async def release_after_start(started: asyncio.Future[Any] | None, settle: float = SETTLE_SECONDS) -> None:
    """Once `started` (the plan files' reading) is done and `settle` seconds more have
    passed, release what start-up freed. A failed reading is left to its own handling."""
    if started is not None:
        await asyncio.wait([started])
    await asyncio.sleep(settle)
    if release_freed_memory():
        log.debug("start-up memory returned to the system")
