"""Wards by identity: which plan a ward row holds, before a plan is synced into it."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Ward


async def lock_ward(session: AsyncSession, ward_key: str) -> None:
    """Serialise planning of one ward across PostgreSQL workers (held to the transaction's
    end), so two first syncs cannot both create the same units and tasks."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(zlib.crc32(ward_key.encode()))))


@dataclass(frozen=True)
class OtherPlan:
    """The ward row under a key holds another plan (another ward name or plan number)."""

    key: str
    ward_name: str
    plan_code: str
    issued: date


async def claim_ward(
    session: AsyncSession, key: str, ward_name: str, plan_code: str, issued: date, legacy_key: str | None = None
) -> OtherPlan | None:
    """Make `key` (the plan's ward and number, folded) the home of the plan issued on
    `issued`, in the transaction that syncs it; returns what the row holds when it is
    another plan — the same ward and number issued another day (numbers restart every
    year) — and the caller refuses: syncing would replace that plan's tasks. A respelt name
    ("Nhi Chiểu" → "Nhị Chiểu") folds to the same key and is an edit, not another plan.

    A database written before identities came from plans keeps its ward under `legacy_key`
    (the old `NHACVIEC_WARD`, "default"): when that row holds this same plan it takes the new
    key, so the ward's people, statuses and reminders carry over; another plan there is left
    alone and this one gets a ward of its own."""
    await lock_ward(session, key)
    ward = await session.scalar(select(Ward).where(Ward.key == key))
    if ward is not None:
        if ward.plan_issued is not None and ward.plan_issued != issued:
            return OtherPlan(key, ward.name, ward.plan_code, ward.plan_issued)
        ward.plan_issued = issued
        await session.flush()
        return None
    if legacy_key and legacy_key != key:
        old = await session.scalar(select(Ward).where(Ward.key == legacy_key))
        same = old is not None and (old.name, old.plan_code) == (ward_name, plan_code)
        if old is not None and same and old.plan_issued in (None, issued):
            old.key, old.plan_issued = key, issued
            await session.flush()
    return None


async def mark_issued(session: AsyncSession, key: str, issued: date) -> None:
    """Record the issue date on a ward row the plan's first sync has just created."""
    ward = await session.scalar(select(Ward).where(Ward.key == key))
    if ward is not None and ward.plan_issued is None:
        ward.plan_issued = issued
        await session.flush()


async def ward_ids_by_key(session: AsyncSession, keys: list[str]) -> dict[str, int]:
    rows = await session.execute(select(Ward.key, Ward.id).where(Ward.key.in_(keys)))
    return {key: ward_id for key, ward_id in rows.all()}


async def all_ward_ids(session: AsyncSession) -> list[int]:
    return list(await session.scalars(select(Ward.id).order_by(Ward.id)))


async def ward_id_of_plan(
    session: AsyncSession, key: str, ward_name: str, plan_code: str, legacy_key: str | None = None
) -> int | None:
    """Read-only: the ward row of a plan — under its key, or still under `legacy_key` when
    the bot has not run since identities came from plans (claim_ward moves it then)."""
    found = await session.scalar(select(Ward.id).where(Ward.key == key))
    if found is not None or not legacy_key:
        return found
    return await session.scalar(
        select(Ward.id).where(Ward.key == legacy_key, Ward.name == ward_name, Ward.plan_code == plan_code)
    )


async def take_planning_lease(session: AsyncSession, ward_id: int, worker: str, now: datetime, seconds: float) -> bool:
    """Whether `worker` may plan the ward now: it takes the ward's lease when nobody holds
    it, its holder's time ran out (a worker that died mid-planning), or it holds it already.
    One conditional UPDATE: on PostgreSQL a second worker's UPDATE waits for the first's
    commit and then finds the lease held. Commit it before planning, so others see it."""
    result: Any = await session.execute(
        update(Ward)
        .where(
            Ward.id == ward_id,
            or_(Ward.planning_owner.is_(None), Ward.planning_until < now, Ward.planning_owner == worker),
        )
        .values(planning_owner=worker, planning_until=now + timedelta(seconds=seconds))
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)


async def release_planning_lease(session: AsyncSession, ward_id: int, worker: str) -> None:
    """Give the ward's lease back, only if `worker` still holds it."""
    await session.execute(
        update(Ward)
        .where(Ward.id == ward_id, Ward.planning_owner == worker)
        .values(planning_owner=None, planning_until=None)
        .execution_options(synchronize_session=False)
    )


async def wards_by_sha(session: AsyncSession, shas: list[str]) -> dict[str, tuple[int, str]]:
    """Plan file digest → (ward id, key) of the wards last served from those bytes."""
    rows = await session.execute(select(Ward.plan_sha, Ward.id, Ward.key).where(Ward.plan_sha.in_(shas)))
    return {sha: (ward_id, key) for sha, ward_id, key in rows.all() if sha is not None}


async def wards_named_by_sha(session: AsyncSession, shas: list[str]) -> list[tuple[int, str, str]]:
    """(ward id, key, name) of the wards last served from plan files of those digests."""
    rows = await session.execute(select(Ward.id, Ward.key, Ward.name).where(Ward.plan_sha.in_(shas)))
    return [(ward_id, key, name) for ward_id, key, name in rows.all()]


async def record_plan_sha(session: AsyncSession, key: str, sha: str) -> None:
    """The ward `key` now holds the plan of the file whose bytes hash to `sha` (synced from
    it): the next start, or a command line's `known_ward`, may trust the rows without
    reading the file again while its bytes hash the same."""
    await session.execute(update(Ward).where(Ward.key == key).values(plan_sha=sha))


async def serve_wards(
    session: AsyncSession, plans: list[tuple[str, str, str, date]], shas: dict[str, str] | None = None
) -> dict[str, int | OtherPlan]:
    """The ward row of each plan (key, ward name, plan number, issued) without syncing it,
    so a worker can serve every ward at once and plan them afterwards. A missing row is
    made (the plan's first sync fills it); a row holding another plan under the key is
    returned as OtherPlan; a row with no issue date yet gets this one; `shas` (key → the plan
    file's digest) is recorded for the next start. Rows under a legacy
    key are not looked at here: callers give such a ward to `claim_ward`."""
    keys = [p[0] for p in plans]
    found = {w.key: w for w in await session.scalars(select(Ward).where(Ward.key.in_(keys)))}
    missing = [
        {"key": key, "name": name, "plan_code": code, "coordinating_unit": "", "plan_issued": issued}
        for key, name, code, issued in plans
        if key not in found
    ]
    if missing:
        await session.execute(insert(Ward), missing)
        for w in await session.scalars(select(Ward).where(Ward.key.in_([m["key"] for m in missing]))):
            found[w.key] = w
    out: dict[str, int | OtherPlan] = {}
    for key, _name, _code, issued in plans:
        ward = found[key]
        if ward.plan_issued is not None and ward.plan_issued != issued:
            out[key] = OtherPlan(key, ward.name, ward.plan_code, ward.plan_issued)
            continue
        if ward.plan_issued is None:
            ward.plan_issued = issued
        if shas and key in shas:
            ward.plan_sha = shas[key]
        out[key] = ward.id
    await session.flush()
    return out
