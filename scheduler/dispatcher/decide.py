"""Decide, in one transaction: which claimed rows are still wanted, who receives each, in
which chat and with which words; every send about to happen is written as a "sending" attempt
row before it leaves. Everything due for one chat becomes one message."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as time_of_day

from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.attachments import decode as decode_attachment
from scheduler.delivery import Button, OutboundMessage, Sender
from scheduler.dispatcher.base import GROUPED_KINDS, Delivery, SharedSend, Wiring
from scheduler.nags import nag_paused
from scheduler.workcal import WorkingCalendar
from store.delivery import (
    add_attempts,
    claimed_rows,
    delivered_people,
    lead_unit_names,
    orphaned_attempts_to_unknown,
    people_for_rows,
    reachable_identities,
)
from store.enums import CLOSED, AssignmentRole, PersonRole, ReminderKind, ReminderState
from store.models import ChatIdentity, Person, Reminder
from store.notices import hold_office_notice, set_notice_text, skipped_by_unit
from store.outbox import Close, finish_many
from store.queries import AssignmentView, assignment_views

NOBODY = "không có người nhận đã liên kết"
# Reminders nobody received are told to the office once a day, an hour after the usual
# 08:00 reminders (so the morning's are in it); the notice waits a minute more, so a
# decision taken just before the report time is in its text.
NOBODY_REPORT_AT = time_of_day(9, 0)
NOBODY_REPORT_GRACE = timedelta(minutes=1)


async def decide(s: AsyncSession, ids: list[int], w: Wiring) -> dict[int, list[Delivery] | str]:
    """Each claimed row's fate: the state it was closed in (or "retried"), or its deliveries,
    their "sending" attempts written."""
    now = w.clock.now()
    today = w.calendar.local_date(now)
    rows = await claimed_rows(s, ids, w.config.worker)
    # Sends a crashed worker started and never recorded: they may have arrived.
    await orphaned_attempts_to_unknown(s, [r.id for r in rows])
    batch = await Batch.load(s, rows)
    out: dict[int, list[Delivery] | str] = {}
    closes: list[Close] = []
    deliveries_to_write: list[Delivery] = []
    nobody_in: set[int] = set()  # wards with a reminder nobody could receive
    for r in rows:
        view = batch.views.get(r.assignment_id) if r.assignment_id else None
        delivered = batch.delivered.get(r.id, set())
        verdict = still_wanted(r, view, delivered, now, w.config.stale_after)
        if verdict is not None:
            closes.append(Close(r.id, verdict.state, verdict.reason))
            out[r.id] = verdict.state
            continue
        if r.channel and r.channel not in w.channels:
            # A reply for a channel this worker does not serve: leave it to one that does.
            later = now + timedelta(seconds=w.config.channel_pause)
            closes.append(Close(r.id, ReminderState.PENDING, f"kênh {r.channel} không chạy ở đây", later))
            out[r.id] = "retried"
            continue
        deliveries = _deliveries(w, r, view, batch, delivered, today)
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
    _group_per_chat(w, rows, out, batch, today)
    attempt_ids = await add_attempts(
        s,
        [
            (rid, d.identity_id, d.person_id, d.channel, d.chat_id)
            for rid, ds in out.items()
            if not isinstance(ds, str)
            for d in ds
        ],
        w.config.worker,
        now,
    )
    for d, attempt_id in zip(deliveries_to_write, attempt_ids, strict=True):
        d.attempt_id = attempt_id
    await finish_many(s, w.config.worker, now, closes)
    for ward_id in sorted(nobody_in):
        await _report_nobody(s, w, ward_id, now)
    return out


def _group_per_chat(
    w: Wiring, rows: list[Reminder], out: dict[int, list[Delivery] | str], batch: Batch, today: date
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
            leads = batch.leads.get(view.occurrence_id, []) if view.role == AssignmentRole.COORDINATE else []
            items.append((str(r.kind), view, leads))
        message = w.renderer.group(items, today, buttons=w.channels[channel].supports_buttons)
        shared = SharedSend()
        for _, d in members:
            d.message, d.shared = message, shared


async def _report_nobody(s: AsyncSession, w: Wiring, ward_id: int, now: datetime) -> None:
    """Tell the office, once a day and listed by unit, which reminders nobody received:
    the day's notice (due at NOBODY_REPORT_AT) is rewritten from the skipped rows."""
    until = nobody_report_due(now, w.calendar)
    since = until - timedelta(days=1)
    key = f"nobody:{w.calendar.local_date(until).isoformat()}"
    pending = await hold_office_notice(s, ward_id, key, until + NOBODY_REPORT_GRACE, now)
    units = await skipped_by_unit(s, ward_id, NOBODY, since, until)
    await set_notice_text(s, pending, w.renderer.nobody_linked(units, since, until))


def _deliveries(
    w: Wiring, r: Reminder, view: AssignmentView | None, batch: Batch, delivered: set[int], today: date
) -> list[Delivery]:
    if r.channel and r.chat_id:
        # A reply: back to the chat it answers, once.
        if delivered:
            return []
        return [Delivery(r.person_id, None, r.channel, r.chat_id, direct_message(r))]
    out = []

    def reachable(p: Person) -> bool:
        return p.id in delivered or batch.identity_for(p, w.channels) is not None

    deputies = view is not None and w.remind_deputies(r.ward_id, view.unit_code)
    for person in recipients(r, view, batch, reachable, today=today, with_deputies=deputies):
        identity = batch.identity_for(person, w.channels)
        if person.id in delivered or identity is None:
            continue
        message = _message(w, r, view, identity, batch, today)
        out.append(Delivery(person.id, identity.id, identity.channel, identity.chat_id, message))
    return out


def _message(
    w: Wiring, r: Reminder, view: AssignmentView | None, identity: ChatIdentity, batch: Batch, today: date
) -> OutboundMessage:
    if r.person_id is not None:
        return direct_message(r)
    assert view is not None
    if r.kind == ReminderKind.ESCALATE:
        return w.renderer.escalation(view, today)
    leads = batch.leads.get(view.occurrence_id, []) if view.role == AssignmentRole.COORDINATE else []
    buttons = w.channels[identity.channel].supports_buttons
    return w.renderer.reminder(r.kind, view, today, leads, buttons=buttons)


# --- decisions: pure functions of the rows ----------------------------------------------------


def direct_message(r: Reminder) -> OutboundMessage:
    """A row that carries its own words (a reply, a notice, a digest)."""
    buttons = tuple(Button(label, data) for label, data in json.loads(r.buttons)) if r.buttons else ()
    return OutboundMessage(r.body or "", buttons, decode_attachment(r.attachment))


@dataclass(frozen=True)
class Closing:
    state: ReminderState
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
    batch: Batch,
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


@dataclass
class Batch:
    """Everything a batch of rows needs, loaded with a handful of queries."""

    views: dict[int, AssignmentView]
    delivered: dict[int, set[int]]
    people: list[Person]
    identities: dict[int, list[ChatIdentity]]
    leads: dict[int, list[str]]

    @classmethod
    async def load(cls, s: AsyncSession, rows: list[Reminder]) -> Batch:
        assignment_ids = {r.assignment_id for r in rows if r.assignment_id}
        views = {v.id: v for v in await assignment_views(s, assignment_ids)}
        people = await people_for_rows(
            s,
            {r.ward_id for r in rows},
            {r.person_id for r in rows if r.person_id},
            {v.unit_id for v in views.values()},
        )
        return cls(
            views=views,
            delivered=await delivered_people(s, [r.id for r in rows]),
            people=people,
            identities=await reachable_identities(s, [p.id for p in people]),
            leads=await lead_unit_names(
                s, {v.occurrence_id for v in views.values() if v.role == AssignmentRole.COORDINATE}
            ),
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
