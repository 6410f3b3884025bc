"""`nhacviec` command line: a thin layer over the Python API."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.app.logs import redact
from bot.cli import desk as desk_cli
from bot.cli import export as cli_export
from bot.cli import ops as cli_ops
from bot.cli import record as cli_record
from bot.cli import runtime as cli_runtime
from bot.cli.against import check_against, write_ids
from bot.cli.common import EXIT_ERROR, EXIT_USAGE, CliError, open_calendar, open_plan, parse_date, resolve_unit
from bot.texts import operator as to
from bot.texts.operator import HELP
from store.versioning import SchemaTooNew, version_line

if TYPE_CHECKING:  # the commands import what they use: `nhacviec --help` stays light
    from bot.settings import Settings

# --- plan commands -------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    """Validate the plan and print its tasks, units and what each deadline means; a folder
    of plans (one ward per file): each file, then that no two are one ward's same plan."""
    from bot.texts.plan import plan_text
    from scheduler.deadlines import deadline_note
    from scheduler.plan import six_clear_warnings
    from scheduler.reminders import PolicyError, check_policy

    folder = Path(args.plan) if args.plan else settings.plan_path
    if folder.is_dir():
        from bot.wards import WardError, WardPlan, check_distinct, plan_files, ward_key

        wards = []
        for path in plan_files(folder):
            print(f"== {path.name}")
            cmd_check(argparse.Namespace(**{**vars(args), "plan": str(path)}), settings)
            plan = open_plan(settings, str(path))
            wards.append(WardPlan(ward_key(plan), path, plan))
            print()
        if not wards:
            raise CliError(to.no_plan_files(folder))
        try:
            check_distinct(wards)
        except WardError as exc:
            raise CliError(str(exc)) from None
        print(to.wards_valid([(w.plan.ward, w.key) for w in wards]))
        return 0
    plan = open_plan(settings, args.plan)
    calendar = open_calendar(settings)
    errors = []
    for task in plan.tasks:
        try:
            check_policy(task.policy, calendar)
        except PolicyError as exc:
            errors.append(to.task_problem(task.name, exc))
    print(plan_text(plan, calendar))
    notes = [n for t in plan.tasks if (n := deadline_note(t.name, t.deadline_text, t.deadline_ignored))]
    if notes:
        print(to.DEADLINES_AFTER_IGNORING)
        for n in notes:
            print(f"  · {n}")
    warnings = six_clear_warnings(plan)
    if warnings:
        print(to.SIX_CLEAR_WARNINGS)
        for w in warnings:
            print(f"  ! {w}")
    if errors:
        raise CliError("\n".join(errors))
    print(to.plan_valid(len(plan.tasks), len(plan.units), len(warnings)))
    path = Path(args.plan) if args.plan else settings.plan_path
    if args.against is not None:
        return check_against(args, settings, plan, path)
    if args.confirm:
        raise CliError("--confirm chỉ dùng cùng --against", EXIT_USAGE)
    if args.write_ids:
        write_ids(plan, path)
    return 0


def cmd_schedule(args: argparse.Namespace, settings: Settings) -> int:
    """Print the reminder calendar: when, to which unit, for which task, which kind."""
    from bot.texts.plan import schedule_event_row, schedule_row, schedule_text
    from scheduler.cycles import cycle_events
    from scheduler.reminders import PolicyError, plan_reminders

    plan = open_plan(settings, args.plan)
    calendar = open_calendar(settings)
    start = args.from_date or plan.issued
    end = args.to_date or date(start.year, 12, 31)
    if end < start:
        raise CliError(to.TO_BEFORE_FROM, EXIT_USAGE)
    unit = resolve_unit(plan, args.unit) if args.unit else None
    try:
        rows = plan_reminders(plan, calendar, start, end, unit=unit)
    except PolicyError as exc:
        raise CliError(str(exc)) from None
    # The report cycles' own messages: the status sweep and the report-due reminder.
    events = [e for e in cycle_events(plan, calendar, start, end) if unit is None or e.unit in (None, unit)]
    if args.json:
        out = [(r.at, schedule_row(r)) for r in rows] + [(e.at, schedule_event_row(e, unit)) for e in events]
        print(json.dumps([row for _, row in sorted(out, key=lambda p: p[0])], ensure_ascii=False, indent=1))
    else:
        print(schedule_text(rows, events, unit))
    return 0


def cmd_deadline(args: argparse.Namespace, settings: Settings) -> int:
    """Explain one deadline phrase and how sure the reading is."""
    from bot.texts.plan import describe_rule
    from scheduler.deadlines import CONFIDENCE_TEXT, read_deadline, reading_to_json

    year = args.plan_year or datetime.now(settings.zone()).year
    reading = read_deadline(args.phrase, year)
    if args.json:
        print(json.dumps(reading_to_json(reading), ensure_ascii=False))
    if reading.confidence == "unknown":
        print(to.error_line(reading.reason), file=sys.stderr)
        return EXIT_USAGE
    if not args.json:
        calendar = open_calendar(settings)
        print(to.confidence(CONFIDENCE_TEXT[reading.confidence]))
        if reading.ignored:
            print(to.ignored_words(list(reading.ignored)))
        if reading.rule is not None:
            print(describe_rule(reading.rule, calendar))
        for n, candidate in enumerate(reading.candidates, 1):
            print(to.reading_number(n, describe_rule(candidate, calendar)))
        if reading.confidence == "unsure":
            print(to.CHOOSE_ONE_READING)
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    """Draft a plan file from the plan's Word or Excel appendix and report what was found."""
    from bot.importer import ImportFailure, import_plan, render_report

    out = Path(args.out) if args.out else None
    today = datetime.now(settings.zone()).date()
    try:
        result = import_plan(Path(args.file), out, plan_year=args.plan_year, today=today, overwrite=args.force)
    except ImportFailure as exc:
        raise CliError(str(exc)) from None
    print(render_report(result))
    return 0


# --- wiring --------------------------------------------------------------------------------

Handler = Callable[[argparse.Namespace, "Settings"], int]


class _Version(argparse.Action):
    """--version, the release read only when asked (importlib.metadata costs ~40 ms)."""

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        print(version_line())
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nhacviec",
        description=to.DESCRIPTION,
    )
    parser.add_argument("--version", action=_Version, nargs=0, help=HELP["nhacviec --version"])
    sub = parser.add_subparsers(dest="command", required=True, metavar="LỆNH")

    p = sub.add_parser("check", help=HELP["check"])
    p.add_argument("plan", nargs="?", help=HELP["check plan"])
    p.add_argument(
        "--against",
        nargs="?",
        const="",
        metavar="DATABASE_URL",
        help=HELP["check --against"],
    )
    p.add_argument(
        "--confirm",
        action="store_true",
        help=HELP["check --confirm"],
    )
    p.add_argument(
        "--write-ids",
        action="store_true",
        help=HELP["check --write-ids"],
    )
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser("schedule", help=HELP["schedule"])
    p.add_argument("--plan", help=HELP["schedule --plan"])
    p.add_argument("--from", dest="from_date", type=parse_date, help=HELP["schedule --from"])
    p.add_argument("--to", dest="to_date", type=parse_date, help=HELP["schedule --to"])
    p.add_argument("--unit", help=HELP["schedule --unit"])
    p.add_argument("--json", action="store_true", help="in JSON")
    p.set_defaults(handler=cmd_schedule)

    p = sub.add_parser("deadline", help=HELP["deadline"])
    p.add_argument("phrase", help=HELP["deadline phrase"])
    p.add_argument("--plan-year", type=int, help=HELP["deadline --plan-year"])
    p.add_argument("--json", action="store_true", help="in JSON")
    p.set_defaults(handler=cmd_deadline)

    p = sub.add_parser("import", help=HELP["import"])
    p.add_argument("file", help=HELP["import file"])
    p.add_argument("--out", help=HELP["import --out"])
    p.add_argument("--plan-year", type=int, help=HELP["import --plan-year"])
    p.add_argument("--force", action="store_true", help=HELP["import --force"])
    p.set_defaults(handler=cmd_import)

    cli_runtime.register(sub)
    cli_export.register(sub)
    cli_record.register(sub)
    cli_ops.register(sub)
    desk_cli.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. Whatever happens, a person sees one line saying what to do, never
    a traceback (the details of an unexpected error go to the log, secrets redacted)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        handler: Handler = args.handler
        return handler(args, settings)
    except CliError as exc:
        for line in str(exc).splitlines() or [""]:
            print(to.error_line(line), file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`nhacviec schedule | head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except SchemaTooNew as exc:
        print(to.error_line(exc), file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:
        known = database_failure(exc)
        if known is not None:
            print(to.error_line(known), file=sys.stderr)
            return EXIT_ERROR
        logging.getLogger(__name__).debug("unexpected error", exc_info=True)
        print(to.unexpected_error(exc, redact(str(exc))[:300]), file=sys.stderr)
        return EXIT_ERROR


def database_failure(exc: BaseException) -> str | None:
    """One line for a database that cannot be reached or used (stopped, wrong address or
    password, a locked or unreadable file); None for any other error. SQLAlchemy is looked
    at only when a command has loaded it."""
    if "sqlalchemy.exc" not in sys.modules:
        return None
    from store.db import unusable

    if not unusable(exc):
        return None
    detail = str(getattr(exc, "orig", None) or exc).strip()
    first = redact(detail.splitlines()[0] if detail else type(exc).__name__)[:200]
    return to.database_unusable(first)


def load_settings() -> Settings:
    """Settings from NHACVIEC_* and .env; every wrong value and every NHACVIEC_* name that is
    no setting is a line of one CliError naming the variable."""
    from bot.settings import Settings, SettingsError, environment_names, unknown_names

    try:
        names = environment_names()  # a .env file that cannot be read says so first
    except SettingsError as exc:
        raise CliError("\n".join(exc.lines)) from None
    problems = unknown_names(names)
    try:
        settings = Settings()
    except SettingsError as exc:
        problems += exc.lines
    if problems:
        raise CliError("\n".join(problems))
    return settings


def entry() -> int:
    """The `nhacviec` console script: `main` with group-readable, never world-readable files
    (reports, charts, evidence 0640, folders 0750; the database and backups are 0600 on
    their own), whatever the shell's umask, unless it is stricter already."""
    current = os.umask(0o027)
    os.umask(current | 0o027)
    return main()


if __name__ == "__main__":
    sys.exit(entry())
