"""Sessions of the desk: a signed, HttpOnly, SameSite=Lax cookie naming a session stored
hashed; idle expiry; a CSRF token per session checked on every POST; login links throttled
per address (a guesser of 32-byte tokens gets nowhere, but the log and the database should
not fill up either)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from bot.actions.desk_links import hash_token
from store.desk import Visitor, end_session, open_session, touch_session, visitor

COOKIE = "nhacviec_desk"
# A session lives at most this long even when used all day: a forgotten PC is closed overnight.
MAX_SESSION = timedelta(hours=12)
# The last-seen time is written at most this often (every page would otherwise write).
TOUCH_EVERY = timedelta(minutes=1)


def sign(secret: bytes, token: str) -> str:
    mac = hmac.new(secret, token.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{token}.{mac}"


def unsign(secret: bytes, value: str) -> str | None:
    token, _, mac = value.rpartition(".")
    if not token or not hmac.compare_digest(sign(secret, token), value):
        return None
    return token


@dataclass
class Throttle:
    """Wrong or used login links per client address, in a sliding window (in memory: one
    process serves the desk)."""

    limit: int = 10
    window: float = 15 * 60
    seen: dict[str, deque[float]] = field(default_factory=dict)

    def blocked(self, address: str) -> bool:
        hits = self._hits(address)
        return len(hits) >= self.limit

    def failed(self, address: str) -> None:
        self._hits(address).append(time.monotonic())

    def _hits(self, address: str) -> deque[float]:
        hits = self.seen.setdefault(address, deque())
        while hits and hits[0] < time.monotonic() - self.window:
            hits.popleft()
        if len(self.seen) > 10_000:  # never grows without bound
            self.seen = {address: hits}
        return hits


async def start_session(s: AsyncSession, person_id: int, now: datetime) -> tuple[str, str]:
    """A new session for the person: (cookie token, CSRF token)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    await open_session(s, hash_token(token), person_id, csrf, now)
    return token, csrf


async def session_visitor(
    s: AsyncSession, request: Request, secret: bytes, now: datetime, idle: timedelta
) -> Visitor | None:
    """The person whose live session the request's cookie names, or None."""
    raw = request.cookies.get(COOKIE)
    token = unsign(secret, raw) if raw else None
    if token is None:
        return None
    return await visitor(s, hash_token(token), now - idle, now - MAX_SESSION)


async def keep_alive(s: AsyncSession, found: Visitor, now: datetime) -> None:
    """Move the session's idle clock (at most once a minute)."""
    if now - found.seen_at >= TOUCH_EVERY:
        await touch_session(s, found.session_id, now)


async def close_session(s: AsyncSession, request: Request, secret: bytes, now: datetime) -> None:
    raw = request.cookies.get(COOKIE)
    token = unsign(secret, raw) if raw else None
    if token is not None:
        await end_session(s, hash_token(token), now)


def csrf_ok(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())
