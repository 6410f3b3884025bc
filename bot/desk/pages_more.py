"""`/bao-cao` (the report for the city: preview and the same files as `nhacviec export`),
`/nguoi` (units and their people, invitations, revoking) and `/thanh-pho` (the city's wards)."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from bot.actions.common import ActionError
from bot.actions.people import create_person, issue_link_code
from bot.desk.choice import choose
from bot.desk.web import Desk, Refusal, form_of, qr_svg, see_other
from bot.report import build_standing
from bot.report.city import city_rollup
from bot.report.rows import Report
from bot.report.targets import target_figures
from bot.texts import desk as td
from bot.texts.common import PERSON_ROLE_LABELS
from bot.texts.desk import CHANNEL_LABELS, FOUR_LABELS
from bot.texts.links import deep_link
from bot.texts.report import percent_text
from scheduler.plan import Plan
from scheduler.standing import FOUR
from scheduler.windows import ReportWindow
from store.desk import Visitor
from store.enums import PersonRole
from store.models import Person
from store.queries import active_units
from store.roster import RosterEntry, roster, unlink_person

FILES = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "bao-cao"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "du-thao-bao-cao"),
    "png": ("image/png", "bieu-do"),
}
INVITE_ROLES = (PersonRole.HEAD, PersonRole.DEPUTY, PersonRole.OFFICE, PersonRole.LEADER)
ROLE_ORDER = (*INVITE_ROLES, PersonRole.CITY)  # how the people page lists a unit's people


def _file_name(plan: Plan, window: ReportWindow) -> str:
    """As `nhacviec export` names its files: the plan's number and the window's days."""
    stem = re.sub(r"[^0-9A-Za-z]+", "-", plan.code).strip("-") or "ke-hoach"
    return f"{stem}-{window.start:%Y%m%d}-{window.end:%Y%m%d}"


# --- the report ------------------------------------------------------------------------------


async def _report(desk: Desk, request: Request, s: AsyncSession, v: Visitor) -> tuple[Report, str]:
    ward_id = desk.ward_for(v, request)
    plan = desk.plan(ward_id)
    choice = choose(plan, request.query_params, desk.ctx.today())
    window = choice.window
    if choice.today < window.start:
        raise Refusal(400, td.CYCLE_NOT_STARTED)
    calendar = desk.ctx.calendar
    standing = await build_standing(
        s, plan, ward_id, window, window.cutoff(choice.today), calendar, desk.ctx.settings.on_time_against
    )
    figures = await target_figures(s, plan, ward_id, window)
    return Report(plan, standing, calendar, choice.today, figures), _file_name(plan, window)


async def report_page(desk: Desk, request: Request, s: AsyncSession, v: Visitor) -> Response:
    ward_id = desk.ward_for(v, request)
    plan = desk.plan(ward_id)
    choice = choose(plan, request.query_params, desk.ctx.today())
    report, _ = await _report(desk, request, s, v)
    counts = report.standing.counts()
    total = sum(counts[k] for k in FOUR)
    query = "&".join(
        q for q in (choice.query(desk.ctx.today()), f"phuong={ward_id}" if ward_id != v.ward_id else "") if q
    )
    name = _file_name(plan, choice.window)
    return desk.render(
        request,
        "report.html",
        ward_name=plan.ward,
        plan=plan,
        ward_id=ward_id,
        choice=choice,
        cycles=plan.cycles,
        counts={k: counts[k] for k in FOUR},
        total=total,
        overdue_share=percent_text(round(counts["overdue"] * 100 / total, 1) if total else None),
        four_labels=FOUR_LABELS,
        query=f"?{query}" if query else "",
        name=name,
        standing=report.standing,
    )


async def report_file(desk: Desk, request: Request, s: AsyncSession, v: Visitor) -> Response:
    # /bao-cao/tai/xlsx, or a file name ending in the kind (bao-cao-158-KH-UBND-….xlsx).
    kind = request.path_params["kind"].rsplit(".", 1)[-1]
    if kind not in FILES:
        raise Refusal(404, td.NO_SUCH_FILE_KIND)
    report, name = await _report(desk, request, s, v)
    # The writers (openpyxl, python-docx, matplotlib) are imported when a file is asked for:
    # a service that never serves one never loads them.
    from bot.report.chart import standing_chart
    from bot.report.docx import export_docx
    from bot.report.xlsx import export_xlsx

    make = {"xlsx": export_xlsx, "docx": export_docx, "png": lambda r: standing_chart(r.standing)}[kind]
    content = await asyncio.to_thread(make, report)
    media, prefix = FILES[kind]
    filename = f"{prefix}-{name}.{kind}"
    return Response(content, media_type=media, headers={"content-disposition": f'attachment; filename="{filename}"'})


# --- people ----------------------------------------------------------------------------------


async def _units(desk: Desk, s: AsyncSession, ward_id: int) -> list[tuple[int, str, str]]:
    plan = desk.plan(ward_id)
    rows = {u.code: u for u in (await active_units(s, ward_id)).values()}
    return [(rows[c].id, c, rows[c].name) for c in plan.units if c in rows]


async def people_page(desk: Desk, request: Request, s: AsyncSession, v: Visitor) -> Response:
    ward_id = v.ward_id  # people are managed in one's own ward only
    units = await _units(desk, s, ward_id)
    entries = await roster(s, ward_id)
    order = {r: i for i, r in enumerate(ROLE_ORDER)}
    by_unit: dict[int | None, list[RosterEntry]] = {}
    for e in sorted(entries, key=lambda e: (order.get(e.person.role, 9), e.person.id)):
        by_unit.setdefault(e.person.unit_id, []).append(e)
    return desk.render(
        request,
        "people.html",
        units=units,
        by_unit=by_unit,
        role_labels=PERSON_ROLE_LABELS,
        channel_labels=CHANNEL_LABELS,
        invite_roles=INVITE_ROLES,
        flash=desk.flash.pop(v.session_id, None),
        today=desk.ctx.today(),
        calendar=desk.ctx.calendar,
    )


async def invite(desk: Desk, request: Request, s: AsyncSession, v: Visitor) -> Response:
    form = form_of(request)
    code = str(form.get("don_vi") or "")
    role = str(form.get("vai_tro") or "")
    name = " ".join(str(form.get("ho_ten") or "").split())[:200]
    units = {c: (uid, n) for uid, c, n in await _units(desk, s, v.ward_id)}
    if code not in units or role not in INVITE_ROLES or not name:
        raise Refusal(400, td.INVITE_INCOMPLETE)
    ctx = desk.ctx
    now = ctx.now()
    try:
        person = await create_person(s, v.ward_id, name, role, code, now)
        issued = await issue_link_code(s, person, now, timedelta(hours=ctx.settings.link_code_ttl_hours))
    except ActionError as exc:
        raise Refusal(400, str(exc)) from None
    username = ctx.settings.telegram_bot_username or ctx.telegram_username
    link = deep_link(username, issued.code) if username else None
    qr = qr_svg(link or f"/start {issued.code}")
    return desk.render(
        request,
        "invite.html",
        name=name,
        role=PERSON_ROLE_LABELS.get(role, role),
        unit_name=units[code][1],
        code=issued.code,
        link=link,
        qr=qr,
        expires=issued.expires_at,
    )


async def revoke(desk: Desk, request: Request, s: AsyncSession, v: Visitor) -> Response:
    try:
        person_id = int(request.path_params["id"])
    except ValueError:
        raise Refusal(404, td.NO_SUCH_PERSON) from None
    person = await s.get(Person, person_id)
    if person is None or person.ward_id != v.ward_id or person.unlinked_at is not None:
        raise Refusal(404, td.NO_SUCH_PERSON)
    if person.id == v.person_id:
        raise Refusal(400, td.NOT_YOURSELF)
    await unlink_person(s, person, desk.ctx.now())
    desk.flash[v.session_id] = ("ok", td.unlinked(person.name))
    return see_other("/nguoi")


# --- the city --------------------------------------------------------------------------------


async def city_page(desk: Desk, request: Request, s: AsyncSession, v: Visitor) -> Response:
    ctx = desk.ctx
    today = ctx.today()
    wards = [(w.ward_id, w.key, w.plan) for w in ctx.served()]
    rollups = await city_rollup(s, wards, ctx.calendar, today, on_time_against=ctx.settings.on_time_against)
    return desk.render(
        request,
        "city.html",
        ward_name=td.ALL_WARDS,
        rollups=rollups,
        today=today,
        four=FOUR,
        four_labels=FOUR_LABELS,
        percent_text=percent_text,
    )


CITY_ROLES = frozenset({PersonRole.CITY})
