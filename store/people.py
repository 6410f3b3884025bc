"""People, their chats and link codes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import String, cast, delete, distinct, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.enums import PersonRole
from store.models import ChatIdentity, LinkCode, LinkFailure, Person
from store.sql import insert_or_ignore


async def add_person(
    session: AsyncSession, ward_id: int, name: str, role: str, unit_id: int | None, now: datetime
) -> Person:
    person = Person(ward_id=ward_id, name=name, unit_id=unit_id, role=role, created_at=now)
    session.add(person)
    await session.flush()
    return person


async def identity_by_chat(session: AsyncSession, channel: str, chat_id: str) -> ChatIdentity | None:
    return await session.scalar(
        select(ChatIdentity).where(ChatIdentity.channel == channel, ChatIdentity.chat_id == chat_id)
    )


async def identity_with_person(session: AsyncSession, channel: str, chat_id: str) -> tuple[ChatIdentity, Person] | None:
    """The chat's identity and its person, in one statement: every answer starts with them."""
    row = (
        await session.execute(
            select(ChatIdentity, Person)
            .join(Person, Person.id == ChatIdentity.person_id)
            .where(ChatIdentity.channel == channel, ChatIdentity.chat_id == chat_id)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def link_chat(
    session: AsyncSession,
    person: Person,
    channel: str,
    chat_id: str,
    display_name: str,
    now: datetime,
    sender_id: str | None = None,
) -> ChatIdentity:
    """Bind a chat to a person, as used by `sender_id` (a chat linked before moves to the
    new person, and forgets any question asked of the one before)."""
    # Insert-or-ignore, so two codes redeemed at once in one chat cannot collide on the
    # (channel, chat_id) key: the later one moves the chat, as a later link would.
    await insert_or_ignore(
        session,
        ChatIdentity,
        [
            {
                "person_id": person.id,
                "channel": channel,
                "chat_id": chat_id,
                "display_name": display_name[:200],
                "sender_id": sender_id,
                "linked_at": now,
            }
        ],
        ("channel", "chat_id"),
    )
    identity = await identity_by_chat(session, channel, chat_id)
    assert identity is not None
    await session.refresh(identity)
    identity.person_id, identity.linked_at, identity.sender_id = person.id, now, sender_id
    identity.display_name = display_name[:200]
    identity.unreachable_at = identity.unreachable_reason = None
    identity.pending_kind = identity.pending_assignment_id = identity.pending_text = None
    await session.flush()
    if person.preferred_channel is None:
        person.preferred_channel = channel
    return identity


async def chat_names(session: AsyncSession, channel: str) -> dict[str, str]:
    """Per chat id of a channel, the name of the person linked to it."""
    rows = await session.execute(
        select(ChatIdentity.chat_id, Person.name)
        .join(Person, Person.id == ChatIdentity.person_id)
        .where(ChatIdentity.channel == channel)
    )
    return {chat_id: name for chat_id, name in rows.all()}


async def code_in_use(session: AsyncSession, code: str) -> bool:
    return await session.scalar(select(LinkCode.id).where(LinkCode.code == code)) is not None


async def add_link_code(session: AsyncSession, person: Person, code: str, now: datetime, ttl: timedelta) -> LinkCode:
    row = LinkCode(ward_id=person.ward_id, code=code, person_id=person.id, created_at=now, expires_at=now + ttl)
    session.add(row)
    await session.flush()
    return row


async def hold_link_turn(session: AsyncSession, channel: str, chat_id: str) -> None:
    """Take this chat's turn at linking until the transaction ends, so the per-chat limit
    is checked and charged as one step: forty codes sent at once from one chat are tried
    one after the other, not forty against the same count. SQLite needs nothing: every
    writing transaction begins IMMEDIATE, so they already run one at a time."""
    if session.get_bind().dialect.name == "postgresql":
        key = func.hashtextextended(f"link:{channel}:{chat_id}", 0)
        await session.execute(select(func.pg_advisory_xact_lock(key)))


async def link_failures_since(
    session: AsyncSession, since: datetime, channel: str | None = None, chat_id: str | None = None
) -> int:
    """From one chat: the distinct wrong codes it sent after `since` (the same wrong code
    sent again is not another guess). From anywhere (no chat given): how many distinct
    chats sent one — a flood is many chats, one chat is held by its own limit."""
    recent = LinkFailure.at > since
    if channel is not None:
        # Rows from before the code was recorded count one each.
        guess = func.coalesce(LinkFailure.code, cast(LinkFailure.id, String(24)))
        query = select(func.count(distinct(guess))).where(
            recent, LinkFailure.channel == channel, LinkFailure.chat_id == chat_id
        )
        return await session.scalar(query) or 0
    chats = select(LinkFailure.channel, LinkFailure.chat_id).where(recent).distinct().subquery()
    return await session.scalar(select(func.count()).select_from(chats)) or 0


async def record_link_failure(
    session: AsyncSession, channel: str, chat_id: str, code: str, now: datetime, keep: timedelta
) -> None:
    """Remember a wrong code; failures older than `keep` no longer count and are deleted."""
    await session.execute(delete(LinkFailure).where(LinkFailure.at <= now - keep))
    session.add(LinkFailure(channel=channel, chat_id=chat_id, code=code[:16], at=now))
    await session.flush()


class CodeState(StrEnum):
    """Why a code did not link (redeem_link_code returned None)."""

    UNKNOWN = "unknown"  # never issued: a typo or a guess
    LINKED_HERE = "linked_here"  # this very chat already redeemed it (the same code sent twice at once)
    USED = "used"  # redeemed by another chat (or its person was unlinked since)
    EXPIRED = "expired"


async def code_state(session: AsyncSession, code: str, channel: str, chat_id: str, now: datetime) -> CodeState:
    """What became of a code that could not be redeemed. Read after the conditional UPDATE
    of redeem_link_code, so on PostgreSQL a racing winner has committed by then."""
    row = (
        await session.execute(
            select(LinkCode.used_at, LinkCode.expires_at, LinkCode.person_id, ChatIdentity, Person.unlinked_at)
            .outerjoin(ChatIdentity, ChatIdentity.id == LinkCode.used_by_identity_id)
            .outerjoin(Person, Person.id == LinkCode.person_id)
            .where(LinkCode.code == code)
        )
    ).first()
    if row is None:
        return CodeState.UNKNOWN
    used_at, expires_at, person_id, identity, unlinked_at = row
    if used_at is None:
        return CodeState.EXPIRED if expires_at <= now else CodeState.UNKNOWN
    here = (
        identity is not None
        and (identity.channel, identity.chat_id) == (channel, chat_id)
        and identity.person_id == person_id
        and unlinked_at is None
    )
    return CodeState.LINKED_HERE if here else CodeState.USED


async def redeem_link_code(
    session: AsyncSession,
    code: str,
    channel: str,
    chat_id: str,
    display_name: str,
    now: datetime,
    sender_id: str | None = None,
) -> Person | None:
    """Bind the chat to the code's person; None when the code is wrong, used or expired.

    The code is taken by one conditional UPDATE … RETURNING: of two workers redeeming the
    same code at the same moment, PostgreSQL makes the second wait for the first and then
    finds `used_at` set (SQLite serialises the two writers), so one chat is linked, never two."""
    taken = await session.execute(
        update(LinkCode)
        .where(LinkCode.code == code, LinkCode.used_at.is_(None), LinkCode.expires_at > now)
        .values(used_at=now)
        .returning(LinkCode.id, LinkCode.person_id)
        .execution_options(synchronize_session=False)
    )
    row = taken.first()
    if row is None:
        return None
    code_id, person_id = row
    person = await session.get(Person, person_id)
    assert person is not None
    identity = await link_chat(session, person, channel, chat_id, display_name, now, sender_id)
    await session.execute(
        update(LinkCode)
        .where(LinkCode.id == code_id)
        .values(used_by_identity_id=identity.id)
        .execution_options(synchronize_session=False)
    )
    return person


async def adopt_sender(session: AsyncSession, identity: ChatIdentity, sender_id: str) -> None:
    """A chat linked before senders were recorded takes the sender of its first private
    message (in a private chat, the sender is the chat's owner)."""
    identity.sender_id = sender_id
    await session.flush()


async def units_with_receivers(session: AsyncSession, ward_id: int, unit_ids: Iterable[int]) -> set[int]:
    """Of `unit_ids`, the units with someone who would receive their reminders: a head, a
    deputy or the unit's office staff with a linked chat not marked unreachable."""
    ids = set(unit_ids)
    if not ids:
        return set()
    rows = await session.scalars(
        select(Person.unit_id)
        .join(ChatIdentity, ChatIdentity.person_id == Person.id)
        .where(
            Person.ward_id == ward_id,
            Person.unit_id.in_(ids),
            Person.role.in_((PersonRole.HEAD, PersonRole.DEPUTY, PersonRole.OFFICE)),
            Person.unlinked_at.is_(None),
            ChatIdentity.unreachable_at.is_(None),
        )
        .distinct()
    )
    return {unit_id for unit_id in rows if unit_id is not None}
