"""What every desk page shares: the app's state, rendering, who is visiting and which ward
they may see, forms with their CSRF token, the security headers."""

from __future__ import annotations

import logging
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.actions.desk_links import desk_now
from bot.context import AppContext, NotReadYet
from bot.desk.auth import TOUCH_EVERY, LoginThrottle, csrf_ok, keep_alive, session_visitor
from bot.texts import desk as td
from bot.texts.common import cycle_title, vn_date
from bot.texts.desk import LOGIN_NEEDED
from scheduler.plan import Plan
from store.desk import Visitor, shared_key
from store.enums import PersonRole

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
OFFICE_ROLES = frozenset({PersonRole.OFFICE, PersonRole.LEADER, PersonRole.CITY})
HEAD_ROLES = frozenset({PersonRole.HEAD, PersonRole.DEPUTY})
MAX_FORM = 64 * 1024  # a form is a few fields; nothing larger is read
MAX_UPLOAD = 10 * 1024 * 1024  # a scan or a photo of a document a head sends as the product

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class SecurityHeaders:
    """Adds the security headers to every response (pages, files, errors, static assets)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in HEADERS if k not in names]
                if b"cache-control" not in names and not scope.get("path", "").startswith("/static/"):
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, sending)


class Refusal(Exception):
    """A page answered with a Vietnamese sentence and a status instead of its content."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


def _vn_date(value: date | None) -> str:
    return vn_date(value) if value is not None else ""


class Flashes(OrderedDict[int, tuple[str, str]]):
    """The sessions' one-time lines, bounded: a line never read (the tab was closed) is
    forgotten once many newer ones were written."""

    capacity = 2048

    def __setitem__(self, key: int, value: tuple[str, str]) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.capacity:
            self.popitem(last=False)


@dataclass
class Desk:
    ctx: AppContext
    # The cookie key: NHACVIEC_DESK_SECRET, else one made once and kept in the database (so
    # every worker of a city signs alike); read at the first request.
    key: bytes | None = None
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    # What the last action of a session did, shown once on the next page (session id → (kind, text)).
    flash: dict[int, tuple[str, str]] = field(default_factory=lambda: Flashes())
    env: Environment = field(init=False)

    def __post_init__(self) -> None:
        self.env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["vndate"] = _vn_date
        self.env.globals["cycle_title"] = cycle_title
        zone = self.ctx.calendar.zone
        self.env.filters["vntime"] = lambda v: f"{v.astimezone(zone):%d/%m/%Y %H:%M}" if v is not None else ""

    async def secret(self) -> bytes:
        if self.key is None:
            async with self.ctx.db.session() as s, s.begin():
                self.key = (await shared_key(s, "cookie", secrets.token_hex(32))).encode()
        return self.key

    @property
    def idle(self) -> timedelta:
        return timedelta(minutes=self.ctx.settings.desk_idle_minutes)

    def secure(self, request: Request) -> bool:
        public = self.ctx.settings.desk_url or self.ctx.settings.public_url or ""
        return request.url.scheme == "https" or public.startswith("https://")

    def render(self, request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        v: Visitor | None = request.scope.get("desk_visitor")
        html = self.env.get_template(template).render(
            visitor=v,
            csrf=v.csrf if v is not None else "",
            ward_name=values.pop("ward_name", None) or self.ward_name(v.ward_id if v else None),
            path=request.url.path,
            **values,
        )
        return HTMLResponse(html, status_code=status)

    def refusal(self, request: Request, status: int, text: str) -> HTMLResponse:
        return self.render(request, "message.html", status=status, title=td.TITLE_REFUSED, text=text)

    def evidence_path(self, stored: str) -> Path | None:
        """A stored evidence file, only inside the evidence folder and only if it exists."""
        folder = self.ctx.settings.evidence_folder().resolve()
        path = Path(stored).resolve()
        if not path.is_relative_to(folder) or not path.is_file():
            return None
        return path

    def ward_name(self, ward_id: int | None) -> str:
        if ward_id is None:
            return ""
        try:
            return self.ctx.plan_of(ward_id).ward
        except LookupError:
            return ""

    def plan(self, ward_id: int) -> Plan:
        try:
            return self.ctx.plan_of(ward_id)
        except NotReadYet:
            raise  # not gone: its plan file is still being read after the start (endpoint: 503)
        except LookupError:
            raise Refusal(404, td.WARD_GONE) from None

    def ward_for(self, v: Visitor, request: Request) -> int:
        """The ward the visitor looks at: their own; a city person may name any served ward
        (?phuong=ID). Someone else naming another ward is refused, never silently shown."""
        asked = request.query_params.get("phuong")
        if asked is None or asked == str(v.ward_id):
            return v.ward_id
        if v.role != PersonRole.CITY:
            raise Refusal(403, td.OWN_WARD_ONLY)
        try:
            ward_id = int(asked)
        except ValueError:
            raise Refusal(404, td.NO_SUCH_WARD) from None
        if ward_id not in self.ctx.wards:
            raise Refusal(404, td.NO_SUCH_WARD)
        return ward_id

    @staticmethod
    def can_act(v: Visitor, ward_id: int) -> bool:
        """The office's decisions: office, leaders and city people, in their own ward (as in chat)."""
        return v.role in OFFICE_ROLES and ward_id == v.ward_id


Page = Callable[[Desk, Request, AsyncSession, Visitor], Awaitable[Response]]


async def read_form(request: Request, upload: bool = False) -> FormData:
    """A posted form, its size bounded: a few fields, or (`upload`) one file of at most
    MAX_UPLOAD, whose request must declare its length (a file part is not bounded by the
    parser itself)."""
    declared = request.headers.get("content-length")
    limit = MAX_UPLOAD + MAX_FORM if upload else MAX_FORM
    if upload and not (declared or "").isdigit():
        raise Refusal(411, td.UPLOAD_LENGTH_NEEDED)
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise Refusal(413, td.upload_too_large(MAX_UPLOAD) if upload else td.BODY_TOO_LARGE)
    return await request.form(max_files=1 if upload else 0, max_fields=20, max_part_size=MAX_FORM)


def page(
    desk: Desk, handler: Page, *, write: bool = False, roles: frozenset[str] | None = None, upload: bool = False
) -> Callable[[Request], Awaitable[Response]]:
    """A route: the visitor's session (else a page asking for a login link), the role
    allowed, the CSRF token of a POST, one transaction (a read one for GET pages)."""

    async def endpoint(request: Request) -> Response:
        db = desk.ctx.db
        now = desk_now(desk.ctx)  # the session's clock; the pages judge by the bot's
        posted = request.method == "POST"
        key = await desk.secret()
        try:
            form = await read_form(request, upload) if posted else None
            # One transaction for the visitor and the page: a read one for GET pages.
            async with db.session() if write or posted else db.read() as s, s.begin():
                v = await session_visitor(s, request, key, now, desk.idle)
                if v is None:
                    return desk.render(
                        request, "message.html", status=401, title=td.TITLE_LOGIN_NEEDED, text=LOGIN_NEEDED
                    )
                request.scope["desk_visitor"] = v
                if roles is not None and v.role not in roles:
                    return desk.refusal(request, 403, td.NOT_FOR_ROLE)
                if form is not None:
                    if not csrf_ok(v.csrf, str(form.get("csrf") or "")):
                        return desk.refusal(request, 403, td.SESSION_CHANGED)
                    request.scope["desk_form"] = form
                response = await handler(desk, request, s, v)
            if now - v.seen_at >= TOUCH_EVERY:
                async with db.session() as s, s.begin():
                    await keep_alive(s, v, now)
            return response
        except Refusal as refused:
            return desk.refusal(request, refused.status, refused.text)
        except NotReadYet:
            return desk.refusal(request, 503, td.PLANS_BEING_READ)

    return endpoint


def form_of(request: Request) -> FormData:
    form: FormData = request.scope["desk_form"]
    return form


def qr_svg(text: str) -> str:
    """`text` (a deep link, or the /start line) as an inline SVG QR code for a phone to scan.
    segno is imported at the first code shown, not with the desk."""
    import segno

    return str(segno.make(text, error="m").svg_inline(scale=5, dark="#111", light="#fff"))


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)
