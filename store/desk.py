"""The desk's (the office's web page) one-time login links and sessions.

Only hashes are stored: a database dump does not let anyone in. A link is taken by one
conditional UPDATE … RETURNING, so two clicks (or two workers) redeem it once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import (
    Assignment,
    ChatIdentity,
    DeskKey,
    DeskSession,
    DeskToken,
    Evidence,
    Occurrence,
    Person,
    Unit,
    Ward,
)
from store.sql import insert_or_ignore


async def shared_key(session: AsyncSession, name: str, candidate: str) -> str:
    """The stored key `name`; `candidate` is stored first when there is none (the first of
    several workers to ask wins, the others read its key)."""
    await insert_or_ignore(session, DeskKey, [{"name": name, "value": candidate}], ("name",))
    value = await session.scalar(select(DeskKey.value).where(DeskKey.name == name))
    assert value is not None
    return value


async def add_token(
    session: AsyncSession, token_hash: str, person: Person, target: str | None, now: datetime, ttl: timedelta
) -> DeskToken:
    row = DeskToken(
        token_hash=token_hash,
        person_id=person.id,
        ward_id=person.ward_id,
        target=target,
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(row)
    await session.flush()
    return row


async def token_usable(session: AsyncSession, token_hash: str, now: datetime) -> bool:
    """Whether the link could still be used (nothing is consumed)."""
    found = await session.scalar(
        select(DeskToken.id).where(
            DeskToken.token_hash == token_hash, DeskToken.used_at.is_(None), DeskToken.expires_at > now
        )
    )
    return found is not None


async def take_token(session: AsyncSession, token_hash: str, now: datetime) -> tuple[int, str | None] | None:
    """Use the link: (person id, target), or None when it is wrong, used or expired."""
    taken = await session.execute(
        update(DeskToken)
        .where(DeskToken.token_hash == token_hash, DeskToken.used_at.is_(None), DeskToken.expires_at > now)
        .values(used_at=now)
        .returning(DeskToken.person_id, DeskToken.target)
        .execution_options(synchronize_session=False)
    )
    row = taken.first()
    return (row[0], row[1]) if row is not None else None


async def open_session(
    session: AsyncSession, session_hash: str, person_id: int, csrf: str, now: datetime
) -> DeskSession:
    row = DeskSession(session_hash=session_hash, person_id=person_id, csrf=csrf, created_at=now, seen_at=now)
    session.add(row)
    await session.flush()
    return row


@dataclass(frozen=True)
class Visitor:
    """Who a live session belongs to."""

    session_id: int
    csrf: str
    person_id: int
    name: str
    role: str
    ward_id: int
    unit_id: int | None
    seen_at: datetime


async def visitor(
    session: AsyncSession, session_hash: str, idle_since: datetime, started_since: datetime
) -> Visitor | None:
    """The person of a session seen after `idle_since` and opened after `started_since`,
    not ended, the person not unlinked; None otherwise."""
    row = (
        await session.execute(
            select(DeskSession, Person)
            .join(Person, Person.id == DeskSession.person_id)
            .where(
                DeskSession.session_hash == session_hash,
                DeskSession.ended_at.is_(None),
                DeskSession.seen_at > idle_since,
                DeskSession.created_at > started_since,
                Person.unlinked_at.is_(None),
            )
        )
    ).first()
    if row is None:
        return None
    s, p = row
    return Visitor(s.id, s.csrf, p.id, p.name, p.role, p.ward_id, p.unit_id, s.seen_at)


async def touch_session(session: AsyncSession, session_id: int, now: datetime) -> None:
    await session.execute(
        update(DeskSession)
        .where(DeskSession.id == session_id)
        .values(seen_at=now)
        .execution_options(synchronize_session=False)
    )


async def end_session(session: AsyncSession, session_hash: str, now: datetime) -> None:
    await session.execute(
        update(DeskSession)
        .where(DeskSession.session_hash == session_hash, DeskSession.ended_at.is_(None))
        .values(ended_at=now)
        .execution_options(synchronize_session=False)
    )


async def find_person(session: AsyncSession, ward_id: int, name: str, role: str, unit_id: int | None) -> Person | None:
    """A person of the ward by exact name, role and unit, not unlinked (the oldest)."""
    stmt = select(Person).where(
        Person.ward_id == ward_id, Person.name == name, Person.role == role, Person.unlinked_at.is_(None)
    )
    stmt = stmt.where(Person.unit_id.is_(None) if unit_id is None else Person.unit_id == unit_id)
    return await session.scalar(stmt.order_by(Person.id).limit(1))


async def person_by_id(session: AsyncSession, person_id: int) -> Person | None:
    return await session.get(Person, person_id)


async def ward_names(session: AsyncSession, ward_ids: list[int]) -> dict[int, str]:
    if not ward_ids:
        return {}
    rows = await session.execute(select(Ward.id, Ward.name).where(Ward.id.in_(ward_ids)))
    return {wid: name for wid, name in rows.all()}


async def unreachable_chats(session: AsyncSession, ward_id: int) -> int:
    """How many chats of the ward's people are marked unreachable."""
    found = await session.scalar(
        select(func.count(ChatIdentity.id))
        .join(Person, Person.id == ChatIdentity.person_id)
        .where(Person.ward_id == ward_id, ChatIdentity.unreachable_at.is_not(None), Person.unlinked_at.is_(None))
    )
    return int(found or 0)


async def pending_extension_assignments(session: AsyncSession, ward_id: int) -> set[int]:
    """Assignments of the ward with an extension request waiting for the office."""
    from store.models import ExtensionRequest

    rows = await session.scalars(
        select(ExtensionRequest.assignment_id).where(
            ExtensionRequest.ward_id == ward_id, ExtensionRequest.state == "pending"
        )
    )
    return set(rows)


async def evidence_of_task(session: AsyncSession, ward_id: int, task_id: int) -> list[tuple[Evidence, str, str | None]]:
    """Every piece of evidence given for a task: (evidence, unit code, who gave it), oldest first."""
    stmt = (
        select(Evidence, Unit.code, Person.name)
        .join(Assignment, Evidence.assignment_id == Assignment.id)
        .join(Occurrence, Assignment.occurrence_id == Occurrence.id)
        .join(Unit, Assignment.unit_id == Unit.id)
        .outerjoin(Person, Evidence.person_id == Person.id)
        .where(Evidence.ward_id == ward_id, Occurrence.task_id == task_id)
        .order_by(Evidence.created_at, Evidence.id)
    )
    return [(ev, code, name) for ev, code, name in (await session.execute(stmt)).all()]


async def evidence_item(session: AsyncSession, evidence_id: int) -> tuple[Evidence, int] | None:
    """One piece of evidence and the unit id it belongs to."""
    row = (
        await session.execute(
            select(Evidence, Assignment.unit_id)
            .join(Assignment, Evidence.assignment_id == Assignment.id)
            .where(Evidence.id == evidence_id)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


@dataclass(frozen=True)
class DeskHistoryRow:
    at: datetime
    unit_code: str
    role: str
    occurrence_key: str
    status: str
    percent: int | None
    note: str | None
    review: str | None
    person: str | None
    channel: str | None  # telegram, zalo, console, office (recorded on the unit's behalf), desk
    text: str | None
    sender_name: str | None
    retracted_at: datetime | None = None  # taken back by its sender ("sai"): shown, not counted


async def desk_history(session: AsyncSession, ward_id: int, task_id: int, limit: int = 200) -> list[DeskHistoryRow]:
    """Every report on a task, newest first, with the channel it came through."""
    from store.models import InboundMessage, StatusReport

    stmt = (
        select(
            StatusReport.created_at,
            Unit.code,
            Assignment.role,
            Occurrence.key,
            StatusReport.status,
            StatusReport.percent,
            StatusReport.note,
            StatusReport.review,
            Person.name,
            InboundMessage.channel,
            InboundMessage.text,
            InboundMessage.sender_name,
            StatusReport.retracted_at,
        )
        .join(Assignment, StatusReport.assignment_id == Assignment.id)
        .join(Occurrence, Assignment.occurrence_id == Occurrence.id)
        .join(Unit, Assignment.unit_id == Unit.id)
        .outerjoin(Person, StatusReport.person_id == Person.id)
        .outerjoin(InboundMessage, StatusReport.inbound_id == InboundMessage.id)
        .where(Unit.ward_id == ward_id, Occurrence.task_id == task_id)
        .order_by(StatusReport.created_at.desc(), StatusReport.id.desc())
        .limit(limit)
    )
    return [
        DeskHistoryRow(at, code, role, key, status, percent, note, review, person, channel, text, sender, retracted)
        for at, code, role, key, status, percent, note, review, person, channel, text, sender, retracted in (
            await session.execute(stmt)
        ).all()
    ]
