"""Linking people: creating a person, issuing a single-use code, redeeming it, and the
brake on wrong codes. Shared by chat (/moi), the CLI (`nhacviec link`) and the desk."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.actions.common import ActionError, unit_id_of
from bot.texts import people as tp
from store import people
from store.enums import PersonRole
from store.models import Person
from store.people import CodeState

log = logging.getLogger(__name__)


ROLES = tuple(PersonRole)
# Wrong link codes are throttled per chat, and linking pauses for everyone only in a flood.
#
# A wrong code is one that was never issued: a typo or a guess. A code that exists but was
# used or has expired is no guess (it links nobody, whoever sends it), so it is answered
# for what it is and never counted; a chat sending the code it has just redeemed (the
# same message delivered twice, or forty times at once) is told it is linked. So the race
# of one valid code, from one chat or many, charges nobody.
#
# Per chat: 5 distinct wrong codes in 15 minutes, then that chat waits (the same wrong
# code sent again is not another guess). The chat's attempts are taken one at a time
# (store.people.hold_link_turn), so codes sent all at once cannot slip past the count.
#
# For everyone: what bounds a guesser's luck is the number of guesses against the number
# of live codes, whatever chats (or accounts) they come from. Each chat gets at most 5, so
# the brake counts distinct chats: when 8 chats have sent wrong codes within 15 minutes,
# nobody links until the window has passed (the log says so). That is at most ~40 guesses
# per 15 minutes (3,840 a day); with 10 live codes in a ward the odds that a day of guessing
# hits one are 3,840 × 10 / 1,000,000 ≈ 4 %. One chat, however many codes it sends, never
# trips it, and a few people mistyping on the same morning do not either.
LINK_FAILURE_WINDOW = timedelta(minutes=15)
LINK_FAILURE_LIMIT = 5  # distinct wrong codes from one chat
LINK_FLOOD_CHATS = 8  # distinct chats that sent a wrong code: a flood


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
    EVERYWHERE = "everywhere"  # wrong codes from many chats: a flood


async def link_throttled(session: AsyncSession, channel: str, chat_id: str, now: datetime) -> LinkRefusal | None:
    """Why a code must not even be tried now, or None. Takes the chat's linking turn first
    (held until the transaction ends), so the check and the failure it may record are one
    step for the chat."""
    await people.hold_link_turn(session, channel, chat_id)
    since = now - LINK_FAILURE_WINDOW
    if await people.link_failures_since(session, since, channel, chat_id) >= LINK_FAILURE_LIMIT:
        return LinkRefusal.CHAT
    if (chats := await people.link_failures_since(session, since)) >= LINK_FLOOD_CHATS:
        log.warning("linking paused: wrong codes from %d chats in the last 15 minutes", chats)
        return LinkRefusal.EVERYWHERE
    return None


@dataclass(frozen=True)
class Redeemed:
    """A code's outcome: the person the chat is now linked to, or why not."""

    person: Person | None
    state: CodeState | None = None


async def redeem_code(
    session: AsyncSession,
    code: str,
    channel: str,
    chat_id: str,
    sender_id: str | None,
    display_name: str,
    now: datetime,
) -> Redeemed:
    """Link the chat with a single-use code; only a code never issued counts as wrong."""
    person = await people.redeem_link_code(session, code, channel, chat_id, display_name, now, sender_id)
    if person is not None:
        return Redeemed(person)
    state = await people.code_state(session, code, channel, chat_id, now)
    if state == CodeState.UNKNOWN:
        await people.record_link_failure(session, channel, chat_id, code, now, LINK_FAILURE_WINDOW)
    return Redeemed(None, state)
