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
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channel import Channel, ChannelError, OutboundMessage
from bot.reminder_text import render_escalation, render_reminder
from bot.texts import unreachable_notice
from scheduler.clock import Clock
from scheduler.workcal import WorkingCalendar
from store.db import Database
from store.models import Assignment, ChatIdentity, DeliveryAttempt, Person, Reminder, Unit
from store.outbox import Close, claim, finish_many, insert_reminders, reminder_row
from store.queries import CLOSED, AssignmentView, assignment_views, people_with_role

log = logging.getLogger(__name__)


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
    channels: dict[str, Channel]
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
        rows = [
            r
            for r in await s.scalars(select(Reminder).where(Reminder.id.in_(ids)).order_by(Reminder.id))
            if r.locked_by == self.config.worker
        ]
        batch = await _Batch.load(s, rows)
        out: dict[int, list[Delivery] | str] = {}
        closes: list[Close] = []

        def close(rid: int, state: str, error: str | None) -> str:
            closes.append(Close(rid, state, error))
            return state

        for r in rows:
            view = batch.views.get(r.assignment_id) if r.assignment_id else None
            if r.assignment_id and (view is None or not view.active or view.status in CLOSED):
                out[r.id] = close(
                    r.id, "skipped", "nhiệm vụ đã xong hoặc không còn áp dụng" if view else "không còn nhiệm vụ"
                )
                continue
            delivered = batch.delivered.get(r.id, set())
            if not delivered and r.kind != "manual" and now - r.due_at > self.config.stale_after:
                age = (now - r.due_at).total_seconds() / 3600
                out[r.id] = close(r.id, "dropped", f"quá cũ để gửi ({age:.1f} giờ sau giờ nhắc)")
                continue
            if r.person_id is not None:
                people = [p for p in batch.people if p.id == r.person_id]
            elif r.kind == "escalate":
                people = batch.with_role(r.ward_id, "leader", None) or batch.with_role(r.ward_id, "office", None)
            else:
                assert view is not None
                # No head linked yet: the unit's office staff (e.g. the coordinating office) answer.
                people = batch.with_role(r.ward_id, "head", view.unit_id) or batch.with_role(
                    r.ward_id, "office", view.unit_id
                )
            deliveries: list[Delivery] = []
            for person in people:
                identity = batch.identity_for(person, self.channels)
                if person.id in delivered or identity is None:
                    continue
                channel = self.channels[identity.channel]
                if r.person_id is not None:
                    message = OutboundMessage(r.body or "")
                elif r.kind == "escalate":
                    assert view is not None
                    message = render_escalation(view, today, self.calendar)
                else:
                    assert view is not None
                    leads = batch.leads.get(view.occurrence_id, []) if view.role == "coordinate" else []
                    message = render_reminder(
                        r.kind, view, today, self.calendar, leads, buttons=channel.supports_buttons
                    )
                deliveries.append(Delivery(person.id, identity.id, identity.channel, identity.chat_id, message))
            if deliveries:
                out[r.id] = deliveries
            elif delivered:
                out[r.id] = close(r.id, "sent", None)
            else:
                out[r.id] = close(r.id, "skipped", "không có người nhận đã liên kết")
        await finish_many(s, self.config.worker, now, closes)
        return out

    # --- send ----------------------------------------------------------------------------

    async def _send(self, d: Delivery) -> Outcome:
        started = self.clock.now()
        t0 = time.perf_counter()
        try:
            result = await self.channels[d.channel].send(d.chat_id, d.message)
        except ChannelError as exc:
            kind = "permanent" if exc.permanent else ("unknown" if exc.unknown_outcome else "transient")
            return Outcome(d, started, _ms(t0), kind, str(exc)[:500], retry_after=exc.retry_after)
        except Exception as exc:  # a bug in an adapter must not stop the outbox
            log.exception("channel %s raised", d.channel)
            return Outcome(d, started, _ms(t0), "transient", f"{type(exc).__name__}: {exc}"[:500])
        return Outcome(d, started, _ms(t0), "ok", message_id=result.message_id)

    # --- record --------------------------------------------------------------------------

    async def _record(
        self, s: AsyncSession, results: dict[int, list[Outcome]], unfinished: frozenset[int] | set[int] = frozenset()
    ) -> dict[int, str]:
        now = self.clock.now()
        rows = {r.id: r for r in await s.scalars(select(Reminder).where(Reminder.id.in_(results)))}
        closes: list[Close] = []
        counted: dict[int, str] = {}
        for rid, outcomes in results.items():
            r = rows[rid]
            s.add_all(
                DeliveryAttempt(
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
            )
            for o in outcomes:
                if o.kind == "permanent":
                    await self._mark_unreachable(s, r.ward_id, o, now)
            retry = [o for o in outcomes if o.kind in ("transient", "unknown")]
            if rid in unfinished:
                # Stopped between two recipients: those reached are recorded; the rest get
                # it after the restart.
                closes.append(Close(rid, "pending", "dừng giữa chừng", now))
                counted[rid] = "retried"
            elif retry and r.attempts >= self.config.max_attempts:
                closes.append(Close(rid, "failed", retry[0].error))
                await self._notify_office(
                    s,
                    r.ward_id,
                    f"failed:{rid}",
                    now,
                    f"⚠ Không gửi được lời nhắc #{rid} sau {r.attempts} lần thử: {retry[0].error}",
                )
                counted[rid] = "failed"
            elif retry:
                delay = max((o.retry_after or 0.0) for o in retry) or min(
                    self.config.backoff_base * 2 ** (r.attempts - 1), self.config.backoff_max
                )
                closes.append(Close(rid, "pending", retry[0].error, now + timedelta(seconds=delay)))
                counted[rid] = "retried"
            elif any(o.kind == "ok" for o in outcomes):
                closes.append(Close(rid, "sent"))
                counted[rid] = "sent"
            else:
                closes.append(Close(rid, "failed", outcomes[0].error if outcomes else None))
                counted[rid] = "failed"
        await s.flush()
        await finish_many(s, self.config.worker, now, closes)
        return counted

    async def _mark_unreachable(self, s: AsyncSession, ward_id: int, o: Outcome, now: datetime) -> None:
        identity = await s.get(ChatIdentity, o.delivery.identity_id)
        if identity is None or identity.unreachable_at is not None:
            return
        identity.unreachable_at, identity.unreachable_reason = now, o.error
        person = await s.get(Person, identity.person_id)
        unit = await s.get(Unit, person.unit_id) if person and person.unit_id else None
        body = unreachable_notice(
            person.name if person else "?", unit.name if unit else "—", identity.channel, o.error or ""
        )
        await self._notify_office(
            s, ward_id, f"unreachable:{identity.id}:{int(identity.linked_at.timestamp())}", now, body
        )

    async def _notify_office(self, s: AsyncSession, ward_id: int, key: str, now: datetime, body: str) -> None:
        """Tell the office once (the key makes it once) through the same outbox."""
        office = await people_with_role(s, ward_id, ("office",))
        rows = [reminder_row(ward_id, f"{key}:p{p.id}", "notice", now, now, person_id=p.id, body=body) for p in office]
        await insert_reminders(s, rows)


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
        delivered: dict[int, set[int]] = {}
        for rid, pid in (
            await s.execute(
                select(DeliveryAttempt.reminder_id, DeliveryAttempt.person_id).where(
                    DeliveryAttempt.reminder_id.in_([r.id for r in rows]), DeliveryAttempt.outcome == "ok"
                )
            )
        ).all():
            if rid is not None and pid is not None:
                delivered.setdefault(rid, set()).add(pid)
        wards = {r.ward_id for r in rows}
        people = list(await s.scalars(select(Person).where(Person.ward_id.in_(wards)).order_by(Person.id)))
        identities: dict[int, list[ChatIdentity]] = {}
        for identity in await s.scalars(
            select(ChatIdentity)
            .where(ChatIdentity.person_id.in_([p.id for p in people]), ChatIdentity.unreachable_at.is_(None))
            .order_by(ChatIdentity.id)
        ):
            identities.setdefault(identity.person_id, []).append(identity)
        leads: dict[int, list[str]] = {}
        occurrences = {v.occurrence_id for v in views.values() if v.role == "coordinate"}
        if occurrences:
            for occ_id, name in (
                await s.execute(
                    select(Assignment.occurrence_id, Unit.name)
                    .join(Unit, Assignment.unit_id == Unit.id)
                    .where(Assignment.occurrence_id.in_(occurrences), Assignment.role == "lead", Assignment.active)
                    .order_by(Unit.code)
                )
            ).all():
                leads.setdefault(occ_id, []).append(name)
        return cls(views, delivered, people, identities, leads)

    def with_role(self, ward_id: int, role: str, unit_id: int | None) -> list[Person]:
        return [
            p
            for p in self.people
            if p.ward_id == ward_id and p.role == role and (unit_id is None or p.unit_id == unit_id)
        ]

    def identity_for(self, person: Person, channels: dict[str, Channel]) -> ChatIdentity | None:
        """The person's preferred reachable chat, so someone on both channels gets one copy."""
        usable = [i for i in self.identities.get(person.id, []) if i.channel in channels]
        preferred = [i for i in usable if i.channel == person.preferred_channel]
        candidates = preferred or usable
        return candidates[0] if candidates else None
