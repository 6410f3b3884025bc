"""CLI commands that need the database and the running bot.

Imports sit inside the commands so `nhacviec check` and `nhacviec deadline` start without
loading SQLAlchemy, python-telegram-bot and the rest.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import threading
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import timedelta
from typing import TYPE_CHECKING, TypeVar

from bot.cli_common import CliError, parse_datetime, resolve_unit
from bot.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.context import AppContext

T = TypeVar("T")

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("run", help="chạy bot: lịch nhắc + trò chuyện (console, Telegram, Zalo)")
    p.add_argument("--now", type=parse_datetime, help="bắt đầu đồng hồ của bot tại thời điểm này")
    p.add_argument("--speed", type=float, default=1.0, help="đồng hồ chạy nhanh gấp bao nhiêu lần (với --now)")
    p.add_argument("--verbose", action="store_true", help="in nhật ký chi tiết")
    p.set_defaults(handler=cmd_run)

    p = sub.add_parser("link", help="cấp mã liên kết một lần cho một người của đơn vị")
    p.add_argument("--unit", required=True, help="mã hoặc tên đơn vị")
    p.add_argument("--role", required=True, choices=["head", "office", "leader"], help="vai trò")
    p.add_argument("--name", required=True, help="họ tên")
    p.add_argument("--json", action="store_true", help="in JSON")
    p.set_defaults(handler=cmd_link)

    p = sub.add_parser("remind", help="nhắc ngay một nhiệm vụ (bot đang chạy sẽ gửi trong vài giây)")
    p.add_argument("stt", help="số hoặc nhãn nhiệm vụ, ví dụ 4 hoặc II.3")
    p.add_argument("--unit", help="chỉ nhắc đơn vị này (mã hoặc tên)")
    p.set_defaults(handler=cmd_remind)

    p = sub.add_parser("reply", help="xem bot hiểu một câu trả lời thế nào")
    p.add_argument("text", help='ví dụ "đang làm 50%%"')
    p.add_argument("--json", action="store_true", help="in JSON")
    p.set_defaults(handler=cmd_reply)


def cmd_reply(args: argparse.Namespace, settings: Settings) -> int:
    """How a reply is understood: status, percent, note."""
    from bot.replies import parse_reply
    from bot.texts import STATUS_LABELS

    parsed = parse_reply(args.text)
    if args.json:
        print(json.dumps(asdict(parsed), ensure_ascii=False))
    else:
        extra = f", {parsed.percent}%" if parsed.percent is not None else ""
        note = f", ghi chú: {parsed.note}" if parsed.note else ""
        print(f"{STATUS_LABELS[parsed.status]} ({parsed.status}{extra}{note})")
    return 0


def cmd_link(args: argparse.Namespace, settings: Settings) -> int:
    """Issue a one-time link code."""
    return asyncio.run(_link(args, settings))


async def _in_ward(settings: Settings, work: Callable[[AppContext, AsyncSession], Awaitable[T]]) -> T:
    """Open the ward (schema upgraded, plan synced), run `work` in one transaction, close.
    A refused action becomes a CLI error with its Vietnamese message."""
    from bot.actions import ActionError
    from bot.app import open_context
    from scheduler.clock import SystemClock

    ctx = await open_context(settings, SystemClock())
    try:
        async with ctx.db.session() as s, s.begin():
            try:
                return await work(ctx, s)
            except ActionError as exc:
                raise CliError(str(exc)) from None
    finally:
        await ctx.db.dispose()


async def _link(args: argparse.Namespace, settings: Settings) -> int:
    from bot.actions import IssuedCode, create_person, issue_link_code
    from bot.texts import PERSON_ROLE_LABELS, vn_date

    async def work(ctx: AppContext, s: AsyncSession) -> tuple[str, IssuedCode]:
        unit = resolve_unit(ctx.plan, args.unit)
        person = await create_person(s, ctx.ward_id, args.name, args.role, unit, ctx.now())
        return unit, await issue_link_code(s, person, ctx.now(), timedelta(hours=settings.link_code_ttl_hours))

    unit, issued = await _in_ward(settings, work)
    deep_link = None
    if settings.telegram_token:
        from bot.telegram import deeplink

        username = settings.telegram_bot_username or await deeplink.bot_username(
            settings.telegram_token.get_secret_value(), settings.telegram_base_url
        )
        deep_link = deeplink.deep_link(username, issued.code) if username else None
    if args.json:
        out = {
            "code": issued.code,
            "expires_at": issued.expires_at.isoformat(),
            "person_id": issued.person_id,
            "unit": unit,
            "role": args.role,
            "name": args.name,
        }
        if deep_link:
            out["deep_link"] = deep_link
        print(json.dumps(out, ensure_ascii=False))
    else:
        role = PERSON_ROLE_LABELS.get(args.role, args.role)
        expires = issued.expires_at.astimezone(settings.zone())
        print(f"Mã liên kết cho {args.name} ({role}, {unit}): {issued.code}")
        print(f"Hết hạn: {vn_date(expires.date())} {expires:%H:%M}. Dùng một lần.")
        print(f"Gửi cho bot: /start {issued.code}  (Zalo: LIENKET {issued.code})")
        if deep_link:
            print(f"Hoặc mở: {deep_link}")
    return 0


def cmd_remind(args: argparse.Namespace, settings: Settings) -> int:
    """Queue an immediate reminder."""
    return asyncio.run(_remind(args, settings))


async def _remind(args: argparse.Namespace, settings: Settings) -> int:
    from bot.actions import Queued, queue_manual_reminder
    from bot.texts import remind_queued

    async def work(ctx: AppContext, s: AsyncSession) -> Queued:
        unit = resolve_unit(ctx.plan, args.unit) if args.unit else None
        return await queue_manual_reminder(s, ctx.ward_id, args.stt, unit, ctx.now(), ctx.today())

    queued = await _in_ward(settings, work)
    print(remind_queued(queued.task, len(queued.units), queued.nobody))
    if queued.units:
        print("Bot đang chạy sẽ gửi trong vài giây.")
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the bot."""
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # httpx logs URLs, and URLs hold tokens
    try:
        asyncio.run(_run(args, settings))
    except KeyboardInterrupt:
        pass
    print("\nTạm biệt!")
    if any(t.name == "console-input" and t.is_alive() for t in threading.enumerate()):
        # Stopped by a signal while the console waited for a line: that thread cannot be
        # interrupted, and the interpreter would abort on it at exit. Everything is
        # recorded and the database closed by now, so leave at once.
        sys.stdout.flush()
        os._exit(0)
    return 0


async def _run(args: argparse.Namespace, settings: Settings) -> None:
    from bot.app import Ticker, first_of, make_dispatcher, open_context, run_with_scheduler, stop_on_signals
    from scheduler.clock import Clock, ShiftedClock, SystemClock

    start = args.now if args.now is None or args.now.tzinfo else args.now.replace(tzinfo=settings.zone())
    clock: Clock = ShiftedClock(start, args.speed) if start else SystemClock()
    ctx = await open_context(settings, clock, announce=print)
    # SIGTERM (systemd, Docker) and SIGINT (Ctrl+C) both end the bot the same way: the
    # batch in hand is sent and recorded, rows not started are released, exit code 0.
    stop = stop_on_signals()
    try:
        if settings.telegram_token or settings.zalo_token:
            from bot.messengers import run_messengers

            await run_messengers(ctx, stop)
            return
        from bot.console import ConsoleChannel, ConsoleSession
        from bot.conversation import Conversation

        channel = ConsoleChannel()
        ticker = Ticker(ctx, make_dispatcher(ctx, {"console": channel}))
        session = ConsoleSession(ctx, Conversation(ctx), channel)
        # Who the newcomer is comes first, and the bot's clock starts after: a demo started
        # at 07:59 shows the 08:00 reminders to the unit they picked, not to nobody.
        chosen = asyncio.ensure_future(session.start())
        await first_of(chosen, stop.wait())
        if stop.is_set() or not chosen.result():
            return
        if isinstance(clock, ShiftedClock):
            clock.restart()
        await run_with_scheduler(ticker, first_of(session.converse(), stop.wait()), settings.tick_seconds)
    finally:
        await ctx.db.dispose()
