"""Report files written by the running bot (/export, the report-due reminder, the digest,
/summary chart) into the files folder (setting `files_path`), from the same standing as
`/summary`. Rendering runs in a worker thread so the chat and the outbox keep moving."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.report import build_standing
from bot.report.rows import Report
from bot.report.targets import target_figures
from scheduler.plan import Plan
from scheduler.standing import OnTimeAgainst, PlanStanding
from scheduler.windows import ReportWindow
from scheduler.workcal import WorkingCalendar


@dataclass(frozen=True)
class ReportFiles:
    window: ReportWindow
    cutoff: date
    xlsx: Path
    docx: Path


def _stem(plan_code: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "-", plan_code).strip("-") or "ke-hoach"


def _write(path: Path, content: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(content)
    tmp.replace(path)  # a reader never sees half a file
    return path


async def write_report_files(
    session: AsyncSession,
    plan: Plan,
    ward_id: int,
    calendar: WorkingCalendar,
    folder: Path,
    window: ReportWindow,
    today: date,
    on_time_against: OnTimeAgainst = "extended",
) -> ReportFiles:
    """The Excel table and the draft Word report of `window`, judged as of `today`, with the
    targets' figures reported for it."""
    cutoff = window.cutoff(today)
    standing = await build_standing(session, plan, ward_id, window, cutoff, calendar, on_time_against)
    figures = await target_figures(session, plan, ward_id, window)
    report = Report(plan, standing, calendar, today, figures)
    name = f"{_stem(plan.code)}-{window.start:%Y%m%d}-{window.end:%Y%m%d}"
    # openpyxl, python-docx and matplotlib are loaded here, where they are used, not by
    # every command that imports the bot (`nhacviec link` loaded them all).
    from bot.report.docx import export_docx
    from bot.report.xlsx import export_xlsx

    xlsx, docx = await asyncio.gather(asyncio.to_thread(export_xlsx, report), asyncio.to_thread(export_docx, report))
    return ReportFiles(
        window=window,
        cutoff=cutoff,
        xlsx=_write(folder / f"bao-cao-{name}.xlsx", xlsx),
        docx=_write(folder / f"du-thao-bao-cao-{name}.docx", docx),
    )


async def write_chart(standing: PlanStanding, folder: Path, name: str) -> Path:
    """The four classes by lead unit as a PNG in the files folder."""
    from bot.report.chart import standing_chart

    png = await asyncio.to_thread(standing_chart, standing)
    return _write(folder / f"{name}.png", png)
