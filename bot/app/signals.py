"""How the service is stopped: SIGTERM (systemd, Docker) and SIGINT (Ctrl+C) set one event the
bot watches; whatever the API or the database does, the process is gone HARD_STOP seconds
after the signal (systemd kills at 30 s, Docker at 10 s unless told otherwise)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import threading

log = logging.getLogger(__name__)

HARD_STOP = 19.0


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGTERM or SIGINT (a second signal ends the process at once)."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    def on_signal(sig: signal.Signals) -> None:
        if stop.is_set():
            log.warning("second %s: exiting now", sig.name)
            os._exit(1)
        log.warning("%s received: finishing the batch in hand, then stopping", sig.name)
        stop.set()
        # A thread, not the loop: it fires even if the event loop is stuck.
        timer = threading.Timer(HARD_STOP, _hard_stop)
        timer.daemon = True
        timer.start()

    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, on_signal, sig)
    return stop


def _hard_stop() -> None:
    log.error("shutdown did not finish within %.0f s of the signal: exiting now", HARD_STOP)
    logging.shutdown()
    os._exit(1)
