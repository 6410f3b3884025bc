"""The service answers before it has read new or edited plan files (issue 26: "first answer
within 10 s of start whatever the number of wards"): a start serves the wards whose files are
unchanged and reads the others in chunks beside the answers. A person whose ward is still
being read is answered once it is served; what the reading refuses ends the service as a
refused start does."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

import bot.app.service as service
from bot.actions.people import create_person, issue_link_code
from bot.app.service import open_context, serving_while_reading
from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.messages import InboundMessage
from bot.settings import Settings
from bot.wards import WardError
from scheduler.clock import ManualClock
from store.db import Database
from store.models import InboundMessage as InboundRow
from store.models import Reminder
from tests.conftest import PLAN_PATH, local
from tests.fakes.process import assert_one_clean_line, nhacviec_run, telegram_api
from tests.fakes.server import RunningServer
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.waiting import until

__all__ = ["telegram_api"]  # the fixture (tests/fakes/process.py)

WARDS = 8
_sent = 0


def _write(folder: Path, n: int, *, edited: range = range(0)) -> list[Path]:
    folder.mkdir(exist_ok=True)
    text = PLAN_PATH.read_text(encoding="utf-8")
    paths = [folder / f"w{i}.yaml" for i in range(n)]
    for i, path in enumerate(paths):
        body = text.replace("Phường Nhị Chiểu", f"Phường Thử {i}")
        path.write_text(body + ("\n# sửa\n" if i in edited else ""), encoding="utf-8")
    return paths


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, threading.Event]]:
    """Plans read on a worker thread (the reading beside the answers) wait for the gate:
    the test sees the service while its reading is still under way."""
    entered, gate = threading.Event(), threading.Event()
    real = service.check_plan

    def gated(path: Path, calendar: Any = None) -> Any:
        if threading.current_thread() is not threading.main_thread():
            entered.set()
            gate.wait(60)
        return real(path, calendar)

    monkeypatch.setattr(service, "check_plan", gated)
    try:
        yield entered, gate
    finally:
        gate.set()


async def _send(conv: Conversation, chat: str, text: str) -> None:
    global _sent
    _sent += 1
    await conv.receive(InboundMessage(channel="telegram", chat_id=chat, message_id=f"r{_sent}", text=text))


async def _replies(ctx: AppContext, chat: str) -> list[str]:
    async with ctx.db.session() as s:
        return list(await s.scalars(select(Reminder.body).where(Reminder.chat_id == chat).order_by(Reminder.id)))


async def _linked_heads(settings: Settings, clock: ManualClock, wards: list[str]) -> dict[str, str]:
    """A first start reading every file; a head linked in each ward named (by ward name):
    ward name → chat."""
    ctx = await open_context(settings, clock, plan_first=False)
    conv = Conversation(ctx)
    ticker = service.Ticker(ctx, service.make_dispatcher(ctx, {}))
    chats = {}
    try:
        for w in ctx.served():
            if w.plan.ward in wards:
                await ticker.plan_now(w.ward_id)
                chat = f"head-{w.key}"
                async with ctx.db.session() as s, s.begin():
                    person = await create_person(s, w.ward_id, "Trưởng", "head", "VHXH", ctx.now())
                    code = await issue_link_code(s, person, ctx.now(), service.timedelta(hours=1))
                await _send(conv, chat, f"/start {code.code}")
                chats[w.plan.ward] = chat
    finally:
        await ctx.db.dispose()
    return chats


async def _restart_reading(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, extra: bool = False
) -> tuple[AppContext, dict[str, str]]:
    """Wards 0–7 served and linked; every file but w0's edited (and, `extra`, a second file
    of ward 5's identity); restarted with the reading cut in chunks of two."""
    folder = tmp_path / "plans"
    _write(folder, WARDS)
    settings = Settings(database_url=db.url, plan_path=folder, files_path=tmp_path / "f", _env_file=None)  # type: ignore[call-arg]
    clock = ManualClock(local("2026-06-22T07:00"))
    chats = await _linked_heads(settings, clock, ["Phường Thử 0", "Phường Thử 5"])
    _write(folder, WARDS, edited=range(1, WARDS))
    if extra:
        (folder / "w5-copy.yaml").write_text((folder / "w5.yaml").read_text(encoding="utf-8") + "# bản sao\n")
    monkeypatch.setattr(service, "READ_BEFORE_SERVING", 2)
    monkeypatch.setattr(service, "READ_CHUNK", 2)
    return await open_context(settings, clock, plan_first=False), chats


async def test_a_stranger_and_a_served_wards_head_are_answered_while_edited_plans_are_read(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gate: tuple[threading.Event, threading.Event]
) -> None:
    entered, release = gate
    ctx, chats = await _restart_reading(db, tmp_path, monkeypatch)
    stop = asyncio.Event()
    serving = asyncio.create_task(serving_while_reading(ctx, stop, stop.wait()))
    try:
        assert await asyncio.to_thread(entered.wait, 30)  # the reading is under way, held
        assert [w.plan.ward for w in ctx.served()] == ["Phường Thử 0"]  # unchanged: served from its row
        conv = Conversation(ctx)
        await _send(conv, "stranger", "/help")
        await _send(conv, chats["Phường Thử 0"], "/tasks")
        assert await _replies(ctx, "stranger")
        assert len(await _replies(ctx, chats["Phường Thử 0"])) == 2  # the welcome, then /tasks
        assert ctx.reading is not None and not ctx.reading.done
    finally:
        release.set()
        await until(lambda: ctx.reading is not None and ctx.reading.done, what="the reading done")
        stop.set()
        await serving
        await ctx.db.dispose()
    assert len(ctx.wards) == WARDS
    assert ctx.wards[ctx.ward_id].key == min(w.key for w in ctx.served())  # the first ward by key, as before


async def test_a_head_whose_ward_is_still_being_read_is_answered_once_it_is_served(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gate: tuple[threading.Event, threading.Event]
) -> None:
    entered, release = gate
    ctx, chats = await _restart_reading(db, tmp_path, monkeypatch)
    head = chats["Phường Thử 5"]
    stop = asyncio.Event()
    serving = asyncio.create_task(serving_while_reading(ctx, stop, stop.wait()))
    conv = Conversation(ctx)
    try:
        assert await asyncio.to_thread(entered.wait, 30)
        await _send(conv, head, "/tasks")  # returns at once: the channel's next message does not wait
        await _send(conv, "stranger", "/help")
        assert await _replies(ctx, "stranger")
        assert len(await _replies(ctx, head)) == 1  # the welcome only: not "your ward is not served"
        assert conv.waiting
        release.set()

        async def answered() -> bool:
            return len(await _replies(ctx, head)) == 2

        await until(answered, what="the head answered once the ward is served")
    finally:
        release.set()
        stop.set()
        await serving
    try:
        async with ctx.db.session() as s:
            outcomes = list(await s.scalars(select(InboundRow.outcome).where(InboundRow.chat_id == head)))
            unanswered = await s.scalar(
                select(func.count()).select_from(InboundRow).where(InboundRow.processed_at.is_(None))
            )
        assert outcomes == ["link", "/tasks"], outcomes  # answered as a served ward's head
        assert unanswered == 0  # nothing left behind
    finally:
        await ctx.db.dispose()


async def test_two_files_of_one_identity_found_by_the_reading_stop_the_service(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gate: tuple[threading.Event, threading.Event]
) -> None:
    entered, release = gate
    ctx, _ = await _restart_reading(db, tmp_path, monkeypatch, extra=True)
    stop = asyncio.Event()
    serving = asyncio.create_task(serving_while_reading(ctx, stop, stop.wait()))
    try:
        assert await asyncio.to_thread(entered.wait, 30)
        conv = Conversation(ctx)
        await _send(conv, "stranger", "/help")
        assert await _replies(ctx, "stranger")  # answered meanwhile
        release.set()
        with pytest.raises(WardError, match="w5-copy.yaml"):
            await asyncio.wait_for(serving, 60)
        assert stop.is_set()
    finally:
        release.set()
        stop.set()
        await ctx.db.dispose()


@pytest.mark.slow
async def test_a_service_whose_reading_finds_two_files_of_one_identity_ends_in_one_line(
    tmp_path: Path, telegram_api: tuple[FakeTelegram, RunningServer]
) -> None:
    # More files than a start reads before answering: the clash is found by the reading
    # beside the answers, and ends the process as a refused start does.
    fake, server = telegram_api
    folder = tmp_path / "plans"
    paths = _write(folder, service.READ_BEFORE_SERVING + 10)
    (folder / "z-copy.yaml").write_text(paths[3].read_text(encoding="utf-8") + "# bản sao\n", encoding="utf-8")
    run = await nhacviec_run(
        tmp_path,
        {
            "NHACVIEC_PLAN_PATH": str(folder),
            "NHACVIEC_TELEGRAM_TOKEN": fake.token,
            "NHACVIEC_TELEGRAM_BASE_URL": f"{server.url}/bot",
        },
    )
    assert_one_clean_line(run, fake.token)
    assert "z-copy.yaml" in run.last_line() and "w3.yaml" in run.last_line()


async def test_healthz_says_the_plans_are_still_being_read(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gate: tuple[threading.Event, threading.Event]
) -> None:
    from bot.app.health import HealthCheck

    entered, release = gate
    ctx, _ = await _restart_reading(db, tmp_path, monkeypatch)
    stop = asyncio.Event()
    serving = asyncio.create_task(serving_while_reading(ctx, stop, stop.wait()))
    try:
        assert await asyncio.to_thread(entered.wait, 30)
        _, body = await HealthCheck(ctx).http()
        assert body["plans_being_read"] == {"files": WARDS - 1, "wards_served": 1}
        release.set()
        await until(lambda: ctx.reading is not None and ctx.reading.done, what="the reading done")
        _, body = await HealthCheck(ctx).http()
        assert "plans_being_read" not in body
    finally:
        release.set()
        stop.set()
        await serving
        await ctx.db.dispose()


async def test_the_desk_of_a_ward_still_being_read_says_so_rather_than_gone(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gate: tuple[threading.Event, threading.Event]
) -> None:
    import httpx

    from bot.desk.app import desk_app
    from bot.texts.desk import PLANS_BEING_READ, WARD_GONE
    from store.models import ChatIdentity
    from tests.desk_support import log_in

    entered, release = gate
    ctx, chats = await _restart_reading(db, tmp_path, monkeypatch)
    stop = asyncio.Event()
    serving = asyncio.create_task(serving_while_reading(ctx, stop, stop.wait()))
    transport = httpx.ASGITransport(app=desk_app(ctx, secret=b"k" * 32))
    try:
        assert await asyncio.to_thread(entered.wait, 30)
        async with ctx.db.session() as s:
            person = await s.scalar(select(ChatIdentity.person_id).where(ChatIdentity.chat_id == chats["Phường Thử 5"]))
        assert person is not None
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            await log_in(client, ctx, person)
            page = await client.get("/")
            assert page.status_code == 503 and PLANS_BEING_READ in page.text and WARD_GONE not in page.text
            release.set()
            await until(lambda: ctx.reading is not None and ctx.reading.done, what="the reading done")
            assert (await client.get("/")).status_code == 200
    finally:
        release.set()
        stop.set()
        await serving
        await ctx.db.dispose()


async def test_a_plan_edited_while_the_reading_holds_its_older_read_is_served_as_edited(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The reading has read w1 and not served it yet when the office edits w1 and a tick
    # looks: the tick leaves it to the reading, then reloads the edit once the reading is done.
    # (Reloaded at that tick as well, w1 was served by the tick, then by the reading with
    # its older read, and the edit was never seen again.)
    read, release = threading.Event(), threading.Event()
    real = service.check_plan

    def read_then_wait(path: Path, calendar: Any = None) -> Any:
        plan = real(path, calendar)
        if threading.current_thread() is not threading.main_thread():
            read.set()
            release.wait(60)
        return plan

    ctx, _ = await _restart_reading(db, tmp_path, monkeypatch)
    monkeypatch.setattr(service, "check_plan", read_then_wait)
    stop = asyncio.Event()
    serving = asyncio.create_task(serving_while_reading(ctx, stop, stop.wait()))
    ticker = service.Ticker(ctx, service.make_dispatcher(ctx, {}))
    w1 = tmp_path / "plans" / "w1.yaml"
    try:
        assert await asyncio.to_thread(read.wait, 30)  # w1 read, held before it is served
        await ticker.plan_if_due()
        text = w1.read_text(encoding="utf-8").replace("Kế hoạch triển khai", "Kế hoạch (sửa đổi) triển khai", 1)
        w1.write_text(text, encoding="utf-8")
        os.utime(w1, (w1.stat().st_atime, w1.stat().st_mtime + 10))
        await ticker.plan_if_due()
        release.set()
        await until(lambda: ctx.reading is not None and ctx.reading.done, what="the reading done")
        await ticker.plan_if_due()
        served = [w for w in ctx.served() if w.path == w1]
        assert len(served) == 1 and "(sửa đổi)" in served[0].plan.title
    finally:
        release.set()
        stop.set()
        await serving
        await ctx.db.dispose()
