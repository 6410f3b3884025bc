"""Inbound messages, stored raw before they are interpreted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import InboundMessage
from store.sql import insert_or_ignore


async def store_inbound(session: AsyncSession, row: dict[str, Any]) -> int | None:
    """Insert a raw inbound message once; None when this message was already stored."""
    ids = await insert_or_ignore(session, InboundMessage, [row], ("channel", "chat_id", "message_id"))
    return ids[0] if ids else None


async def mark_processed(
    session: AsyncSession, inbound_id: int, now: datetime, outcome: str, identity_id: int | None
) -> None:
    await session.execute(
        update(InboundMessage)
        .where(InboundMessage.id == inbound_id)
        .values(processed_at=now, outcome=outcome, identity_id=identity_id)
    )
