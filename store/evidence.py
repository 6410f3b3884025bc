"""Evidence rows (the product a unit gave for a task) and the office's notice of what
arrived in a slot: one outbox row per office person per slot, rewritten while pending."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Assignment, Evidence, Occurrence, Person, Reminder, Task, Unit
from store.text import storable


async def add_evidence(session: AsyncSession, rows: list[dict[str, Any]]) -> list[Evidence]:
    """Keep each piece of evidence; text is stored escaped where it cannot be kept as is."""
    added = []
    for row in rows:
        row = dict(row)
        row["text"] = storable(row.get("text") or "")
        item = Evidence(**row)
        session.add(item)
        added.append(item)
    await session.flush()
    return added


async def evidence_of(session: AsyncSession, assignment_id: int) -> list[Evidence]:
    stmt = select(Evidence).where(Evidence.assignment_id == assignment_id).order_by(Evidence.created_at, Evidence.id)
    return list(await session.scalars(stmt))


@dataclass(frozen=True)
class ArrivedEvidence:
    """A piece of evidence with what the office needs to read it."""

    evidence: Evidence
    task_label: str
    unit_code: str
    unit_name: str
    person: str | None
    product: str
    due: date


async def evidence_between(
    session: AsyncSession, ward_id: int, since: datetime, until: datetime
) -> list[ArrivedEvidence]:
    """The ward's evidence that arrived in [since, until), oldest first."""
    stmt = (
        select(Evidence, Task.stt, Task.label, Task.product, Unit.code, Unit.name, Person.name, Occurrence.due)
        .join(Assignment, Evidence.assignment_id == Assignment.id)
        .join(Occurrence, Assignment.occurrence_id == Occurrence.id)
        .join(Task, Occurrence.task_id == Task.id)
        .join(Unit, Assignment.unit_id == Unit.id)
        .outerjoin(Person, Evidence.person_id == Person.id)
        .where(Evidence.ward_id == ward_id, Evidence.created_at >= since, Evidence.created_at < until)
        .order_by(Evidence.created_at, Evidence.id)
    )
    return [
        ArrivedEvidence(ev, label or str(stt), code, name, person, product or "", due)
        for ev, stt, label, product, code, name, person, due in (await session.execute(stmt)).all()
    ]


async def set_notice_attachment(session: AsyncSession, ids: list[int], attachment: str | None) -> None:
    """The file a pending notice carries (JSON of scheduler.attachments), or none."""
    if ids:
        await session.execute(
            update(Reminder)
            .where(Reminder.id.in_(ids))
            .values(attachment=attachment)
            .execution_options(synchronize_session=False)
        )


async def evidence_by_task_unit(
    session: AsyncSession, ward_id: int, until: datetime
) -> dict[tuple[int, str], list[Evidence]]:
    """Per (task stt, unit code), the evidence given up to `until`, oldest first."""
    stmt = (
        select(Evidence, Task.stt, Unit.code)
        .join(Assignment, Evidence.assignment_id == Assignment.id)
        .join(Occurrence, Assignment.occurrence_id == Occurrence.id)
        .join(Task, Occurrence.task_id == Task.id)
        .join(Unit, Assignment.unit_id == Unit.id)
        .where(Evidence.ward_id == ward_id, Evidence.created_at <= until)
        .order_by(Evidence.created_at, Evidence.id)
    )
    out: dict[tuple[int, str], list[Evidence]] = {}
    for ev, stt, code in (await session.execute(stmt)).all():
        out.setdefault((stt, code), []).append(ev)
    return out
