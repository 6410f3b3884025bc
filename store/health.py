"""What `nhacviec status` and GET /healthz read: the outbox of one ward at a glance."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.enums import AttemptOutcome, ReminderState
from store.models import ChannelPoll, DeliveryAttempt, Reminder

UNSENT = (ReminderState.PENDING, ReminderState.SENDING)


@dataclass(frozen=True)
class OutboxHealth:
    by_state: dict[str, int]  # rows per state
    due_now: int  # claimable now: pending and due, or sending with an expired lease
    oldest_unsent_due_at: datetime | None  # the earliest due_at among rows not yet sent
    last_ok_by_channel: dict[str, datetime]  # the last successful send per channel
    failures_since: dict[str, int]  # attempts that did not succeed since `since`, by outcome
    failed_rows_since: int  # rows given up (state failed) since `since`
    last_activity_at: datetime | None  # the last send started or row closed by a dispatcher

    @property
    def last_ok_at(self) -> datetime | None:
        return max(self.last_ok_by_channel.values(), default=None)


async def outbox_health(
    session: AsyncSession, ward_id: int | Collection[int], now: datetime, since: datetime
) -> OutboxHealth:
    """The outbox of one ward, or of several (a deployment serving a city: one process, one
    bot, one queue — its health is all of them together)."""
    ward = Reminder.ward_id == ward_id if isinstance(ward_id, int) else Reminder.ward_id.in_(list(ward_id))
    by_state = {
        str(state): int(count)
        for state, count in (
            await session.execute(select(Reminder.state, func.count()).where(ward).group_by(Reminder.state))
        ).all()
    }
    due_now = await session.scalar(
        select(func.count())
        .select_from(Reminder)
        .where(
            ward,
            or_(
                and_(Reminder.state == ReminderState.PENDING, Reminder.next_attempt_at <= now),
                and_(Reminder.state == ReminderState.SENDING, Reminder.locked_until < now),
            ),
        )
    )
    oldest = await session.scalar(
        select(func.min(Reminder.due_at)).where(ward, Reminder.state.in_(UNSENT), Reminder.due_at <= now)
    )
    of_ward = select(DeliveryAttempt).join(Reminder, DeliveryAttempt.reminder_id == Reminder.id).where(ward)
    attempts = of_ward.subquery()
    last_ok = {
        str(channel): at
        for channel, at in (
            await session.execute(
                select(attempts.c.channel, func.max(attempts.c.started_at))
                .where(attempts.c.outcome == AttemptOutcome.OK)
                .group_by(attempts.c.channel)
            )
        ).all()
        if at is not None
    }
    failures = {
        str(outcome): int(count)
        for outcome, count in (
            await session.execute(
                select(attempts.c.outcome, func.count())
                .where(
                    attempts.c.started_at >= since,
                    attempts.c.outcome.not_in((AttemptOutcome.OK, AttemptOutcome.SENDING)),
                )
                .group_by(attempts.c.outcome)
            )
        ).all()
    }
    failed_rows = await session.scalar(
        select(func.count())
        .select_from(Reminder)
        .where(ward, Reminder.state == ReminderState.FAILED, Reminder.finished_at >= since)
    )
    last_attempt = await session.scalar(select(func.max(attempts.c.started_at)))
    last_closed = await session.scalar(select(func.max(Reminder.finished_at)).where(ward))
    activity = [t for t in (last_attempt, last_closed) if t is not None]
    return OutboxHealth(
        by_state=by_state,
        due_now=int(due_now or 0),
        oldest_unsent_due_at=oldest,
        last_ok_by_channel=last_ok,
        failures_since=failures,
        failed_rows_since=int(failed_rows or 0),
        last_activity_at=max(activity, default=None),
    )


async def record_poll(
    session: AsyncSession,
    channel: str,
    worker: str,
    last_ok_at: datetime | None,
    failing_since: datetime | None,
    last_error: str | None,
    now: datetime,
) -> None:
    """The running bot's word on one poller (replaces the worker's previous row)."""
    row = await session.get(ChannelPoll, (channel, worker))
    if row is None:
        row = ChannelPoll(channel=channel, worker=worker, updated_at=now)
        session.add(row)
    row.last_ok_at, row.failing_since, row.last_error, row.updated_at = last_ok_at, failing_since, last_error, now


async def stopped_polls(
    session: AsyncSession, now: datetime, stale: timedelta, alive: timedelta
) -> dict[str, tuple[datetime, str | None]]:
    """Channels whose poller, in a worker that reported within `alive`, has been failing for
    `stale` or more: channel → (since, last error). A worker that stopped reporting is not
    judged here (the dead-man's switch sees a bot that stopped)."""
    rows = await session.scalars(
        select(ChannelPoll).where(
            ChannelPoll.updated_at >= now - alive,
            ChannelPoll.failing_since.is_not(None),
            ChannelPoll.failing_since <= now - stale,
        )
    )
    out: dict[str, tuple[datetime, str | None]] = {}
    for r in rows:
        assert r.failing_since is not None
        if r.channel not in out or r.failing_since < out[r.channel][0]:
            out[r.channel] = (r.failing_since, r.last_error)
    return out
