"""What the actions share: the refusal a person may be shown, and the unit a code names.

Apart from bot/actions/tasks.py so linking a person (`nhacviec link`) does not load the
reminder outbox with the task actions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.texts import tasks as tt
from store.queries import unit_by_code

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


class ActionError(ValueError):
    """A refused action; the message is Vietnamese and safe to show."""


async def unit_id_of(session: AsyncSession, ward_id: int, unit_code: str | None) -> int | None:
    if unit_code is None:
        return None
    unit = await unit_by_code(session, ward_id, unit_code)
    if unit is None:
        raise ActionError(tt.no_unit(unit_code))
    return unit.id
