"""The desk's ASGI app: routes, login by a one-time link, logout, static assets."""

from __future__ import annotations

import logging
import re

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.actions.desk_links import desk_now, hash_token
from bot.context import AppContext
from bot.desk import intake, pages, pages_more, unit_report
from bot.desk.auth import COOKIE, close_session, sign, start_session
from bot.desk.web import HEAD_ROLES, HERE, OFFICE_ROLES, Desk, SecurityHeaders, page, read_form, see_other
from bot.texts import desk as td
from bot.texts.desk import TOO_MANY, TOO_MANY_FOR_LINK, USED_LINK
from store.desk import take_token, token_usable

log = logging.getLogger(__name__)

# A login token as issued (secrets.token_urlsafe(32)); anything else is refused unread.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,128}")


def _address(request: Request) -> str:
    return request.client.host if request.client else "?"


async def login_form(desk: Desk, request: Request) -> Response:
    """The link's page: a button that logs in (pressed by the page's script at once). A GET
    never uses the link, so a chat app's link preview cannot spend it."""
    token = request.path_params["token"]
    refused = _screen(desk, request, token)
    if refused is not None:
        return refused
    async with desk.ctx.db.read() as s, s.begin():
        usable = await token_usable(s, hash_token(token), desk_now(desk.ctx))
    if not usable:
        return _refused(desk, request)
    return desk.render(request, "login.html", token=token)


def _screen(desk: Desk, request: Request, token: str) -> Response | None:
    """Before the database is asked: a link opened too often (429), or one that cannot be a
    login link at all (the page of a wrong link)."""
    if desk.throttle.link_blocked(token):
        return desk.render(request, "message.html", status=429, title=td.TITLE_PAUSED, text=TOO_MANY_FOR_LINK)
    if TOKEN_SHAPE.fullmatch(token) is None:
        return _refused(desk, request)
    return None


def _refused(desk: Desk, request: Request) -> Response:
    """A wrong, used or expired link: one page for all three. Past the throttle's limit for
    the address the answer is 429 (a valid link still works: the throttle slows guessing, it
    never locks out the office, who may all come through one proxy address)."""
    address = _address(request)
    if desk.throttle.address_blocked(address):
        return desk.render(request, "message.html", status=429, title=td.TITLE_PAUSED, text=TOO_MANY)
    desk.throttle.failed(address)
    return desk.render(request, "message.html", status=410, title=td.TITLE_LINK_GONE, text=USED_LINK)


async def login(desk: Desk, request: Request) -> Response:
    token = request.path_params["token"]
    refused = _screen(desk, request, token)
    if refused is not None:
        return refused
    await read_form(request)  # nothing is needed from it; its size is bounded
    now = desk_now(desk.ctx)
    async with desk.ctx.db.session() as s, s.begin():
        taken = await take_token(s, hash_token(token), now)
        if taken is None:
            cookie = None
        else:
            person_id, target = taken
            cookie, _ = await start_session(s, person_id, now)
    if cookie is None:
        return _refused(desk, request)
    response = see_other(target or "/")
    response.set_cookie(
        COOKIE,
        sign(await desk.secret(), cookie),
        max_age=12 * 3600,
        httponly=True,
        samesite="lax",
        secure=desk.secure(request),
        path="/",
    )
    return response


async def logout(desk: Desk, request: Request) -> Response:
    async with desk.ctx.db.session() as s, s.begin():
        await close_session(s, request, await desk.secret(), desk_now(desk.ctx))
    response = desk.render(request, "message.html", title=td.TITLE_LOGGED_OUT, text=td.LOGGED_OUT)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=desk.secure(request))
    return response


def intake_routes(desk: Desk) -> list[Route]:
    """The plan intake (`bot/desk/intake.py`): `/ke-hoach` and `/ke-hoach/nhap/…`."""
    intake.install(desk)
    p = intake.intake_page
    d = "/ke-hoach/nhap/{id}"
    return [
        Route("/ke-hoach", p(desk, intake.plan_page), methods=["GET"]),
        Route("/ke-hoach/sua", p(desk, intake.edit_running), methods=["POST"]),
        Route("/ke-hoach/phien-ban/{name}", p(desk, intake.version_file), methods=["GET"]),
        Route("/ke-hoach/doc-han", p(desk, intake.deadline_json), methods=["GET"]),
        Route("/ke-hoach/nhap", p(desk, intake.upload_page), methods=["GET"]),
        Route("/ke-hoach/nhap", p(desk, intake.upload, upload=True), methods=["POST"]),
        Route(d, p(desk, intake.review_page), methods=["GET"]),
        Route(d, p(desk, intake.review_save), methods=["POST"]),
        Route(d + "/dong/{n}", p(desk, intake.row_page), methods=["GET", "POST"]),
        Route(d + "/xoa", p(desk, intake.delete_draft), methods=["POST"]),
        Route(d + "/xem-truoc", p(desk, intake.preview_page), methods=["GET"]),
        Route(d + "/kich-hoat", p(desk, intake.activate), methods=["POST"]),
        Route(d + "/da-kich-hoat", p(desk, intake.activated_page), methods=["GET"]),
        Route(d + "/moi", p(desk, intake.invite), methods=["POST"]),
    ]


def desk_app(ctx: AppContext, secret: bytes | None = None) -> Starlette:
    """The desk for the wards `ctx` serves."""
    key = secret or (ctx.settings.desk_secret.get_secret_value().encode() if ctx.settings.desk_secret else None)
    desk = Desk(ctx, key)

    def bare(handler):  # type: ignore[no-untyped-def]
        async def endpoint(request: Request) -> Response:
            return await handler(desk, request)

        return endpoint

    office = OFFICE_ROLES
    routes = [
        Route("/", page(desk, pages.matrix_page), methods=["GET"]),
        Route("/nhiem-vu/{label}", page(desk, pages.task_page), methods=["GET"]),
        Route("/nhiem-vu/{label}/{action}", page(desk, pages.task_action), methods=["POST"]),
        Route(
            "/nhiem-vu/{label}/bao-cao/{kind}",
            page(desk, unit_report.head_report, roles=HEAD_ROLES, upload=True),
            methods=["POST"],
        ),
        Route("/bang-chung/{id}", page(desk, pages.evidence_file), methods=["GET"]),
        Route("/bao-cao", page(desk, pages_more.report_page, roles=office), methods=["GET"]),
        Route("/bao-cao/tai/{kind}", page(desk, pages_more.report_file, roles=office), methods=["GET"]),
        Route("/nguoi", page(desk, pages_more.people_page, roles=office), methods=["GET"]),
        Route("/nguoi/moi", page(desk, pages_more.invite, roles=office), methods=["POST"]),
        Route("/nguoi/{id}/huy", page(desk, pages_more.revoke, roles=office), methods=["POST"]),
        Route("/thanh-pho", page(desk, pages_more.city_page, roles=pages_more.CITY_ROLES), methods=["GET"]),
        *intake_routes(desk),
        Route("/dang-nhap/{token}", bare(login_form), methods=["GET"]),
        Route("/dang-nhap/{token}", bare(login), methods=["POST"]),
        Route("/dang-xuat", bare(logout), methods=["GET", "POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]

    async def not_found(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        text = td.NO_SUCH_PAGE if status == 404 else td.CANNOT_DO_REQUEST
        return desk.render(request, "message.html", status=status, title=td.TITLE_NOT_FOUND, text=text)

    async def failed(request: Request, exc: Exception) -> Response:
        log.exception("desk page %s failed", request.url.path.split("/dang-nhap/")[0])
        return desk.render(
            request,
            "message.html",
            status=500,
            title=td.TITLE_ERROR,
            text=td.SYSTEM_ERROR,
        )

    app = Starlette(routes=routes, exception_handlers={HTTPException: not_found, Exception: failed})
    app.state.desk = desk
    app.add_middleware(SecurityHeaders)
    return app
