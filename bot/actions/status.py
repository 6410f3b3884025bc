"""Recording a unit's status: from its own reply, or on its behalf by the office (a phone
call, a paper), through the same reply reader and the same store function."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.actions.common import ActionError, unit_id_of
from bot.reading.replies import ParsedReply, needs_confirmation, parse_reply
from bot.texts import tasks as tt
from store import statuses
from store.history import RECORDED_CHANNEL
from store.inbound import mark_processed, store_inbound
from store.models import Assignment, Person
from store.queries import AssignmentView, current_assignments, task_by_stt


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
    parsed = parse_reply(text)
    if parsed.status == "none":
        raise ActionError(tt.unclear_status(text))
    task = await task_by_stt(session, ward_id, stt)
    if task is None:
        raise ActionError(tt.no_task_number(stt))
    unit_id = await unit_id_of(session, ward_id, unit_code)
    views = [v for v in await current_assignments(session, ward_id, today_at, unit_id) if v.task_stt == stt]
    if not views:
        raise ActionError(tt.not_assigned(stt, unit_code))
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
        raise ActionError(tt.JUST_RECORDED)
    await mark_processed(session, inbound_id, now, "recorded", None)
    await record_status(session, view.id, recorder.id if recorder else None, inbound_id, parsed, at)
    return Recorded(view, parsed)
