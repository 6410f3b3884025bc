"""`nhacviec desk-link`: a one-time login link to the desk for a person (created if needed),
with the same arguments as `nhacviec link`, for the ward's IT person and the demo."""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import TYPE_CHECKING

from bot.cli.common import CliError, resolve_unit
from bot.texts import operator as to
from bot.texts.operator import HELP, WARD_HELP
from store.enums import PersonRole

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.context import AppContext
    from bot.settings import Settings

# Plain values, so argparse names them as typed in its "invalid choice" line.
ROLES = tuple(r.value for r in (PersonRole.OFFICE, PersonRole.LEADER, PersonRole.HEAD, PersonRole.CITY))


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("desk-link", help=HELP["desk-link"])
    p.add_argument("--ward", help=WARD_HELP)
    p.add_argument("--unit", help=HELP["desk-link --unit"])
    p.add_argument(
        "--role",
        required=True,
        choices=ROLES,
        help=HELP["desk-link --role"],
    )
    p.add_argument("--name", required=True, help=HELP["desk-link --name"])
    p.add_argument("--json", action="store_true", help='in JSON {"url": …}')
    p.set_defaults(handler=cmd_desk_link)


def cmd_desk_link(args: argparse.Namespace, settings: Settings) -> int:
    """Print a one-time login link to the desk."""
    return asyncio.run(_desk_link(args, settings))


async def _desk_link(args: argparse.Namespace, settings: Settings) -> int:
    from bot.actions.desk_links import issue_login_link
    from bot.actions.people import create_person
    from bot.cli.runtime import _in_ward
    from store.desk import find_person
    from store.queries import unit_by_code

    city = args.role == PersonRole.CITY
    if not city and not args.unit:
        raise CliError(to.NEED_UNIT, 2)
    name = " ".join(args.name.split())[:200]
    if not name:
        raise CliError(to.NEED_NAME, 2)

    async def work(ctx: AppContext, s: AsyncSession) -> tuple[str, str]:
        code = resolve_unit(ctx.plan, args.unit) if args.unit and not city else None
        unit = await unit_by_code(s, ctx.ward_id, code) if code else None
        person = await find_person(s, ctx.ward_id, name, args.role, unit.id if unit else None)
        if person is None:
            person = await create_person(s, ctx.ward_id, name, args.role, code, ctx.now())
        return await issue_login_link(s, settings, person, ctx.now()), ctx.plan.ward

    url, ward = await _in_ward(settings, work, args.ward, any_ward=city)
    if args.json:
        print(json.dumps({"url": url}, ensure_ascii=False))
    else:
        print(to.desk_link_for(name, ward, settings.desk_link_minutes))
        print(url)
    return 0
