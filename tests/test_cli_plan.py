import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.main import main


def test_deadline_json_for_a_once_phrase(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deadline", "Trước 10/5/2026", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "kind": "once",
        "due": "2026-05-09",
        "confidence": "exact",
        "ignored": [],
    }


def test_deadline_json_for_recurring_ongoing_conditional(capsys: pytest.CaptureFixture[str]) -> None:
    main(["deadline", "Hàng năm, bắt đầu từ 2026", "--json"])
    assert json.loads(capsys.readouterr().out) == {
        "kind": "recurring",
        "freq": "yearly",
        "start": "2026-01-01",
        "confidence": "exact",
        "ignored": [],
    }
    main(["deadline", "Thường xuyên", "--json"])
    assert json.loads(capsys.readouterr().out)["kind"] == "ongoing"
    main(["deadline", "Khi có yêu cầu", "--json"])
    assert json.loads(capsys.readouterr().out) == {
        "kind": "conditional",
        "condition": "Khi có yêu cầu",
        "confidence": "exact",
        "ignored": [],
    }


def test_deadline_without_year_takes_the_plan_year(capsys: pytest.CaptureFixture[str]) -> None:
    main(["deadline", "trước 10/5", "--plan-year", "2027", "--json"])
    assert json.loads(capsys.readouterr().out)["due"] == "2027-05-09"


def test_unknown_deadline_wording_exits_2_with_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deadline", "càng sớm càng tốt", "--json"]) == 2
    assert "Không hiểu thời hạn" in capsys.readouterr().err


def test_check_prints_meanings_and_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "ngày làm việc cuối: Thứ Sáu, 08/05/2026" in out
    assert "một việc – một đầu mối" in out
    assert "Hợp lệ: 19 nhiệm vụ" in out


def test_check_fails_on_an_invalid_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.conftest import PLAN_PATH

    bad = tmp_path / "tasks.yaml"
    bad.write_text(
        PLAN_PATH.read_text(encoding="utf-8").replace('"Quý II/2026"', '"bao giờ xong thì thôi"'), encoding="utf-8"
    )
    assert main(["check", str(bad)]) == 1
    assert 'Nhiệm vụ STT 4, trường "deadline"' in capsys.readouterr().err


def test_schedule_json_filters_by_unit_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "schedule",
                "--from",
                "2026-05-01",
                "--to",
                "2026-06-30",
                "--unit",
                "Trung tâm Phục vụ hành chính công",
                "--json",
            ]
        )
        == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert rows and {r["unit"] for r in rows} == {"TTPVHCC"}
    assert {"at", "unit", "task", "kind", "role", "due"} <= set(rows[0])


def test_schedule_refuses_an_unknown_unit(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schedule", "--unit", "Phòng Không Tồn Tại"]) == 2


def test_every_command_has_help_text() -> None:
    import argparse

    from bot.cli.main import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) >= {"check", "schedule", "deadline", "run", "link", "remind", "reply"}  # type: ignore[arg-type]
    for name, action in sub.choices.items():  # type: ignore[union-attr]
        help_text = next(c.help for c in sub._choices_actions if c.dest == name)  # type: ignore[attr-defined]
        assert help_text, name
        # The command's --help names each of its arguments next to that argument's own help.
        page = " ".join(action.format_help().split())
        for arg in action._actions:
            if isinstance(arg, argparse._HelpAction):
                continue
            label = ", ".join(arg.option_strings) if arg.option_strings else (arg.metavar or arg.dest)
            assert arg.help, f"{name} {label}: no help text"
            assert f"{label} " in page, f"{name} --help does not name {label}"
            shown = " ".join(str(arg.help).replace("%%", "%").split())  # argparse %-expands help
            assert shown in page, f"{name} --help lacks the help of {label}"


@pytest.mark.slow
def test_the_console_script_runs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "deadline", "Quý IV/2026", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout)["due"] == "2026-12-31"
