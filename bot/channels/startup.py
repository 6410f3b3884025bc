"""What can stop `nhacviec run` from starting, said in one Vietnamese line.

A server often boots before its network: an API that cannot be reached is retried with
backoff a bounded number of times (`StartupUnreachable`); a rejected token or a wrong
setting is final at once (`StartupFailed`). Neither message ever holds a token: they are
written here from what failed, not copied from the library's exception text.
"""

from __future__ import annotations

import asyncio
import logging
import re
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from bot.settings import Settings
from bot.texts import channels as texts_channels

log = logging.getLogger(__name__)

T = TypeVar("T")

MAX_RETRY_DELAY = 30.0
# Telegram's secret_token: 1-256 characters A-Z, a-z, 0-9, "_" and "-".
_TELEGRAM_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class StartupFailed(Exception):
    """The bot cannot start; the message is the one Vietnamese line shown to the operator."""


class StartupUnreachable(StartupFailed):
    """The API could not be reached (network, timeout, 5xx): worth retrying."""


class StartupStopped(Exception):
    """SIGTERM/SIGINT arrived while waiting to retry: stop quietly."""


async def with_retries(
    what: str,
    attempt: Callable[[], Awaitable[T]],
    *,
    retries: int,
    delay: float,
    stop: asyncio.Event | None = None,
) -> T:
    """Run `attempt`; retry it after StartupUnreachable `retries` times, waiting `delay`
    seconds, doubling up to 30 s. The last failure becomes one StartupFailed line."""
    tries = retries + 1
    for n in range(1, tries + 1):
        try:
            return await attempt()
        except StartupUnreachable as exc:
            if n == tries:
                raise StartupFailed(texts_channels.gave_up(exc, tries)) from None
            log.warning(texts_channels.RETRY_LOG, what, exc, n, tries, delay)
            if stop is None:
                await asyncio.sleep(delay)
            else:
                try:
                    await asyncio.wait_for(stop.wait(), delay)
                except TimeoutError:
                    pass
                else:
                    raise StartupStopped from None
            delay = min(max(delay * 2, 0.1), MAX_RETRY_DELAY)
    raise AssertionError("unreachable")  # pragma: no cover


def webhook_url(settings: Settings, channel: str) -> str:
    assert settings.public_url
    return f"{settings.public_url.rstrip('/')}/{channel}/webhook"


def check_webhook_settings(settings: Settings) -> None:
    """Webhook mode needs a public HTTPS address and a secret per channel served; without
    them Telegram/Zalo could not reach the bot, or anyone could post updates to it."""
    if not settings.webhook_mode:
        return
    url = settings.public_url
    if not url:
        raise StartupFailed(texts_channels.NO_PUBLIC_URL)
    parts = urlsplit(url)
    # Plain http is accepted only on loopback, for a local fake API and the bench harness.
    if not parts.hostname or not (parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK)):
        raise StartupFailed(texts_channels.public_url_not_https(url))
    if parts.query or parts.fragment:
        raise StartupFailed(texts_channels.PUBLIC_URL_QUERY)
    if settings.telegram_token:
        secret = settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret else ""
        if not secret:
            raise StartupFailed(texts_channels.NO_TELEGRAM_SECRET)
        if not _TELEGRAM_SECRET.fullmatch(secret):
            raise StartupFailed(texts_channels.BAD_TELEGRAM_SECRET)
    if settings.zalo_token:
        secret = settings.zalo_webhook_secret.get_secret_value() if settings.zalo_webhook_secret else ""
        if not secret:
            raise StartupFailed(texts_channels.NO_ZALO_SECRET)
        if not 8 <= len(secret) <= 256:
            raise StartupFailed(texts_channels.BAD_ZALO_SECRET)


def hold_port(host: str, port: int, *, desk: bool = False) -> socket.socket:
    """The health/webhook server's listening socket (`desk`: the desk's own server's), bound
    and listening now, before the database is opened and any webhook registered; the server
    is handed this socket later.
    A busy port (another worker, another service) is one line at start, and a port free at
    start cannot be taken by another process while getMe and setWebhook are retried (a
    probe that let the socket go again left that window open: the bind failed after
    setWebhook, in tracebacks)."""
    # uvicorn's own rule for the address family, so the socket is the one it would bind.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        names = ("NHACVIEC_DESK_HOST", "NHACVIEC_DESK_PORT")
        if not desk:
            names = ("NHACVIEC_WEBHOOK_LISTEN", "NHACVIEC_WEBHOOK_PORT")
        if isinstance(exc, socket.gaierror):
            raise StartupFailed(texts_channels.bad_listen_host(host, names[0])) from None
        raise StartupFailed(texts_channels.port_busy(host, port, exc.strerror, names[1])) from None
    sock.set_inheritable(True)
    return sock


def check_writable(*folders: Path) -> None:
    """The folders for report files and evidence exist (made when missing) and take files."""
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            probe = folder / ".nhacviec-write-check"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise StartupFailed(texts_channels.folder_not_writable(folder, exc.strerror)) from None
