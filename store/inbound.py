"""Inbound messages, stored raw before they are interpreted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
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
