"""The outbox dispatcher: claim due rows, send them, record every attempt.

Each row is handled in three steps so no database transaction (and, on SQLite, no write
lock) is held across network I/O: decide (who gets what), send, record. A crash between
send and record leaves the row leased; after the lease it is claimed again and resent —
the one at-least-once window, visible as two attempts in delivery_attempts.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.attachments import decode as decode_attachment
from scheduler.clock import Clock
from scheduler.delivery import ChannelError, OutboundMessage, Sender
from scheduler.workcal import WorkingCalendar
from store.db import Database
from store.delivery import (
    AttemptRecord,
    add_attempts,
    claimed_rows,
    delivered_people,
    lead_unit_names,
    mark_unreachable,
    people_of_wards,
    reachable_identities,
    rows_by_id,
)
from store.enums import CLOSED, AttemptOutcome, PersonRole, ReminderKind, ReminderState
from store.models import ChatIdentity, Person, Reminder
from store.outbox import Close, claim, finish_many, insert_reminders, reminder_row
from store.queries import AssignmentView, assignment_views, people_with_role

log = logging.getLogger(__name__)


class Renderer(Protocol):
    """The words of what the outbox sends, made in `bot/` and passed in."""

    def reminder(
        self, kind: str, view: AssignmentView, today: date, leads: list[str], *, buttons: bool
    ) -> OutboundMessage: ...

    def escalation(self, view: AssignmentView, today: date) -> OutboundMessage: ...

    def unreachable(self, person: str, unit: str, channel: str, error: str) -> str: ...

    def gave_up(self, reminder_id: int, attempts: int, error: str | None) -> str: ...


@dataclass
class TickStats:
    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    dropped: int = 0
    retried: int = 0
    failed: int = 0

    def add(self, other: TickStats) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Delivery:
    person_id: int
    identity_id: int
    channel: str
    chat_id: str
    message: OutboundMessage


@dataclass
class Outcome:
    delivery: Delivery
    started_at: datetime
    duration_ms: int
    kind: str  # ok | transient | permanent | unknown
    error: str | None = None
    message_id: str | None = None
    retry_after: float | None = None


@dataclass
class DispatcherConfig:
    worker: str
    batch: int = 50
    lease_seconds: float = 120
    max_attempts: int = 8
    stale_after: timedelta = timedelta(hours=20)
    backoff_base: float = 30.0
    backoff_max: float = 3600.0
    concurrency: int = 8
    pipelines: int = 1


@dataclass
class Dispatcher:
    db: Database
    channels: dict[str, Sender]
    renderer: Renderer
    clock: Clock
    calendar: WorkingCalendar
    config: DispatcherConfig
    stats: TickStats = field(default_factory=TickStats)
    # Set on shutdown: the batch in hand is finished and recorded, no new batch is claimed.
    stopping: bool = False

    async def tick(self) -> TickStats:
        """Drain every due row and return what happened.

        Several drain loops overlap, so while one batch waits for its last sends (and
        records them) the next batch is already sending: a burst keeps the channel busy."""
        total = TickStats()
        await asyncio.gather(*(self._drain(total) for _ in range(self.config.pipelines)))
        self.stats.add(total)
        return total

    async def _drain(self, total: TickStats) -> None:
        while not self.stopping:
            ids = await claim(
                self.db, self.config.worker, self.clock.now(), self.config.batch, self.config.lease_seconds
            )
            if not ids:
                return
            total.claimed += len(ids)
            for result in await self.deliver(ids):
                setattr(total, result, getattr(total, result) + 1)
            if len(ids) < self.config.batch:
                return

    async def deliver(self, ids: list[int]) -> list[str]:
        """Handle claimed rows; returns, per row, the TickStats field it counts under.

        One transaction decides the whole batch, sends go out concurrently (the channel's
        own rate limiter paces them), one transaction records every outcome."""
        async with self.db.session() as s, s.begin():
            decisions = await self._decide(s, ids)
        pending = {rid: d for rid, d in decisions.items() if not isinstance(d, str)}
        results: dict[int, str] = {rid: d for rid, d in decisions.items() if isinstance(d, str)}
        done = await self._send_all(pending)
        if done:
            results.update(await self._record_batch(done))
        return list(results.values())

    async def _send_all(self, pending: dict[int, list[Delivery]]) -> dict[int, list[Outcome]]:
        """Send every row, `concurrency` at a time.

        Stopped mid-batch (shutdown cancels us), no new send starts, the sends already on
        the wire finish, and what went out is recorded before the cancellation goes on:
        a restart neither loses nor repeats those messages."""
        gate = asyncio.Semaphore(self.config.concurrency)
        done: dict[int, list[Outcome]] = {}
        unfinished: set[int] = set()
        abort = False

        async def send_row(rid: int, deliveries: list[Delivery]) -> None:
            async with gate:
                outcomes = []
                for d in deliveries:
                    if abort:
                        break
                    outcomes.append(await self._send(d))
                if outcomes:
                    done[rid] = outcomes
                if len(outcomes) < len(deliveries):
                    unfinished.add(rid)

        rows = [asyncio.ensure_future(send_row(rid, d)) for rid, d in pending.items()]
        try:
            await asyncio.gather(*(asyncio.shield(row) for row in rows))
        except asyncio.CancelledError:
            abort = True
            await asyncio.wait(rows, timeout=30)
            if done:
                await asyncio.shield(self._record_batch(dict(done), unfinished))
            raise
        return done

    async def _record_batch(
        self, done: dict[int, list[Outcome]], unfinished: frozenset[int] | set[int] = frozenset()
    ) -> dict[int, str]:
        async with self.db.session() as s, s.begin():
            return await self._record(s, done, unfinished)

    # --- decide --------------------------------------------------------------------------

    async def _decide(self, s: AsyncSession, ids: list[int]) -> dict[int, list[Delivery] | str]:
        now = self.clock.now()
        today = self.calendar.local_date(now)
        rows = await claimed_rows(s, ids, self.config.worker)
        batch = await _Batch.load(s, rows)
        out: dict[int, list[Delivery] | str] = {}
        closes: list[Close] = []
        for r in rows:
            view = batch.views.get(r.assignment_id) if r.assignment_id else None
            delivered = batch.delivered.get(r.id, set())
            verdict = still_wanted(r, view, delivered, now, self.config.stale_after)
            if verdict is not None:
                closes.append(Close(r.id, verdict.state, verdict.reason))
                out[r.id] = verdict.state
                continue
            deliveries: list[Delivery] = []
            for person in recipients(r, view, batch):
                identity = batch.identity_for(person, self.channels)
                if person.id in delivered or identity is None:
                    continue
                message = self._message(r, view, identity, batch, today)
                deliveries.append(Delivery(person.id, identity.id, identity.channel, identity.chat_id, message))
            if deliveries:
                out[r.id] = deliveries
            else:
                # Everyone was reached before a restart, or nobody reachable is linked.
                state = ReminderState.SENT if delivered else ReminderState.SKIPPED
                closes.append(Close(r.id, state, None if delivered else "không có người nhận đã liên kết"))
                out[r.id] = state
        await finish_many(s, self.config.worker, now, closes)
        return out

    def _message(
        self, r: Reminder, view: AssignmentView | None, identity: ChatIdentity, batch: _Batch, today: date
    ) -> OutboundMessage:
        if r.person_id is not None:
            return OutboundMessage(r.body or "", attachment=decode_attachment(r.attachment))
        assert view is not None
        if r.kind == ReminderKind.ESCALATE:
            return self.renderer.escalation(view, today)
        leads = batch.leads.get(view.occurrence_id, []) if view.role == "coordinate" else []
        buttons = self.channels[identity.channel].supports_buttons
        return self.renderer.reminder(r.kind, view, today, leads, buttons=buttons)

    # --- send ----------------------------------------------------------------------------

    async def _send(self, d: Delivery) -> Outcome:
        started = self.clock.now()
        t0 = time.perf_counter()
        try:
            result = await self.channels[d.channel].send(d.chat_id, d.message)
        except ChannelError as exc:
            kind = (
                AttemptOutcome.PERMANENT
                if exc.permanent
                else (AttemptOutcome.UNKNOWN if exc.unknown_outcome else AttemptOutcome.TRANSIENT)
            )
            return Outcome(d, started, _ms(t0), kind, str(exc)[:500], retry_after=exc.retry_after)
        except Exception as exc:  # a bug in an adapter must not stop the outbox
            log.exception("channel %s raised", d.channel)
            return Outcome(d, started, _ms(t0), AttemptOutcome.TRANSIENT, f"{type(exc).__name__}: {exc}"[:500])
        return Outcome(d, started, _ms(t0), AttemptOutcome.OK, message_id=result.message_id)

    # --- record --------------------------------------------------------------------------

    async def _record(
        self, s: AsyncSession, results: dict[int, list[Outcome]], unfinished: frozenset[int] | set[int] = frozenset()
    ) -> dict[int, str]:
        now = self.clock.now()
        rows = await rows_by_id(s, results)
        closes: list[Close] = []
        counted: dict[int, str] = {}
        for rid, outcomes in results.items():
            r = rows[rid]
            add_attempts(
                s,
                (
                    AttemptRecord(
                        reminder_id=rid,
                        identity_id=o.delivery.identity_id,
                        person_id=o.delivery.person_id,
                        channel=o.delivery.channel,
                        chat_id=o.delivery.chat_id,
                        worker=self.config.worker,
                        started_at=o.started_at,
                        duration_ms=o.duration_ms,
                        outcome=o.kind,
                        error=o.error,
                        provider_message_id=o.message_id,
                    )
                    for o in outcomes
                ),
            )
            for o in outcomes:
                if o.kind == AttemptOutcome.PERMANENT:
                    await self._mark_unreachable(s, r.ward_id, o, now)
            verdict = after_send(outcomes, r.attempts, rid in unfinished, self.config)
            next_at = now + timedelta(seconds=verdict.retry_in) if verdict.retry_in is not None else None
            closes.append(Close(rid, verdict.state, verdict.reason, next_at if verdict.state == "pending" else None))
            counted[rid] = verdict.counted
            if verdict.gave_up:
                await self._notify_office(
                    s, r.ward_id, f"failed:{rid}", now, self.renderer.gave_up(rid, r.attempts, verdict.reason)
                )
        await s.flush()
        await finish_many(s, self.config.worker, now, closes)
        return counted

    async def _mark_unreachable(self, s: AsyncSession, ward_id: int, o: Outcome, now: datetime) -> None:
        marked = await mark_unreachable(s, o.delivery.identity_id, now, o.error)
        if marked is None:
            return
        body = self.renderer.unreachable(marked.person_name, marked.unit_name, marked.channel, o.error or "")
        key = f"unreachable:{marked.identity_id}:{int(marked.linked_at.timestamp())}"
        await self._notify_office(s, ward_id, key, now, body)

    async def _notify_office(self, s: AsyncSession, ward_id: int, key: str, now: datetime, body: str) -> None:
        """Tell the office once (the key makes it once) through the same outbox."""
        office = await people_with_role(s, ward_id, (PersonRole.OFFICE,))
        rows = [
            reminder_row(ward_id, f"{key}:p{p.id}", ReminderKind.NOTICE, now, now, person_id=p.id, body=body)
            for p in office
        ]
        await insert_reminders(s, rows)


# --- decisions: pure functions of the rows and what happened ----------------------------------


@dataclass(frozen=True)
class Closing:
    state: str
    reason: str


def still_wanted(
    r: Reminder, view: AssignmentView | None, delivered: set[int], now: datetime, stale_after: timedelta
) -> Closing | None:
    """Why a claimed row must not be sent at all, or None when it should go out."""
    if r.assignment_id and (view is None or not view.active or view.status in CLOSED):
        return Closing(
            ReminderState.SKIPPED, "nhiệm vụ đã xong hoặc không còn áp dụng" if view else "không còn nhiệm vụ"
        )
    if not delivered and r.kind != ReminderKind.MANUAL and now - r.due_at > stale_after:
        age = (now - r.due_at).total_seconds() / 3600
        return Closing(ReminderState.DROPPED, f"quá cũ để gửi ({age:.1f} giờ sau giờ nhắc)")
    return None


def recipients(r: Reminder, view: AssignmentView | None, batch: _Batch) -> list[Person]:
    """Who receives a row: its person; for an escalation the leaders (else the office);
    otherwise the unit's head (else the unit's office staff, who answer for it)."""
    if r.person_id is not None:
        return [p for p in batch.people if p.id == r.person_id]
    if r.kind == ReminderKind.ESCALATE:
        return batch.with_role(r.ward_id, PersonRole.LEADER, None) or batch.with_role(
            r.ward_id, PersonRole.OFFICE, None
        )
    assert view is not None
    return batch.with_role(r.ward_id, PersonRole.HEAD, view.unit_id) or batch.with_role(
        r.ward_id, PersonRole.OFFICE, view.unit_id
    )


@dataclass(frozen=True)
class Verdict:
    """How a sent row ends: its new state, why, when to retry, and how it is counted."""

    state: str
    counted: str  # a TickStats field
    reason: str | None = None
    retry_in: float | None = None  # seconds, for state "pending"
    gave_up: bool = False


def after_send(outcomes: list[Outcome], attempts: int, cut_short: bool, config: DispatcherConfig) -> Verdict:
    if cut_short:
        # Stopped between two recipients: those reached are recorded; the rest get it
        # after the restart.
        return Verdict(ReminderState.PENDING, "retried", "dừng giữa chừng", 0.0)
    retry = [o for o in outcomes if o.kind in (AttemptOutcome.TRANSIENT, AttemptOutcome.UNKNOWN)]
    if retry and attempts >= config.max_attempts:
        return Verdict(ReminderState.FAILED, "failed", retry[0].error, gave_up=True)
    if retry:
        delay = max((o.retry_after or 0.0) for o in retry) or min(
            config.backoff_base * 2 ** (attempts - 1), config.backoff_max
        )
        return Verdict(ReminderState.PENDING, "retried", retry[0].error, delay)
    if any(o.kind == AttemptOutcome.OK for o in outcomes):
        return Verdict(ReminderState.SENT, "sent")
    return Verdict(ReminderState.FAILED, "failed", outcomes[0].error if outcomes else None)


def _ms(t0: float) -> int:
    return int((time.perf_counter() - t0) * 1000)


@dataclass
class _Batch:
    """Everything a batch of rows needs, loaded with a handful of queries."""

    views: dict[int, AssignmentView]
    delivered: dict[int, set[int]]
    people: list[Person]
    identities: dict[int, list[ChatIdentity]]
    leads: dict[int, list[str]]

    @classmethod
    async def load(cls, s: AsyncSession, rows: list[Reminder]) -> _Batch:
        assignment_ids = {r.assignment_id for r in rows if r.assignment_id}
        views = {v.id: v for v in await assignment_views(s, assignment_ids)}
        people = await people_of_wards(s, {r.ward_id for r in rows})
        return cls(
            views=views,
            delivered=await delivered_people(s, [r.id for r in rows]),
            people=people,
            identities=await reachable_identities(s, [p.id for p in people]),
            leads=await lead_unit_names(s, {v.occurrence_id for v in views.values() if v.role == "coordinate"}),
        )

    def with_role(self, ward_id: int, role: str, unit_id: int | None) -> list[Person]:
        return [
            p
            for p in self.people
            if p.ward_id == ward_id and p.role == role and (unit_id is None or p.unit_id == unit_id)
        ]

    def identity_for(self, person: Person, channels: dict[str, Sender]) -> ChatIdentity | None:
        """The person's preferred reachable chat, so someone on both channels gets one copy."""
        usable = [i for i in self.identities.get(person.id, []) if i.channel in channels]
        preferred = [i for i in usable if i.channel == person.preferred_channel]
        candidates = preferred or usable
        return candidates[0] if candidates else None
