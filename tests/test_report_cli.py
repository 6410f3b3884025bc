"""`nhacviec export` end to end on a simulated semester: files written, one line each, and
one Vietnamese line (never a traceback) for every refusal."""

from __future__ import annotations

import argparse
import asyncio
from datetime import date
from io import BytesIO
from pathlib import Path

import docx
import openpyxl
import pytest

from bot.cli.export import ExportError, cmd_export, parse_day, register
from bot.context import AppContext
from bot.settings import Settings
from scheduler.clock import ManualClock
from scheduler.plan import Plan
from tests.report_semester import PLAN_YAML, build_semester, local, semester_plan


@pytest.fixture
def plan() -> Plan:
    return semester_plan()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(local("2026-01-06T08:00"))


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="nhacviec")
    register(parser.add_subparsers(dest="command"))
    return parser.parse_args(["export", *argv])


def _settings(ctx: AppContext, tmp_path: Path) -> Settings:
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(PLAN_YAML, encoding="utf-8")
    return Settings(database_url=ctx.db.url, plan_path=plan_file, ward=ctx.settings.ward, _env_file=None)  # type: ignore[call-arg]


def test_days_in_both_forms() -> None:
    assert parse_day("14/6/2026") == parse_day("2026-06-14") == date(2026, 6, 14)
    with pytest.raises(ExportError, match="Ngày không hợp lệ"):
        parse_day("31/2/2026")


async def test_export_writes_the_three_files(
    ctx: AppContext, clock: ManualClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await build_semester(ctx, clock)
    settings = _settings(ctx, tmp_path)
    xlsx, doc, png = tmp_path / "bc.xlsx", tmp_path / "bc.docx", tmp_path / "bc.png"
    args = _parse(
        [
            "--cycle",
            "six_month",
            "--year",
            "2026",
            "--on",
            "15/6/2026",
            "--out",
            str(xlsx),
            "--docx",
            str(doc),
            "--chart",
            str(png),
        ]
    )
    assert await asyncio.to_thread(cmd_export, args, settings) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"Đã ghi bảng tổng hợp (Excel): {xlsx}",
        f"Đã ghi dự thảo báo cáo (Word): {doc}",
        f"Đã ghi biểu đồ: {png}",
    ]
    wb = openpyxl.load_workbook(BytesIO(xlsx.read_bytes()))
    assert "Số liệu từ 15/12/2025 đến 14/06/2026" in wb["Tổng hợp"].cell(row=4, column=1).value
    assert "III. ĐỀ XUẤT, KIẾN NGHỊ" in "\n".join(p.text for p in docx.Document(str(doc)).paragraphs)
    assert png.read_bytes().startswith(b"\x89PNG")

    # A window by hand, ISO dates.
    args = _parse(["--from", "2026-04-01", "--to", "2026-06-14", "--on", "2026-06-15", "--out", str(xlsx)])
    assert await asyncio.to_thread(cmd_export, args, settings) == 0
    wb = openpyxl.load_workbook(BytesIO(xlsx.read_bytes()))
    assert wb["Phụ lục"].cell(row=4, column=1).value == "Số liệu từ 01/04/2026 đến 14/06/2026"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--cycle", "quy"], 'Lỗi: Không có kỳ báo cáo "quy". Các kỳ: six_month, yearly'),
        (["--from", "1/4/2026"], "Lỗi: Cần cả ngày bắt đầu (--from) và ngày kết thúc (--to)"),
        (
            ["--from", "1/4/2026", "--to", "40/4/2026"],
            "Lỗi: Ngày không hợp lệ: '40/4/2026' (dạng 14/6/2026 hoặc 2026-06-14)",
        ),
        (["--out", "bc.pdf"], "Lỗi: Tệp bc.pdf phải có đuôi .xlsx"),
        (
            ["--out", "/khong/co/thu/muc/bc.xlsx", "--on", "15/6/2026"],
            "Lỗi: Không ghi được tệp /khong/co/thu/muc/bc.xlsx",
        ),
    ],
)
async def test_refusals_are_one_vietnamese_line(
    ctx: AppContext, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    settings = _settings(ctx, tmp_path)
    assert await asyncio.to_thread(cmd_export, _parse(argv), settings) != 0
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.strip().splitlines()) == 1
    assert captured.err.startswith(message), captured.err


async def test_an_unknown_ward_is_explained(
    ctx: AppContext, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The ward is the plan's (its ward and number); the database holds it under another key.
    settings = _settings(ctx, tmp_path).replace(ward="khac")
    assert await asyncio.to_thread(cmd_export, _parse(["--on", "15/06/2026"]), settings) == 1
    assert 'chưa có phường "phuong-thu-nghiem:99-kh-ubnd"' in capsys.readouterr().err
