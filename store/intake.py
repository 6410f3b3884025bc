"""What the desk's plan intake reads back after activating a plan: the ward's queue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.enums import ReminderState
from store.models import Reminder


async def ward_queue(session: AsyncSession, ward_id: int) -> tuple[int, datetime | None]:
    """The ward's reminders waiting to be sent, and when the first of them is due."""
    row = (
        await session.execute(
            select(func.count(Reminder.id), func.min(Reminder.due_at)).where(
                Reminder.ward_id == ward_id, Reminder.state == ReminderState.PENDING
            )
        )
    ).one()
    return int(row[0]), row[1]
