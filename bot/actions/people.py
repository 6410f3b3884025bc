"""Linking people: creating a person, issuing a single-use code, redeeming it, and the
brake on wrong codes. Shared by chat (/moi), the CLI (`nhacviec link`) and the desk."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.actions.tasks import ActionError, unit_id_of
from bot.texts import people as tp
from store import people
from store.enums import PersonRole
from store.models import Person

log = logging.getLogger(__name__)


ROLES = tuple(PersonRole)
# Wrong link codes are throttled per chat and across all chats.
#
# A per-code limit would not slow a guesser: each wrong try names a different 6-digit code,
# so no code ever gathers failures. What bounds a guesser's luck is the number of guesses
# against the number of live codes, whatever chats (or accounts) they come from. So the
# limit "per code" is a limit on wrong codes from anywhere: with GLOBAL = 30 per 15 minutes
# (at most 2,880 guesses a day) and 10 live codes in a ward, the odds that a day of guessing
# hits one are 2,880 × 10 / 1,000,000 ≈ 3 %, while a person who mistypes is never near it.
# When it trips, nobody links until the window has passed (the log says so); that is the
# price of the bound, and linking is rare and arranged with the office.
LINK_FAILURE_WINDOW = timedelta(minutes=15)
LINK_FAILURE_LIMIT = 5  # per chat
LINK_FAILURE_GLOBAL_LIMIT = 30  # from all chats together


@dataclass(frozen=True)
class IssuedCode:
    code: str
    person_id: int
    expires_at: datetime


async def create_person(
    session: AsyncSession, ward_id: int, name: str, role: str, unit_code: str | None, now: datetime
) -> Person:
    if role not in ROLES:
        raise ActionError(tp.bad_role(role))
    unit_id = await unit_id_of(session, ward_id, unit_code)
    return await people.add_person(session, ward_id, name, role, unit_id, now)


async def issue_link_code(session: AsyncSession, person: Person, now: datetime, ttl: timedelta) -> IssuedCode:
    """A single-use 6-digit code; the person sends it to the bot to bind their chat."""
    for _ in range(20):
        code = f"{secrets.randbelow(1_000_000):06d}"
        if not await people.code_in_use(session, code):
            row = await people.add_link_code(session, person, code, now, ttl)
            return IssuedCode(code=code, person_id=person.id, expires_at=row.expires_at)
    raise ActionError(tp.NO_LINK_CODE)


class LinkRefusal(StrEnum):
    CHAT = "chat"  # this chat sent too many wrong codes
    EVERYWHERE = "everywhere"  # too many wrong codes from all chats together


async def link_throttled(session: AsyncSession, channel: str, chat_id: str, now: datetime) -> LinkRefusal | None:
    """Why a code must not even be tried now, or None."""
    since = now - LINK_FAILURE_WINDOW
    if await people.link_failures_since(session, since, channel, chat_id) >= LINK_FAILURE_LIMIT:
        return LinkRefusal.CHAT
    if await people.link_failures_since(session, since) >= LINK_FAILURE_GLOBAL_LIMIT:
        log.warning("linking paused: %d wrong codes from all chats in 15 minutes", LINK_FAILURE_GLOBAL_LIMIT)
        return LinkRefusal.EVERYWHERE
    return None


async def redeem_code(
    session: AsyncSession,
    code: str,
    channel: str,
    chat_id: str,
    sender_id: str | None,
    display_name: str,
    now: datetime,
) -> Person | None:
    """Link the chat with a single-use code; a wrong, used or expired code is counted."""
    person = await people.redeem_link_code(session, code, channel, chat_id, display_name, now, sender_id)
    if person is None:
        await people.record_link_failure(session, channel, chat_id, now, LINK_FAILURE_WINDOW)
    return person
