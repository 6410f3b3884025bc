"""The figures units report for the plan's targets, per unit, report period and key."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Person, TargetFigure, Unit


@dataclass(frozen=True)
class FigureRow:
    unit_code: str
    period: str
    field: str
    value: float
    reported_at: datetime
    person: str  # who reported or recorded it ("" when unknown)
    on_behalf: bool


async def record_figures(
    session: AsyncSession,
    ward_id: int,
    unit_id: int,
    period: str,
    values: Iterable[tuple[str, float]],
    person_id: int | None,
    inbound_id: int | None,
    now: datetime,
    *,
    on_behalf: bool = False,
) -> None:
    """Keep each (key, value) as the unit's figure for `period`; a figure given again
    replaces the earlier one (a correction), the others stay."""
    for key, value in values:
        row = await session.scalar(
            select(TargetFigure).where(
                TargetFigure.ward_id == ward_id,
                TargetFigure.unit_id == unit_id,
                TargetFigure.period == period,
                TargetFigure.field == key,
            )
        )
        if row is None:
            row = TargetFigure(ward_id=ward_id, unit_id=unit_id, period=period, field=key)
            session.add(row)
        row.value, row.person_id, row.inbound_id, row.on_behalf, row.reported_at = (
            value,
            person_id,
            inbound_id,
            on_behalf,
            now,
        )
    await session.flush()


async def figures(session: AsyncSession, ward_id: int, periods: Iterable[str]) -> list[FigureRow]:
    """Every figure of the ward for the given periods."""
    wanted = sorted(set(periods))
    if not wanted:
        return []
    stmt = (
        select(TargetFigure, Unit.code, Person.name)
        .join(Unit, TargetFigure.unit_id == Unit.id)
        .outerjoin(Person, TargetFigure.person_id == Person.id)
        .where(TargetFigure.ward_id == ward_id, TargetFigure.period.in_(wanted))
        .order_by(Unit.code, TargetFigure.field)
    )
    return [
        FigureRow(code, f.period, f.field, f.value, f.reported_at, person or "", f.on_behalf)
        for f, code, person in (await session.execute(stmt)).all()
    ]
