"""The people of a ward as the office manages them from chat: who is linked to each unit,
on which channels, when they last answered; unlinking; a head's away-until."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import ChatIdentity, LinkCode, Person, StatusReport

UNLINKED_REASON = "đã hủy liên kết"


@dataclass
class RosterEntry:
    person: Person
    channels: list[str] = field(default_factory=list)  # reachable chats' channels
    unreachable: list[str] = field(default_factory=list)  # channels marked unreachable
    last_answer: datetime | None = None


async def roster(session: AsyncSession, ward_id: int) -> list[RosterEntry]:
    """Everyone of the ward not unlinked, in the order they were added, with their chats
    and the time of their last status report."""
    persons = list(
        await session.scalars(
            select(Person).where(Person.ward_id == ward_id, Person.unlinked_at.is_(None)).order_by(Person.id)
        )
    )
    entries = {p.id: RosterEntry(p) for p in persons}
    if not entries:
        return []
    chats = await session.execute(
        select(ChatIdentity.person_id, ChatIdentity.channel, ChatIdentity.unreachable_at)
        .where(ChatIdentity.person_id.in_(list(entries)))
        .order_by(ChatIdentity.id)
    )
    for person_id, channel, unreachable_at in chats.all():
        entry = entries[person_id]
        target = entry.unreachable if unreachable_at is not None else entry.channels
        if channel not in target:
            target.append(channel)
    answers = await session.execute(
        select(StatusReport.person_id, func.max(StatusReport.created_at))
        .where(StatusReport.person_id.in_(list(entries)))
        .group_by(StatusReport.person_id)
    )
    for reporter, at in answers.all():
        if reporter is not None and at is not None:
            # SQLite's max() comes back without the column type: make it aware UTC again.
            entries[reporter].last_answer = at if isinstance(at, datetime) and at.tzinfo else _utc(at)
    return list(entries.values())


def _utc(value: object) -> datetime | None:
    from datetime import UTC

    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC)
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return None


async def unlink_person(session: AsyncSession, person: Person, now: datetime) -> int:
    """The person no longer acts nor receives: their chats are closed (a later code may link
    the same chat again, to anyone), their unused codes expire; the row and every report,
    message and delivery naming them stay. Returns how many chats were closed."""
    person.unlinked_at = now
    closed = await session.execute(
        update(ChatIdentity)
        .where(ChatIdentity.person_id == person.id, ChatIdentity.unreachable_at.is_(None))
        .values(
            unreachable_at=now,
            unreachable_reason=UNLINKED_REASON,
            pending_kind=None,
            pending_assignment_id=None,
            pending_text=None,
        )
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(LinkCode)
        .where(LinkCode.person_id == person.id, LinkCode.used_at.is_(None), LinkCode.expires_at > now)
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.flush()
    return int(getattr(closed, "rowcount", 0) or 0)


async def set_away(session: AsyncSession, person: Person, until: date | None) -> None:
    person.away_until = until
    await session.flush()
