"""Inbound messages, stored raw before they are interpreted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import InboundMessage
from store.sql import insert_or_ignore
from store.text import storable_row


async def store_inbound(session: AsyncSession, row: dict[str, Any]) -> int | None:
    """Insert a raw inbound message once; None when this message was already stored.

    Characters no database keeps (NUL, lone surrogates) are stored as visible escapes and
    over-long ids and names cut to their columns, so a message is never lost to them."""
    ids = await insert_or_ignore(
        session, InboundMessage, [storable_row(InboundMessage, row)], ("channel", "chat_id", "message_id")
    )
    return ids[0] if ids else None


async def mark_processed(
    session: AsyncSession, inbound_id: int, now: datetime, outcome: str, identity_id: int | None
) -> None:
    await session.execute(
        update(InboundMessage)
        .where(InboundMessage.id == inbound_id)
        .values(processed_at=now, outcome=outcome, identity_id=identity_id)
    )


async def claim_answer(session: AsyncSession, inbound_id: int, now: datetime) -> bool:
    """Take the answering of a stored message: True for the one transaction that marks it
    processed first. A message answered live and again by the resumer (its first answer
    was cut by a database outage, or the other got there first) is answered once: the
    second waits for the first's row lock, then finds it processed."""
    result: Any = await session.execute(
        update(InboundMessage)
        .where(InboundMessage.id == inbound_id, InboundMessage.processed_at.is_(None))
        .values(processed_at=now)
    )
    return bool(result.rowcount == 1)


async def unanswered(
    session: AsyncSession, channels: Sequence[str], since: datetime, until: datetime, limit: int
) -> list[InboundMessage]:
    """Messages of `channels` stored between `since` and `until` and never answered (the
    process stopped or the database went away between storing and answering), oldest first."""
    rows = await session.scalars(
        select(InboundMessage)
        .where(
            InboundMessage.processed_at.is_(None),
            InboundMessage.channel.in_(list(channels)),
            InboundMessage.received_at >= since,
            InboundMessage.received_at <= until,
        )
        .order_by(InboundMessage.id)
        .limit(limit)
    )
    return list(rows)
