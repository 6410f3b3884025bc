"""People, their chats and link codes."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import ChatIdentity, LinkCode, LinkFailure, Person


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


async def link_chat(
    session: AsyncSession, person: Person, channel: str, chat_id: str, display_name: str, now: datetime
) -> ChatIdentity:
    """Bind a chat to a person (a chat linked before moves to the new person)."""
    identity = await identity_by_chat(session, channel, chat_id)
    if identity is None:
        identity = ChatIdentity(
            person_id=person.id, channel=channel, chat_id=chat_id, linked_at=now, display_name=display_name
        )
        session.add(identity)
    else:
        identity.person_id, identity.linked_at = person.id, now
        identity.unreachable_at = identity.unreachable_reason = None
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


async def link_failures_since(session: AsyncSession, channel: str, chat_id: str, since: datetime) -> int:
    count = await session.scalar(
        select(func.count(LinkFailure.id)).where(
            LinkFailure.channel == channel, LinkFailure.chat_id == chat_id, LinkFailure.at > since
        )
    )
    return count or 0


async def redeem_link_code(
    session: AsyncSession, code: str, channel: str, chat_id: str, display_name: str, now: datetime
) -> Person | None:
    """Bind the chat to the code's person; None (and a recorded failure) when the code is
    wrong, used or expired."""
    row = await session.scalar(select(LinkCode).where(LinkCode.code == code))
    if row is None or row.used_at is not None or row.expires_at <= now:
        session.add(LinkFailure(channel=channel, chat_id=chat_id, at=now))
        return None
    person = await session.get(Person, row.person_id)
    assert person is not None
    identity = await link_chat(session, person, channel, chat_id, display_name, now)
    row.used_at, row.used_by_identity_id = now, identity.id
    return person
