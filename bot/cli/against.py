"""`nhacviec check PLAN --against [DATABASE_URL]`: what the plan file would change in the
running database, task by task (scheduler/plan/compare.py, the comparison a reload and the
desk's plan intake make), and `--confirm` to let a "same id, different work" edit through."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import EXIT_ERROR, CliError
from bot.texts import operator as to

if TYPE_CHECKING:
    from bot.settings import Settings
    from scheduler.plan import Plan


def check_against(args: argparse.Namespace, settings: Settings, plan: Plan, path: Path) -> int:
    """Print the comparison; exit 1 while a "same id, different work" change is unconfirmed
    (a reload would keep the running plan). With --write-ids, each task written without an
    id gets the one its row in the database holds."""
    from bot.app.logs import redact
    from bot.texts import plan as texts

    url = args.against or settings.database_url
    _refuse_missing_sqlite(url)
    try:
        lines, held, matched = asyncio.run(_compare(settings, plan, url, path, confirm=args.confirm))
    except CliError:
        raise
    except Exception as exc:  # a wrong URL, a database down: one line, no traceback
        first = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [type(exc).__name__])[0]
        raise CliError(texts.AGAINST_BAD_DB.format(url=_shown(url), error=redact(first))) from None
    print()
    for line in lines:
        print(line)
    if args.write_ids:
        write_ids(plan, path, matched)
    return EXIT_ERROR if held else 0


def _shown(url: str) -> str:
    """The URL as printed: without its password."""
    from sqlalchemy.engine import make_url

    from bot.app.logs import redact

    try:
        return redact(make_url(url).render_as_string(hide_password=True))
    except Exception:
        return redact(url)


def _refuse_missing_sqlite(url: str) -> None:
    """A comparison reads: it never creates an empty SQLite file where none was."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from bot.texts import plan as texts

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise CliError(texts.AGAINST_BAD_DB.format(url=_shown(url), error=to.BAD_ADDRESS)) from None
    database = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:") and not Path(database).exists():
        raise CliError(texts.AGAINST_NO_FILE.format(path=database))


def write_ids(plan: Plan, path: Path, matched: dict[str, str] | None = None) -> None:
    """Write an id into every task of the file that has none: the id of its row in the
    database (`matched`), else the one its words give. Checked before the file is replaced."""
    import os

    from bot.texts import plan as texts
    from scheduler.plan import PlanError, parse_plan
    from scheduler.plan.ids import with_ids

    missing = [t for t in plan.tasks if not t.uid_written]
    if not missing:
        print(texts.IDS_ALL_WRITTEN)
        return
    ids: list[str | None] = [None] * (max(t.position for t in plan.tasks) + 1)
    for t in missing:
        ids[t.position] = (matched or {}).get(t.uid, t.uid)
    text = path.read_text(encoding="utf-8")
    new_text = with_ids(text, ids)
    try:
        written = parse_plan(new_text, str(path))
    except PlanError as exc:
        raise CliError(texts.IDS_NOT_WRITTEN.format(error=exc)) from None
    wanted = {t.position: ids[t.position] for t in missing}
    if {t.position: t.uid for t in written.tasks if t.position in wanted} != wanted:
        raise CliError(texts.IDS_NOT_WRITTEN.format(error=to.ODD_FILE_LAYOUT))
    tmp = path.with_name(f".{path.name}.ids")
    tmp.write_text(new_text, encoding="utf-8")
    os.replace(tmp, path)
    print(texts.IDS_WRITTEN.format(n=len(missing), path=path))


async def _compare(
    settings: Settings, plan: Plan, url: str, path: Path, *, confirm: bool
) -> tuple[list[str], bool, dict[str, str]]:
    from bot.texts import plan as texts
    from bot.wards import ward_key
    from scheduler.plan.compare import compare_plan
    from store.db import Database
    from store.plan_state import confirm_changes, running_plan
    from store.wards import ward_id_of_plan

    db = Database(url)
    try:
        await db.upgrade()
        async with db.session() as s, s.begin():
            ward_id = await ward_id_of_plan(s, ward_key(plan), plan.ward, plan.code, settings.ward)
            running = await running_plan(s, ward_id)
            diff = compare_plan(plan, running)
            lines = texts.plan_diff_lines(diff, plan.ward, plan.code, str(path))
            if not confirm:
                return lines, running is not None and diff.held_back(running.confirmed), diff.matched
            if running is None or not diff.other_work:
                return [*lines, texts.AGAINST_NOTHING_TO_CONFIRM], False, diff.matched
            await confirm_changes(s, running.ward_id, diff.digest)
            return [*lines, texts.AGAINST_CONFIRMED], False, diff.matched
    finally:
        await db.dispose()
