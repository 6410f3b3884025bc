"""`/ke-hoach/nhap` (a plan file → a reviewed, previewed, activated plan) and `/ke-hoach`
(the running plan, its versions, "sửa"). Office and leaders of the ward only.

The steps: upload (`intake_files.read_upload`: checked, read by the importer) → a draft kept
in the data folder (`intake_draft`) → the review page (the appendix as read, each reader's
question inline where it belongs; units with their codes, merged spellings and heads'
titles) → the preview (`intake_preview`) → activation (the plan file written beside its
previous version, the ward synced and planned at once, the running bot's tick sees the
same file) → invitations per unit. Nothing is activated while a question is open.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from bot.actions.common import ActionError
from bot.actions.desk_links import desk_now
from bot.actions.people import create_person, issue_link_code
from bot.context import ServedWard
from bot.desk import intake_draft as drafts
from bot.desk.auth import TOUCH_EVERY, csrf_ok, keep_alive, session_visitor
from bot.desk.intake_compare import compare_plans
from bot.desk.intake_files import MAX_UPLOAD, UploadRefused, read_upload, versions, write_plan
from bot.desk.intake_preview import preview, understood
from bot.desk.web import Desk, Refusal, qr_svg, see_other
from bot.texts import desk as td
from bot.texts import intake as tx
from bot.texts.common import PERSON_ROLE_LABELS, blocked_notice, vn_date
from bot.texts.links import deep_link
from bot.wards import check_plan, ward_key
from scheduler.deadlines import read_deadline, rule_summary
from scheduler.plan import Plan, PlanError
from scheduler.plan.compare import compare_plan
from scheduler.planner import plan_ward
from scheduler.titles import derive_head_title
from store.desk import Visitor
from store.enums import PersonRole
from store.intake import ward_queue
from store.plan_state import running_plan
from store.queries import active_units
from store.wards import claim_ward, mark_issued

log = logging.getLogger(__name__)

ROLES = frozenset({PersonRole.OFFICE, PersonRole.LEADER})
MAX_REVIEW_FORM = 1024 * 1024
INVITE_ROLES = (PersonRole.HEAD, PersonRole.DEPUTY)

Handler = Callable[[Desk, Request, AsyncSession, Visitor, FormData | None], Awaitable[Response]]


def _iso_date(value: object) -> str:
    text = str(value or "")
    try:
        return vn_date(date.fromisoformat(text[:10]))
    except ValueError:
        return text


def install(desk: Desk) -> None:
    """The templates' filters of the intake pages."""
    desk.env.filters["code_of"] = lambda choice: str(choice).split(" – ")[0].strip()
    desk.env.filters["isodate"] = _iso_date
    desk.env.filters["head_title"] = lambda name: derive_head_title(str(name))
    desk.env.filters["clerk"] = tx.for_clerk


def intake_page(desk: Desk, handler: Handler, *, upload: bool = False) -> Callable[[Request], Awaitable[Response]]:
    """As `web.page`, with the larger forms the intake needs (a file; a review form with a
    field per question and unit): the size is checked before anything is read."""

    async def endpoint(request: Request) -> Response:
        db = desk.ctx.db
        now = desk_now(desk.ctx)
        posted = request.method == "POST"
        try:
            form = await _read(request, upload) if posted else None
            async with db.session() if posted else db.read() as s, s.begin():
                v = await session_visitor(s, request, await desk.secret(), now, desk.idle)
                if v is None:
                    return desk.render(
                        request, "message.html", status=401, title=td.TITLE_LOGIN_NEEDED, text=td.LOGIN_NEEDED
                    )
                request.scope["desk_visitor"] = v
                if v.role not in ROLES:
                    return desk.refusal(request, 403, tx.PLAN_PAGES_ROLES)
                if form is not None and not csrf_ok(v.csrf, str(form.get("csrf") or "")):
                    return desk.refusal(request, 403, td.SESSION_CHANGED)
                response = await handler(desk, request, s, v, form)
            if now - v.seen_at >= TOUCH_EVERY:  # a clerk busy on the review is not idle
                async with db.session() as s, s.begin():
                    await keep_alive(s, v, now)
            return response
        except Refusal as refused:
            return desk.refusal(request, refused.status, refused.text)

    return endpoint


async def _read(request: Request, upload: bool) -> FormData:
    declared = request.headers.get("content-length")
    limit = MAX_UPLOAD + 64 * 1024 if upload else MAX_REVIEW_FORM
    if declared is None or not declared.isdigit():
        raise Refusal(411, tx.NO_LENGTH)
    if int(declared) > limit:
        raise Refusal(413, tx.TOO_LARGE)
    return await request.form(max_files=1 if upload else 0, max_fields=3000, max_part_size=MAX_REVIEW_FORM)


def _files(desk: Desk) -> Path:
    return desk.ctx.settings.files_path


def _plan_file(desk: Desk, v: Visitor) -> Path:
    served = desk.ctx.wards.get(v.ward_id)
    if served is None:
        raise Refusal(404, td.WARD_GONE)
    return served.path


def _draft(desk: Desk, v: Visitor, request: Request) -> drafts.Draft:
    found = drafts.load(_files(desk), v.ward_id, request.path_params["id"])
    if found is None:
        raise Refusal(404, tx.NO_DRAFT)
    return found


# --- the running plan ------------------------------------------------------------------


async def plan_page(desk: Desk, request: Request, s: AsyncSession, v: Visitor, form: FormData | None) -> Response:
    plan = desk.plan(v.ward_id)
    path = _plan_file(desk, v)
    return desk.render(
        request,
        "ke_hoach.html",
        plan=plan,
        understood=understood(plan, desk.ctx.calendar),
        versions=versions(path),
        drafts=drafts.listed(_files(desk), v.ward_id),
        flash=desk.flash.pop(v.session_id, None),
    )


async def version_file(desk: Desk, request: Request, s: AsyncSession, v: Visitor, form: FormData | None) -> Response:
    path = _plan_file(desk, v)
    wanted = request.path_params["name"]
    for version in versions(path):
        if version.path.name == wanted:
            return PlainTextResponse(version.path.read_text(encoding="utf-8"), media_type="text/plain; charset=utf-8")
    raise Refusal(404, tx.NO_SUCH_VERSION)


async def edit_running(desk: Desk, request: Request, s: AsyncSession, v: Visitor, form: FormData | None) -> Response:
    """ "Sửa": the running plan as a draft, reviewed and previewed as an import is."""
    path = _plan_file(desk, v)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        raise Refusal(404, tx.RUNNING_PLAN_UNREADABLE) from None
    draft = drafts.from_plan_text(text, path.name, v.ward_id, desk.ctx.now())
    drafts.save(_files(desk), draft)
    return see_other(f"/ke-hoach/nhap/{draft.id}")


# --- upload ----------------------------------------------------------------------------


async def upload_page(desk: Desk, request: Request, s: AsyncSession, v: Visitor, form: FormData | None) -> Response:
    return desk.render(
        request,
        "ke_hoach_nhap.html",
        drafts=drafts.listed(_files(desk), v.ward_id),
        max_mb=tx.MAX_UPLOAD_MB,
        error=None,
    )


async def upload(desk: Desk, request: Request, s: AsyncSession, v: Visitor, form: FormData | None) -> Response:
    assert form is not None
    file = form.get("tep")
    if not isinstance(file, UploadFile) or not file.filename:
        return _upload_error(desk, request, v, tx.NO_FILE, 400)
    content = await file.read(MAX_UPLOAD + 1)
    ctx = desk.ctx
    try:
        draft = await asyncio.to_thread(read_upload, content, file.filename, v.ward_id, ctx.today(), ctx.now())
    except UploadRefused as exc:
        return _upload_error(desk, request, v, str(exc), 413 if str(exc) == tx.TOO_LARGE else 400)
    drafts.save(_files(desk), draft)
    return see_other(f"/ke-hoach/nhap/{draft.id}")


def _upload_error(desk: Desk, request: Request, v: Visitor, text: str, status: int) -> Response:
    return desk.render(
        request,
        "ke_hoach_nhap.html",
        status=status,
        drafts=drafts.listed(_files(desk), v.ward_id),
        max_mb=tx.MAX_UPLOAD_MB,
        error=text,
    )


# --- the review ------------------------------------------------------------------------


def _running(desk: Desk, v: Visitor) -> Plan | None:
    try:
        return desk.ctx.plan_of(v.ward_id)
    except LookupError:
        return None


async def _changes(s: AsyncSession, v: Visitor, running: Plan | None, plan: Plan | None) -> dict[str, Any]:
    """What changes for people: only when the plan replaces the running one (same ward and
    number); another ward's plan runs beside it and changes nothing of this one. The tasks
    are compared with the database as the running bot will match them (by id)."""
    if running is None or plan is None or ward_key(plan) != ward_key(running):
        return {"changes": [], "reports_kept": ""}
    diff = compare_plan(plan, await running_plan(s, v.ward_id))
    return {"changes": compare_plans(running, plan, diff), "reports_kept": tx.reports_kept(diff)}


async def _review_values(desk: Desk, s: AsyncSession, v: Visitor, draft: drafts.Draft) -> dict[str, Any]:
    built = draft.build()
    plan, problems = draft.plan()
    running = _running(desk, v)
    changes = await _changes(s, v, running, plan)
    by_task: dict[str, list[drafts.Question]] = {}
    for q in draft.questions:
        if q.kind in ("content", "lead", "deadline"):
            by_task.setdefault(q.task, []).append(q)
    open_ids = {q.id for q in draft.open_questions()}
    return {
        "draft": draft,
        "data": draft.data,
        "built": built,
        "meta": built.get("plan") or {},
        "tasks": [(drafts.task_label(t), t) for t in built.get("tasks") or []],
        "by_task": by_task,
        "plan_questions": [q for q in draft.questions if q.kind == "plan"],
        "group_questions": [q for q in draft.questions if q.kind == "group"],
        "unit_questions": {q.spelling: q for q in draft.questions if q.kind == "unit"},
        "open_ids": open_ids,
        "open_count": len(open_ids),
        "problems": problems if not open_ids else [],
        "understood": understood(plan, desk.ctx.calendar) if plan is not None else {},
        "units": draft.units(),
        "split_of": {code: [a for c, a in draft.splits if c == code] for code, _ in draft.splits},
        "unit_codes": draft.unit_codes(),
        **changes,
        "change_labels": tx.CHANGE_LABELS,
        "kind_labels": tx.KIND_LABELS,
        "edit": draft.kind == "edit"
        or (running is not None and plan is not None and ward_key(plan) == ward_key(running)),
    }


async def review_page(desk: Desk, request: Request, s: AsyncSession, v: Visitor, form: FormData | None) -> Response:
    draft = _draft(desk, v, request)
    if draft.activated is not None:
        return see_other(f"/ke-hoach/nhap/{draft.id}/da-kich-hoat")
    return desk.render(
        request,
        "ke_hoach_xem.html",
        flash=desk.flash.pop(v.session_id, None),
        **await _review_values(desk, s, v, draft),
    )


def _take_answers(draft: drafts.Draft, form: FormData) -> None:
    for q in draft.questions:
        key = f"tl_{q.id}"
        if q.kind == "group":
            if f"has_{q.id}" in form:  # checkboxes: none ticked sends nothing
                q.answer = [str(x) for x in form.getlist(key)]
            continue
        typed = " ".join(str(form.get(f"go_{q.id}") or "").split())[:500]
        picked = str(form.get(key) or "")[:200]
        if q.kind == "unit" and picked == "new":
            picked = "new:" + drafts.new_code(q.spelling, set(draft.unit_codes()))
        answer = (typed.upper() if q.kind == "lead" else typed) or picked
        if key in form or f"go_{q.id}" in form:
            q.answer = answer or None


def _take_units(draft: drafts.Draft, form: FormData) -> None:
    renames: dict[str, str] = {}
    for code in draft.unit_codes():
        new = str(form.get(f"ma_{code}") or code).strip().upper()
        if not drafts.CODE.fullmatch(new):
            raise ActionError(tx.BAD_CODE.format(code=new[:40]))
        renames[code] = new
        if f"cd_{code}" in form:
            draft.titles[code] = " ".join(str(form.get(f"cd_{code}") or "").split())[:120]
    finals = list(renames.values())
    if (dup := next((c for c in finals if finals.count(c) > 1), None)) is not None:
        raise ActionError(tx.SAME_CODE.format(code=dup))
    draft.renames = {old: new for old, new in renames.items() if old != new}
    splits = [[str(x).split("|", 1)[0], str(x).split("|", 1)[1]] for x in form.getlist("tach") if "|" in str(x)]
    draft.splits = splits


async def review_save(desk: Desk, request: Request, s: AsyncSession, v: Visitor, form: FormData | None) -> Response:
    assert form is not None
    draft = _draft(desk, v, request)
    _take_answers(draft, form)
    try:
        _take_units(draft, form)
    except ActionError as exc:
        desk.flash[v.session_id] = ("error", str(exc))
        drafts.save(_files(desk), draft)
        return see_other(f"/ke-hoach/nhap/{draft.id}")
    drafts.save(_files(desk), draft)
    if form.get("tiep") == "xem-truoc" and not draft.open_questions():
        return see_other(f"/ke-hoach/nhap/{draft.id}/xem-truoc")
    left = len(draft.open_questions())
    desk.flash[v.session_id] = ("ok", tx.SAVED if not left else tx.SAVED + " " + tx.QUESTIONS_OPEN.format(n=left))
    return see_other(f"/ke-hoach/nhap/{draft.id}")


ROW_FIELDS = ("content", "lead", "coordinate", "product", "deadline")


async def row_page(desk: Desk, request: Request, s: AsyncSession, v: Visitor, form: FormData | None) -> Response:
    draft = _draft(desk, v, request)
    index = _row_index(draft, request)
    task = draft.data["tasks"][index]
    if form is not None:
        for key in ROW_FIELDS:
            value = " ".join(str(form.get(key) or "").split())[:4000]
            task[key] = [x.strip() for x in value.split(";") if x.strip()] if key in ("lead", "coordinate") else value
        drafts.save(_files(desk), draft)
        desk.flash[v.session_id] = ("ok", tx.ROW_SAVED.format(label=drafts.task_label(task)))
        return see_other(f"/ke-hoach/nhap/{draft.id}#dong-{index}")
    label = drafts.task_label(task)
    return desk.render(request, "ke_hoach_dong.html", draft=draft, index=index, task=task, label=label)


def _row_index(draft: drafts.Draft, request: Request) -> int:
    try:
        index = int(request.path_params["n"])
    except ValueError:
        raise Refusal(404, tx.NO_SUCH_ROW) from None
    if not 0 <= index < len(draft.data.get("tasks") or []):
        raise Refusal(404, tx.NO_SUCH_ROW)
    return index


async def delete_draft(desk: Desk, request: Request, s: AsyncSession, v: Visitor, form: FormData | None) -> Response:
    draft = _draft(desk, v, request)
    (drafts.drafts_folder(_files(desk), v.ward_id) / f"{draft.id}.json").unlink(missing_ok=True)
    desk.flash[v.session_id] = ("ok", tx.DRAFT_DELETED)
    return see_other("/ke-hoach")


async def deadline_json(desk: Desk, request: Request, s: AsyncSession, v: Visitor, form: FormData | None) -> Response:
    """The live reader: what a typed deadline is understood as (the review page's script)."""
    text = request.query_params.get("q", "")[:300]
    try:
        year = int(request.query_params.get("nam", ""))
    except ValueError:
        year = desk.ctx.today().year
    reading = read_deadline(text, year if 2000 <= year <= 2100 else desk.ctx.today().year)
    summary = rule_summary(reading.rule) if reading.rule is not None else ""
    if reading.confidence == "unsure":
        summary = tx.OR.join(rule_summary(c) for c in reading.candidates)
    return JSONResponse(
        {
            "confidence": reading.confidence,
            "ok": reading.runs_unattended,
            "text": tx.deadline_read(reading.confidence, summary),
        }
    )


# --- preview and activation ------------------------------------------------------------


def _checked(desk: Desk, draft: drafts.Draft) -> Plan:
    """The plan with every check `nhacviec check` makes, or a Refusal naming what is left."""
    left = draft.open_questions()
    if left:
        raise Refusal(400, tx.QUESTIONS_OPEN.format(n=len(left)))
    plan, problems = draft.plan()
    if plan is None:
        raise Refusal(400, tx.PROBLEMS_LEFT.format(problem=problems[0]))
    with tempfile.TemporaryDirectory(prefix="nhacviec-kt-") as tmp:
        path = Path(tmp) / "ke-hoach.yaml"
        path.write_text(draft.yaml_text(), encoding="utf-8")
        try:
            return check_plan(path, desk.ctx.calendar)
        except PlanError as exc:
            raise Refusal(400, tx.PROBLEMS_LEFT.format(problem=exc.problems[0])) from None


async def preview_page(desk: Desk, request: Request, s: AsyncSession, v: Visitor, form: FormData | None) -> Response:
    draft = _draft(desk, v, request)
    plan = _checked(desk, draft)
    running = _running(desk, v)
    return desk.render(
        request,
        "ke_hoach_truoc.html",
        draft=draft,
        plan=plan,
        p=preview(plan, desk.ctx.calendar, desk.ctx.today()),
        change_labels=tx.CHANGE_LABELS,
        **await _changes(s, v, running, plan),
    )


def _target(desk: Desk, v: Visitor, plan: Plan) -> tuple[Path, str, bool]:
    """Where the plan is written, the ward's key in the database, whether it replaces the
    running plan of the visitor's ward."""
    served = desk.ctx.wards.get(v.ward_id)
    if served is None:
        raise Refusal(404, td.WARD_GONE)
    key = ward_key(plan)
    if key == ward_key(served.plan):
        return served.path, served.key, True
    folder = desk.ctx.settings.plan_path
    if not folder.is_dir():
        raise Refusal(
            409,
            tx.OTHER_WARD.format(
                ward=plan.ward, code=plan.code, running_ward=served.plan.ward, running_code=served.plan.code
            ),
        )
    if any(ward_key(w.plan) == key or w.key == key for w in desk.ctx.served()):
        # Another ward's running plan: its office replaces it, never this one's.
        raise Refusal(403, tx.ANOTHER_WARDS.format(ward=plan.ward, code=plan.code))
    path = folder / f"{key.replace(':', '_')}.yaml"
    if path.exists() or any(w.path == path for w in desk.ctx.served()):
        raise Refusal(409, tx.TAKEN.format(name=path.name))
    return path, key, False


async def activate(desk: Desk, request: Request, s: AsyncSession, v: Visitor, form: FormData | None) -> Response:
    draft = _draft(desk, v, request)
    if draft.activated is not None:
        return see_other(f"/ke-hoach/nhap/{draft.id}/da-kich-hoat")
    plan = _checked(desk, draft)
    ctx, st = desk.ctx, desk.ctx.settings
    path, key, same = _target(desk, v, plan)
    running = desk.plan(v.ward_id)
    if same and plan.issued != running.issued:
        raise Refusal(409, tx.OTHER_ISSUED.format(code=plan.code, ward=plan.ward, old=running.issued, new=plan.issued))
    now = ctx.now()
    if not same and (other := await claim_ward(s, key, plan.ward, plan.code, plan.issued)) is not None:
        raise Refusal(409, tx.OTHER_ISSUED.format(code=plan.code, ward=plan.ward, old=other.issued, new=plan.issued))
    result = await plan_ward(
        s,
        key,
        plan,
        ctx.calendar,
        now,
        ahead_days=st.plan_ahead_days,
        stale_after=timedelta(hours=st.stale_after_hours),
        blocked_notice=blocked_notice,
    )
    if not same:
        await mark_issued(s, key, plan.issued)
    try:
        kept = write_plan(path, draft.yaml_text(), now.astimezone(ctx.calendar.zone).replace(tzinfo=None))
    except OSError as exc:
        raise Refusal(500, tx.WRITE_FAILED.format(why=exc.strerror or exc)) from None
    # The bot serves it from now; its tick sees the same file and finds nothing new to plan.
    ctx.serve(ServedWard(result.ward_id, key, path, plan))
    ctx.wake()
    queued, first = await ward_queue(s, result.ward_id)
    zone = ctx.calendar.zone
    draft.activated = {
        "ward_id": result.ward_id,
        "at_text": f"{now.astimezone(zone):%d/%m/%Y %H:%M}",
        "queued": queued,
        "first_text": f"{first.astimezone(zone):%d/%m/%Y %H:%M}" if first is not None else "",
        "path": str(path),
        "kept": str(kept) if kept else "",
        "at": now.isoformat(),
        "inserted": result.inserted,
        "by": v.name,
    }
    drafts.save(_files(desk), draft)
    log.warning("plan %s activated from the desk by person %s (%s)", path, v.person_id, draft.source)
    text = tx.ACTIVATED.format(code=plan.code, tasks=len(plan.tasks), units=len(plan.units), queued=queued)
    desk.flash[v.session_id] = ("ok", text)
    return see_other(f"/ke-hoach/nhap/{draft.id}/da-kich-hoat")


async def _activated_units(desk: Desk, s: AsyncSession, draft: drafts.Draft) -> tuple[int, Plan, list[tuple[str, str]]]:
    assert draft.activated is not None
    ward_id = int(draft.activated["ward_id"])
    plan = desk.plan(ward_id)
    rows = {u.code for u in (await active_units(s, ward_id)).values()}
    return ward_id, plan, [(c, u.name) for c, u in plan.units.items() if c in rows]


async def activated_page(desk: Desk, request: Request, s: AsyncSession, v: Visitor, form: FormData | None) -> Response:
    draft = _draft(desk, v, request)
    if draft.activated is None:
        return see_other(f"/ke-hoach/nhap/{draft.id}")
    ward_id, plan, units = await _activated_units(desk, s, draft)
    return desk.render(
        request,
        "ke_hoach_chay.html",
        draft=draft,
        plan=plan,
        units=units,
        titles={c: plan.head_title(c, n) for c, n in units},
        plan_ahead=desk.ctx.settings.plan_ahead_days,
        other_ward=ward_id != v.ward_id,
        role_labels=PERSON_ROLE_LABELS,
        invite_roles=INVITE_ROLES,
        flash=desk.flash.pop(v.session_id, None),
    )


async def invite(desk: Desk, request: Request, s: AsyncSession, v: Visitor, form: FormData | None) -> Response:
    """An invitation for a unit of the plan just activated (as `/nguoi/moi` makes them)."""
    assert form is not None
    draft = _draft(desk, v, request)
    if draft.activated is None:
        raise Refusal(400, tx.NOT_ACTIVATED)
    ward_id, plan, units = await _activated_units(desk, s, draft)
    names = dict(units)
    code = str(form.get("don_vi") or "")
    role = str(form.get("vai_tro") or PersonRole.HEAD)
    name = " ".join(str(form.get("ho_ten") or "").split())[:200]
    if code not in names or role not in INVITE_ROLES or not name:
        raise Refusal(400, td.INVITE_INCOMPLETE)
    ctx = desk.ctx
    now = ctx.now()
    try:
        person = await create_person(s, ward_id, name, role, code, now)
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
        unit_name=names[code],
        code=issued.code,
        link=link,
        qr=qr,
        expires=issued.expires_at,
        back=f"/ke-hoach/nhap/{draft.id}/da-kich-hoat",
    )
