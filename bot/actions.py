"""Things people make happen — linking, reporting a status, nudging, activating — shared by
the chat conversation and the CLI so both behave the same."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.replies import ParsedReply
from store.models import Assignment, ChatIdentity, InboundMessage, LinkCode, LinkFailure, Person, StatusReport, Task
from store.outbox import insert_reminders, reminder_row
from store.queries import current_assignments, task_by_stt, unit_by_code

ROLES = ("head", "office", "leader")
LINK_FAILURE_WINDOW = timedelta(minutes=15)
LINK_FAILURE_LIMIT = 5


class ActionError(ValueError):
    """A refused action; the message is Vietnamese and safe to show."""


@dataclass(frozen=True)
class IssuedCode:
    code: str
    person_id: int
    expires_at: datetime


async def _unit_id(session: AsyncSession, ward_id: int, unit_code: str | None) -> int | None:
    if unit_code is None:
        return None
    unit = await unit_by_code(session, ward_id, unit_code)
    if unit is None:
        raise ActionError(f"Không có đơn vị {unit_code}")
    return unit.id


async def create_person(
    session: AsyncSession, ward_id: int, name: str, role: str, unit_code: str | None, now: datetime
) -> Person:
    if role not in ROLES:
        raise ActionError(f"Vai trò không hợp lệ: {role} (head, office hoặc leader)")
    unit_id = await _unit_id(session, ward_id, unit_code)
    person = Person(ward_id=ward_id, name=name, unit_id=unit_id, role=role, created_at=now)
    session.add(person)
    await session.flush()
    return person


async def issue_link_code(session: AsyncSession, person: Person, now: datetime, ttl: timedelta) -> IssuedCode:
    """A single-use 6-digit code; the person sends it to the bot to bind their chat."""
    for _ in range(20):
        code = f"{secrets.randbelow(1_000_000):06d}"
        taken = await session.scalar(select(LinkCode.id).where(LinkCode.code == code))
        if taken is None:
            session.add(
                LinkCode(ward_id=person.ward_id, code=code, person_id=person.id, created_at=now, expires_at=now + ttl)
            )
            await session.flush()
            return IssuedCode(code=code, person_id=person.id, expires_at=now + ttl)
    raise ActionError("Không tạo được mã liên kết, xin thử lại")


async def link_throttled(session: AsyncSession, channel: str, chat_id: str, now: datetime) -> bool:
    count = await session.scalar(
        select(func.count(LinkFailure.id)).where(
            LinkFailure.channel == channel, LinkFailure.chat_id == chat_id, LinkFailure.at > now - LINK_FAILURE_WINDOW
        )
    )
    return (count or 0) >= LINK_FAILURE_LIMIT


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
    identity = await session.scalar(
        select(ChatIdentity).where(ChatIdentity.channel == channel, ChatIdentity.chat_id == chat_id)
    )
    if identity is None:
        identity = ChatIdentity(
            person_id=person.id, channel=channel, chat_id=chat_id, linked_at=now, display_name=display_name
        )
        session.add(identity)
    else:
        identity.person_id, identity.linked_at = person.id, now
        identity.unreachable_at = identity.unreachable_reason = None
    await session.flush()
    row.used_at, row.used_by_identity_id = now, identity.id
    if person.preferred_channel is None:
        person.preferred_channel = channel
    return person


async def record_status(
    session: AsyncSession,
    assignment_id: int,
    person_id: int | None,
    inbound_id: int | None,
    parsed: ParsedReply,
    now: datetime,
) -> Assignment:
    """Keep the report and update the assignment's latest status."""
    assignment = await session.get(Assignment, assignment_id)
    assert assignment is not None
    session.add(
        StatusReport(
            assignment_id=assignment_id,
            person_id=person_id,
            inbound_id=inbound_id,
            status=parsed.status,
            percent=parsed.percent,
            note=parsed.note,
            created_at=now,
        )
    )
    assignment.status = parsed.status
    assignment.percent = parsed.percent
    if parsed.note:
        assignment.note = parsed.note
    assignment.status_at = now
    if parsed.status == "done":
        assignment.done_at = assignment.done_at or now
    else:
        assignment.done_at = None
    return assignment


async def queue_manual_reminder(
    session: AsyncSession, ward_id: int, stt: int, unit_code: str | None, now: datetime, today: date
) -> int:
    """Queue an immediate reminder of task `stt` for its units (or one unit)."""
    task = await task_by_stt(session, ward_id, stt)
    if task is None:
        raise ActionError(f"Không có nhiệm vụ số {stt}")
    unit_id = await _unit_id(session, ward_id, unit_code)
    views = [v for v in await current_assignments(session, ward_id, today, unit_id) if v.task_stt == stt]
    if not views:
        raise ActionError(
            f"Nhiệm vụ {stt} chưa có đơn vị nào cần nhắc"
            + (" (chưa kích hoạt?)" if task.deadline_kind == "conditional" else "")
        )
    stamp = int(now.timestamp() * 1000)
    rows = [reminder_row(ward_id, f"m:{v.id}:{stamp}", "manual", now, now, assignment_id=v.id) for v in views]
    return await insert_reminders(session, rows)


async def activate_task(session: AsyncSession, ward_id: int, stt: int, due: date) -> Task:
    task = await task_by_stt(session, ward_id, stt)
    if task is None:
        raise ActionError(f"Không có nhiệm vụ số {stt}")
    if task.deadline_kind != "conditional":
        raise ActionError(f'Nhiệm vụ {stt} đã có thời hạn "{task.deadline_text}", không cần kích hoạt')
    task.activated_due = due
    return task


async def store_inbound(session: AsyncSession, row: dict[str, object]) -> int | None:
    """Insert a raw inbound message once; None when this message was already stored."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(InboundMessage)
        .values(**row)
        .on_conflict_do_nothing(index_elements=["channel", "chat_id", "message_id"])
        .returning(InboundMessage.id)
    )
    return (await session.execute(stmt)).scalar()
