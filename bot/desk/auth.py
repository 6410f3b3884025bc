"""Sessions of the desk: a signed, HttpOnly, SameSite=Lax cookie naming a session stored
hashed; idle expiry; a CSRF token per session checked on every POST; login links throttled
per address (a guesser of 32-byte tokens gets nowhere, but the log and the database should
not fill up either)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Callable
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
    """Attempts in a sliding window, per key, in memory (one process serves the desk; a
    restart forgets, which only helps the office). Memory is bounded twice: a key keeps at
    most `limit` times, and the least recently seen keys are forgotten past `capacity` (a
    flood of new addresses or tokens pushes out old ones instead of growing the map)."""

    limit: int = 10
    window: float = 15 * 60
    capacity: int = 4096
    clock: Callable[[], float] = time.monotonic
    seen: OrderedDict[str, deque[float]] = field(default_factory=OrderedDict)

    def blocked(self, key: str) -> bool:
        hits = self._hits(key)
        return len(hits) >= self.limit

    def hit(self, key: str) -> None:
        self._hits(key).append(self.clock())

    def _hits(self, key: str) -> deque[float]:
        hits = self.seen.get(key)
        if hits is None:
            hits = self.seen[key] = deque(maxlen=self.limit)
            while len(self.seen) > self.capacity:
                self.seen.popitem(last=False)
        else:
            self.seen.move_to_end(key)
        since = self.clock() - self.window
        while hits and hits[0] < since:
            hits.popleft()
        return hits


@dataclass
class LoginThrottle:
    """Login links: wrong, used or expired links per client address (slows guessing; a valid
    link still works, since the whole office may come through one proxy address), and every
    attempt on one link (a link opened over and over — by a preview robot, say — is answered
    429 without asking the database). Tokens are kept as a short hash, never as given."""

    failures: Throttle = field(default_factory=lambda: Throttle(limit=10))
    per_link: Throttle = field(default_factory=lambda: Throttle(limit=12))

    def link_blocked(self, token: str) -> bool:
        key = hash_token(token)[:24]
        if self.per_link.blocked(key):
            return True
        self.per_link.hit(key)
        return False

    def address_blocked(self, address: str) -> bool:
        return self.failures.blocked(address)

    def failed(self, address: str) -> None:
        self.failures.hit(address)


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
