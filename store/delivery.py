"""The dispatcher's reads and writes: claimed rows, who can receive them, what happened."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.enums import AssignmentRole, AttemptOutcome, PersonRole, ReminderState
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
        elif rid is not None:
            out.setdefault(rid, set()).add(0)  # a reply to a stranger (no person row)
    return out


async def people_for_rows(
    session: AsyncSession, ward_ids: Iterable[int], person_ids: Iterable[int], unit_ids: Iterable[int]
) -> list[Person]:
    """The people a batch of outbox rows may go to: those the rows name, the units' people
    (heads, deputies, and office people of a unit), and the wards' office and leaders. Not
    every person of the wards: a reply would load a province's people (the reply's time grew
    with the number of people linked)."""
    stmt = (
        select(Person)
        .where(
            Person.ward_id.in_(list(ward_ids)),
            or_(
                Person.id.in_(list(person_ids)),
                Person.unit_id.in_(list(unit_ids)),
                Person.role.in_((PersonRole.OFFICE, PersonRole.LEADER)),
            ),
        )
        .order_by(Person.id)
    )
    return list(await session.scalars(stmt))


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


async def add_attempts(
    session: AsyncSession,
    sends: Sequence[tuple[int, int | None, int | None, str, str]],
    worker: str,
    now: datetime,
) -> list[int]:
    """Write each send about to happen — (reminder, identity, person, channel, chat) — as
    an attempt with outcome "sending", before the request leaves; ids in the same order."""
    rows = [
        DeliveryAttempt(
            reminder_id=rid,
            identity_id=identity_id,
            person_id=person_id,
            channel=channel,
            chat_id=chat_id,
            worker=worker,
            started_at=now,
            duration_ms=0,
            outcome=AttemptOutcome.SENDING,
        )
        for rid, identity_id, person_id, channel, chat_id in sends
    ]
    session.add_all(rows)
    await session.flush()
    return [r.id for r in rows]


@dataclass(frozen=True)
class AttemptResult:
    attempt_id: int
    outcome: AttemptOutcome
    duration_ms: int
    error: str | None
    provider_message_id: str | None


_attempts = cast(Table, DeliveryAttempt.__table__)
_FINISH_ATTEMPT = (
    update(_attempts)
    .where(_attempts.c.id == bindparam("aid"))
    .values(
        outcome=bindparam("out"),
        duration_ms=bindparam("ms"),
        error=bindparam("err"),
        provider_message_id=bindparam("mid"),
    )
)


async def update_attempts(session: AsyncSession, results: Sequence[AttemptResult]) -> None:
    """Record how each send ended, in one round trip."""
    if not results:
        return
    connection = await session.connection()
    await connection.execute(
        _FINISH_ATTEMPT,
        [
            {"aid": r.attempt_id, "out": r.outcome, "ms": r.duration_ms, "err": r.error, "mid": r.provider_message_id}
            for r in results
        ],
    )


async def delete_attempts(session: AsyncSession, attempt_ids: Sequence[int]) -> None:
    """Forget "sending" attempts whose send never started (shutdown before their turn)."""
    if attempt_ids:
        await session.execute(
            delete(DeliveryAttempt).where(
                DeliveryAttempt.id.in_(list(attempt_ids)), DeliveryAttempt.outcome == AttemptOutcome.SENDING
            )
        )


async def orphaned_attempts_to_unknown(session: AsyncSession, reminder_ids: Sequence[int]) -> int:
    """A claimed row's attempts still "sending" were cut short by a crash: they may have
    been delivered. Mark them unknown (kept: this is how a duplicate is counted)."""
    if not reminder_ids:
        return 0
    result = await session.execute(
        update(DeliveryAttempt)
        .where(DeliveryAttempt.reminder_id.in_(list(reminder_ids)), DeliveryAttempt.outcome == AttemptOutcome.SENDING)
        .values(outcome=AttemptOutcome.UNKNOWN, error="tiến trình dừng trước khi ghi kết quả gửi")
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def release(session: AsyncSession, worker: str, reminder_ids: Sequence[int]) -> None:
    """Give claimed rows back at once (shutdown before their turn): no lease to wait out."""
    if reminder_ids:
        await session.execute(
            update(Reminder)
            .where(Reminder.id.in_(list(reminder_ids)), Reminder.locked_by == worker)
            .values(state=ReminderState.PENDING, locked_by=None, locked_until=None)
            .execution_options(synchronize_session=False)
        )


async def renew_lease(session: AsyncSession, worker: str, reminder_ids: Sequence[int], until: datetime) -> set[int]:
    """Extend `worker`'s lease on the rows it still holds (a batch waiting out a 429 or a
    hung API must not be handed to another worker); returns the ids it still holds."""
    if not reminder_ids:
        return set()
    held = await session.execute(
        update(Reminder)
        .where(
            Reminder.id.in_(list(reminder_ids)),
            Reminder.locked_by == worker,
            Reminder.state == ReminderState.SENDING,
        )
        .values(locked_until=until)
        .returning(Reminder.id)
        .execution_options(synchronize_session=False)
    )
    return {int(row[0]) for row in held.all()}


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


async def reply_targets(session: AsyncSession, channel: str, chat_id: str, provider_message_id: str) -> list[int]:
    """The assignments of the reminder message a chat message replies to (a grouped
    message carried several rows, each recorded with the same provider message id)."""
    rows = await session.scalars(
        select(Reminder.assignment_id)
        .distinct()
        .join(DeliveryAttempt, DeliveryAttempt.reminder_id == Reminder.id)
        .where(
            DeliveryAttempt.channel == channel,
            DeliveryAttempt.chat_id == chat_id,
            DeliveryAttempt.provider_message_id == provider_message_id,
            Reminder.assignment_id.is_not(None),
        )
    )
    return [aid for aid in rows if aid is not None]
