"""Operator commands: `migrate` (the schema, under the migration lock) and `restore`.

Imports sit inside the commands, as in cli_runtime, so `nhacviec --help` stays light.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import CliError, parse_datetime
from bot.texts import operator as to
from bot.texts.operator import HELP

if TYPE_CHECKING:
    from bot.context import AppContext
    from bot.settings import Settings
    from store.restore import WardGap


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "migrate",
        help=HELP["migrate"],
    )
    p.add_argument("--to", default="head", help=HELP["migrate --to"])
    p.set_defaults(handler=cmd_migrate)

    p = sub.add_parser(
        "restore",
        help=HELP["restore"],
    )
    p.add_argument("file", nargs="?", help=HELP["restore file"])
    p.add_argument(
        "--database-restored",
        action="store_true",
        help=HELP["restore --database-restored"],
    )
    p.add_argument(
        "--stopped-at",
        type=parse_datetime,
        help=HELP["restore --stopped-at"],
    )
    p.add_argument("--force", action="store_true", help=HELP["restore --force"])
    p.set_defaults(handler=cmd_restore)


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    """Upgrade (or, with --to an older revision, downgrade) the schema and say what changed."""
    return asyncio.run(_migrate(args.to, settings))


async def _migrate(target: str, settings: Settings) -> int:
    from store.db import Database

    db = Database(settings.database_url)
    try:
        try:
            before, after = await db.upgrade(target)
        except Exception as exc:
            if type(exc).__module__.startswith("alembic") and "revision" in str(exc).lower():
                raise CliError(to.no_schema_version(target)) from None
            raise
    finally:
        await db.dispose()
    if before == after:
        print(to.schema_unchanged(after))
    else:
        print(to.schema_moved(before, after))
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    """Put a backup in place and keep what it holds from going out twice (store.restore):
    SQLite from FILE; PostgreSQL after pg_restore (--database-restored)."""
    from bot.cli.backup import sqlite_path

    now = datetime.now(UTC)
    cutoff = now
    if args.stopped_at is not None:
        stopped = args.stopped_at if args.stopped_at.tzinfo else args.stopped_at.replace(tzinfo=settings.zone())
        cutoff = min(now, stopped.astimezone(UTC))
    try:
        path = sqlite_path(settings.database_url)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if path is None and not args.database_restored:
        print("\n".join(to.postgres_restore_steps(args.file)))
        return 0
    if path is not None:
        if not args.file:
            raise CliError(to.NEED_BACKUP_FILE, 2)
        _put_sqlite_backup(Path(args.file), path, now, settings, force=args.force)
    restored = asyncio.run(after_restore(settings, now, cutoff))
    print(restored.text(settings))
    print(to.RESTART_BOT)
    return 0


def _put_sqlite_backup(backup: Path, database: Path, now: datetime, settings: Settings, *, force: bool) -> None:
    from bot.cli.backup import restore_sqlite

    if not backup.is_file():
        raise CliError(to.no_backup_file(backup))
    if database.exists() and not force and asyncio.run(_running(settings, now)):
        raise CliError(to.BOT_SEEMS_RUNNING)
    _refuse_newer_schema(backup)
    aside = database.with_name(f"{database.stem}-truoc-khoi-phuc-{now.astimezone(settings.zone()):%Y%m%d-%H%M%S}.db")
    try:
        restore_sqlite(backup, database, aside if database.exists() else None)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if database.exists() and aside.exists():
        print(to.old_database_kept(aside))
    print(to.backup_placed(backup, database))


def _refuse_newer_schema(backup: Path) -> None:
    """A backup made by a newer release cannot be run by this code: refused before anything
    is replaced, naming both versions."""
    import sqlite3

    from store.db import MIGRATIONS
    from store.versioning import SchemaTooNew

    try:
        with sqlite3.connect(f"file:{backup}?mode=ro", uri=True) as conn:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return  # restore_sqlite says what is wrong with the file
    if row is None:
        return
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(cfg)
    try:
        known = script.get_revision(row[0]) is not None
    except Exception:  # alembic's own error for an id it does not have
        known = False
    if not known:
        raise CliError(to.backup_too_new(SchemaTooNew(row[0], script.get_current_head() or "?")))


async def _running(settings: Settings, now: datetime) -> bool:
    from store.db import Database
    from store.restore import bot_seems_running

    db = Database(settings.database_url)
    try:
        async with db.read() as s:
            return await bot_seems_running(s, now)
    except Exception:  # an old or broken file: it is being replaced anyway
        return False
    finally:
        await db.dispose()


@dataclass(frozen=True)
class Restored:
    taken_at: datetime | None
    closed: int
    told: int

    def text(self, settings: Settings) -> str:
        zone = settings.zone()
        when = self.taken_at.astimezone(zone).strftime("%d/%m/%Y %H:%M:%S") if self.taken_at else None
        return to.restored(when, self.closed, self.told)


async def after_restore(settings: Settings, now: datetime, cutoff: datetime) -> Restored:
    """As of `cutoff` (when the old bot last could send): plan and queue what the old bot
    would have (so the next start adds nothing it may have sent), close what may have gone
    out, tell each ward's office once. Nothing to do when the backup was taken after it."""
    from bot.app.periodic import PeriodicWork
    from bot.app.service import open_context
    from scheduler.clock import ManualClock
    from store.restore import close_unknown, last_backup

    ctx = await open_context(settings, ManualClock(cutoff))
    try:
        async with ctx.db.read() as s:
            taken_at = await last_backup(s)
        if taken_at is not None and taken_at >= cutoff:
            return Restored(taken_at, 0, 0)
        for ward in ctx.served():
            await PeriodicWork(ctx, ward=ward.ward_id).run()
        async with ctx.db.session() as s, s.begin():
            gaps = await close_unknown(s, cutoff, now)
        told = await _tell_offices(ctx, gaps, taken_at, now)
    finally:
        await ctx.db.dispose()
    return Restored(taken_at, sum(g.total for g in gaps.values()), told)


async def _tell_offices(ctx: AppContext, gaps: dict[int, WardGap], taken_at: datetime | None, now: datetime) -> int:
    from bot.texts.operator import restore_notice
    from store.enums import PersonRole, ReminderKind
    from store.outbox import insert_reminders, reminder_row
    from store.queries import people_with_role
    from store.restore import WardGap

    told = 0
    async with ctx.db.session() as s, s.begin():
        for ward in ctx.served():
            gap = gaps.get(ward.ward_id, WardGap())
            body = restore_notice(taken_at, ctx.settings.zone(), gap.by_unit, gap.direct, gap.first_due, gap.last_due)
            key = f"restore:{int(now.timestamp())}"
            rows = [
                reminder_row(ward.ward_id, f"{key}:p{p.id}", ReminderKind.NOTICE, now, now, person_id=p.id, body=body)
                for p in await people_with_role(s, ward.ward_id, (PersonRole.OFFICE,))
            ]
            told += await insert_reminders(s, rows)
    return told
