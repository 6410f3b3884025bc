"""Operator commands: `migrate` (the schema, under the migration lock) and `restore`.

Imports sit inside the commands, as in cli_runtime, so `nhacviec --help` stays light.
"""

from __future__ import annotations

import argparse
import asyncio

from bot.cli_common import CliError
from bot.settings import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "migrate",
        help="nâng cấp lược đồ cơ sở dữ liệu (an toàn khi nhiều tiến trình cùng chạy); --to để hạ về bản cũ",
    )
    p.add_argument("--to", default="head", help="phiên bản lược đồ đích (mặc định: mới nhất), ví dụ 0009r")
    p.set_defaults(handler=cmd_migrate)


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
                raise CliError(f"không có phiên bản lược đồ {target!r} trong mã này") from None
            raise
    finally:
        await db.dispose()
    if before == after:
        print(f"Lược đồ cơ sở dữ liệu đã ở phiên bản {after}; không có gì thay đổi.")
    else:
        print(f"Đã chuyển lược đồ cơ sở dữ liệu: {before or '(trống)'} → {after}.")
    return 0
