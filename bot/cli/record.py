"""`nhacviec record`: a status a unit gave by phone or on paper, recorded on its behalf by
the office through the same reply reader as a chat message (see store/history.py for how
it is marked)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
from typing import TYPE_CHECKING

from bot.cli.common import WARD_HELP, CliError, parse_datetime, resolve_unit

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.actions.status import Recorded
    from bot.context import AppContext
    from bot.settings import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("record", help="ghi nhận hộ tình trạng một đơn vị báo qua điện thoại hoặc văn bản")
    p.add_argument("stt", type=int, help="số thứ tự nhiệm vụ")
    p.add_argument("text", help='lời đơn vị báo, ví dụ "đã xong" hoặc "vướng: chưa có kinh phí"')
    p.add_argument("--unit", required=True, help="mã hoặc tên đơn vị báo tình trạng")
    p.add_argument("--ward", help=WARD_HELP)
    p.add_argument("--at", type=parse_datetime, help="thời điểm đơn vị báo (mặc định: bây giờ), ví dụ 2026-06-03T09:30")
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
            raise CliError("--at không được ở tương lai")
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
            recorder_label=f"dòng lệnh ({_user()})",
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
