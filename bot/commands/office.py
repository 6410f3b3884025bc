"""Commands of the office that follows the plan (and of the ward's leaders)."""

from __future__ import annotations

import re
from datetime import date

from bot.actions.common import ActionError
from bot.actions.desk_links import REPORT_PATH, desk_now, issue_login_link
from bot.actions.status import record_on_behalf
from bot.actions.tasks import activate_task, queue_manual_reminder, task_name
from bot.conversation.registry import COMMANDS, EVERYONE, OFFICE
from bot.conversation.tasks import queue_file, refs_in, replan
from bot.conversation.turn import Reply, Turn
from bot.messages import Attachment, OutboundMessage
from bot.report import build_standing
from bot.report.digest import summary_text as standing_summary_text
from bot.report.extensions import extension_history
from bot.report.files import write_chart, write_report_files
from bot.report.history import history_text
from bot.report.summary import overdue_list, own_unit_summary
from bot.report.targets import targets_summary
from bot.texts import common as texts
from bot.texts.commands import ABOUT, USAGE
from bot.texts.links import report_message
from bot.texts.report import REPORT, data_period, vn_datetime
from scheduler.folding import fold
from scheduler.plan import Plan
from scheduler.plan import Unit as PlanUnit
from scheduler.standing import PlanStanding
from scheduler.windows import WindowError, cycle_by_word, latest_cycle_window, live_window, upcoming_window
from store.history import task_history
from store.models import Task as TaskRow
from store.queries import (
    task_by_label,
)

HISTORY_LIMIT = 60
_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


@COMMANDS.command(
    "summary",
    roles=EVERYONE,
    usage=USAGE["summary"],
    description=ABOUT["summary"],
    reads_only=True,
)
async def cmd_summary(t: Turn) -> Reply:
    """The standing of the plan (office): the same classification as the export and the
    digest; `/summary N` a task's history; `/summary chart` the chart alone. A unit's own
    people get their unit's score and why, on the same standing."""
    if t.person.role not in OFFICE:
        if t.person.unit_id is None:
            return [OutboundMessage(texts.NO_UNIT)]
        calendar, against = t.ctx.calendar, t.ctx.settings.on_time_against
        own = await own_unit_summary(t.s, t.plan, t.ward_id, t.person.unit_id, t.ctx.today(), calendar, against)
        return [OutboundMessage(own)]
    arg = fold(t.args)
    if not arg:
        standing = await _live_standing(t)
        targets = await targets_summary(t.s, t.plan, t.ward_id, upcoming_window(t.plan, t.ctx.today()))
        return [OutboundMessage(standing_summary_text(standing, t.ctx.calendar) + targets)]
    if arg in ("chart", "bieu do", "bieudo"):
        return await _summary_chart(t)
    ref = re.sub(r"^(?:nv|nhiem vu|so)\s*", "", arg)
    task = await task_by_label(t.s, t.ward_id, ref)
    if task is None:
        if re.fullmatch(r"[0-9ivx]+(?:[. ][0-9a-z]+)*\)?", ref):
            return [OutboundMessage(texts.NO_TASK.format(stt=t.args.strip()))]
        return [OutboundMessage(texts.USAGE_SUMMARY)]
    return [OutboundMessage(await _history(t, task))]


async def _live_standing(t: Turn) -> PlanStanding:
    today = t.ctx.today()
    window = live_window(t.plan, today)
    against = t.ctx.settings.on_time_against
    return await build_standing(t.s, t.plan, t.ward_id, window, window.cutoff(today), t.ctx.calendar, against)


async def _history(t: Turn, task: TaskRow) -> str:
    rows = await task_history(t.s, t.ward_id, task.stt, limit=HISTORY_LIMIT)
    label = task.label or str(task.stt)
    text = history_text(label, task.content, rows, t.ctx.calendar.zone, limit=HISTORY_LIMIT)
    return text + await extension_history(t.s, t.ward_id, task.stt, t.ctx.calendar.zone)


async def _summary_chart(t: Turn) -> Reply:
    """The chart goes out through the outbox as a photo to this chat; no text reply."""
    standing = await _live_standing(t)
    folder = t.ctx.files_for(t.ward_id)
    path = await write_chart(standing, folder, f"bieu-do-{standing.cutoff:%Y%m%d}")
    caption = texts.CHART_CAPTION.format(plan=standing.plan_code, day=texts.vn_date(standing.cutoff))
    queue_file(t, f"chart:{t.inbound_id}", Attachment(str(path), path.name, "photo", caption))
    return []


@COMMANDS.command(
    "export",
    roles=OFFICE,
    usage=USAGE["export"],
    description=ABOUT["export"],
    reads_only=True,
    writes_on=frozenset({"zalo"}),
)
async def cmd_export(t: Turn) -> Reply:
    """The report files of a cycle (office), sent to this chat as documents; on Zalo, which
    cannot carry files, a one-time link to the desk's report page where they are made."""
    if t.msg.channel == "zalo":
        settings = t.ctx.settings
        url = await issue_login_link(t.s, settings, t.person, desk_now(t.ctx), target=REPORT_PATH)
        return [OutboundMessage(report_message(url, settings.desk_link_minutes))]
    plan, today = t.plan, t.ctx.today()
    try:
        if t.args:
            window = latest_cycle_window(cycle_by_word(plan, t.args.split()[0]), today)
        else:
            window = upcoming_window(plan, today)
    except WindowError as exc:
        return [OutboundMessage(f"{exc}\n{texts.USAGE_EXPORT}")]
    title = texts.cycle_title(window.cycle_name or REPORT, window.year or window.end.year)
    if today < window.start:
        start = texts.vn_date(window.start)
        return [OutboundMessage(texts.EXPORT_NOT_STARTED.format(title=title, start=start))]
    folder = t.ctx.files_for(t.ward_id)
    files = await write_report_files(
        t.s, plan, t.ward_id, t.ctx.calendar, folder, window, today, t.ctx.settings.on_time_against
    )
    period = data_period(window)
    xlsx_caption = texts.EXPORT_XLSX_CAPTION.format(title=title, period=period)
    docx_caption = texts.EXPORT_DOCX_CAPTION.format(title=title)
    queue_file(t, f"export:{t.inbound_id}:xlsx", Attachment(str(files.xlsx), files.xlsx.name, "document", xlsx_caption))
    queue_file(t, f"export:{t.inbound_id}:docx", Attachment(str(files.docx), files.docx.name, "document", docx_caption))
    cutoff = texts.vn_date(files.cutoff)
    return [OutboundMessage(texts.EXPORT_READY.format(title=title, period=period, cutoff=cutoff))]


@COMMANDS.command(
    "ghinhan",
    roles=OFFICE,
    usage=USAGE["ghinhan"],
    description=ABOUT["ghinhan"],
)
async def cmd_ghinhan(t: Turn) -> Reply:
    """/ghinhan N UNIT TEXT — record a status a unit gave by phone or on paper (office)."""
    m = re.fullmatch(r"(\d{1,3})\s+(.+)", t.args, re.S)
    found = _unit_and_text(t.plan, m[2]) if m else None
    if m is None or found is None:
        return [OutboundMessage(texts.USAGE_GHINHAN)]
    unit, text = found
    now = t.ctx.now()
    try:
        done = await record_on_behalf(
            t.s,
            t.ward_id,
            int(m[1]),
            unit.code,
            text,
            now,
            now,
            t.ctx.today(),
            recorder=t.person,
            recorder_label=t.person.name,
            via="chat",
        )
    except ActionError as exc:
        return [OutboundMessage(str(exc))]
    p = done.parsed
    confirm = texts.confirm(done.view.task_stt, p.status, p.percent, p.note)
    at = vn_datetime(now, t.ctx.calendar.zone)
    return [OutboundMessage(texts.RECORDED_ON_BEHALF.format(confirm=confirm, unit=unit.name, at=at))]


@COMMANDS.command("overdue", roles=OFFICE, usage=USAGE["overdue"], description=ABOUT["overdue"], reads_only=True)
async def cmd_overdue(t: Turn) -> Reply:
    """Overdue tasks (office): exactly the pairs `/summary` counts overdue, same standing."""
    return [OutboundMessage(overdue_list(await _live_standing(t), t.ctx.calendar))]


@COMMANDS.command(
    "remind",
    roles=OFFICE,
    usage=USAGE["remind"],
    description=ABOUT["remind"],
)
async def cmd_remind(t: Turn) -> Reply:
    """/remind N [unit] — nudge now (office)."""
    refs = await refs_in(t, t.args)
    ref = next((r for r in refs if not r.sep and (not r.rest or r.separated)), None)
    if ref is None:
        return [OutboundMessage(texts.USAGE_REMIND)]
    if ref.stt is None:
        return [OutboundMessage(texts.NO_SUCH_TASK.format(stt=ref.label))]
    unit_code = None
    if ref.rest:
        unit = t.plan.find_unit(ref.rest)
        if unit is None:
            return [OutboundMessage(texts.UNKNOWN_UNIT.format(unit=ref.rest))]
        unit_code = unit.code
    try:
        queued = await queue_manual_reminder(t.s, t.ward_id, ref.stt, unit_code, t.ctx.now(), t.ctx.today())
    except ActionError as exc:
        return [OutboundMessage(str(exc))]
    return [OutboundMessage(texts.remind_queued(ref.label, len(queued.units), queued.nobody))]


@COMMANDS.command(
    "activate",
    roles=OFFICE,
    usage=USAGE["activate"],
    description=ABOUT["activate"],
)
async def cmd_activate(t: Turn) -> Reply:
    """/activate N DATE — give a conditional task its date (office)."""
    refs = await refs_in(t, t.args)
    ref = next((r for r in refs if not r.sep and r.separated and re.fullmatch(r"\S+", r.rest)), None)
    due = _parse_day(ref.rest) if ref else None
    if ref is None or due is None:
        return [OutboundMessage(texts.USAGE_ACTIVATE)]
    if ref.stt is None:
        return [OutboundMessage(texts.NO_SUCH_TASK.format(stt=ref.label))]
    try:
        task = await activate_task(t.s, t.ward_id, ref.stt, due)
    except ActionError as exc:
        return [OutboundMessage(str(exc))]
    # Occurrences and reminders follow at once rather than at the next daily planning.
    await replan(t)
    return [OutboundMessage(texts.ACTIVATED.format(stt=task_name(task), due=texts.vn_date(due)))]


def _unit_and_text(plan: Plan, rest: str) -> tuple[PlanUnit, str] | None:
    """ "VP đã xong" or "Văn phòng HĐND và UBND phường đã xong" → (unit, "đã xong"): the
    longest run of leading words that names a unit."""
    words = rest.split()
    for n in range(len(words) - 1, 0, -1):
        unit = plan.find_unit(" ".join(words[:n]))
        if unit is not None:
            return unit, " ".join(words[n:])
    return None


def _parse_day(text: str) -> date | None:
    try:
        if m := _DATE.match(text):
            return date(int(m[3]), int(m[2]), int(m[1]))
        return date.fromisoformat(text)
    except ValueError:
        return None
