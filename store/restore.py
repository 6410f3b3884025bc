"""What a restored database may already have sent, and when its backup was taken.

A backup is a moment B; the bot restored from it sees the outbox as it was at B. Every row
still pending (or in flight) then, due by the restore's cutoff, may have gone out between
B and the restore: its delivery was recorded only in the database that was replaced. Such
rows cannot be known to be unsent, so they are closed as dropped, marked RESTORED_UNKNOWN,
and never sent again (a repeat is worse than a gap the office is told about).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.enums import AttemptOutcome, ReminderState
from store.models import Assignment, BackupMark, DeliveryAttempt, Reminder, Unit

RESTORED_UNKNOWN = "restored_unknown"


async def record_backup(session: AsyncSession, taken_at: datetime, target: str | None, code_version: str) -> None:
    session.add(BackupMark(taken_at=taken_at, target=target, code_version=code_version))
    await session.flush()


async def last_backup(session: AsyncSession) -> datetime | None:
    """When the backup this database was restored from was taken (None: not known, a copy
    made by other means or before backups were marked)."""
    return (await session.execute(select(func.max(BackupMark.taken_at)))).scalar_one_or_none()


@dataclass
class WardGap:
    """One ward's rows closed by the restore: per unit, and the direct messages."""

    by_unit: Counter[str] = field(default_factory=Counter)
    direct: int = 0
    first_due: datetime | None = None
    last_due: datetime | None = None

    @property
    def total(self) -> int:
        return sum(self.by_unit.values()) + self.direct


async def close_unknown(session: AsyncSession, cutoff: datetime, now: datetime) -> dict[int, WardGap]:
    """Close every row pending with its next attempt at or before `cutoff`, and every row in
    flight, as dropped/RESTORED_UNKNOWN; returns what was closed, by ward."""
    unknown = or_(
        (Reminder.state == ReminderState.PENDING) & (Reminder.next_attempt_at <= cutoff),
        Reminder.state == ReminderState.SENDING,
    )
    stmt = (
        select(Reminder.id, Reminder.ward_id, Reminder.due_at, Unit.name)
        .outerjoin(Assignment, Reminder.assignment_id == Assignment.id)
        .outerjoin(Unit, Assignment.unit_id == Unit.id)
        .where(unknown)
    )
    gaps: dict[int, WardGap] = {}
    ids = []
    for rid, ward_id, due_at, unit_name in (await session.execute(stmt)).all():
        ids.append(rid)
        gap = gaps.setdefault(ward_id, WardGap())
        if unit_name is None:
            gap.direct += 1
        else:
            gap.by_unit[unit_name] += 1
        gap.first_due = min(gap.first_due or due_at, due_at)
        gap.last_due = max(gap.last_due or due_at, due_at)
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        await session.execute(
            update(Reminder)
            .where(Reminder.id.in_(chunk))
            .values(
                state=ReminderState.DROPPED,
                last_error=f"{RESTORED_UNKNOWN}: có thể đã gửi trước khi khôi phục bản sao lưu; không gửi lại",
                locked_by=None,
                locked_until=None,
                finished_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        await session.execute(
            update(DeliveryAttempt)
            .where(DeliveryAttempt.reminder_id.in_(chunk), DeliveryAttempt.outcome == AttemptOutcome.SENDING)
            .values(outcome=AttemptOutcome.UNKNOWN, error=RESTORED_UNKNOWN)
            .execution_options(synchronize_session=False)
        )
    return gaps


async def bot_seems_running(session: AsyncSession, now: datetime) -> bool:
    """A worker holds a live lease on some row: a bot is sending from this database now."""
    stmt = select(func.count()).where(Reminder.state == ReminderState.SENDING, Reminder.locked_until > now)
    return bool((await session.execute(stmt)).scalar_one())
