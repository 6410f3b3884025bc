"""One-time login links to the desk: what `/web` answers in chat, what `nhacviec desk-link`
prints, and how files reach an office on Zalo (`/export` answers with a link to /bao-cao)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import AppContext
from bot.settings import Settings
from scheduler.clock import ShiftedClock, SystemClock
from store.desk import add_token
from store.models import Person

LOGIN_PATH = "/dang-nhap/"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def desk_now(ctx: AppContext) -> datetime:
    """The time login links and sessions are judged by: the bot's clock, except in a demo
    whose clock is shifted and sped up (`run --now … --speed 600`), where 10 minutes of a
    link would pass in a second: there, real time."""
    return (SystemClock() if isinstance(ctx.clock, ShiftedClock) else ctx.clock).now()


def desk_base_url(settings: Settings) -> str:
    """Where people reach the desk: behind the deployment's HTTPS address when there is one
    (NHACVIEC_DESK_URL, else NHACVIEC_PUBLIC_URL), else the address it listens on."""
    if settings.desk_url:
        return settings.desk_url.rstrip("/")
    if settings.public_url:
        return settings.public_url.rstrip("/")
    host = settings.desk_host
    host = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
    return f"http://{host}:{settings.desk_port}"


async def issue_login_link(
    s: AsyncSession, settings: Settings, person: Person, now: datetime, target: str | None = None
) -> str:
    """A link that logs `person` in once, within NHACVIEC_DESK_LINK_MINUTES (default 10), and
    opens `target` (a desk path such as "/bao-cao"; default the ward's matrix). Only the
    token's hash is stored; the link itself is never logged."""
    token = secrets.token_urlsafe(24)
    if target is not None and not (target.startswith("/") and not target.startswith("//") and "\\" not in target):
        target = None  # only paths of the desk itself: a link never sends anyone elsewhere
    await add_token(s, hash_token(token), person, target, now, timedelta(minutes=settings.desk_link_minutes))
    return f"{desk_base_url(settings)}{LOGIN_PATH}{token}"


REPORT_PATH = "/bao-cao"
