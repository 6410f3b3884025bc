"""A ward found from its rows alone, for `nhacviec link`.

When the schema is current and every plan file's bytes are those its ward was last served or
synced from (`wards.plan_sha`), the database already holds what the plans say: the ward and
its units are read from their rows, and neither a plan (YAML, pydantic, the deadline reader)
nor Alembic nor the service is loaded — about half the command's time. Anything else (a new
or edited plan, a schema to migrate, a ward or unit the rows do not name as asked) returns
None, and the command opens the ward the full way, which reads, checks and syncs the plan
and says what is wrong in its own words.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.wards import plan_digests, plan_files, short_names
from scheduler.folding import fold, unit_key
from store.queries import active_units
from store.wards import wards_named_by_sha

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from store.db import Database


@dataclass(frozen=True)
class KnownWard:
    ward_id: int
    key: str
    name: str  # the plan's `ward` as written


async def known_ward(db: Database, plan_path: Path, wanted: str | None, *, any_ward: bool = False) -> KnownWard | None:
    """The ward `wanted` names (the only one when None; the first by key when `any_ward`),
    or None when the rows cannot be trusted to say it (see the module)."""
    files = plan_files(plan_path)
    digests = plan_digests(files)
    if not files or len(digests) != len(files) or len(set(digests.values())) != len(files):
        return None
    if not await db.at_head():
        return None
    async with db.read() as s:
        rows = await wards_named_by_sha(s, list(digests.values()))
    if len(rows) != len(files):  # a plan file new or edited since its ward was served
        return None
    wards = sorted((KnownWard(*row) for row in rows), key=lambda w: w.key)
    if wanted is None:
        return wards[0] if len(wards) == 1 or any_ward else None
    text = fold(wanted).strip()
    found = [w for w in wards if text == w.key] or [w for w in wards if text in short_names(w.name, w.key)]
    return found[0] if len(found) == 1 else None


async def known_unit(s: AsyncSession, ward_id: int, text: str) -> str | None:
    """The code of the ward's unit `text` names by code or full name (as the plan's
    `find_unit` reads them); None for anything else, aliases included (only the plan has them)."""
    wanted = unit_key(text)
    units = (await active_units(s, ward_id)).values()
    found = {u.code for u in units if wanted in (unit_key(u.code), unit_key(u.name))}
    return found.pop() if len(found) == 1 else None
