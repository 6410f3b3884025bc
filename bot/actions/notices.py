"""Telling people at once: one outbox notice per person, keyed so that a retry, a second
worker or a replayed message queues it once. The one way chat, CLI and desk queue a notice."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from store.enums import PersonRole
from store.models import Person
from store.outbox import queue_notice
from store.queries import people_with_role


async def notify(s: AsyncSession, ward_id: int, people: Iterable[Person], key: str, body: str, now: datetime) -> int:
    """Queue `body` for each of `people` under `{key}:p{person id}`; how many were new."""
    return await queue_notice(s, ward_id, people, key, body, now)


async def notify_office(s: AsyncSession, ward_id: int, key: str, body: str, now: datetime) -> int:
    """Every office person of the ward."""
    office = await people_with_role(s, ward_id, (PersonRole.OFFICE,))
    return await notify(s, ward_id, office, key, body, now)


async def unit_receivers(s: AsyncSession, ward_id: int, unit_id: int) -> list[Person]:
    """Who hears of a decision on a unit's work: its head and deputies (a deputy may be the
    one who reported), else its own office staff."""
    people = await people_with_role(s, ward_id, (PersonRole.HEAD, PersonRole.DEPUTY), unit_id)
    return people or await people_with_role(s, ward_id, (PersonRole.OFFICE,), unit_id)


async def notify_unit(s: AsyncSession, ward_id: int, unit_id: int, key: str, body: str, now: datetime) -> int:
    """The unit's head and deputies, else its office staff (see `unit_receivers`)."""
    return await notify(s, ward_id, await unit_receivers(s, ward_id, unit_id), key, body, now)
