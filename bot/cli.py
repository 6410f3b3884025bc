"""`nhacviec` command line: a thin layer over the Python API."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path

from bot.planview import plan_text, schedule_row, schedule_text
from bot.settings import Settings
from scheduler.deadlines import DeadlineError, parse_deadline, rule_to_json
from scheduler.plan import Plan, PlanError, load_plan, six_clear_warnings
from scheduler.reminders import PolicyError, check_policy, plan_reminders
from scheduler.workcal import CalendarError, WorkingCalendar, load_calendar

EXIT_ERROR = 1
EXIT_USAGE = 2


class CliError(Exception):
    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.code = code


def _calendar(settings: Settings) -> WorkingCalendar:
    try:
        return load_calendar(settings.calendar_path, settings.hours(), settings.zone())
    except CalendarError as exc:
        raise CliError(str(exc)) from None


def _plan(settings: Settings, path: str | None = None) -> Plan:
    try:
        return load_plan(Path(path) if path else settings.plan_path)
    except PlanError as exc:
        raise CliError(str(exc)) from None


def resolve_unit(plan: Plan, text: str) -> str:
    unit = plan.find_unit(text)
    if unit is None:
        known = ", ".join(plan.units)
        raise CliError(f'Không có đơn vị "{text}". Các đơn vị: {known}', EXIT_USAGE)
    return unit.code


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"ngày không hợp lệ: {text!r} (dạng YYYY-MM-DD)") from None


def _datetime(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"thời điểm không hợp lệ: {text!r} (dạng 2026-05-06T08:00)") from None
    return value  # a naive value is read in the ward's zone by the command (settings.timezone)


# --- plan commands -------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    """Validate the plan and print its tasks, units and what each deadline means."""
    plan = _plan(settings, args.plan)
    calendar = _calendar(settings)
    errors = []
    for task in plan.tasks:
        try:
            check_policy(task.policy, calendar)
        except PolicyError as exc:
            errors.append(f"Nhiệm vụ {task.stt}: {exc}")
    print(plan_text(plan, calendar))
    warnings = six_clear_warnings(plan)
    if warnings:
        print('\nCảnh báo "một việc – một đầu mối, 6 rõ":')
        for w in warnings:
            print(f"  ! {w}")
    if errors:
        raise CliError("\n".join(errors))
    print(f"\nHợp lệ: {len(plan.tasks)} nhiệm vụ, {len(plan.units)} đơn vị, {len(warnings)} cảnh báo.")
    return 0


def cmd_schedule(args: argparse.Namespace, settings: Settings) -> int:
    """Print the reminder calendar: when, to which unit, for which task, which kind."""
    plan = _plan(settings, args.plan)
    calendar = _calendar(settings)
    start = args.from_date or plan.issued
    end = args.to_date or date(start.year, 12, 31)
    if end < start:
        raise CliError("--to phải sau --from", EXIT_USAGE)
    unit = resolve_unit(plan, args.unit) if args.unit else None
    try:
        rows = plan_reminders(plan, calendar, start, end, unit=unit)
    except PolicyError as exc:
        raise CliError(str(exc)) from None
    if args.json:
        print(json.dumps([schedule_row(r) for r in rows], ensure_ascii=False, indent=1))
    else:
        print(schedule_text(rows))
    return 0


def cmd_deadline(args: argparse.Namespace, settings: Settings) -> int:
    """Explain one deadline phrase."""
    year = args.plan_year or datetime.now(settings.zone()).year
    try:
        rule = parse_deadline(args.phrase, year)
    except DeadlineError as exc:
        if args.json:
            print(json.dumps({"error": str(exc)}, ensure_ascii=False))
        print(f"Lỗi: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(json.dumps(rule_to_json(rule), ensure_ascii=False))
    else:
        from bot.planview import describe_rule

        print(describe_rule(rule, _calendar(settings)))
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

Handler = Callable[[argparse.Namespace, Settings], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nhacviec",
        description="Nhắc việc: nhắc các đơn vị thực hiện nhiệm vụ của kế hoạch đúng hạn.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="LỆNH")

    p = sub.add_parser("check", help="kiểm tra tệp kế hoạch và giải thích từng thời hạn")
    p.add_argument("plan", nargs="?", help="đường dẫn tasks.yaml (mặc định: data/tasks.yaml)")
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser("schedule", help="lịch nhắc việc: khi nào, đơn vị nào, nhiệm vụ nào")
    p.add_argument("--plan", help="đường dẫn tasks.yaml")
    p.add_argument("--from", dest="from_date", type=_date, help="từ ngày (YYYY-MM-DD)")
    p.add_argument("--to", dest="to_date", type=_date, help="đến ngày (YYYY-MM-DD)")
    p.add_argument("--unit", help="mã hoặc tên đơn vị")
    p.add_argument("--json", action="store_true", help="in JSON")
    p.set_defaults(handler=cmd_schedule)

    p = sub.add_parser("deadline", help="giải thích một cụm từ thời hạn")
    p.add_argument("phrase", help='ví dụ "Trước 10/5/2026"')
    p.add_argument("--plan-year", type=int, help="năm của kế hoạch, dùng khi thời hạn không ghi năm")
    p.add_argument("--json", action="store_true", help="in JSON")
    p.set_defaults(handler=cmd_deadline)

    p = sub.add_parser("import", help="tạo bản nháp tasks.yaml từ phụ lục kế hoạch (.docx, .xlsx, .doc, .odt)")
    p.add_argument("file", help="tệp kế hoạch, ví dụ ke-hoach-158.docx")
    p.add_argument("--out", help="tệp YAML sẽ ghi (mặc định: cùng tên, đuôi .yaml)")
    p.add_argument("--plan-year", type=int, help="năm của kế hoạch, dùng khi thời hạn không ghi năm")
    p.add_argument("--force", action="store_true", help="ghi đè tệp --out nếu đã có")
    p.set_defaults(handler=cmd_import)

    _add_runtime_commands(sub)
    return parser


def _add_runtime_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Commands that need the database (added by bot.cli_runtime)."""
    from bot import cli_runtime

    cli_runtime.register(sub, _datetime)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings()
        handler: Handler = args.handler
        return handler(args, settings)
    except CliError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
