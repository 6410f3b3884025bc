"""`nhacviec record`: a status a unit gave by phone or on paper, recorded on its behalf by
the office through the same reply reader as a chat message (see store/history.py for how
it is marked)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
from typing import TYPE_CHECKING

from bot.cli.common import CliError, parse_datetime, resolve_unit
from bot.texts import operator as to
from bot.texts.operator import HELP, WARD_HELP

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.actions.status import Recorded
    from bot.context import AppContext
    from bot.settings import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("record", help=HELP["record"])
    p.add_argument("stt", type=int, help=HELP["record stt"])
    p.add_argument("text", help=HELP["record text"])
    p.add_argument("--unit", required=True, help=HELP["record --unit"])
    p.add_argument("--ward", help=WARD_HELP)
    p.add_argument("--at", type=parse_datetime, help=HELP["record --at"])
    p.set_defaults(handler=cmd_record)


def cmd_record(args: argparse.Namespace, settings: Settings) -> int:
    """Record a status on a unit's behalf."""
    return asyncio.run(_record(args, settings))


async def _record(args: argparse.Namespace, settings: Settings) -> int:
    from bot.actions.status import record_on_behalf
    from bot.cli.runtime import _in_ward
    from bot.texts import common as texts
    from bot.texts.report import vn_datetime

    async def work(ctx: AppContext, s: AsyncSession) -> tuple[str, Recorded, str]:
        unit = resolve_unit(ctx.plan, args.unit)
        now = ctx.now()
        at = args.at if args.at is None or args.at.tzinfo else args.at.replace(tzinfo=settings.zone())
        at = at or now
        if at > now:
            raise CliError(to.AT_IN_FUTURE)
        done = await record_on_behalf(
            s,
            ctx.ward_id,
            args.stt,
            unit,
            args.text,
            at,
            now,
            ctx.calendar.local_date(at),
            recorder=None,
            recorder_label=to.command_line_recorder(_user()),
            via="cli",
        )
        return ctx.plan.units[unit].name, done, vn_datetime(at, settings.zone())

    name, done, when = await _in_ward(settings, work, args.ward)
    p = done.parsed
    confirm = texts.confirm(done.view.task_stt, p.status, p.percent, p.note)
    print(texts.RECORDED_ON_BEHALF.format(confirm=confirm, unit=name, at=when))
    return 0


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "?"
