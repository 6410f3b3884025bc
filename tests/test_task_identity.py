"""A plan edit never moves a report: tasks are found by their id, not by their number.

The four identity checks of issue 20 — an insert with the rest renumbered, a reordering, a
slight rewording under the same id, and the same id given clearly different work — each on
a plan with ids (as the importer writes it) and, where it applies, on a hand-written plan
without ids (matched by its words against the running database).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import io
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select, update

from bot.app.service import Ticker, make_dispatcher, open_context
from bot.cli.main import main
from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.settings import Settings
from scheduler.clock import ManualClock
from scheduler.plan import Plan, parse_plan
from scheduler.planner import plan_ward
from store.db import Database
from store.history import task_history
from store.models import Reminder, Task
from tests.conftest import PLAN_PATH, RecordingChannel, local
from tests.helpers import linked, say

BASE = yaml.safe_load(PLAN_PATH.read_text(encoding="utf-8"))
NEW_TASK = {
    "id": "t-moi001",
    "content": "Tổ chức hội nghị sơ kết 6 tháng thực hiện Kết luận 226-KL/TW",
    "lead": ["VP"],
    "coordinate": ["VHXH"],
    "product": "Báo cáo sơ kết",
    "deadline": "Trước 15/9/2026",
}
# What each unit says, on which task (by the number in the plan as first loaded).
REPORTS = {4: ("VHXH", "vướng: thiếu kinh phí"), 9: ("VP", "đang làm 40%"), 11: ("TTPVHCC", "đã xong")}


def _text(tree: dict[str, Any]) -> str:
    return yaml.safe_dump(tree, allow_unicode=True, sort_keys=False)


def _without_ids(tree: dict[str, Any]) -> dict[str, Any]:
    return {**tree, "tasks": [{k: v for k, v in t.items() if k != "id"} for t in tree["tasks"]]}


def _renumbered(tree: dict[str, Any], tasks: list[dict[str, Any]]) -> dict[str, Any]:
    """The plan with `tasks` in this order, numbered 1, 2, … and its targets pointing at the
    same tasks' new numbers, as a clerk renumbering the appendix would write it."""
    new_number = {t["stt"]: i for i, t in enumerate(tasks, 1) if "stt" in t}
    targets = [{**tg, "tasks": [new_number[n] for n in tg["tasks"]]} for tg in tree.get("targets", [])]
    return {**tree, "tasks": [{**t, "stt": i} for i, t in enumerate(tasks, 1)], "targets": targets}


def insert_at_3(tree: dict[str, Any]) -> dict[str, Any]:
    tasks = list(tree["tasks"])
    new = dict(NEW_TASK) if "id" in tasks[0] else {k: v for k, v in NEW_TASK.items() if k != "id"}
    return _renumbered(tree, tasks[:2] + [new] + tasks[2:])


def reorder(tree: dict[str, Any]) -> dict[str, Any]:
    tasks = list(tree["tasks"])
    return _renumbered(tree, tasks[10:] + tasks[:10])  # 11..19 first, then 1..10


def reword(tree: dict[str, Any]) -> dict[str, Any]:
    tasks = [dict(t) for t in tree["tasks"]]
    tasks[3]["content"] = tasks[3]["content"].replace("Ban hành văn bản", "Ban hành các văn bản", 1) + " trong năm"
    return {**tree, "tasks": tasks}


async def _served(ctx: AppContext, plan: Plan) -> None:
    """Plan `plan` and serve it, as a reload does."""
    async with ctx.db.session() as s, s.begin():
        await plan_ward(s, ctx.settings.ward, plan, ctx.calendar, ctx.now())
    ctx.plan = plan
    ctx.wards[ctx.ward_id] = dataclasses.replace(ctx.wards[ctx.ward_id], plan=plan)


async def _report_everything(ctx: AppContext) -> tuple[Conversation, str]:
    conv = Conversation(ctx)
    for stt, (unit, words) in REPORTS.items():
        chat = await linked(ctx, conv, unit)
        (answer,) = await say(conv, chat, f"{stt}: {words}")
        assert answer.startswith(f"Đã ghi nhận: Nhiệm vụ {stt}"), answer
    return conv, await linked(ctx, conv, "VHXH", role="office", chat_id="office")


async def _reports_by_content(ctx: AppContext, plan: Plan) -> dict[str, list[tuple[str, str | None]]]:
    """Per task of `plan` (by its words' start), the (unit, note or status) of its reports."""
    found: dict[str, list[tuple[str, str | None]]] = {}
    async with ctx.db.session() as s:
        for task in plan.tasks:
            rows = await task_history(s, ctx.ward_id, task.stt)
            if rows:
                found[task.content[:40]] = sorted((r.unit_code, r.note or r.status.value) for r in rows)
    return found


@pytest.fixture
def first_plan(ctx: AppContext) -> Plan:
    return ctx.plan


EDITS = {"insert at 3, the rest renumbered": insert_at_3, "reordered": reorder, "reworded slightly": reword}


@pytest.mark.parametrize("ids", [True, False], ids=["with ids", "hand-written without ids"])
@pytest.mark.parametrize("edit", list(EDITS))
async def test_a_plan_edit_keeps_every_report_on_its_own_task(ctx: AppContext, edit: str, ids: bool) -> None:
    base = BASE if ids else _without_ids(BASE)
    if not ids:
        await _served(ctx, parse_plan(_text(base)))  # the office's hand-written plan, running
    await _report_everything(ctx)
    before = await _reports_by_content(ctx, ctx.plan)
    assert len(before) == 3
    edited = parse_plan(_text(EDITS[edit](base)))
    await _served(ctx, edited)
    after = await _reports_by_content(ctx, edited)
    if edit == "reworded slightly":
        reworded = ctx.plan.tasks[3].content[:40]
        assert after.pop(reworded) == before.pop(BASE["tasks"][3]["content"][:40])
    assert after == before


async def test_after_an_insert_summary_of_each_number_shows_that_tasks_own_reports(ctx: AppContext) -> None:
    conv, office = await _report_everything(ctx)
    await _served(ctx, parse_plan(_text(insert_at_3(BASE))))
    (old_4_now_5,) = await say(conv, office, "/summary 5")
    assert "thiếu kinh phí" in old_4_now_5 and "Ban hành văn bản về việc thực hiện kỷ luật" in old_4_now_5
    (old_3_now_4,) = await say(conv, office, "/summary 4")
    assert "thiếu kinh phí" not in old_3_now_4 and "cắt giảm tối thiểu 15%" in old_3_now_4
    (new_3,) = await say(conv, office, "/summary 3")
    assert "hội nghị sơ kết" in new_3 and "VHXH" not in new_3.split("\n", 1)[1]
    (old_9_now_10,) = await say(conv, office, "/summary 10")
    assert "40%" in old_9_now_10
    (old_11_now_12,) = await say(conv, office, "/summary 12")
    assert "TTPVHCC" in old_11_now_12
    (old_8_now_9,) = await say(conv, office, "/summary 9")
    assert "40%" not in old_8_now_9


async def test_a_task_removed_then_given_back_finds_its_reports_again(ctx: AppContext) -> None:
    await _report_everything(ctx)
    before = await _reports_by_content(ctx, ctx.plan)
    without_4 = _renumbered(BASE, [t for t in BASE["tasks"] if t["stt"] != 4])
    await _served(ctx, parse_plan(_text(without_4)))
    await _served(ctx, parse_plan(_text(BASE)))
    assert await _reports_by_content(ctx, ctx.plan) == before


def _check_against(ctx: AppContext, tree: dict[str, Any], tmp_path: Path, *more: str) -> tuple[int, str]:
    path = tmp_path / "ke-hoach.yaml"
    path.write_text(_text(tree), encoding="utf-8")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["check", str(path), "--against", ctx.db.url, *more])
    return code, out.getvalue().split("\nHợp lệ: ", 1)[1]


async def test_check_against_the_database_shows_the_insert_in_vietnamese(ctx: AppContext, tmp_path: Path) -> None:
    await _report_everything(ctx)
    code, printed = await asyncio.to_thread(_check_against, ctx, insert_at_3(BASE), tmp_path)
    print(printed)
    assert code == 0
    assert "+ Thêm nhiệm vụ 3: Tổ chức hội nghị sơ kết" in printed
    assert "• Nhiệm vụ 4 nay là nhiệm vụ 5 (mã t-883843; 1 báo cáo đi theo nhiệm vụ)" in printed
    assert "Báo cáo: 3 báo cáo ở lại với đúng nhiệm vụ của mình" in printed
    assert "Bỏ nhiệm vụ" not in printed


def other_work(tree: dict[str, Any], new_id: str | None = None) -> dict[str, Any]:
    """Task 4 keeps its id (or gets `new_id`) but is now clearly another piece of work."""
    tasks = [dict(t) for t in tree["tasks"]]
    tasks[3].update(
        content="Tổ chức giải chạy việt dã toàn phường chào mừng Quốc khánh 2/9",
        lead=["VP"],
        coordinate=[],
        deadline="Trước 02/9/2026",
    )
    if new_id:
        tasks[3]["id"] = new_id
    return {**tree, "tasks": tasks}


async def _office_notices(db_url: str) -> list[str]:
    database = Database(db_url)
    try:
        async with database.session() as s:
            rows = await s.scalars(select(Reminder.body).where(Reminder.key.like("plan-other-work:%")))
            return [b or "" for b in rows]
    finally:
        await database.dispose()


async def test_the_same_id_for_other_work_keeps_the_running_plan_until_the_office_confirms(
    db_url: str, tmp_path: Path
) -> None:
    plan_file = tmp_path / "tasks.yaml"
    plan_file.write_text(_text(BASE), encoding="utf-8")
    settings = Settings(database_url=db_url, plan_path=plan_file, files_path=tmp_path / "files", _env_file=None)  # type: ignore[call-arg]
    ctx = await open_context(settings, ManualClock(local("2026-06-22T07:00")))
    try:
        ticker = Ticker(ctx, make_dispatcher(ctx, {"console": RecordingChannel()}))
        await ticker.tick()
        conv, office = await _report_everything(ctx)
        running = ctx.plan

        plan_file.write_text(_text(other_work(BASE)), encoding="utf-8")
        os.utime(plan_file, (1, 1))
        await ticker.tick()
        await ticker.tick()  # told once, not at every tick
        assert ctx.plan is running
        (notice,) = await _office_notices(db_url)
        assert "Nhiệm vụ 4 (mã t-883843): cùng mã nhưng có vẻ là việc khác" in notice
        assert "giải chạy việt dã" in notice and "Bot vẫn nhắc theo kế hoạch đang chạy" in notice
        (history,) = await say(conv, office, "/summary 4")
        assert "thiếu kinh phí" in history and "kỷ luật, kỷ cương" in history

        code, printed = await asyncio.to_thread(_check_against, ctx, other_work(BASE), tmp_path)
        assert code == 1 and "cùng mã nhưng có vẻ là việc khác" in printed
        code, printed = await asyncio.to_thread(_check_against, ctx, other_work(BASE), tmp_path, "--confirm")
        assert code == 0 and "Đã ghi nhận xác nhận của Văn phòng" in printed
        await ticker.tick()
        assert ctx.plan is not running and ctx.plan.tasks[3].content.startswith("Tổ chức giải chạy")
    finally:
        await ctx.db.dispose()


async def test_other_work_under_a_new_id_is_a_new_task_and_the_old_ones_reports_stay_with_it(
    db_url: str, tmp_path: Path
) -> None:
    plan_file = tmp_path / "tasks.yaml"
    plan_file.write_text(_text(BASE), encoding="utf-8")
    settings = Settings(database_url=db_url, plan_path=plan_file, files_path=tmp_path / "files", _env_file=None)  # type: ignore[call-arg]
    ctx = await open_context(settings, ManualClock(local("2026-06-22T07:00")))
    try:
        ticker = Ticker(ctx, make_dispatcher(ctx, {"console": RecordingChannel()}))
        await ticker.tick()
        conv, office = await _report_everything(ctx)
        plan_file.write_text(_text(other_work(BASE, new_id="t-chay02")), encoding="utf-8")
        os.utime(plan_file, (1, 1))
        await ticker.tick()
        assert ctx.plan.tasks[3].uid == "t-chay02"
        assert await _office_notices(db_url) == []
        (history,) = await say(conv, office, "/summary 4")
        assert "giải chạy việt dã" in history and "thiếu kinh phí" not in history
    finally:
        await ctx.db.dispose()


async def test_write_ids_gives_a_hand_written_plan_the_ids_its_tasks_hold_in_the_database(
    ctx: AppContext, tmp_path: Path
) -> None:
    hand_written = _without_ids(BASE)
    await _served(ctx, parse_plan(_text(hand_written)))
    await _report_everything(ctx)
    before = await _reports_by_content(ctx, ctx.plan)
    held_id = ctx.plan.tasks[3].uid  # derived from task 4's words as first loaded
    # The clerk rewords task 4 and inserts a task at 3, still without ids.
    edited = insert_at_3(reword(hand_written))
    code, printed = await asyncio.to_thread(_check_against, ctx, edited, tmp_path, "--write-ids")
    assert code == 0 and "Đã ghi mã (id) cho 20 nhiệm vụ" in printed
    assert f"Nhiệm vụ 4 nay là nhiệm vụ 5 (mã {held_id}; 1 báo cáo đi theo nhiệm vụ)" in printed
    written = (tmp_path / "ke-hoach.yaml").read_text(encoding="utf-8")
    plan = parse_plan(written)
    assert all(t.uid_written for t in plan.tasks) and plan.tasks[4].uid == held_id
    await _served(ctx, plan)
    after = await _reports_by_content(ctx, plan)
    assert after.pop(plan.tasks[4].content[:40]) == before.pop(BASE["tasks"][3]["content"][:40])
    assert after == before
    code, printed = await asyncio.to_thread(_check_against, ctx, yaml.safe_load(written), tmp_path, "--write-ids")
    assert "Mọi nhiệm vụ trong tệp đã có mã (id)" in printed and "không nhiệm vụ nào thay đổi" in printed


async def test_rows_from_before_ids_are_found_by_their_words_then_get_the_plans_ids(ctx: AppContext) -> None:
    await _report_everything(ctx)
    async with ctx.db.session() as s, s.begin():
        await s.execute(update(Task).values(uid=None))  # as migration 0013i leaves them
    before = await _reports_by_content(ctx, ctx.plan)
    edited = parse_plan(_text(insert_at_3(BASE)))
    await _served(ctx, edited)
    assert await _reports_by_content(ctx, edited) == before
    async with ctx.db.session() as s:
        held = {stt: uid for stt, uid in await s.execute(select(Task.stt, Task.uid).where(Task.active))}
    assert held == {t.stt: t.uid for t in edited.tasks}


def test_check_against_a_database_that_is_not_there_says_so_in_one_line_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "khong-co.db"
    assert main(["check", str(PLAN_PATH), "--against", f"sqlite+aiosqlite:///{missing}"]) == 1
    assert (
        capsys.readouterr().err.strip()
        == f"Lỗi: Không có tệp cơ sở dữ liệu {missing}: bot chưa chạy với cơ sở dữ liệu này."
    )
    assert not missing.exists()
    assert main(["check", str(PLAN_PATH), "--against", "postgresql+psycopg://u:bimat@127.0.0.1:1/x"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("Lỗi: Không mở được cơ sở dữ liệu postgresql+psycopg://u:***@127.0.0.1:1/x: ")
    assert "\n" not in err and "bimat" not in err
