"""CLI commands that need the database and the running bot.

Imports sit inside the commands so `nhacviec check` and `nhacviec deadline` start without
loading SQLAlchemy, the Telegram client and the rest.
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
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from bot.cli.common import CliError, parse_datetime, resolve_unit
from bot.texts import operator as to
from bot.texts.operator import HELP, WARD_HELP
from store.enums import PersonRole

if TYPE_CHECKING:
    import socket

    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.actions.people import IssuedCode
    from bot.channels.startup import StartupFailed
    from bot.context import AppContext
    from bot.settings import Settings
    from scheduler.clock import Clock

T = TypeVar("T")

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("run", help=HELP["run"])
    p.add_argument("--now", type=parse_datetime, help=HELP["run --now"])
    p.add_argument("--speed", type=float, default=1.0, help=HELP["run --speed"])
    p.add_argument("--verbose", action="store_true", help=HELP["run --verbose"])
    p.set_defaults(handler=cmd_run)

    p = sub.add_parser("link", help=HELP["link"])
    p.add_argument("--ward", help=WARD_HELP)
    p.add_argument("--unit", help=HELP["link --unit"])
    p.add_argument(
        "--role",
        required=True,
        choices=[r.value for r in PersonRole],  # plain values: argparse quotes them as typed
        help=HELP["link --role"],
    )
    p.add_argument("--name", required=True, help=HELP["link --name"])
    p.add_argument("--json", action="store_true", help="in JSON")
    p.set_defaults(handler=cmd_link)

    p = sub.add_parser("remind", help=HELP["remind"])
    p.add_argument("stt", help=HELP["remind stt"])
    p.add_argument("--ward", help=WARD_HELP)
    p.add_argument("--unit", help=HELP["remind --unit"])
    p.set_defaults(handler=cmd_remind)

    p = sub.add_parser("reply", help=HELP["reply"])
    p.add_argument("text", help=HELP["reply text"])
    p.add_argument("--json", action="store_true", help="in JSON")
    p.set_defaults(handler=cmd_reply)

    p = sub.add_parser("status", help=HELP["status"])
    p.add_argument("--json", action="store_true", help="in JSON")
    p.set_defaults(handler=cmd_status)

    p = sub.add_parser("backup", help=HELP["backup"])
    p.add_argument("--out", help=HELP["backup --out"])
    p.set_defaults(handler=cmd_backup)


def cmd_reply(args: argparse.Namespace, settings: Settings) -> int:
    """How a reply is understood: status, percent, note."""
    from bot.reading.replies import parse_reply
    from bot.texts.common import STATUS_LABELS

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


async def _in_ward(
    settings: Settings,
    work: Callable[[AppContext, AsyncSession], Awaitable[T]],
    ward: str | None = None,
    *,
    any_ward: bool = False,
) -> T:
    """Open the ward `ward` names — the only one when the deployment has one plan; the first
    when `any_ward` and none is named — (schema upgraded, its plan synced), run `work` in one
    transaction, close. A refused action or an unknown ward is a CLI error in Vietnamese."""
    from bot.actions.common import ActionError
    from bot.app.service import open_context
    from bot.wards import WardError, load_wards
    from scheduler.clock import SystemClock
    from scheduler.plan import PlanError

    try:
        if ward is None and any_ward:
            ward = min(load_wards(settings.plan_path), key=lambda w: w.key).key
        ctx = await open_context(settings, SystemClock(), ward=ward, one_ward=True)
    except (WardError, PlanError) as exc:
        raise CliError(str(exc)) from None
    try:
        async with ctx.db.session() as s, s.begin():
            try:
                return await work(ctx, s)
            except ActionError as exc:
                raise CliError(str(exc)) from None
    finally:
        await ctx.db.dispose()


async def _link(args: argparse.Namespace, settings: Settings) -> int:
    from bot.actions.people import create_person, issue_link_code
    from bot.texts.common import PERSON_ROLE_LABELS, vn_date

    city = args.role == PersonRole.CITY
    if not city and not args.unit:
        raise CliError(to.NEED_UNIT, 2)

    async def work(ctx: AppContext, s: AsyncSession) -> tuple[str, IssuedCode]:
        # A city official belongs to no unit; their code is kept in the ward named (or the
        # first), and they see every ward the deployment serves.
        unit = resolve_unit(ctx.plan, args.unit) if args.unit and not city else None
        person = await create_person(s, ctx.ward_id, args.name, args.role, unit, ctx.now())
        issued = await issue_link_code(s, person, ctx.now(), timedelta(hours=settings.link_code_ttl_hours))
        return unit or ctx.plan.ward, issued

    # Most codes are issued in a ward already served from its plan as it is: its rows suffice.
    known = await _link_known(args, settings, city)
    unit, issued = known if known is not None else await _in_ward(settings, work, args.ward, any_ward=city)
    deep_link = None
    if settings.telegram_token:
        from bot.channels.telegram.username import bot_username
        from bot.texts.links import deep_link as make_deep_link

        username = settings.telegram_bot_username or await bot_username(
            settings.telegram_token.get_secret_value(), settings.telegram_base_url
        )
        deep_link = make_deep_link(username, issued.code) if username else None
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
        when = f"{vn_date(expires.date())} {expires:%H:%M}"
        print("\n".join(to.link_code_lines(args.name, role, unit, issued.code, when, deep_link)))
    return 0


async def _link_known(args: argparse.Namespace, settings: Settings, city: bool) -> tuple[str, IssuedCode] | None:
    """The code issued in a ward found from its rows (bot/cli/known.py); None when the ward
    must be opened the full way (its plan read and synced) first."""
    from datetime import UTC, datetime

    from bot.actions.common import ActionError
    from bot.actions.people import create_person, issue_link_code
    from bot.cli.known import known_unit, known_ward
    from store.db import Database

    db = Database(settings.database_url)
    try:
        ward = await known_ward(db, settings.plan_path, args.ward, any_ward=city)
        if ward is None:
            return None
        async with db.session() as s, s.begin():
            unit = await known_unit(s, ward.ward_id, args.unit) if args.unit and not city else None
            if unit is None and not city:
                return None
            now = datetime.now(UTC)
            try:
                person = await create_person(s, ward.ward_id, args.name, args.role, unit, now)
                issued = await issue_link_code(s, person, now, timedelta(hours=settings.link_code_ttl_hours))
            except ActionError as exc:
                raise CliError(str(exc)) from None
            return unit or ward.name, issued
    finally:
        await db.dispose()


def cmd_remind(args: argparse.Namespace, settings: Settings) -> int:
    """Queue an immediate reminder."""
    return asyncio.run(_remind(args, settings))


async def _remind(args: argparse.Namespace, settings: Settings) -> int:
    from bot.actions.tasks import Queued, queue_manual_reminder
    from bot.texts.common import remind_queued

    async def work(ctx: AppContext, s: AsyncSession) -> Queued:
        unit = resolve_unit(ctx.plan, args.unit) if args.unit else None
        return await queue_manual_reminder(s, ctx.ward_id, args.stt, unit, ctx.now(), ctx.today())

    queued = await _in_ward(settings, work, args.ward)
    print(remind_queued(queued.task, len(queued.units), queued.nobody))
    if queued.units:
        print(to.BOT_SENDS_SOON)
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the bot."""
    from bot.app.logs import configure_logging, install_redaction, redact, redact_handlers, secrets_of
    from bot.channels.startup import StartupFailed
    from store.versioning import version_line

    configure_logging(args.verbose, settings.log_format)
    log.info("%s starting: channels %s", version_line(), ", ".join(settings.channel_list()))
    # Secrets are redacted from messages and from formatted tracebacks, before anything runs.
    install_redaction(secrets_of(settings))
    redact_handlers()
    try:
        asyncio.run(_run(args, settings))
    except KeyboardInterrupt:
        pass
    except StartupFailed as exc:
        raise CliError(to.cannot_start(redact(str(exc)))) from None
    print(to.GOODBYE)
    if any(t.name == "console-input" and t.is_alive() for t in threading.enumerate()):
        # Stopped by a signal while the console waited for a line: that thread cannot be
        # interrupted, and the interpreter would abort on it at exit. Everything is
        # recorded and the database closed by now, so leave at once.
        sys.stdout.flush()
        os._exit(0)
    return 0


async def _run(args: argparse.Namespace, settings: Settings) -> None:
    from bot.app.signals import stop_on_signals
    from bot.channels.startup import StartupFailed, check_webhook_settings, check_writable, hold_port
    from bot.desk.serve import running_desk, serves_own_desk
    from scheduler.clock import ShiftedClock, SystemClock

    start = args.now if args.now is None or args.now.tzinfo else args.now.replace(tzinfo=settings.zone())
    clock: Clock = ShiftedClock(start, args.speed) if start else SystemClock()
    if not settings.messengers() and _stdin_is_null():
        # systemd and Docker give a service /dev/null: the console demo would read nothing
        # and exit 0, and the supervisor would never restart what looks like a clean stop.
        raise StartupFailed(to.NO_CHANNEL)
    listener = None
    if settings.messengers():
        # Before the database is touched and any webhook registered: what would stop the
        # start later, said now in one line. The port is held from here on.
        check_webhook_settings(settings)
        check_writable(settings.files_path, settings.evidence_folder())
        if settings.webhook_mode or settings.health_server:
            listener = hold_port(settings.webhook_listen, settings.webhook_port)
    desk_listener = None
    try:
        if serves_own_desk(settings):
            # A desk port already taken stops the start too, named, rather than a bot
            # whose login links lead to whatever else listens there.
            desk_listener = hold_port(settings.desk_host, settings.desk_port, desk=True)
        ctx = await _open_for_run(settings, clock)
        # SIGTERM (systemd, Docker) and SIGINT (Ctrl+C) both end the bot the same way: the
        # batch in hand is sent and recorded, rows not started are released, exit code 0.
        stop = stop_on_signals()
        try:
            async with running_desk(ctx, desk_listener) as desk:
                await _serve_while_reading(ctx, clock, stop, desk, listener)
        finally:
            await ctx.db.dispose()
    finally:
        for held in (listener, desk_listener):
            if held is not None:
                held.close()


def _stdin_is_null() -> bool:
    """Whether standard input is /dev/null (a service), not a terminal or a pipe."""
    try:
        given, null = os.fstat(sys.stdin.fileno()), os.stat(os.devnull)
    except (OSError, ValueError, AttributeError):
        return False
    return (given.st_dev, given.st_ino) == (null.st_dev, null.st_ino) or (given.st_rdev == null.st_rdev != 0)


async def _serve(
    ctx: AppContext, clock: Clock, stop: asyncio.Event, desk: bool, listener: socket.socket | None = None
) -> None:
    from bot.actions.desk_links import desk_base_url
    from bot.app.service import Ticker, first_of, make_dispatcher, run_with_scheduler
    from bot.desk.serve import demo_login_link
    from scheduler.clock import ShiftedClock

    settings = ctx.settings
    if desk:
        print(to.desk_address(desk_base_url(settings)))
    if settings.messengers():
        from bot.app.messengers import run_messengers

        await run_messengers(ctx, stop, listener)
        return
    import bot.commands  # noqa: F401  (registers every chat command)
    from bot.channels.console import ConsoleChannel, ConsoleSession
    from bot.conversation.handle import Conversation

    channel = ConsoleChannel()
    ticker = Ticker(ctx, make_dispatcher(ctx, {"console": channel}))
    # The service plans in the background; the console's ward is planned first, since the
    # demo's login link and the newcomer's choice of unit need its units right away.
    await ticker.plan_now(ctx.ward_id)
    if desk:
        link = await demo_login_link(ctx)
        minutes = settings.desk_link_minutes
        print(to.demo_login(minutes, link))
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


async def _serve_while_reading(
    ctx: AppContext, clock: Clock, stop: asyncio.Event, desk: bool, listener: socket.socket | None
) -> None:
    """Serve while the plan files the start left are read; what that reading refuses ends
    the service in the one line a refused start says."""
    from bot.app.service import serving_while_reading

    try:
        await serving_while_reading(ctx, stop, _serve(ctx, clock, stop, desk, listener))
    except Exception as exc:
        refused = _refusal(ctx.settings, exc)
        if refused is None:
            raise
        raise refused from None


def _refusal(settings: Settings, exc: BaseException) -> StartupFailed | None:
    """The one line a refused start says for `exc` (None: not a refusal)."""
    from bot.app.logs import redact
    from bot.channels.startup import StartupFailed, StartupUnreachable
    from bot.wards import WardError
    from scheduler.plan import PlanError
    from scheduler.workcal import CalendarError
    from store.db import unusable

    if isinstance(exc, WardError):
        return StartupFailed(str(exc))
    if isinstance(exc, PlanError):
        return StartupFailed(to.bad_plan(exc.path, exc.problems))
    if isinstance(exc, CalendarError):
        return StartupFailed(to.bad_calendar(settings.calendar_path, str(exc)))
    if unusable(exc):
        said = str(getattr(exc, "orig", None) or exc).strip()
        first = said.splitlines()[0] if said else type(exc).__name__
        if settings.database_url.startswith("sqlite"):  # a file: a permission or a path, not a network
            return StartupFailed(to.sqlite_unopenable(redact(first)[:200]))
        return StartupUnreachable(to.database_unreachable(redact(first)[:200]))
    return None


async def _open_for_run(settings: Settings, clock: Clock) -> AppContext:
    """open_context, with what can go wrong at start said in one line: an invalid plan or
    calendar (final), a database not reachable yet (retried: it may boot after us)."""
    from bot.app.service import open_context
    from bot.channels.startup import with_retries

    async def attempt() -> AppContext:
        try:
            return await open_context(settings, clock, announce=print, plan_first=False)
        except Exception as exc:
            refused = _refusal(settings, exc)
            if refused is None:
                raise
            raise refused from None

    return await with_retries(
        "database", attempt, retries=settings.startup_retries, delay=settings.startup_retry_seconds
    )


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    """The outbox by state, the last sends, the failures of the last day, the dead-man's switch."""
    return asyncio.run(_status(args, settings))


async def _status(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime

    from bot.app.health import ward_health
    from bot.cli.backup import sqlite_path
    from store.db import Database

    try:
        path = sqlite_path(settings.database_url)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if path is not None and not path.exists():  # a wrong path must not look like a healthy, empty bot
        raise CliError(to.no_database_file(path, setting=True))
    db = Database(settings.database_url)
    try:
        await db.upgrade()
        report = await ward_health(db, datetime.now(UTC), timedelta(minutes=settings.deadman_minutes))
    finally:
        await db.dispose()
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        print(report.text(settings.zone()))
    return 0 if report.healthy else 1


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    """SQLite: an online backup, consistent while the bot writes. PostgreSQL: pg_dump when it
    is installed, else the pg_dump line to run. Either way the copy is readable by its owner
    only and records when it was taken (for `nhacviec restore`)."""
    from datetime import datetime

    from bot.cli.backup import backup_sqlite, sqlite_path
    from store.versioning import app_version

    stamp = datetime.now(settings.zone()).strftime("%Y%m%d-%H%M%S")
    try:
        path = sqlite_path(settings.database_url)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if path is None:
        if not settings.database_url.startswith("postgresql"):
            raise CliError(to.unknown_database_kind(settings.database_url.split(":", 1)[0]))
        return _backup_postgres(args, settings, stamp)
    if not path.exists():
        raise CliError(to.no_database_file(path))
    out = _backup_target(args.out, f"{path.stem}-{stamp}.db")
    pages = backup_sqlite(path, out, mark=app_version())
    print(to.sqlite_backed_up(path, out, pages))
    return 0


def _backup_target(given: str | None, name: str) -> Path:
    """--out as given, or a timestamped file in it when it is a folder; never an existing file."""
    out = Path(given) if given else Path(".")
    if out.is_dir() or (given or "").endswith(("/", os.sep)):
        out = out / name
    if out.exists():
        raise CliError(to.backup_exists(out))
    return out


def _backup_postgres(args: argparse.Namespace, settings: Settings, stamp: str) -> int:
    import shutil

    from bot.cli.backup import pg_dump, pg_dump_command

    out = _backup_target(args.out, f"nhacviec-{stamp}.dump")
    if shutil.which("pg_dump") is None:
        print(to.PG_DUMP_BY_HAND)
        print(pg_dump_command(settings.database_url, str(out)))
        print(to.PG_RESTORE_HINT)
        return 0
    asyncio.run(_mark_backup(settings, str(out)))
    try:
        pg_dump(settings.database_url, out)
    except RuntimeError as exc:
        from bot.app.logs import redact

        raise CliError(redact(str(exc))) from None
    print(to.postgres_backed_up(out))
    return 0


async def _mark_backup(settings: Settings, target: str) -> None:
    """Committed just before pg_dump takes its snapshot: the dump holds its own moment."""
    from datetime import UTC, datetime

    from store.db import Database
    from store.restore import record_backup
    from store.versioning import app_version

    db = Database(settings.database_url)
    try:
        async with db.session() as s, s.begin():
            await record_backup(s, datetime.now(UTC), target, app_version())
    finally:
        await db.dispose()
