"""One deployment, several wards: two plans (tests/data/plan.yaml, Phường Nhị Chiểu 158/KH-UBND,
and tests/data/plan_ward2.yaml, Phường Hồng Bàng 42/KH-UBND) in one database, served by one
process; each ward's people see and act on their ward only; the city role sees both."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
from collections.abc import AsyncIterator
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from bot.actions.people import create_person, issue_link_code
from bot.app.service import Ticker, make_dispatcher, open_context
from bot.cli.common import CliError
from bot.context import AppContext, ServedWard
from bot.conversation.handle import Conversation
from bot.settings import Settings
from bot.wards import WardError
from scheduler.clock import ManualClock
from store.models import Reminder, StatusReport, Task, Ward
from tests.conftest import PLAN_PATH, RecordingChannel, local
from tests.helpers import say

WARD2_PATH = PLAN_PATH.parent / "plan_ward2.yaml"
A_KEY, B_KEY = "phuong-nhi-chieu:158-kh-ubnd", "phuong-hong-bang:42-kh-ubnd"


def _settings(db_url: str, plans: Path, tmp_path: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        database_url=db_url, plan_path=plans, files_path=tmp_path / "files", _env_file=None
    )


@pytest.fixture
def plans(tmp_path: Path) -> Path:
    folder = tmp_path / "plans"
    folder.mkdir()
    shutil.copy(PLAN_PATH, folder / "nhi-chieu.yaml")
    shutil.copy(WARD2_PATH, folder / "hong-bang.yaml")
    return folder


@pytest.fixture
async def city(db_url: str, plans: Path, tmp_path: Path) -> AsyncIterator[AppContext]:
    ctx = await open_context(_settings(db_url, plans, tmp_path), ManualClock(local("2026-06-22T07:00")))
    yield ctx
    await ctx.db.dispose()


def _ward(ctx: AppContext, key: str) -> ServedWard:
    return next(w for w in ctx.served() if w.key == key)


async def _link(ctx: AppContext, conv: Conversation, key: str, unit: str | None, role: str, chat_id: str) -> str:
    async with ctx.db.session() as s, s.begin():
        person = await create_person(s, _ward(ctx, key).ward_id, f"Người {chat_id}", role, unit, ctx.now())
        code = await issue_link_code(s, person, ctx.now(), timedelta(hours=1))
    assert "Xin chào" in (await say(conv, chat_id, f"/start {code.code}"))[0]
    return chat_id


async def test_two_wards_with_different_plans_live_in_one_database(city: AppContext) -> None:
    assert [w.key for w in city.served()] == [B_KEY, A_KEY]
    a, b = _ward(city, A_KEY), _ward(city, B_KEY)
    assert a.ward_id != b.ward_id and a.plan.code == "158/KH-UBND" and b.plan.code == "42/KH-UBND"
    async with city.db.session() as s:
        for ward, plan in ((a, a.plan), (b, b.plan)):
            tasks = (await s.scalars(select(Task.content).where(Task.ward_id == ward.ward_id))).all()
            assert sorted(tasks) == sorted(t.content for t in plan.tasks)
        names = dict((await s.execute(select(Ward.key, Ward.name))).all())
    assert names == {A_KEY: "Phường Nhị Chiểu", B_KEY: "Phường Hồng Bàng"}


async def test_each_wards_head_gets_its_own_reminders(city: AppContext) -> None:
    conv = Conversation(city)
    # Both wards have a VHXH; only Hồng Bàng's task 1 is due tomorrow (a reminder today 08:00).
    await _link(city, conv, A_KEY, "VHXH", "head", "a-vhxh")
    await _link(city, conv, B_KEY, "VHXH", "head", "b-vhxh")
    channel = RecordingChannel()
    ticker = Ticker(city, make_dispatcher(city, {"console": channel}))
    assert isinstance(city.clock, ManualClock)
    city.clock.current = local("2026-06-22T08:05")
    await ticker.tick()
    to_b = "\n".join(channel.texts_to("b-vhxh"))
    assert "Lập danh mục tuyến phố cần chỉnh trang vỉa hè Hồng Bàng" in to_b
    assert all("Hồng Bàng" not in text for text in channel.texts_to("a-vhxh"))
    # Each head's "1 xong" is its own ward's task 1.
    assert "Đã ghi nhận: Nhiệm vụ 1" in (await say(conv, "b-vhxh", "1 xong"))[0]
    b_view = await _only_report_task(city)
    assert b_view == (_ward(city, B_KEY).ward_id, "Lập danh mục tuyến phố cần chỉnh trang vỉa hè Hồng Bàng")


async def _only_report_task(ctx: AppContext) -> tuple[int, str]:
    from store.models import Assignment, Occurrence

    async with ctx.db.session() as s:
        rows = (
            await s.execute(
                select(Task.ward_id, Task.content)
                .join(Occurrence, Occurrence.task_id == Task.id)
                .join(Assignment, Assignment.occurrence_id == Occurrence.id)
                .join(StatusReport, StatusReport.assignment_id == Assignment.id)
            )
        ).all()
    assert len(rows) == 1, rows
    return rows[0][0], rows[0][1]


async def test_an_office_of_one_ward_cannot_see_or_act_on_another(city: AppContext) -> None:
    conv = Conversation(city)
    office_a = await _link(city, conv, A_KEY, "VHXH", "office", "a-office")
    await _link(city, conv, B_KEY, "VP", "head", "b-vp")
    summary = "\n".join(await say(conv, office_a, "/summary"))
    assert "Hồng Bàng" not in summary
    # Naming the other ward is not a way in: it reads as a wrong argument.
    assert "Hồng Bàng" not in "\n".join(await say(conv, office_a, "/summary Hồng Bàng"))
    assert "Hồng Bàng" not in "\n".join(await say(conv, office_a, "/overdue"))
    # /remind 2 VP in ward A reaches ward A's VP (nobody linked) — never ward B's VP head.
    reply = (await say(conv, office_a, "/remind 2 VP"))[0]
    assert "chưa có người nhận" in reply
    async with city.db.session() as s:
        manual_b = await s.scalar(
            select(func.count(Reminder.id)).where(
                Reminder.ward_id == _ward(city, B_KEY).ward_id, Reminder.kind == "manual"
            )
        )
    assert manual_b == 0
    # A head of ward B reporting on a task only ward A has (7) is told it is not theirs.
    assert "không thuộc đơn vị" in (await say(conv, "b-vp", "/status 7 xong"))[0]


async def test_the_city_role_sees_both_wards_and_drills_down(city: AppContext, tmp_path: Path) -> None:
    conv = Conversation(city)
    official = await _link(city, conv, A_KEY, None, "city", "city")
    rollup = (await say(conv, official, "/summary"))[0]
    lines = rollup.splitlines()
    assert any("Phường Hồng Bàng" in line and "quá hạn" in line for line in lines)
    assert any("Phường Nhị Chiểu" in line for line in lines)
    # Worst first: Hồng Bàng has its task 2 overdue since 05/06 and nothing done.
    first = next(line for line in lines if line.startswith("1. "))
    assert "Hồng Bàng" in first
    drill = "\n".join(await say(conv, official, "/summary Hồng Bàng"))
    assert "42/KH-UBND" in drill and "158/KH-UBND" not in drill
    # A ward-bound command without a ward asks which; with one it acts there.
    asked = (await say(conv, official, "/overdue"))[0]
    assert "nhiều phường" in asked and "Phường Hồng Bàng" in asked
    overdue = "\n".join(await say(conv, official, "/overdue hong bang"))
    assert "2. VP: hạn 04/06/2026" in overdue


async def test_a_second_plan_with_the_same_identity_is_refused(db_url: str, plans: Path, tmp_path: Path) -> None:
    shutil.copy(WARD2_PATH, plans / "hong-bang-copy.yaml")
    with pytest.raises(WardError, match="cùng là kế hoạch 42/KH-UBND của Phường Hồng Bàng"):
        await open_context(_settings(db_url, plans, tmp_path), ManualClock(local("2026-06-22T07:00")))


async def test_a_database_holding_another_plan_under_the_identity_is_not_overwritten(
    db_url: str, tmp_path: Path
) -> None:
    clock = ManualClock(local("2026-06-22T07:00"))
    first = tmp_path / "hong-bang.yaml"
    shutil.copy(WARD2_PATH, first)
    ctx = await open_context(_settings(db_url, first, tmp_path), clock)
    await ctx.db.dispose()
    # Next year's plan with the same number: another plan, refused rather than replacing.
    other = tmp_path / "hong-bang-2027.yaml"
    other.write_text(
        WARD2_PATH.read_text(encoding="utf-8").replace("issued: 2026-05-12", "issued: 2027-01-04"), encoding="utf-8"
    )
    with pytest.raises(WardError, match="Cơ sở dữ liệu đã giữ một kế hoạch khác") as refused:
        await open_context(_settings(db_url, other, tmp_path), clock)
    assert "12/05/2026" in str(refused.value) and "04/01/2027" in str(refused.value)


async def test_one_plan_keeps_the_ward_written_under_the_old_default_key(db_url: str, tmp_path: Path) -> None:
    from scheduler.plan import load_plan
    from scheduler.planner import plan_ward
    from scheduler.workcal import load_calendar

    settings = _settings(db_url, PLAN_PATH, tmp_path)
    calendar = load_calendar(settings.calendar_path, settings.hours(), settings.zone())
    from store.db import Database

    db = Database(db_url)
    await db.upgrade()
    async with db.session() as s, s.begin():
        before = await plan_ward(s, "default", load_plan(PLAN_PATH), calendar, local("2026-06-22T07:00"))
    await db.dispose()
    ctx = await open_context(settings, ManualClock(local("2026-06-22T07:00")))
    try:
        assert ctx.ward_id == before.ward_id and list(ctx.wards) == [before.ward_id]
        async with ctx.db.session() as s:
            assert (await s.execute(select(Ward.key))).scalars().all() == [A_KEY]
    finally:
        await ctx.db.dispose()


async def test_plan_files_added_and_removed_while_running_are_picked_up(city: AppContext, plans: Path) -> None:
    ticker = Ticker(city, make_dispatcher(city, {"console": RecordingChannel()}))
    await ticker.tick()
    third = plans / "le-chan.yaml"
    third.write_text(
        WARD2_PATH.read_text(encoding="utf-8")
        .replace("Phường Hồng Bàng", "Phường Lê Chân")
        .replace("42/KH-UBND", "7/KH-UBND"),
        encoding="utf-8",
    )
    await ticker.tick()
    assert "phuong-le-chan:7-kh-ubnd" in [w.key for w in city.served()]
    # A copy of a served plan under another name is refused; the running wards stay.
    shutil.copy(WARD2_PATH, plans / "copy.yaml")
    await ticker.tick()
    assert len(city.served()) == 3
    # The original removed, the copy refused before is served in its place.
    (plans / "hong-bang.yaml").unlink()
    await ticker.tick()
    assert {w.path.name for w in city.served()} == {"copy.yaml", "nhi-chieu.yaml", "le-chan.yaml"}
    shutil.move(plans / "copy.yaml", plans / "hong-bang.yaml")
    third.unlink()
    await ticker.tick()
    assert [w.key for w in city.served()] == [B_KEY, A_KEY]
    os.utime(plans / "hong-bang.yaml", (1, 1))  # touched: reloaded in place, same ward
    b_id = _ward(city, B_KEY).ward_id
    await ticker.tick()
    assert _ward(city, B_KEY).ward_id == b_id
    # Next year's plan of the same number written over the file: refused, the running one stays.
    (plans / "hong-bang.yaml").write_text(
        WARD2_PATH.read_text(encoding="utf-8").replace("issued: 2026-05-12", "issued: 2027-01-04"), encoding="utf-8"
    )
    os.utime(plans / "hong-bang.yaml", (2, 2))
    await ticker.tick()
    assert str(_ward(city, B_KEY).plan.issued) == "2026-05-12"


async def test_people_of_a_ward_no_longer_served_are_told_so(city: AppContext, plans: Path) -> None:
    conv = Conversation(city)
    await _link(city, conv, B_KEY, "VHXH", "head", "b-vhxh")
    ticker = Ticker(city, make_dispatcher(city, {"console": RecordingChannel()}))
    await ticker.tick()
    (plans / "hong-bang.yaml").unlink()
    await ticker.tick()
    assert "không còn trong danh sách" in (await say(conv, "b-vhxh", "/tasks"))[0]


def _cli(argv: list[str]) -> argparse.Namespace:
    from bot.cli.main import build_parser

    return build_parser().parse_args(argv)


async def test_link_and_remind_take_the_ward_when_there_are_several(
    city: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli.runtime import cmd_link, cmd_remind

    settings = city.settings
    with pytest.raises(CliError, match="Có nhiều phường, hãy chọn một bằng --ward"):
        await asyncio.to_thread(cmd_link, _cli(["link", "--unit", "VHXH", "--role", "head", "--name", "A"]), settings)
    argv = ["link", "--ward", "Hồng Bàng", "--unit", "VP", "--role", "head", "--name", "Trần B", "--json"]
    assert await asyncio.to_thread(cmd_link, _cli(argv), settings) == 0
    issued = json.loads(capsys.readouterr().out)
    assert issued["unit"] == "VP"
    # The code carries its ward: redeemed, the chat is Hồng Bàng's VP head.
    assert "Văn phòng HĐND và UBND phường" in (await say(Conversation(city), "tran-b", f"/start {issued['code']}"))[0]
    async with city.db.session() as s:
        from store.models import Person

        ward_of = await s.scalar(select(Person.ward_id).where(Person.name == "Trần B"))
    assert ward_of == _ward(city, B_KEY).ward_id
    with pytest.raises(CliError, match='Không có phường "Ba Đình"'):
        await asyncio.to_thread(cmd_remind, _cli(["remind", "2", "--ward", "Ba Đình"]), settings)
    assert await asyncio.to_thread(cmd_remind, _cli(["remind", "2", "--ward", "phuong-hong-bang"]), settings) == 0
    async with city.db.session() as s:
        manual = (await s.execute(select(Reminder.ward_id).where(Reminder.kind == "manual"))).scalars().all()
    assert manual and set(manual) == {_ward(city, B_KEY).ward_id}


async def test_export_city_writes_a_rollup_sheet_and_a_sheet_per_ward(city: AppContext, tmp_path: Path) -> None:
    from bot.cli.export import cmd_export

    out = tmp_path / "thanh-pho.xlsx"
    args = _cli(["export", "--city", "--on", "22/06/2026", "--out", str(out)])
    assert await asyncio.to_thread(cmd_export, args, city.settings) == 0
    book = openpyxl.load_workbook(BytesIO(out.read_bytes()))
    assert book.sheetnames == ["Tổng hợp thành phố", "Phường Hồng Bàng", "Phường Nhị Chiểu"]
    rollup = book["Tổng hợp thành phố"]
    assert [rollup.cell(row=r, column=2).value for r in (5, 6)] == ["Phường Hồng Bàng", "Phường Nhị Chiểu"]
    assert rollup.cell(row=5, column=3).value == "42/KH-UBND"


async def test_planning_is_shared_out_between_wards_when_a_tick_runs_out_of_time(
    city: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.app.service

    ticker = Ticker(city, make_dispatcher(city, {"console": RecordingChannel()}))
    planned: list[str] = []
    original = Ticker._plan

    async def recording(self: Ticker, w: ServedWard, *args: object) -> None:
        planned.append(w.key)
        await original(self, w, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Ticker, "_plan", recording)
    # No time at all: one ward a tick, and the one left waiting goes first at the next.
    monkeypatch.setattr(bot.app.service, "PLAN_BUDGET_SECONDS", -1.0)
    await ticker.plan_if_due()
    assert len(planned) == 1
    await ticker.plan_if_due()
    assert sorted(planned) == sorted([A_KEY, B_KEY])
    await ticker.plan_if_due()  # both planned within REPLAN_EVERY: nothing is due
    assert len(planned) == 2


def test_check_reads_a_folder_and_refuses_two_files_of_one_ward(
    plans: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli.main import cmd_check

    settings = _settings("sqlite+aiosqlite://", plans, tmp_path)
    assert cmd_check(_cli(["check", str(plans)]), settings) == 0
    assert f"Hợp lệ: 2 phường: Phường Hồng Bàng ({B_KEY}); Phường Nhị Chiểu ({A_KEY})" in capsys.readouterr().out
    shutil.copy(WARD2_PATH, plans / "z-copy.yaml")
    with pytest.raises(CliError, match="hong-bang.yaml và z-copy.yaml cùng là kế hoạch 42/KH-UBND"):
        cmd_check(_cli(["check", str(plans)]), settings)


async def test_a_second_worker_serves_the_same_wards_and_plans_nothing_twice(city: AppContext, plans: Path) -> None:
    second = await open_context(city.settings, city.clock)
    try:
        assert {w.key: w.ward_id for w in second.served()} == {w.key: w.ward_id for w in city.served()}
        async with city.db.session() as s:
            before = await s.scalar(select(func.count(Reminder.id)))
        for ctx in (city, second):
            await Ticker(ctx, make_dispatcher(ctx, {})).plan_if_due()
        async with city.db.session() as s:
            assert await s.scalar(select(func.count(Reminder.id))) == before
    finally:
        await second.db.dispose()


async def test_each_head_is_addressed_by_the_title_of_their_own_wards_plan(
    db_url: str, plans: Path, tmp_path: Path
) -> None:
    # Both wards have a VHXH; each plan gives its head a title of its own.
    unit = '  - code: VHXH\n    name: "Phòng Văn hóa - Xã hội"\n'
    for file, ward in (("nhi-chieu.yaml", "Nhị Chiểu"), ("hong-bang.yaml", "Hồng Bàng")):
        text = (plans / file).read_text(encoding="utf-8")
        assert unit in text
        titled = unit + f'    head_title: "Trưởng phòng VHXH phường {ward}"\n'
        (plans / file).write_text(text.replace(unit, titled), "utf-8")
    ctx = await open_context(_settings(db_url, plans, tmp_path), ManualClock(local("2026-06-22T07:00")))
    try:
        conv = Conversation(ctx)
        await _link(ctx, conv, A_KEY, "VHXH", "head", "a-vhxh")
        await _link(ctx, conv, B_KEY, "VHXH", "head", "b-vhxh")
        channel = RecordingChannel()
        ticker = Ticker(ctx, make_dispatcher(ctx, {"console": channel}))
        assert isinstance(ctx.clock, ManualClock)
        for moment in ("2026-06-22T08:05", "2026-06-25T08:05"):
            ctx.clock.current = local(moment)
            await ticker.tick()
        to_a, to_b = "\n".join(channel.texts_to("a-vhxh")), "\n".join(channel.texts_to("b-vhxh"))
        assert "Kính gửi Trưởng phòng VHXH phường Nhị Chiểu," in to_a and "Hồng Bàng" not in to_a
        assert "Kính gửi Trưởng phòng VHXH phường Hồng Bàng," in to_b and "Nhị Chiểu" not in to_b
    finally:
        await ctx.db.dispose()


async def test_the_chats_rollup_counts_what_each_wards_own_standing_counts(city: AppContext) -> None:
    from bot.report.city import city_rollup

    conv = Conversation(city)
    await _link(city, conv, B_KEY, "VHXH", "head", "b-vhxh")
    await say(conv, "b-vhxh", "1 xong")
    wards = [(w.ward_id, w.key, w.plan) for w in city.served()]
    async with city.db.session() as s:
        together = await city_rollup(s, wards, city.calendar, city.today())
        one_by_one = await city_rollup(s, wards, city.calendar, city.today(), with_products=True)
    assert [(r.key, r.counts) for r in together] == [(r.key, r.counts) for r in one_by_one]
    assert sum(r.total for r in together) > 0
