"""The outbox dispatcher: claim due rows, send them, record every attempt as it happens.

A claimed batch goes through three steps so no database transaction (and, on SQLite, no
write lock) is held across network I/O:
1. decide (one transaction): who gets what; each send about to happen is written as an
   attempt row with outcome "sending" — so a send cut short by a crash stays on record;
2. send, `concurrency` at a time, the channel pacing them;
3. record: each row's outcome is committed as soon as its sends finish (outcomes that
   arrive while a commit runs share the next one), not after the whole batch.

A crash therefore leaves at most the sends in flight unrecorded. Their rows are claimed
again after the lease; their "sending" attempts become "unknown" (they may have been
delivered) and the message is sent again — the one at-least-once window, countable from
delivery_attempts. Attempts count failures, not claims: a 429 waits its retry_after, a
lease reclaim is not a failure, and a broken channel (invalid token) pauses that channel
without touching the rows' attempts or anyone's reachability.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.attachments import decode as decode_attachment
from scheduler.clock import Clock
from scheduler.delivery import Button, ChannelError, ErrorScope, OutboundMessage, Sender
from scheduler.nags import nag_paused
from scheduler.workcal import WorkingCalendar
from store.claim_moment import claim_rest_of_moment
from store.db import Database
from store.delivery import (
    AttemptResult,
    add_attempts,
    claimed_rows,
    delete_attempts,
    delivered_people,
    lead_unit_names,
    mark_unreachable,
    orphaned_attempts_to_unknown,
    people_of_wards,
    reachable_identities,
    release,
    rows_by_id,
    update_attempts,
)
from store.enums import CLOSED, AttemptOutcome, PersonRole, ReminderKind, ReminderState
from store.models import ChatIdentity, Person, Reminder
from store.notices import hold_office_notice, set_notice_text, skipped_by_unit
from store.outbox import Close, claim, finish_many, insert_reminders, reminder_row
from store.queries import AssignmentView, assignment_views, people_with_role

log = logging.getLogger(__name__)

_RETRYABLE = (AttemptOutcome.TRANSIENT, AttemptOutcome.UNKNOWN, AttemptOutcome.CHANNEL)
NOBODY = "không có người nhận đã liên kết"
# Reminders nobody received are told to the office once a day, an hour after the usual
# 08:00 reminders (so the morning's are in it); the notice waits a minute more, so a
# decision taken just before the report time is in its text.
NOBODY_REPORT_AT = time_of_day(9, 0)
NOBODY_REPORT_GRACE = timedelta(minutes=1)


class Renderer(Protocol):
    """The words of what the outbox sends, made in `bot/` and passed in."""

    def reminder(
        self, kind: str, view: AssignmentView, today: date, leads: list[str], *, buttons: bool
    ) -> OutboundMessage: ...

    def escalation(self, view: AssignmentView, today: date) -> OutboundMessage: ...

    def group(
        self, items: list[tuple[str, AssignmentView, list[str]]], today: date, *, buttons: bool
    ) -> OutboundMessage: ...

    def unreachable(self, person: str, unit: str, channel: str, error: str) -> str: ...

    def gave_up(self, reminder_id: int, attempts: int, error: str | None) -> str: ...

    def channel_down(self, channel: str, error: str) -> str: ...

    def nobody_linked(self, units: list[tuple[str, list[str], int]], since: datetime, until: datetime) -> str: ...


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
    person_id: int | None
    identity_id: int | None
    channel: str
    chat_id: str
    message: OutboundMessage
    attempt_id: int = 0  # the "sending" attempt row written before the send
    shared: SharedSend | None = None  # one message carrying several rows to this chat


@dataclass(eq=False)
class SharedSend:
    """One message for several rows: the first row to reach it sends it, the others share
    the outcome (each row still gets its own attempt, with the same provider message id)."""

    _task: asyncio.Future[Outcome] | None = None

    async def run(self, send: Callable[[], Awaitable[Outcome]]) -> Outcome:
        if self._task is None:
            self._task = asyncio.ensure_future(send())
        return await asyncio.shield(self._task)


# Planned reminder kinds are combined into one message per person and moment. A nudge the
# office sends now (/remind) stays its own message: it is an act of its own, about one task.
GROUPED_KINDS = frozenset({ReminderKind.BEFORE, ReminderKind.DUE, ReminderKind.OVERDUE, ReminderKind.CHECKIN})
# At most this many rows complete a full batch's last moment (store.claim_moment): a unit
# has one row per task at a moment, so this bounds a batch, not a head's message.
MOMENT_REST_MAX = 1000


@dataclass
class Outcome:
    delivery: Delivery
    started_at: datetime
    duration_ms: int
    kind: AttemptOutcome
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
    # A channel that failed as a whole (invalid token) is paused this long, doubling up to
    # channel_pause_max while it keeps failing.
    channel_pause: float = 30.0
    channel_pause_max: float = 600.0


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
    # Channels paused after a channel-wide error: name → (until, current pause seconds).
    paused: dict[str, tuple[datetime, float]] = field(default_factory=dict)
    # Whether a unit's (ward id, unit code) reminders also go to its deputies: the plan's
    # remind_deputies, read in bot/ (the scheduler does not hold the plan).
    remind_deputies: Callable[[int, str], bool] = field(default=lambda ward_id, unit_code: False)

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
            full = len(ids) >= self.config.batch
            if full:
                # A head's rows of one moment stay in one batch, hence one message.
                ids += await claim_rest_of_moment(
                    self.db,
                    self.config.worker,
                    self.clock.now(),
                    self.config.lease_seconds,
                    ids,
                    GROUPED_KINDS,
                    MOMENT_REST_MAX,
                )
            total.claimed += len(ids)
            for result in await self.deliver(ids):
                setattr(total, result, getattr(total, result) + 1)
            if not full:
                return

    async def deliver(self, ids: list[int]) -> list[str]:
        """Handle claimed rows; returns, per row, the TickStats field it counts under."""
        async with self.db.session() as s, s.begin():
            decisions = await self._decide(s, ids)
        pending = {rid: d for rid, d in decisions.items() if not isinstance(d, str)}
        results: dict[int, str] = {rid: d for rid, d in decisions.items() if isinstance(d, str)}
        if pending:
            results.update(await self._send_and_record(pending))
        return list(results.values())

    async def _send_and_record(self, pending: dict[int, list[Delivery]]) -> dict[int, str]:
        """Send every row, `concurrency` at a time, handing each finished row to the recorder.

        Stopped mid-batch (shutdown cancels us), no new send starts, the sends already on
        the wire finish and are recorded, rows not started are released at once (not left
        leased), and a row cut between two recipients is retried for the rest."""
        gate = asyncio.Semaphore(self.config.concurrency)
        recorder = _Recorder(self)
        recording = asyncio.ensure_future(recorder.run())
        started: set[int] = set()
        abort = False

        async def send_row(rid: int, deliveries: list[Delivery]) -> None:
            async with gate:
                if abort:
                    return
                started.add(rid)
                outcomes = []
                for d in deliveries:
                    if abort:
                        break
                    outcomes.append(await self._send(d))
                unsent = [d.attempt_id for d in deliveries[len(outcomes) :]]
                recorder.put(_Finished(rid, outcomes, unsent))

        rows = [asyncio.ensure_future(send_row(rid, d)) for rid, d in pending.items()]
        try:
            await asyncio.gather(*(asyncio.shield(row) for row in rows))
        except asyncio.CancelledError:
            abort = True
            await asyncio.wait(rows, timeout=30)
            untouched = [rid for rid in pending if rid not in started]
            recorder.put(None)
            await asyncio.shield(recording)
            if untouched:
                attempt_ids = [d.attempt_id for rid in untouched for d in pending[rid]]
                await asyncio.shield(self._release(untouched, attempt_ids))
            raise
        recorder.put(None)
        await recording
        return recorder.counted

    async def _release(self, ids: list[int], attempt_ids: list[int]) -> None:
        async with self.db.session() as s, s.begin():
            await delete_attempts(s, attempt_ids)
            await release(s, self.config.worker, ids)

    # --- decide --------------------------------------------------------------------------

    async def _decide(self, s: AsyncSession, ids: list[int]) -> dict[int, list[Delivery] | str]:
        now = self.clock.now()
        today = self.calendar.local_date(now)
        rows = await claimed_rows(s, ids, self.config.worker)
        # Sends a crashed worker started and never recorded: they may have arrived.
        await orphaned_attempts_to_unknown(s, [r.id for r in rows])
        batch = await _Batch.load(s, rows)
        out: dict[int, list[Delivery] | str] = {}
        closes: list[Close] = []
        deliveries_to_write: list[Delivery] = []
        nobody_in: set[int] = set()  # wards with a reminder nobody could receive
        for r in rows:
            view = batch.views.get(r.assignment_id) if r.assignment_id else None
            delivered = batch.delivered.get(r.id, set())
            verdict = still_wanted(r, view, delivered, now, self.config.stale_after)
            if verdict is not None:
                closes.append(Close(r.id, verdict.state, verdict.reason))
                out[r.id] = verdict.state
                continue
            if r.channel and r.channel not in self.channels:
                # A reply for a channel this worker does not serve: leave it to one that does.
                later = now + timedelta(seconds=self.config.channel_pause)
                closes.append(Close(r.id, ReminderState.PENDING, f"kênh {r.channel} không chạy ở đây", later))
                out[r.id] = "retried"
                continue
            deliveries = self._deliveries(r, view, batch, delivered, today)
            if deliveries:
                out[r.id] = deliveries
                deliveries_to_write.extend(deliveries)
            else:
                # Everyone was reached before a restart, or nobody reachable is linked.
                state = ReminderState.SENT if delivered else ReminderState.SKIPPED
                closes.append(Close(r.id, state, None if delivered else NOBODY))
                out[r.id] = state
                if not delivered and r.assignment_id:
                    nobody_in.add(r.ward_id)
        self._group_per_chat(rows, out, batch, today)
        attempt_ids = await add_attempts(
            s,
            [
                (rid, d.identity_id, d.person_id, d.channel, d.chat_id)
                for rid, ds in out.items()
                if not isinstance(ds, str)
                for d in ds
            ],
            self.config.worker,
            now,
        )
        for d, attempt_id in zip(deliveries_to_write, attempt_ids, strict=True):
            d.attempt_id = attempt_id
        await finish_many(s, self.config.worker, now, closes)
        for ward_id in sorted(nobody_in):
            await self._report_nobody(s, ward_id, now)
        return out

    def _group_per_chat(
        self, rows: list[Reminder], out: dict[int, list[Delivery] | str], batch: _Batch, today: date
    ) -> None:
        """Everything due for one chat in this batch becomes one message (issue: a head got
        nine separate messages at 08:00). Rows stay separate in the outbox and each records
        its own attempt, so a reply to the message finds all of its tasks."""
        by_id = {r.id: r for r in rows}
        per_chat: dict[tuple[str, str], list[tuple[Reminder, Delivery]]] = {}
        for rid, deliveries in out.items():
            r = by_id[rid]
            if isinstance(deliveries, str) or r.kind not in GROUPED_KINDS or r.assignment_id is None:
                continue
            for d in deliveries:
                per_chat.setdefault((d.channel, d.chat_id), []).append((r, d))
        for (channel, _), members in per_chat.items():
            if len(members) < 2:
                continue
            items = []
            for r, _ in members:
                view = batch.views[r.assignment_id] if r.assignment_id else None
                assert view is not None
                leads = batch.leads.get(view.occurrence_id, []) if view.role == "coordinate" else []
                items.append((str(r.kind), view, leads))
            message = self.renderer.group(items, today, buttons=self.channels[channel].supports_buttons)
            shared = SharedSend()
            for _, d in members:
                d.message, d.shared = message, shared

    async def _report_nobody(self, s: AsyncSession, ward_id: int, now: datetime) -> None:
        """Tell the office, once a day and listed by unit, which reminders nobody received:
        the day's notice (due at NOBODY_REPORT_AT) is rewritten from the skipped rows."""
        until = nobody_report_due(now, self.calendar)
        since = until - timedelta(days=1)
        key = f"nobody:{self.calendar.local_date(until).isoformat()}"
        pending = await hold_office_notice(s, ward_id, key, until + NOBODY_REPORT_GRACE, now)
        units = await skipped_by_unit(s, ward_id, NOBODY, since, until)
        await set_notice_text(s, pending, self.renderer.nobody_linked(units, since, until))

    def _deliveries(
        self, r: Reminder, view: AssignmentView | None, batch: _Batch, delivered: set[int], today: date
    ) -> list[Delivery]:
        if r.channel and r.chat_id:
            # A reply: back to the chat it answers, once.
            if delivered:
                return []
            return [Delivery(r.person_id, None, r.channel, r.chat_id, direct_message(r))]
        out = []

        def reachable(p: Person) -> bool:
            return p.id in delivered or batch.identity_for(p, self.channels) is not None

        deputies = view is not None and self.remind_deputies(r.ward_id, view.unit_code)
        for person in recipients(r, view, batch, reachable, today=today, with_deputies=deputies):
            identity = batch.identity_for(person, self.channels)
            if person.id in delivered or identity is None:
                continue
            message = self._message(r, view, identity, batch, today)
            out.append(Delivery(person.id, identity.id, identity.channel, identity.chat_id, message))
        return out

    def _message(
        self, r: Reminder, view: AssignmentView | None, identity: ChatIdentity, batch: _Batch, today: date
    ) -> OutboundMessage:
        if r.person_id is not None:
            return direct_message(r)
        assert view is not None
        if r.kind == ReminderKind.ESCALATE:
            return self.renderer.escalation(view, today)
        leads = batch.leads.get(view.occurrence_id, []) if view.role == "coordinate" else []
        buttons = self.channels[identity.channel].supports_buttons
        return self.renderer.reminder(r.kind, view, today, leads, buttons=buttons)

    # --- send ----------------------------------------------------------------------------

    async def _send(self, d: Delivery) -> Outcome:
        if d.shared is not None:
            outcome = await d.shared.run(lambda: self._send_once(d))
            return replace(outcome, delivery=d)
        return await self._send_once(d)

    async def _send_once(self, d: Delivery) -> Outcome:
        started = self.clock.now()
        t0 = time.perf_counter()
        paused = self.paused.get(d.channel)
        if paused is not None and paused[0] > started:
            return Outcome(d, started, 0, AttemptOutcome.CHANNEL, "kênh đang tạm dừng sau lỗi của kênh")
        try:
            result = await self.channels[d.channel].send(d.chat_id, d.message)
        except ChannelError as exc:
            kind = _OUTCOME_OF_SCOPE[exc.scope]
            if kind == AttemptOutcome.TRANSIENT and exc.unknown_outcome:
                kind = AttemptOutcome.UNKNOWN
            if kind == AttemptOutcome.CHANNEL:
                self._pause(d.channel, str(exc))
            return Outcome(d, started, _ms(t0), kind, str(exc)[:500], retry_after=exc.retry_after)
        except Exception as exc:  # a bug in an adapter must not stop the outbox
            log.exception("channel %s raised", d.channel)
            return Outcome(d, started, _ms(t0), AttemptOutcome.TRANSIENT, f"{type(exc).__name__}: {exc}"[:500])
        self.paused.pop(d.channel, None)
        return Outcome(d, started, _ms(t0), AttemptOutcome.OK, message_id=result.message_id)

    def _pause(self, channel: str, error: str) -> None:
        now = self.clock.now()
        previous = self.paused.get(channel)
        if previous is not None and previous[0] > now:
            return  # the other sends in flight failed with it: one outage, one pause
        # Failing again after a pause ran out: wait twice as long, up to the maximum.
        seconds = min(previous[1] * 2, self.config.channel_pause_max) if previous else self.config.channel_pause
        self.paused[channel] = (now + timedelta(seconds=seconds), seconds)
        log.error("channel %s failed as a whole (%s); paused for %.0f s, nobody disabled", channel, error, seconds)

    # --- record --------------------------------------------------------------------------

    async def _record(self, s: AsyncSession, finished: list[_Finished]) -> dict[int, str]:
        now = self.clock.now()
        rows = await rows_by_id(s, [f.reminder_id for f in finished])
        await update_attempts(
            s,
            [
                AttemptResult(o.delivery.attempt_id, o.kind, o.duration_ms, o.error, o.message_id)
                for f in finished
                for o in f.outcomes
            ],
        )
        await delete_attempts(s, [a for f in finished for a in f.unsent])
        closes: list[Close] = []
        counted: dict[int, str] = {}
        for f in finished:
            r = rows[f.reminder_id]
            for o in f.outcomes:
                if o.kind == AttemptOutcome.PERMANENT and o.delivery.identity_id is not None:
                    await self._mark_unreachable(s, r.ward_id, o, now)
                if o.kind == AttemptOutcome.CHANNEL and o.duration_ms > 0:
                    await self._notify_office(
                        s,
                        r.ward_id,
                        f"channel:{o.delivery.channel}:{self.calendar.local_date(now).isoformat()}",
                        now,
                        self.renderer.channel_down(o.delivery.channel, o.error or ""),
                    )
            verdict = after_send(f.outcomes, r, bool(f.unsent), now, self.config, self._pause_left(now))
            next_at = now + timedelta(seconds=verdict.retry_in) if verdict.retry_in is not None else None
            closes.append(Close(r.id, verdict.state, verdict.reason, next_at, verdict.failures))
            counted[r.id] = verdict.counted
            if verdict.gave_up:
                await self._notify_office(
                    s,
                    r.ward_id,
                    f"failed:{r.id}",
                    now,
                    self.renderer.gave_up(r.id, r.attempts + verdict.failures, verdict.reason),
                )
        await s.flush()
        await finish_many(s, self.config.worker, now, closes)
        return counted

    def _pause_left(self, now: datetime) -> float:
        left = [(until - now).total_seconds() for until, _ in self.paused.values()]
        return max([*left, self.config.channel_pause])

    async def _mark_unreachable(self, s: AsyncSession, ward_id: int, o: Outcome, now: datetime) -> None:
        assert o.delivery.identity_id is not None
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


_OUTCOME_OF_SCOPE = {
    ErrorScope.TRANSIENT: AttemptOutcome.TRANSIENT,
    ErrorScope.RECIPIENT: AttemptOutcome.PERMANENT,
    ErrorScope.MESSAGE: AttemptOutcome.REJECTED,
    ErrorScope.CHANNEL: AttemptOutcome.CHANNEL,
}


@dataclass(frozen=True)
class _Finished:
    """One row's sends, handed to the recorder: `unsent` are attempt rows never used."""

    reminder_id: int
    outcomes: list[Outcome]
    unsent: list[int]


class _Recorder:
    """Group commit: each finished row is recorded at once; rows finishing while a commit
    runs share the next one, so a burst does not become one transaction per message."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher
        self.queue: asyncio.Queue[_Finished | None] = asyncio.Queue()
        self.counted: dict[int, str] = {}

    def put(self, item: _Finished | None) -> None:
        self.queue.put_nowait(item)

    async def run(self) -> None:
        done = False
        while not done:
            first = await self.queue.get()
            if first is None:
                return
            items = [first]
            while not self.queue.empty():
                item = self.queue.get_nowait()
                if item is None:
                    done = True
                    break
                items.append(item)
            try:
                async with self.dispatcher.db.session() as s, s.begin():
                    self.counted.update(await self.dispatcher._record(s, items))
            except Exception:
                # The rows stay leased and are sent again after the lease: logged, not lost.
                log.exception("recording %d outbox rows failed", len(items))


def _ms(t0: float) -> int:
    return max(1, int((time.perf_counter() - t0) * 1000))


# --- decisions: pure functions of the rows and what happened ----------------------------------


def direct_message(r: Reminder) -> OutboundMessage:
    """A row that carries its own words (a reply, a notice, a digest)."""
    buttons = tuple(Button(label, data) for label, data in json.loads(r.buttons)) if r.buttons else ()
    return OutboundMessage(r.body or "", buttons, decode_attachment(r.attachment))


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
    if nag_paused(r.kind, view):
        return Closing(ReminderState.SKIPPED, "đơn vị đang báo vướng mắc: không nhắc quá hạn, Văn phòng đã được báo")
    if not delivered and r.kind != ReminderKind.MANUAL and now - r.due_at > stale_after:
        age = (now - r.due_at).total_seconds() / 3600
        return Closing(ReminderState.DROPPED, f"quá cũ để gửi ({age:.1f} giờ sau giờ nhắc)")
    return None


def recipients(
    r: Reminder,
    view: AssignmentView | None,
    batch: _Batch,
    reachable: Callable[[Person], bool] = lambda p: True,
    *,
    today: date | None = None,
    with_deputies: bool = False,
) -> list[Person]:
    """Who receives a row: its person; for an escalation the leaders (else the office);
    otherwise the unit's head — with its deputies when `with_deputies` (the plan's
    remind_deputies) or while the head is away on `today` (/vang) — else the unit's
    deputies, else the unit's office staff, who answer for it.

    "Else" means none of them is `reachable`: a leader who was issued a code but never
    linked does not swallow an escalation — the office gets it."""
    if r.person_id is not None:
        return [p for p in batch.people if p.id == r.person_id]

    def first_reachable(*groups: list[Person]) -> list[Person]:
        return next(([p for p in g if reachable(p)] for g in groups if any(reachable(p) for p in g)), [])

    if r.kind == ReminderKind.ESCALATE:
        return first_reachable(
            batch.with_role(r.ward_id, PersonRole.LEADER, None), batch.with_role(r.ward_id, PersonRole.OFFICE, None)
        )
    assert view is not None
    heads = [p for p in batch.with_role(r.ward_id, PersonRole.HEAD, view.unit_id) if reachable(p)]
    deputies = [p for p in batch.with_role(r.ward_id, PersonRole.DEPUTY, view.unit_id) if reachable(p)]
    if heads:
        # The head receives; the deputies too when the plan says so or while a head is away.
        away = today is not None and any(p.away_until is not None and p.away_until >= today for p in heads)
        return heads + deputies if (with_deputies or away) else heads
    # A unit whose head is not linked is still reached through its deputies, then its office.
    return deputies or first_reachable(batch.with_role(r.ward_id, PersonRole.OFFICE, view.unit_id))


def nobody_report_due(now: datetime, calendar: WorkingCalendar) -> datetime:
    """The report time a skip at `now` is told at: today's NOBODY_REPORT_AT, or tomorrow's
    once it has passed. Each notice covers the 24 hours before its report time."""
    day = calendar.local_date(now)
    due = calendar.local_instant(day, NOBODY_REPORT_AT)
    return due if now <= due else calendar.local_instant(day + timedelta(days=1), NOBODY_REPORT_AT)


@dataclass(frozen=True)
class Verdict:
    """How a sent row ends: its new state, why, when to retry, how it is counted and how
    many failures it adds to the row's attempts."""

    state: str
    counted: str  # a TickStats field
    reason: str | None = None
    retry_in: float | None = None  # seconds, for state "pending"
    gave_up: bool = False
    failures: int = 0


def after_send(
    outcomes: list[Outcome],
    row: Reminder,
    cut_short: bool,
    now: datetime,
    config: DispatcherConfig,
    channel_pause: float,
) -> Verdict:
    if cut_short:
        # Stopped between two recipients: those reached are recorded; the rest get it
        # after the restart. Not a failure.
        return Verdict(ReminderState.PENDING, "retried", "dừng giữa chừng", 0.0)
    retry = [o for o in outcomes if o.kind in _RETRYABLE]
    if not retry:
        if any(o.kind == AttemptOutcome.OK for o in outcomes):
            return Verdict(ReminderState.SENT, "sent")
        return Verdict(ReminderState.FAILED, "failed", outcomes[0].error if outcomes else None)
    error = retry[0].error
    too_old = now - row.due_at > config.stale_after
    if any(o.kind == AttemptOutcome.CHANNEL for o in retry):
        # The channel broke, not this message: wait for the channel, count nothing.
        if too_old:
            return Verdict(ReminderState.FAILED, "failed", error, gave_up=True)
        return Verdict(ReminderState.PENDING, "retried", error, channel_pause)
    waits = [o.retry_after for o in retry if o.retry_after is not None]
    if waits and len(waits) == len(retry):
        # Flow control (429): wait as told; only the row's age limits how long.
        if too_old:
            return Verdict(ReminderState.FAILED, "failed", error, gave_up=True)
        return Verdict(ReminderState.PENDING, "retried", error, max(waits))
    failures = row.attempts + 1
    if failures >= config.max_attempts:
        return Verdict(ReminderState.FAILED, "failed", error, gave_up=True, failures=1)
    delay = min(config.backoff_base * 2 ** (failures - 1), config.backoff_max)
    return Verdict(ReminderState.PENDING, "retried", error, delay, failures=1)


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
            if p.ward_id == ward_id
            and p.role == role
            and (unit_id is None or p.unit_id == unit_id)
            and p.unlinked_at is None
        ]

    def identity_for(self, person: Person, channels: dict[str, Sender]) -> ChatIdentity | None:
        """The person's preferred reachable chat, so someone on both channels gets one copy."""
        usable = [i for i in self.identities.get(person.id, []) if i.channel in channels]
        preferred = [i for i in usable if i.channel == person.preferred_channel]
        candidates = preferred or usable
        return candidates[0] if candidates else None
