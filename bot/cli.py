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

from pydantic import ValidationError

from bot import cli_export, cli_record, cli_runtime
from bot.cli_common import EXIT_ERROR, EXIT_USAGE, CliError, open_calendar, open_plan, parse_date, resolve_unit
from bot.desk import cli as desk_cli
from bot.logs import redact
from bot.planview import describe_rule, plan_text, schedule_event_row, schedule_row, schedule_text
from bot.settings import Settings
from scheduler.cycles import cycle_events
from scheduler.deadlines import DeadlineError, parse_deadline, rule_to_json
from scheduler.plan import six_clear_warnings
from scheduler.reminders import PolicyError, check_policy, plan_reminders

# --- plan commands -------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    """Validate the plan and print its tasks, units and what each deadline means; a folder
    of plans (one ward per file): each file, then that no two are one ward's same plan."""
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
            raise CliError(f"Thư mục {folder} không có tệp kế hoạch nào (*.yaml, *.yml).")
        try:
            check_distinct(wards)
        except WardError as exc:
            raise CliError(str(exc)) from None
        print(f"Hợp lệ: {len(wards)} phường: " + "; ".join(f"{w.plan.ward} ({w.key})" for w in wards))
        return 0
    plan = open_plan(settings, args.plan)
    calendar = open_calendar(settings)
    errors = []
    for task in plan.tasks:
        try:
            check_policy(task.policy, calendar)
        except PolicyError as exc:
            errors.append(f"Nhiệm vụ {task.name}: {exc}")
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
    plan = open_plan(settings, args.plan)
    calendar = open_calendar(settings)
    start = args.from_date or plan.issued
    end = args.to_date or date(start.year, 12, 31)
    if end < start:
        raise CliError("--to phải sau --from", EXIT_USAGE)
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
        print(describe_rule(rule, open_calendar(settings)))
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
    p.add_argument("--from", dest="from_date", type=parse_date, help="từ ngày (YYYY-MM-DD)")
    p.add_argument("--to", dest="to_date", type=parse_date, help="đến ngày (YYYY-MM-DD)")
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

    cli_runtime.register(sub)
    cli_export.register(sub)
    cli_record.register(sub)
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
        print(f"Lỗi: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`nhacviec schedule | head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        logging.getLogger(__name__).debug("unexpected error", exc_info=True)
        print(
            f"Lỗi không mong đợi ({type(exc).__name__}): {redact(str(exc))[:300]}. "
            "Xin chạy lại; nếu vẫn lỗi, báo cho người quản trị kèm lệnh vừa chạy.",
            file=sys.stderr,
        )
        return EXIT_ERROR


def load_settings() -> Settings:
    """Settings from NHACVIEC_* and .env; a wrong value is a CliError naming the variable."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"NHACVIEC_{'_'.join(str(p) for p in err['loc']).upper()}: {str(err['msg']).removeprefix('Value error, ')}"
            for err in exc.errors()
        )
        raise CliError(f"cấu hình không hợp lệ — {problems}") from None


if __name__ == "__main__":
    sys.exit(main())
