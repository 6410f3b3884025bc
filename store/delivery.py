"""The dispatcher's reads and writes: claimed rows, who can receive them, what happened."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from store.enums import AssignmentRole, AttemptOutcome
from store.models import Assignment, ChatIdentity, DeliveryAttempt, Person, Reminder, Unit


async def claimed_rows(session: AsyncSession, ids: Iterable[int], worker: str) -> list[Reminder]:
    """The rows among `ids` that `worker` still holds, oldest first."""
    rows = await session.scalars(select(Reminder).where(Reminder.id.in_(list(ids))).order_by(Reminder.id))
    return [r for r in rows if r.locked_by == worker]


async def rows_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, Reminder]:
    return {r.id: r for r in await session.scalars(select(Reminder).where(Reminder.id.in_(list(ids))))}


async def delivered_people(session: AsyncSession, reminder_ids: Sequence[int]) -> dict[int, set[int]]:
    """Per reminder, the people who already received it (a row cut short is resumed)."""
    out: dict[int, set[int]] = {}
    stmt = select(DeliveryAttempt.reminder_id, DeliveryAttempt.person_id).where(
        DeliveryAttempt.reminder_id.in_(list(reminder_ids)), DeliveryAttempt.outcome == AttemptOutcome.OK
    )
    for rid, pid in (await session.execute(stmt)).all():
        if rid is not None and pid is not None:
            out.setdefault(rid, set()).add(pid)
    return out


async def people_of_wards(session: AsyncSession, ward_ids: Iterable[int]) -> list[Person]:
    return list(await session.scalars(select(Person).where(Person.ward_id.in_(list(ward_ids))).order_by(Person.id)))


async def reachable_identities(session: AsyncSession, person_ids: Iterable[int]) -> dict[int, list[ChatIdentity]]:
    """Per person, the chats not marked unreachable, in linking order."""
    out: dict[int, list[ChatIdentity]] = {}
    stmt = (
        select(ChatIdentity)
        .where(ChatIdentity.person_id.in_(list(person_ids)), ChatIdentity.unreachable_at.is_(None))
        .order_by(ChatIdentity.id)
    )
    for identity in await session.scalars(stmt):
        out.setdefault(identity.person_id, []).append(identity)
    return out


async def lead_unit_names(session: AsyncSession, occurrence_ids: Iterable[int]) -> dict[int, list[str]]:
    """Per occurrence, the names of its lead units (a coordinating unit is told who leads)."""
    out: dict[int, list[str]] = {}
    ids = list(occurrence_ids)
    if not ids:
        return out
    stmt = (
        select(Assignment.occurrence_id, Unit.name)
        .join(Unit, Assignment.unit_id == Unit.id)
        .where(Assignment.occurrence_id.in_(ids), Assignment.role == AssignmentRole.LEAD, Assignment.active)
        .order_by(Unit.code)
    )
    for occ_id, name in (await session.execute(stmt)).all():
        out.setdefault(occ_id, []).append(name)
    return out


@dataclass(frozen=True)
class AttemptRecord:
    reminder_id: int
    identity_id: int
    person_id: int
    channel: str
    chat_id: str
    worker: str
    started_at: datetime
    duration_ms: int
    outcome: str
    error: str | None
    provider_message_id: str | None


def add_attempts(session: AsyncSession, records: Iterable[AttemptRecord]) -> None:
    session.add_all(
        DeliveryAttempt(
            reminder_id=r.reminder_id,
            identity_id=r.identity_id,
            person_id=r.person_id,
            channel=r.channel,
            chat_id=r.chat_id,
            worker=r.worker,
            started_at=r.started_at,
            duration_ms=r.duration_ms,
            outcome=r.outcome,
            error=r.error,
            provider_message_id=r.provider_message_id,
        )
        for r in records
    )


@dataclass(frozen=True)
class Unreachable:
    """A chat just marked unreachable, with what the office is told about it."""

    identity_id: int
    linked_at: datetime
    channel: str
    person_name: str
    unit_name: str


async def mark_unreachable(
    session: AsyncSession, identity_id: int, now: datetime, reason: str | None
) -> Unreachable | None:
    """Mark the chat unreachable; None when it already was (the office is told once)."""
    identity = await session.get(ChatIdentity, identity_id)
    if identity is None or identity.unreachable_at is not None:
        return None
    identity.unreachable_at, identity.unreachable_reason = now, reason
    person = await session.get(Person, identity.person_id)
    unit = await session.get(Unit, person.unit_id) if person and person.unit_id else None
    return Unreachable(
        identity_id=identity.id,
        linked_at=identity.linked_at,
        channel=identity.channel,
        person_name=person.name if person else "?",
        unit_name=unit.name if unit else "—",
    )


async def reply_target(session: AsyncSession, channel: str, chat_id: str, provider_message_id: str) -> int | None:
    """The assignment of the reminder that a chat message replies to."""
    return await session.scalar(
        select(Reminder.assignment_id)
        .join(DeliveryAttempt, DeliveryAttempt.reminder_id == Reminder.id)
        .where(
            DeliveryAttempt.channel == channel,
            DeliveryAttempt.chat_id == chat_id,
            DeliveryAttempt.provider_message_id == provider_message_id,
        )
    )
