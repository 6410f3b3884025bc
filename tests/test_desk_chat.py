"""The way from chat to the desk: `/web` answers with a one-time login link in the person's
own chat, and `/export` on Zalo (which carries no files) with a link to the report page."""

from __future__ import annotations

import re

import httpx

from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.desk.app import desk_app
from tests.desk_support import path_of
from tests.helpers import linked, say


def _link(answer: str) -> str:
    m = re.search(r"https?://\S+/dang-nhap/\S+", answer)
    assert m, answer
    return m.group(0)


async def _log_in(ctx: AppContext, url: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=desk_app(ctx))
    async with httpx.AsyncClient(transport=transport, base_url="http://desk.test") as client:
        path = path_of(url)
        assert (await client.get(path)).status_code == 200
        return await client.post(path)


async def test_web_answers_a_one_time_link_that_logs_the_person_in(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    head = await linked(ctx, conv, "VP")
    (answer,) = await say(conv, head, "/web")
    assert "dùng một lần" in answer
    done = await _log_in(ctx, _link(answer))
    assert done.status_code == 303 and done.headers["location"] == "/"


async def test_export_on_zalo_answers_a_link_to_the_report_page(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    office = await linked(ctx, conv, "VHXH", role="office", channel="zalo", chat_id="z-office")
    (answer,) = await say(conv, office, "/export", channel="zalo")
    assert "Excel" in answer and "Word" in answer
    done = await _log_in(ctx, _link(answer))
    assert done.status_code == 303 and done.headers["location"] == "/bao-cao"
