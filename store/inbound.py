"""Inbound messages, stored raw before they are interpreted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import InboundMessage, UTCDateTime
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


_INBOUND = cast(Table, InboundMessage.__table__)
# Built once, as plain table updates: they run twice in every answer's transaction, where
# building an ORM-enabled UPDATE (and its session synchronisation) cost more than the update.
_MARK = (
    update(_INBOUND)
    .where(_INBOUND.c.id == bindparam("inbound_id"))
    .values(
        processed_at=bindparam("now", type_=UTCDateTime()),
        outcome=bindparam("outcome"),
        identity_id=bindparam("identity_id"),
    )
)
_CLAIM = (
    update(_INBOUND)
    .where(_INBOUND.c.id == bindparam("inbound_id"), _INBOUND.c.processed_at.is_(None))
    .values(
        processed_at=bindparam("now", type_=UTCDateTime()),
        outcome=bindparam("outcome"),
        identity_id=bindparam("identity_id"),
    )
)


async def mark_processed(
    session: AsyncSession, inbound_id: int, now: datetime, outcome: str, identity_id: int | None
) -> None:
    params = {"inbound_id": inbound_id, "now": now, "outcome": outcome, "identity_id": identity_id}
    await session.execute(_MARK, params)


async def claim_answer(
    session: AsyncSession, inbound_id: int, now: datetime, outcome: str, identity_id: int | None
) -> bool:
    """Mark a stored message answered, with how (`mark_processed`), unless it was marked
    already: True for the one transaction that marks it first. A message answered live and
    again by the resumer (its first answer was cut by a database outage, or the other got
    there first) is answered once: the later transaction waits for the first's row lock,
    finds it marked, and rolls back whatever it did (bot/conversation/handle.py)."""
    params = {"inbound_id": inbound_id, "now": now, "outcome": outcome, "identity_id": identity_id}
    result: Any = await session.execute(_CLAIM, params)
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
