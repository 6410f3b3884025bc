"""`nhacviec desk-link`: the same arguments as `nhacviec link`, the person created once, a
link that opens that person's ward on the desk; and the demo's link printed by `run`."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bot.app.service import open_context
from bot.cli.main import main
from bot.desk.app import desk_app
from bot.settings import Settings
from scheduler.clock import SystemClock
from store.models import Person
from tests.conftest import PLAN_PATH

WARD2_PATH = PLAN_PATH.parent / "plan_ward2.yaml"


@pytest.fixture
def deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    plans = tmp_path / "plans"
    plans.mkdir()
    shutil.copy(PLAN_PATH, plans / "nhi-chieu.yaml")
    shutil.copy(WARD2_PATH, plans / "hong-bang.yaml")
    url = f"sqlite+aiosqlite:///{tmp_path / 'desk.db'}"
    monkeypatch.setenv("NHACVIEC_PLAN_PATH", str(plans))
    monkeypatch.setenv("NHACVIEC_DATABASE_URL", url)
    monkeypatch.setenv("NHACVIEC_DESK_PORT", "18080")
    return Settings(plan_path=plans, database_url=url, _env_file=None)  # type: ignore[call-arg]


def _link(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["desk-link", *args, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"url"}
    return str(out["url"])


async def _page(settings: Settings, url: str, path: str = "/") -> httpx.Response:
    ctx = await open_context(settings, SystemClock())
    try:
        transport = httpx.ASGITransport(app=desk_app(ctx))
        async with httpx.AsyncClient(transport=transport, base_url="http://desk.test") as client:
            done = await client.post("/" + url.split("/", 3)[3])
            assert done.status_code == 303
            return await client.get(path)
    finally:
        await ctx.db.dispose()


async def _people(settings: Settings, name: str) -> int:
    ctx = await open_context(settings, SystemClock())
    try:
        async with ctx.db.read() as s:
            return int(await s.scalar(select(func.count(Person.id)).where(Person.name == name)) or 0)
    finally:
        await ctx.db.dispose()


def test_desk_link_opens_the_named_ward(deployment: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    url = _link(capsys, "--ward", "Hồng Bàng", "--unit", "VP", "--role", "office", "--name", "Lý Thu Hà")
    assert url.startswith("http://127.0.0.1:18080/dang-nhap/")
    page = asyncio.run(_page(deployment, url))
    assert page.status_code == 200 and "Hồng Bàng" in page.text and "data-task=" in page.text
    again = _link(capsys, "--ward", "Hồng Bàng", "--unit", "VP", "--role", "office", "--name", "Lý Thu Hà")
    assert again != url
    assert asyncio.run(_people(deployment, "Lý Thu Hà")) == 1  # the person is created once


def test_desk_link_for_the_city_needs_no_unit(deployment: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    url = _link(capsys, "--role", "city", "--name", "Sở Nội vụ")
    page = asyncio.run(_page(deployment, url, "/thanh-pho"))
    assert page.status_code == 200 and page.text.count("data-ward=") == 2


def test_desk_link_refuses_a_missing_unit_in_one_line(deployment: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["desk-link", "--ward", "Hồng Bàng", "--role", "office", "--name", "X"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Lỗi: cần --unit") and "Traceback" not in err
