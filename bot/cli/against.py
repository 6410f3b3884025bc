"""`nhacviec check PLAN --against [DATABASE_URL]`: what the plan file would change in the
running database, task by task (scheduler/plan/compare.py, the comparison a reload and the
desk's plan intake make), and `--confirm` to let a "same id, different work" edit through."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import EXIT_ERROR, CliError

if TYPE_CHECKING:
    from bot.settings import Settings
    from scheduler.plan import Plan


def check_against(args: argparse.Namespace, settings: Settings, plan: Plan, path: Path) -> int:
    """Print the comparison; exit 1 while a "same id, different work" change is unconfirmed
    (a reload would keep the running plan)."""
    from bot.app.logs import redact
    from bot.texts import plan as texts

    url = args.against or settings.database_url
    try:
        lines, held = asyncio.run(_compare(settings, plan, url, path, confirm=args.confirm))
    except CliError:
        raise
    except Exception as exc:  # a wrong URL, a database down: one line, no traceback
        raise CliError(texts.AGAINST_BAD_DB.format(url=redact(url), error=redact(str(exc)))) from None
    print()
    for line in lines:
        print(line)
    return EXIT_ERROR if held else 0


async def _compare(settings: Settings, plan: Plan, url: str, path: Path, *, confirm: bool) -> tuple[list[str], bool]:
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
                return lines, running is not None and diff.held_back(running.confirmed)
            if running is None or not diff.other_work:
                return [*lines, texts.AGAINST_NOTHING_TO_CONFIRM], False
            await confirm_changes(s, running.ward_id, diff.digest)
            return [*lines, texts.AGAINST_CONFIRMED], False
    finally:
        await db.dispose()
