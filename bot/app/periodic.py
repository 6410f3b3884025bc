"""Periodic work of the running bot, called from every tick: the report cycles' sweep and
report-due reminder, and the weekly digest.

Each writes direct outbox rows when its moment has come, with keys that make it once per
person (`sweep:{cycle}:{year}:p{person}`, `report_due:…`, `digest:{YYYY}-W{WW}:p{person}`),
so several workers or a restart insert nothing twice. Rows are composed at that moment, so
their words and files are fresh. A moment missed while the bot was down is caught up for
`stale_after_hours`, like reminders.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import AppContext
from bot.report import build_standing
from bot.report.digest import digest_text
from bot.report.files import write_chart, write_report_files
from bot.texts import common as texts
from bot.texts.report import data_period
from scheduler.attachments import direct_row
from scheduler.cycles import CycleEvent, events_due
from scheduler.delivery import Attachment
from scheduler.plan import Plan
from scheduler.windows import live_window
from store.enums import CLOSED, DeadlineKind, PersonRole, ReminderKind, Status
from store.models import Person
from store.outbox import insert_reminders
from store.queries import AssignmentView, current_assignments, people_with_role, unit_by_code

log = logging.getLogger(__name__)

CHECK_EVERY = timedelta(minutes=1)


@dataclass
class PeriodicWork:
    ctx: AppContext
    ward: int | None = None  # the ward served (None: the context's first ward)
    _done: set[str] = field(default_factory=set)  # moments handled by this process
    _checked_at: datetime | None = None

    @property
    def ward_id(self) -> int:
        return self.ward if self.ward is not None else self.ctx.ward_id

    @property
    def plan(self) -> Plan:
        return self.ctx.plan_of(self.ward_id)

    @property
    def folder(self) -> Path:
        return self.ctx.files_for(self.ward_id)

    async def run(self) -> int:
        """Queue what has fallen due; returns the rows inserted. Never raises: a failure is
        logged and retried at the next check, the outbox keeps draining."""
        now = self.ctx.now()
        if self._checked_at is not None and timedelta(0) <= now - self._checked_at < CHECK_EVERY:
            return 0
        self._checked_at = now
        inserted = 0
        catch_up = timedelta(hours=self.ctx.settings.stale_after_hours)
        try:
            for event in events_due(self.plan, self.ctx.calendar, now, catch_up):
                if event.key not in self._done:
                    inserted += await (self.sweep(event, now) if event.kind == "sweep" else self.report_due(event, now))
                    self._done.add(event.key)
            moment = self.digest_moment(now)
            if moment is not None and moment[0] not in self._done:
                inserted += await self.digest(moment[0], moment[1], now)
                self._done.add(moment[0])
        except Exception:
            log.exception("periodic work failed; retried at the next check")
        if inserted:
            log.info("periodic work queued %d messages", inserted)
        return inserted

    # --- the report cycles -----------------------------------------------------------------

    async def sweep(self, event: CycleEvent, now: datetime) -> int:
        """Ask every unit with open, ongoing or recurring work for its state, one message per
        person (the unit's heads, else its office staff)."""
        ctx = self.ctx
        title = texts.cycle_title(event.cycle.name, event.window.year or event.due.year)
        period = data_period(event.window)
        # Read in a read session, written in a short transaction: on SQLite the reading (every
        # unit's open work) holds no write lock the dispatcher and the chat would wait for.
        async with ctx.db.read() as s:
            by_unit: dict[int, list[AssignmentView]] = {}
            for v in await current_assignments(s, self.ward_id, ctx.calendar.local_date(now)):
                if v.status == Status.NOT_APPLICABLE:
                    continue
                if v.status not in CLOSED or v.deadline_kind in (DeadlineKind.ONGOING, DeadlineKind.RECURRING):
                    by_unit.setdefault(v.unit_id, []).append(v)
            rows = []
            for unit_id, views in by_unit.items():
                tasks = [(v.task_stt, v.content, _state(v)) for v in views]
                body = texts.sweep_text(title, period, event.due, views[0].unit_name, tasks)
                for person in await _unit_people(s, self.ward_id, unit_id):
                    rows.append(
                        direct_row(self.ward_id, f"{event.key}:p{person.id}", ReminderKind.SWEEP, now, person.id, body)
                    )
        return await self._queue(rows)

    async def report_due(self, event: CycleEvent, now: datetime) -> int:
        """Tell the compiling unit the report is due, with the table and the draft attached."""
        ctx = self.ctx
        today = ctx.calendar.local_date(now)
        title = texts.cycle_title(event.cycle.name, event.window.year or event.due.year)
        period = data_period(event.window)
        # The standing and the two files are made in a read session: writing them took the
        # write lock for as long as the workbook and the draft took to write.
        async with ctx.db.read() as s:
            unit = await unit_by_code(s, self.ward_id, event.unit or "")
            if unit is None:
                return 0
            people = await people_with_role(s, self.ward_id, (PersonRole.OFFICE,), unit.id) or await _unit_people(
                s, self.ward_id, unit.id
            )
            if not people:
                return 0
            files = await write_report_files(
                s, self.plan, self.ward_id, ctx.calendar, self.folder, event.window, today, ctx.settings.on_time_against
            )
            body = texts.report_due_text(
                title, period, event.due, event.working_days, files.cutoff, self.plan.report_recipient
            )
            xlsx = Attachment(
                str(files.xlsx),
                files.xlsx.name,
                "document",
                texts.EXPORT_XLSX_CAPTION.format(title=title, period=period),
            )
            docx = Attachment(
                str(files.docx), files.docx.name, "document", texts.EXPORT_DOCX_CAPTION.format(title=title)
            )
        rows: list[dict[str, Any]] = []
        for p in people:
            key = f"{event.key}:p{p.id}"
            rows.append(direct_row(self.ward_id, key, ReminderKind.REPORT_DUE, now, p.id, body, attachment=xlsx))
            rows.append(
                direct_row(self.ward_id, f"{key}:docx", ReminderKind.REPORT_DUE, now, p.id, "", attachment=docx)
            )
        return await self._queue(rows)

    # --- the weekly digest -----------------------------------------------------------------

    def digest_moment(self, now: datetime) -> tuple[str, date] | None:
        """(key, day) of this week's digest when its moment has come and is not too old."""
        weekday, at = self.ctx.settings.digest_at()
        local_day = self.ctx.calendar.local_date(now)
        day = local_day - timedelta(days=(local_day.weekday() - weekday) % 7)
        moment = self.ctx.calendar.local_instant(day, at)
        if not moment <= now <= moment + timedelta(hours=self.ctx.settings.stale_after_hours):
            return None
        year, week, _ = day.isocalendar()
        return f"digest:{year}-W{week:02d}", day

    async def digest(self, key: str, day: date, now: datetime) -> int:
        """The week up to the day before, against the week before, to the office and the
        leaders; the chart rides along as a photo (a file kept for Zalo and the console)."""
        ctx = self.ctx
        cutoff = day - timedelta(days=1)
        window = live_window(self.plan, cutoff)
        # Two standings and a chart, made in a read session (see report_due).
        async with ctx.db.read() as s:
            people = await people_with_role(s, self.ward_id, (PersonRole.OFFICE, PersonRole.LEADER))
            if not people:
                return 0
            against = ctx.settings.on_time_against
            current = await build_standing(
                s, self.plan, self.ward_id, window, window.cutoff(cutoff), ctx.calendar, against
            )
            previous = await build_standing(
                s, self.plan, self.ward_id, window, window.cutoff(cutoff - timedelta(days=7)), ctx.calendar, against
            )
        text = digest_text(current, previous, ctx.calendar, silent_after_days=ctx.settings.silent_after_days)
        path = await write_chart(current, self.folder, f"ban-tin-{key.removeprefix('digest:')}")
        caption = texts.DIGEST_CHART_CAPTION.format(day=texts.vn_date(current.cutoff))
        chart = Attachment(str(path), path.name, "photo", caption)
        rows = [
            direct_row(self.ward_id, f"{key}:p{p.id}", ReminderKind.DIGEST, now, p.id, text, attachment=chart)
            for p in people
        ]
        return await self._queue(rows)

    async def _queue(self, rows: list[dict[str, Any]]) -> int:
        """The messages made in a read session, queued (once per key: a second run adds none)."""
        async with self.ctx.db.session() as s, s.begin():
            return await insert_reminders(s, rows)


def _state(v: AssignmentView) -> str:
    text = texts.STATUS_LABELS.get(v.status, v.status)
    if v.percent is not None and v.status != Status.DONE:
        text += f" {v.percent}%"
    return text


async def _unit_people(s: AsyncSession, ward_id: int, unit_id: int) -> list[Person]:
    """Who answers for a unit: its heads, else its office staff (as the dispatcher decides)."""
    return await people_with_role(s, ward_id, (PersonRole.HEAD,), unit_id) or await people_with_role(
        s, ward_id, (PersonRole.OFFICE,), unit_id
    )
