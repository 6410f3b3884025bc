"""`nhacviec export`: the city's report table, the draft report and the chart, from the database.

Read-only: it opens the ward the running bot keeps (settings: database, ward, plan,
calendar) and writes files; it plans no reminders and changes no row. Every failure is one
Vietnamese line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.texts import operator as to
from bot.texts.operator import HELP, WARD_HELP

if TYPE_CHECKING:
    from bot.settings import Settings
    from bot.wards import WardPlan
    from scheduler.workcal import WorkingCalendar

EXIT_ERROR = 1
EXIT_USAGE = 2

_DMY = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


class ExportError(Exception):
    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.code = code


def parse_day(text: str) -> date:
    """dd/mm/yyyy as the office writes it, or YYYY-MM-DD."""
    try:
        if m := _DMY.match(text):
            return date(int(m[3]), int(m[2]), int(m[1]))
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ExportError(to.bad_export_date(text), EXIT_USAGE) from None


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    parse_datetime: Callable[[str], datetime] | None = None,
) -> None:
    """Add `export` to the `nhacviec` command line (`parse_datetime` is accepted for symmetry
    with the other registrations; export takes days, not instants)."""
    p = sub.add_parser("export", help=HELP["export"])
    p.add_argument("--cycle", help=HELP["export --cycle"])
    p.add_argument("--year", type=int, help=HELP["export --year"])
    p.add_argument("--from", dest="from_date", help=HELP["export --from"])
    p.add_argument("--to", dest="to_date", help=HELP["export --to"])
    p.add_argument("--on", dest="on_date", help=HELP["export --on"])
    p.add_argument("--out", help=HELP["export --out"])
    p.add_argument("--docx", help=HELP["export --docx"])
    p.add_argument("--chart", help=HELP["export --chart"])
    p.add_argument("--ward", help=WARD_HELP)
    p.add_argument(
        "--city",
        action="store_true",
        help=HELP["export --city"],
    )
    p.set_defaults(handler=cmd_export)


@dataclass
class _Outputs:
    xlsx: Path | None
    docx: Path | None
    chart: Path | None


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """Export the report files for a window."""
    try:
        lines = asyncio.run(_export(args, settings))
    except ExportError as exc:
        print(to.error_line(exc), file=sys.stderr)
        return exc.code
    except Exception as exc:  # the promise is one line, never a traceback
        print(to.export_failed(exc), file=sys.stderr)
        return EXIT_ERROR
    for line in lines:
        print(line)
    return 0


async def _export(args: argparse.Namespace, settings: Settings) -> list[str]:
    # Heavy imports here so `nhacviec --help` stays fast.
    from bot.report import build_standing
    from bot.report.chart import standing_chart
    from bot.report.docx import export_docx
    from bot.report.rows import Report
    from bot.report.targets import target_figures
    from bot.report.xlsx import export_xlsx
    from bot.texts.common import vn_date
    from bot.wards import WardError, load_wards, pick_ward
    from scheduler.plan import PlanError
    from scheduler.windows import WindowError, resolve_window
    from scheduler.workcal import CalendarError, load_calendar
    from store.db import Database
    from store.wards import ward_id_of_plan

    start = parse_day(args.from_date) if args.from_date else None
    end = parse_day(args.to_date) if args.to_date else None
    try:
        wards = load_wards(settings.plan_path)
        calendar = load_calendar(settings.calendar_path, settings.hours(), settings.zone())
        if not args.city:
            wards = [pick_ward(wards, args.ward)]
    except (PlanError, CalendarError, WardError) as exc:
        raise ExportError(str(exc)) from None
    today = parse_day(args.on_date) if args.on_date else datetime.now(settings.zone()).date()
    if args.city:
        return await _export_city(args, settings, wards, calendar, today, start, end)
    plan, key = wards[0].plan, wards[0].key
    try:
        window = resolve_window(plan, today, cycle=args.cycle, year=args.year, start=start, end=end)
    except WindowError as exc:
        raise ExportError(str(exc), EXIT_USAGE) from None
    if today < window.start:
        raise ExportError(to.cycle_not_started(vn_date(window.start)), EXIT_USAGE)
    outputs = _outputs(args, plan.code, window.start, window.end)

    db = Database(settings.database_url)
    try:
        await db.upgrade()
        async with db.read() as s:
            ward_id = await ward_id_of_plan(s, key, plan.ward, plan.code, settings.ward)
            if ward_id is None:
                raise ExportError(to.ward_not_in_database(key))
            standing = await build_standing(
                s, plan, ward_id, window, window.cutoff(today), calendar, settings.on_time_against
            )
            figures = await target_figures(s, plan, ward_id, window)
    finally:
        await db.dispose()

    report = Report(plan, standing, calendar, today, figures)
    written = []
    for path, make, what in (
        (outputs.xlsx, export_xlsx, to.EXPORT_FILES[0]),
        (outputs.docx, export_docx, to.EXPORT_FILES[1]),
        (outputs.chart, lambda r: standing_chart(r.standing), to.EXPORT_FILES[2]),
    ):
        if path is None:
            continue
        try:
            path.write_bytes(make(report))
        except OSError as exc:
            raise ExportError(to.not_written(path, exc.strerror)) from None
        written.append(to.written(what, path))
    return written


async def _export_city(
    args: argparse.Namespace,
    settings: Settings,
    wards: list[WardPlan],
    calendar: WorkingCalendar,
    today: date,
    start: date | None,
    end: date | None,
) -> list[str]:
    """One workbook for the city: the roll-up sheet (one row per ward, worst first), then a
    sheet per ward with its appendix, each ward judged in its own plan's window."""
    from bot.report.city import city_rollup, city_workbook
    from scheduler.windows import WindowError, resolve_window
    from store.db import Database
    from store.wards import ward_id_of_plan

    if args.docx or args.chart:
        raise ExportError(to.CITY_XLSX_ONLY, EXIT_USAGE)
    out = _outputs_given(args).xlsx or Path(f"bao-cao-cac-phuong-{today:%Y%m%d}.xlsx")
    try:
        windows = {
            w.key: resolve_window(w.plan, today, cycle=args.cycle, year=args.year, start=start, end=end) for w in wards
        }
    except WindowError as exc:
        raise ExportError(str(exc), EXIT_USAGE) from None
    db = Database(settings.database_url)
    try:
        await db.upgrade()
        async with db.read() as s:
            ids = {
                w.key: ward_id
                for w in wards
                if (ward_id := await ward_id_of_plan(s, w.key, w.plan.ward, w.plan.code, settings.ward)) is not None
            }
            missing = [w.key for w in wards if w.key not in ids]
            if missing:
                raise ExportError(to.wards_not_in_database(missing))
            served = [(ids[w.key], w.key, w.plan) for w in wards]
            rollups = await city_rollup(
                s, served, calendar, today, windows.__getitem__, settings.on_time_against, with_products=True
            )
    finally:
        await db.dispose()
    try:
        out.write_bytes(city_workbook(rollups, calendar, today))
    except OSError as exc:
        raise ExportError(to.not_written(out, exc.strerror)) from None
    return [to.city_written(len(rollups), out)]


def _outputs(args: argparse.Namespace, plan_code: str, start: date, end: date) -> _Outputs:
    out = _outputs_given(args)
    if out.xlsx is None and out.docx is None and out.chart is None:
        stem = re.sub(r"[^0-9A-Za-z]+", "-", plan_code).strip("-")
        out.xlsx = Path(f"bao-cao-{stem}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx")
    return out


def _outputs_given(args: argparse.Namespace) -> _Outputs:
    def path(value: str | None, suffix: str) -> Path | None:
        if value is None:
            return None
        p = Path(value)
        if p.suffix.lower() != suffix:
            raise ExportError(to.wrong_suffix(value, suffix), EXIT_USAGE)
        return p

    return _Outputs(xlsx=path(args.out, ".xlsx"), docx=path(args.docx, ".docx"), chart=path(args.chart, ".png"))
