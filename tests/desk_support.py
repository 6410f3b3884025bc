"""Two wards with a little history, and logging in to the desk, for the desk's tests."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx

from bot.actions.desk_links import issue_login_link
from bot.actions.people import create_person
from bot.context import AppContext, ServedWard
from bot.conversation.handle import Conversation
from bot.desk.app import desk_app
from scheduler.planner import plan_ward
from tests.helpers import linked, say

SECRET_NOTE = "hồ sơ riêng phường A"


@dataclass
class TwoWards:
    a: int
    b: int
    office_a: int  # person ids
    office_b: int
    head_a: int
    city: int
    chat_vhxh: str  # the VHXH head's chat in ward A


async def two_wards(ctx: AppContext) -> TwoWards:
    """Ward A (the fixture's) where VHXH reported task 4 done with a document and asked to
    extend task 1, VP is blocked on task 2's period; ward B, the same plan, untouched."""
    async with ctx.db.session() as s, s.begin():
        result = await plan_ward(s, "phuong-b", ctx.plan, ctx.calendar, ctx.now())
    ctx.serve(ServedWard(result.ward_id, "phuong-b", ctx.settings.plan_path, ctx.plan))
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH", name="Trần Văn Hùng")
    await say(conv, chat, f"4 xong CV 45/UBND-VHXH ngày 20/6/2026, {SECRET_NOTE}")
    await say(conv, chat, "/giahan 1 15/07/2026 chờ ý kiến lãnh đạo")
    vp = await linked(ctx, conv, "VP", name="Lê Thị Mai")
    await say(conv, vp, "2 vướng: chưa có kinh phí")
    async with ctx.db.session() as s, s.begin():
        office_a = await create_person(s, ctx.ward_id, "Nguyễn Thị Lan", "office", "VHXH", ctx.now())
        office_b = await create_person(s, result.ward_id, "Phạm Văn Bình", "office", "VHXH", ctx.now())
        head_a = await create_person(s, ctx.ward_id, "Đỗ Minh Khoa", "head", "VP", ctx.now())
        city = await create_person(s, ctx.ward_id, "Hoàng Thành Phố", "city", None, ctx.now())
    return TwoWards(ctx.ward_id, result.ward_id, office_a.id, office_b.id, head_a.id, city.id, chat)


async def login_url(ctx: AppContext, person_id: int, target: str | None = None) -> str:
    from store.models import Person

    async with ctx.db.session() as s, s.begin():
        person = await s.get(Person, person_id)
        assert person is not None
        return await issue_login_link(s, ctx.settings, person, ctx.now(), target)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


async def log_in(client: httpx.AsyncClient, ctx: AppContext, person_id: int) -> None:
    """Open a fresh login link and press its button, as the page's script does."""
    path = path_of(await login_url(ctx, person_id))
    page = await client.get(path)
    assert page.status_code == 200, page.text
    done = await client.post(path)
    assert done.status_code == 303, done.text


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF token on the page"
    return m[1]


@contextlib.asynccontextmanager
async def serving(ctx: AppContext) -> AsyncIterator[str]:
    """The desk on a free local port (uvicorn, signals left to the test runner), for a browser."""
    import uvicorn

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self):  # type: ignore[no-untyped-def]
            yield

    server = Server(
        uvicorn.Config(desk_app(ctx), host="127.0.0.1", port=0, log_level="warning", lifespan="off", log_config=None)
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
