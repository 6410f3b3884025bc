"""Things people make happen — linking, reporting a status, nudging, activating — shared by
the chat conversation and the CLI so both behave the same."""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.replies import ParsedReply, needs_confirmation
from store import people, statuses
from store.enums import DeadlineKind, PersonRole, ReminderKind
from store.models import Assignment, Person, Task
from store.outbox import insert_reminders, reminder_row
from store.queries import AssignmentView, current_assignments, task_by_label, task_by_stt, unit_by_code

log = logging.getLogger(__name__)

ROLES = tuple(PersonRole)
# Wrong link codes are throttled per chat and across all chats.
#
# A per-code limit would not slow a guesser: each wrong try names a different 6-digit code,
# so no code ever gathers failures. What bounds a guesser's luck is the number of guesses
# against the number of live codes, whatever chats (or accounts) they come from. So the
# limit "per code" is a limit on wrong codes from anywhere: with GLOBAL = 30 per 15 minutes
# (at most 2,880 guesses a day) and 10 live codes in a ward, the odds that a day of guessing
# hits one are 2,880 × 10 / 1,000,000 ≈ 3 %, while a person who mistypes is never near it.
# When it trips, nobody links until the window has passed (the log says so); that is the
# price of the bound, and linking is rare and arranged with the office.
LINK_FAILURE_WINDOW = timedelta(minutes=15)
LINK_FAILURE_LIMIT = 5  # per chat
LINK_FAILURE_GLOBAL_LIMIT = 30  # from all chats together


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
        raise ActionError(f"Vai trò không hợp lệ: {role} (head, deputy, office hoặc leader)")
    unit_id = await _unit_id(session, ward_id, unit_code)
    return await people.add_person(session, ward_id, name, role, unit_id, now)


async def issue_link_code(session: AsyncSession, person: Person, now: datetime, ttl: timedelta) -> IssuedCode:
    """A single-use 6-digit code; the person sends it to the bot to bind their chat."""
    for _ in range(20):
        code = f"{secrets.randbelow(1_000_000):06d}"
        if not await people.code_in_use(session, code):
            row = await people.add_link_code(session, person, code, now, ttl)
            return IssuedCode(code=code, person_id=person.id, expires_at=row.expires_at)
    raise ActionError("Không tạo được mã liên kết, xin thử lại")


class LinkRefusal(StrEnum):
    CHAT = "chat"  # this chat sent too many wrong codes
    EVERYWHERE = "everywhere"  # too many wrong codes from all chats together


async def link_throttled(session: AsyncSession, channel: str, chat_id: str, now: datetime) -> LinkRefusal | None:
    """Why a code must not even be tried now, or None."""
    since = now - LINK_FAILURE_WINDOW
    if await people.link_failures_since(session, since, channel, chat_id) >= LINK_FAILURE_LIMIT:
        return LinkRefusal.CHAT
    if await people.link_failures_since(session, since) >= LINK_FAILURE_GLOBAL_LIMIT:
        log.warning("linking paused: %d wrong codes from all chats in 15 minutes", LINK_FAILURE_GLOBAL_LIMIT)
        return LinkRefusal.EVERYWHERE
    return None


async def redeem_code(
    session: AsyncSession,
    code: str,
    channel: str,
    chat_id: str,
    sender_id: str | None,
    display_name: str,
    now: datetime,
) -> Person | None:
    """Link the chat with a single-use code; a wrong, used or expired code is counted."""
    person = await people.redeem_link_code(session, code, channel, chat_id, display_name, now, sender_id)
    if person is None:
        await people.record_link_failure(session, channel, chat_id, now, LINK_FAILURE_WINDOW)
    return person


async def record_status(
    session: AsyncSession,
    assignment_id: int,
    person_id: int | None,
    inbound_id: int | None,
    parsed: ParsedReply,
    now: datetime,
) -> Assignment:
    """Keep the report and update the assignment's latest status. A done the reader could
    not be sure of ("unclear_done") is never stored as such: until the question is asked,
    it is recorded as in progress, never as done."""
    if needs_confirmation(parsed):
        parsed = ParsedReply("in_progress", parsed.percent, parsed.note)
    return await statuses.record_status(
        session, assignment_id, person_id, inbound_id, parsed.status, parsed.percent, parsed.note, now
    )


async def find_task(session: AsyncSession, ward_id: int, ref: int | str) -> Task:
    """A task by its number (int) or by the label people write ("II.3", "ii 3", "3")."""
    task = await (task_by_stt(session, ward_id, ref) if isinstance(ref, int) else task_by_label(session, ward_id, ref))
    if task is None:
        raise ActionError(f"Không có nhiệm vụ {ref}")
    return task


def task_name(task: Task) -> str:
    return task.label or str(task.stt)


@dataclass(frozen=True)
class Queued:
    """What a nudge did: the task's label, the units queued (codes, in plan order) and the
    units left out because nobody there could receive it."""

    task: str
    units: list[str]
    nobody: list[str]


async def queue_manual_reminder(
    session: AsyncSession, ward_id: int, ref: int | str, unit_code: str | None, now: datetime, today: date
) -> Queued:
    """Queue an immediate reminder of task `ref` (number or label) for its units (or one unit).

    A unit with nobody to receive it (no head or unit office staff with a reachable linked
    chat) gets no row — it would only be skipped — and is named instead, so the office knows."""
    task = await find_task(session, ward_id, ref)
    unit_id = await _unit_id(session, ward_id, unit_code)
    views = [v for v in await current_assignments(session, ward_id, today, unit_id) if v.task_id == task.id]
    if not views:
        raise ActionError(
            f"Nhiệm vụ {task_name(task)} chưa có đơn vị nào cần nhắc"
            + (" (chưa kích hoạt?)" if task.deadline_kind == DeadlineKind.CONDITIONAL else "")
        )
    receiving = await people.units_with_receivers(session, ward_id, {v.unit_id for v in views})
    stamp = int(now.timestamp() * 1000)
    rows = [
        reminder_row(ward_id, f"m:{v.id}:{stamp}", ReminderKind.MANUAL, now, now, assignment_id=v.id)
        for v in views
        if v.unit_id in receiving
    ]
    await insert_reminders(session, rows)
    units = list(dict.fromkeys(v.unit_code for v in views if v.unit_id in receiving))
    nobody = list(dict.fromkeys(v.unit_code for v in views if v.unit_id not in receiving))
    return Queued(task_name(task), units, nobody)


async def activate_task(session: AsyncSession, ward_id: int, ref: int | str, due: date) -> Task:
    """Give a conditional task (by number or label) the date its condition fixed."""
    task = await find_task(session, ward_id, ref)
    if task.deadline_kind != DeadlineKind.CONDITIONAL:
        raise ActionError(f'Nhiệm vụ {task_name(task)} đã có thời hạn "{task.deadline_text}", không cần kích hoạt')
    task.activated_due = due
    return task


@dataclass(frozen=True)
class Recorded:
    view: AssignmentView
    parsed: ParsedReply


async def record_on_behalf(
    session: AsyncSession,
    ward_id: int,
    stt: int,
    unit_code: str,
    text: str,
    at: datetime,
    now: datetime,
    today_at: date,
    *,
    recorder: Person | None,
    recorder_label: str,
    via: str,
) -> Recorded:
    """A status a unit gave by phone or on paper, recorded by the office on its behalf.

    The words go through the same reply reader as a chat message; the words are kept as an
    inbound message on the office's pseudo-channel (store.history.RECORDED_CHANNEL), so the
    history shows who recorded what, and the report is dated `at`, the time it refers to
    (`today_at` is that time's local day, which picks the task's period)."""
    from bot.replies import parse_reply
    from store.history import RECORDED_CHANNEL
    from store.inbound import mark_processed, store_inbound

    parsed = parse_reply(text)
    if parsed.status == "none":
        raise ActionError(f'Chưa hiểu tình trạng trong "{text}" (ví dụ: "đã xong", "đang làm 50%", "vướng: lý do")')
    task = await task_by_stt(session, ward_id, stt)
    if task is None:
        raise ActionError(f"Không có nhiệm vụ số {stt}")
    unit_id = await _unit_id(session, ward_id, unit_code)
    views = [v for v in await current_assignments(session, ward_id, today_at, unit_id) if v.task_stt == stt]
    if not views:
        raise ActionError(f"Nhiệm vụ {stt} không giao cho đơn vị {unit_code} (hoặc chưa đến kỳ)")
    view = views[0]
    inbound_id = await store_inbound(
        session,
        {
            "channel": RECORDED_CHANNEL,
            "chat_id": unit_code,
            "message_id": f"{via}:{int(now.timestamp() * 1_000_000)}:{stt}",
            "sender_id": str(recorder.id) if recorder is not None else None,
            "sender_name": recorder_label,
            "text": text,
            "reply_to_message_id": None,
            "raw": json.dumps(
                {
                    "recorded_by": recorder_label,
                    "person_id": recorder.id if recorder else None,
                    "via": via,
                    "task": stt,
                    "unit": unit_code,
                    "at": at.isoformat(),
                },
                ensure_ascii=False,
            ),
            "sent_at": at,
            "received_at": now,
        },
    )
    if inbound_id is None:
        raise ActionError("Tình trạng này vừa được ghi nhận, xin thử lại")
    await mark_processed(session, inbound_id, now, "recorded", None)
    await record_status(session, view.id, recorder.id if recorder else None, inbound_id, parsed, at)
    return Recorded(view, parsed)
