"""The office's decisions as plain functions, shared by the chat commands and the desk.

Each takes the session, the ward, the assignment (or extension request) decided on, who
decides and now; each records the decision as the chat command does (a status report of
its own, or the request's answer) and tells the unit through the outbox at once, with the
same words and the same outbox keys. What it returns is the office's one-line answer.

The conditions (`can_confirm`, …) are the ones the chat commands filter candidates with, so
the desk offers exactly the actions the chat would accept."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.actions.common import ActionError
from bot.actions.notices import notify, unit_receivers
from bot.texts import extensions as tx
from bot.texts import review as tr
from scheduler.attachments import direct_row
from scheduler.workcal import WorkingCalendar
from store import statuses
from store.enums import ExtensionState, PersonRole, ReminderKind, Review, Status
from store.extensions import PendingExtension, decide_extension
from store.models import Person
from store.outbox import insert_reminders
from store.queries import AssignmentView, assignment_view, people_with_role

Replan = Callable[[AsyncSession], Awaitable[None]]


def can_confirm(v: AssignmentView) -> bool:
    return v.status == Status.DONE and v.review != Review.CONFIRMED


def can_return(v: AssignmentView) -> bool:
    return v.status == Status.DONE


def is_blocked(v: AssignmentView) -> bool:
    return v.status == Status.BLOCKED


def decline_pending(v: AssignmentView) -> bool:
    return v.status == Status.NOT_APPLICABLE and v.review == Review.PENDING


async def tell_unit_of_review(
    s: AsyncSession, ward_id: int, view: AssignmentView, key: str, body: str, now: datetime
) -> int:
    """A message to the unit's head and deputies (a deputy may be the one who reported),
    else its own office staff, at once; how many were told."""
    people = await unit_receivers(s, ward_id, view.unit_id)
    await notify(s, ward_id, people, key, body, now)
    return len(people)


async def decide_on_report(
    s: AsyncSession,
    ward_id: int,
    view: AssignmentView,
    person_id: int | None,
    inbound_id: int | None,
    decision: tuple[str, int | None, str | None, Review],
    what: str,
    body: str,
    now: datetime,
) -> None:
    """The office's decision on a unit's report, kept as a status report of its own (status,
    percent, note, review), so `/summary N` and the desk's history show it; the unit told."""
    status, percent, note, review = decision
    await statuses.record_status(s, view.id, person_id, inbound_id, status, percent, note, now, review=review)
    await tell_unit_of_review(s, ward_id, view, f"{what}:a{view.id}:{inbound_id}", body, now)


def _require(ok: bool, label: str, what: str) -> None:
    if not ok:
        raise ActionError(tr.nothing_to(label, what))


async def confirm_report(
    s: AsyncSession,
    ward_id: int,
    view: AssignmentView,
    by: Person,
    inbound_id: int | None,
    now: datetime,
    calendar: WorkingCalendar,
) -> str:
    """/xacnhan: the done counts, from the day the unit reported it."""
    _require(can_confirm(view), view.task_label, tr.AWAITING_CONFIRMATION)
    reported = calendar.local_date(view.done_at or view.status_at or now)
    body = tr.confirmed_to_unit(view.task_label, reported)
    decision = (Status.DONE, view.percent, None, Review.CONFIRMED)
    await decide_on_report(s, ward_id, view, by.id, inbound_id, decision, "confirmed", body, now)
    return tr.confirmed_reply(view.task_label, view.unit_name, reported)


async def return_report(
    s: AsyncSession, ward_id: int, view: AssignmentView, by: Person, inbound_id: int | None, reason: str, now: datetime
) -> str:
    """/tralai: open again, reminded, the unit told the reason."""
    _require(can_return(view), view.task_label, tr.DONE_TO_RETURN)
    if not reason.strip():
        raise ActionError(tr.NEED_RETURN_REASON)
    body = tr.returned_to_unit(view.task_label, view.content, reason, view.product)
    decision = (Status.IN_PROGRESS, None, reason, Review.RETURNED)
    await decide_on_report(s, ward_id, view, by.id, inbound_id, decision, "returned", body, now)
    return tr.returned_reply(view.task_label, view.unit_name)


async def clear_blocker(
    s: AsyncSession, ward_id: int, view: AssignmentView, by: Person, inbound_id: int | None, now: datetime
) -> str:
    """/gobo: the blocker is cleared; overdue nags resume."""
    _require(is_blocked(view), view.task_label, tr.ANY_BLOCKER)
    body = tr.unblocked_to_unit(view.task_label)
    decision = (Status.IN_PROGRESS, view.percent, None, Review.UNBLOCKED)
    await decide_on_report(s, ward_id, view, by.id, inbound_id, decision, "unblocked", body, now)
    return tr.unblocked_reply(view.task_label, view.unit_name)


async def accept_decline(
    s: AsyncSession, ward_id: int, view: AssignmentView, by: Person, inbound_id: int | None, now: datetime
) -> str:
    """/chapnhan: not applicable to that unit."""
    _require(decline_pending(view), view.task_label, tr.DECLINE_TO_REVIEW)
    body = tr.decline_accepted_to_unit(view.task_label)
    decision = (Status.NOT_APPLICABLE, None, None, Review.CONFIRMED)
    await decide_on_report(s, ward_id, view, by.id, inbound_id, decision, "accepted", body, now)
    return tr.accepted_reply(view.task_label, view.unit_name)


async def refuse_decline(
    s: AsyncSession, ward_id: int, view: AssignmentView, by: Person, inbound_id: int | None, reason: str, now: datetime
) -> str:
    """/khongchapnhan: open again, the unit told why."""
    _require(decline_pending(view), view.task_label, tr.DECLINE_TO_REVIEW)
    if not reason.strip():
        raise ActionError(tr.NEED_REFUSAL_REASON)
    body = tr.decline_refused_to_unit(view.task_label, view.content, reason)
    decision = (Status.NOT_STARTED, None, reason, Review.RETURNED)
    await decide_on_report(s, ward_id, view, by.id, inbound_id, decision, "refused", body, now)
    return tr.refused_reply(view.task_label, view.unit_name)


async def tell_unit_of_extension(
    s: AsyncSession, ward_id: int, pending: PendingExtension, what: str, body: str, now: datetime
) -> int:
    """The person who asked and the unit's heads hear the answer; how many were told."""
    people: dict[int, Person] = {
        p.id: p for p in await people_with_role(s, ward_id, (PersonRole.HEAD,), pending.unit_id)
    }
    if pending.request.person_id is not None and pending.request.person_id not in people:
        asker = await s.get(Person, pending.request.person_id)
        if asker is not None:
            people[asker.id] = asker
    rows = [
        direct_row(ward_id, f"ext:{pending.request.id}:{what}:p{pid}", ReminderKind.NOTICE, now, pid, body)
        for pid in people
    ]
    await insert_reminders(s, rows)
    return len(rows)


async def original_due(s: AsyncSession, pending: PendingExtension) -> date:
    view = await assignment_view(s, pending.request.assignment_id)
    return view.due if view is not None else pending.request.previous_due


async def approve_extension(
    s: AsyncSession, ward_id: int, pending: PendingExtension, by: Person, now: datetime, replan: Replan
) -> str:
    """/duyet: the unit's deadline moves; the new day's reminders exist at once."""
    request = pending.request
    original = await original_due(s, pending)
    await decide_extension(s, request, True, by.id, "", now)
    await replan(s)
    body = tx.approved_for_unit(pending.task_label, original, request.new_due)
    told = await tell_unit_of_extension(s, ward_id, pending, ExtensionState.APPROVED, body, now)
    return tx.approved_for_office(pending.task_label, pending.unit_name, original, request.new_due, told)


async def refuse_extension(
    s: AsyncSession, ward_id: int, pending: PendingExtension, by: Person, reason: str, now: datetime
) -> str:
    """/tuchoi: the deadline stays; the unit told why."""
    if not reason.strip():
        raise ActionError(tr.NEED_EXTENSION_REFUSAL_REASON)
    request = pending.request
    await decide_extension(s, request, False, by.id, reason, now)
    body = tx.refused_for_unit(pending.task_label, request.new_due, request.previous_due, reason)
    told = await tell_unit_of_extension(s, ward_id, pending, ExtensionState.REFUSED, body, now)
    return tx.refused_for_office(pending.task_label, pending.unit_name, request.new_due, reason, told)
