"""A task's history: every status report on it, who gave it, the words, and whether the
office recorded it on the unit's behalf.

A status given by phone or on paper (`nhacviec record`, `/ghinhan`) is stored like any
message: an `inbound_messages` row on the pseudo-channel RECORDED_CHANNEL, its chat id the
unit's code, its text the unit's words, `sent_at` the time the status refers to and
`sender_name`/`sender_id` who recorded it. The status report points to that row, carries
the recording person (NULL from the command line) and is dated at the time it refers to.
No column was added for this: the inbound row is the mark.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from store.enums import AssignmentRole, Review, Status
from store.models import Assignment, InboundMessage, Occurrence, Person, StatusReport, Task, Unit

RECORDED_CHANNEL = "office"


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    unit_code: str
    unit_name: str
    role: AssignmentRole
    occurrence_key: str
    due: date
    status: Status
    percent: int | None
    note: str | None
    text: str | None  # the words as received (or as recorded by the office)
    person: str | None  # who sent it; for a recorded status, who recorded it
    recorded: bool  # recorded by the office on the unit's behalf
    recorder: str | None  # the recording label (a person's name, or the command line)
    review: Review | None = None  # the office's review of this report
    retracted_at: datetime | None = None  # taken back by its sender ("sai"): shown, not counted


async def task_history(session: AsyncSession, ward_id: int, stt: int, limit: int = 60) -> list[HistoryRow]:
    """The latest `limit` reports on task `stt` (all units, all periods), oldest first."""
    stmt = (
        select(StatusReport, Unit, Assignment.role, Occurrence, Person.name, InboundMessage)
        .join(Assignment, StatusReport.assignment_id == Assignment.id)
        .join(Occurrence, Assignment.occurrence_id == Occurrence.id)
        .join(Task, Occurrence.task_id == Task.id)
        .join(Unit, Assignment.unit_id == Unit.id)
        .outerjoin(Person, StatusReport.person_id == Person.id)
        .outerjoin(InboundMessage, StatusReport.inbound_id == InboundMessage.id)
        .where(Task.ward_id == ward_id, Task.stt == stt)
        .order_by(StatusReport.created_at.desc(), StatusReport.id.desc())
        .limit(limit)
    )
    rows = []
    for report, unit, role, occ, person, inbound in (await session.execute(stmt)).all():
        recorded = inbound is not None and inbound.channel == RECORDED_CHANNEL
        rows.append(
            HistoryRow(
                at=report.created_at,
                unit_code=unit.code,
                unit_name=unit.name,
                role=role,
                occurrence_key=occ.key,
                due=occ.due,
                status=report.status,
                percent=report.percent,
                note=report.note,
                text=(inbound.text or None) if inbound is not None else None,
                person=person,
                recorded=recorded,
                recorder=inbound.sender_name if recorded and inbound is not None else None,
                review=report.review,
                retracted_at=report.retracted_at,
            )
        )
    rows.reverse()
    return rows
