"""Outbox rows: idempotent inserts and atomic claiming with a lease."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.db import Database
from store.delivery import add_attempts
from store.enums import ReminderKind, ReminderState
from store.models import Person, Reminder, UTCDateTime
from store.sql import count_insert_or_ignore, insert_or_ignore
from store.text import storable

# session.info key: the transaction queued rows a dispatcher has to claim.
_QUEUED = "nhacviec_outbox_queued"


def queued_for_claim(session: AsyncSession) -> bool:
    """Whether this session's transaction queued outbox rows waiting for a claim (anything
    but an answer written claimed, `queue_leased_reply`): the running dispatcher is woken
    to claim them once it commits."""
    return bool(session.info.get(_QUEUED))


async def insert_reminders(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    """Insert outbox rows once per (ward, key); returns how many rows were new."""
    new = await count_insert_or_ignore(session, Reminder, rows, ("ward_id", "key"))
    if new:
        session.info[_QUEUED] = True
    return new


def reminder_row(
    ward_id: int,
    key: str,
    kind: str,  # a ReminderKind; a string outside it is refused when the row is written
    due_at: datetime,
    now: datetime,
    *,
    assignment_id: int | None = None,
    person_id: int | None = None,
    seq: int = 0,
    body: str | None = None,
) -> dict[str, Any]:
    return {
        "ward_id": ward_id,
        "key": key,
        "assignment_id": assignment_id,
        "person_id": person_id,
        "kind": kind,
        "seq": seq,
        "body": body,
        "channel": None,
        "chat_id": None,
        "buttons": None,
        "attachment": None,
        "due_at": due_at,
        "state": ReminderState.PENDING,
        "attempts": 0,
        "next_attempt_at": due_at,
        "created_at": now,
    }


def notice_rows(
    ward_id: int,
    people: Iterable[Person | int],
    key: str,
    body: str,
    now: datetime,
    *,
    kind: str = ReminderKind.NOTICE,
    due_at: datetime | None = None,
) -> list[dict[str, Any]]:
    """One outbox row per person (a Person or its id) carrying `body`, keyed
    `{key}:p{person id}` so that each person hears once however often it is queued; due at
    `due_at`, by default `now`. For rows inserted with others; `queue_notice` inserts them."""
    at = due_at if due_at is not None else now
    ids = [p if isinstance(p, int) else p.id for p in people]
    return [reminder_row(ward_id, f"{key}:p{pid}", kind, at, now, person_id=pid, body=body) for pid in ids]


async def queue_notice(
    session: AsyncSession,
    ward_id: int,
    people: Iterable[Person | int],
    key: str,
    body: str,
    now: datetime,
    *,
    kind: str = ReminderKind.NOTICE,
    due_at: datetime | None = None,
) -> int:
    """Queue `body` to each of `people` once (see `notice_rows`); how many rows were new."""
    return await insert_reminders(session, notice_rows(ward_id, people, key, body, now, kind=kind, due_at=due_at))


def reply_buttons(buttons: Sequence[tuple[str, str]]) -> str | None:
    """An answer's buttons as its row keeps them."""
    return json.dumps([list(b) for b in buttons], ensure_ascii=False) if buttons else None


async def queue_reply(
    session: AsyncSession,
    ward_id: int,
    inbound_id: int,
    channel: str,
    chat_id: str,
    person_id: int | None,
    text: str,
    buttons: Sequence[tuple[str, str]],
    now: datetime,
    *,
    leased: tuple[str, datetime] | None = None,
) -> int | None:
    """Queue the answer to inbound message `inbound_id`, addressed back to its chat, with
    its answer buttons as (label, data) pairs; its id, None when it was queued before.
    `leased` (worker, until): the row is written claimed by that worker's dispatcher, which
    sends it at once (scheduler.dispatcher.direct), as a claim would have left it."""
    row = reminder_row(ward_id, f"reply:{inbound_id}", ReminderKind.REPLY, now, now, person_id=person_id, body=text)
    row.update(
        channel=channel,
        chat_id=chat_id,
        buttons=reply_buttons(buttons),
    )
    if leased is not None:
        row.update(state=ReminderState.SENDING, locked_by=leased[0], locked_until=leased[1])
    ids = await insert_or_ignore(session, Reminder, [row], ("ward_id", "key"))
    if ids and leased is None:
        session.info[_QUEUED] = True
    return ids[0] if ids else None


@dataclass(frozen=True)
class LeasedReply:
    """An answer written claimed by a worker with the "sending" attempt of its one send
    (`queue_leased_reply`): what that worker's dispatcher sends once it is committed. Body
    and buttons as the row keeps them (made storable, store/text.py)."""

    reminder_id: int
    attempt_id: int
    locked_until: datetime
    person_id: int | None
    channel: str
    chat_id: str
    body: str
    buttons: str | None


async def queue_leased_reply(
    session: AsyncSession,
    leased: tuple[str, datetime],
    ward_id: int,
    inbound_id: int,
    channel: str,
    chat_id: str,
    person_id: int | None,
    text: str,
    buttons: Sequence[tuple[str, str]],
    now: datetime,
) -> LeasedReply | None:
    """`queue_reply` claimed by worker `leased[0]` until `leased[1]`, with its "sending"
    attempt written as a dispatcher's decision writes it (scheduler.dispatcher.direct);
    None when the answer was queued before (it then waits for its claim)."""
    answer = (ward_id, inbound_id, channel, chat_id, person_id, text, buttons, now)
    rid = await queue_reply(session, *answer, leased=leased)
    if rid is None:
        return None
    (attempt_id,) = await add_attempts(session, [(rid, None, person_id, channel, chat_id)], leased[0], now)
    kept = reply_buttons(buttons)
    return LeasedReply(
        rid,
        attempt_id,
        leased[1],
        person_id,
        channel,
        chat_id,
        storable(text),
        storable(kept) if kept is not None else None,
    )


async def claim(db: Database, worker: str, now: datetime, limit: int, lease_seconds: float) -> list[int]:
    """Atomically take up to `limit` due rows for `worker`.

    PostgreSQL: the inner SELECT … FOR UPDATE SKIP LOCKED lets several workers claim
    disjoint rows concurrently. SQLite: the session's BEGIN IMMEDIATE serialises writers.
    A row whose lease expired (its worker died mid-send) is claimable again. Claiming
    is not a failure: `attempts` grows only when a send fails (see finish_many).
    """
    due = or_(
        and_(Reminder.state == ReminderState.PENDING, Reminder.next_attempt_at <= now),
        and_(Reminder.state == ReminderState.SENDING, Reminder.locked_until < now),
    )
    candidates = select(Reminder.id).where(due).order_by(Reminder.next_attempt_at, Reminder.id).limit(limit)
    if db.is_postgres:
        candidates = candidates.with_for_update(skip_locked=True)
    stmt = (
        update(Reminder)
        .where(Reminder.id.in_(candidates.scalar_subquery()))
        .values(
            state=ReminderState.SENDING,
            locked_by=worker,
            locked_until=now + timedelta(seconds=lease_seconds),
        )
        .returning(Reminder.id)
        .execution_options(synchronize_session=False)
    )
    async with db.session() as session, session.begin():
        return sorted(row[0] for row in (await session.execute(stmt)).all())


@dataclass(frozen=True)
class Close:
    """How a claimed row ends (or is rescheduled, with state "pending")."""

    reminder_id: int
    state: ReminderState
    error: str | None = None
    next_attempt_at: datetime | None = None
    failures: int = 0  # added to the row's attempts


_table = cast(Table, Reminder.__table__)
_FINISH = (
    update(_table)
    .where(_table.c.id == bindparam("rid"), _table.c.locked_by == bindparam("worker"))
    .values(
        state=bindparam("new_state"),
        locked_by=None,
        locked_until=None,
        last_error=bindparam("err"),
        next_attempt_at=func.coalesce(bindparam("next_at", type_=UTCDateTime()), _table.c.next_attempt_at),
        finished_at=bindparam("fin", type_=UTCDateTime()),
        attempts=_table.c.attempts + bindparam("failures"),
    )
)


async def finish_many(session: AsyncSession, worker: str, now: datetime, closes: Sequence[Close]) -> None:
    """Close or reschedule claimed rows in one round trip, only where `worker` still holds
    the lease (fencing: a worker whose lease expired cannot overwrite the new holder)."""
    if not closes:
        return
    params = [
        {
            "rid": c.reminder_id,
            "worker": worker,
            "new_state": c.state,
            "err": c.error,
            "next_at": (c.next_attempt_at or now) if c.state == ReminderState.PENDING else None,
            "fin": None if c.state == ReminderState.PENDING else now,
            "failures": c.failures,
        }
        for c in closes
    ]
    connection = await session.connection()
    await connection.execute(_FINISH, params)
