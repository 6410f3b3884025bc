import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.cli.main import main

PLAN = Path(__file__).resolve().parent.parent / "data" / "tasks.yaml"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NHACVIEC_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    return tmp_path


def test_reply_json_shows_how_a_reply_is_read(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reply", "đã xong 80%", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"status": "in_progress", "percent": 80, "note": None}


def test_link_issues_a_six_digit_code(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["link", "--unit", "Phòng Văn hóa - Xã hội", "--role", "office", "--name", "Trần Thị B", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["code"]) == 6 and out["code"].isdigit() and out["unit"] == "VHXH"
    assert "deep_link" not in out  # no Telegram bot configured


def test_link_gives_a_telegram_deep_link_when_a_bot_is_configured(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NHACVIEC_TELEGRAM_TOKEN", "123:abc")
    monkeypatch.setenv("NHACVIEC_TELEGRAM_BOT_USERNAME", "nhacviec_bot")
    main(["link", "--unit", "VP", "--role", "head", "--name", "C", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert out["deep_link"] == f"https://t.me/nhacviec_bot?start={out['code']}"


def test_link_refuses_an_unknown_unit(workdir: Path) -> None:
    assert main(["link", "--unit", "Phòng Ma", "--role", "head", "--name", "X"]) == 2


def test_a_second_link_takes_the_ward_and_unit_from_their_rows(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["link", "--unit", "VHXH", "--role", "head", "--name", "A"]) == 0
    capsys.readouterr()

    async def no_plan_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("the plan was read and synced again")

    # The plan file's bytes are those the ward was synced from: no need to read it again.
    monkeypatch.setattr("bot.app.service.open_context", no_plan_reading)
    assert main(["link", "--unit", "phong van hoa - xa hoi", "--role", "deputy", "--name", "B", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["unit"] == "VHXH"
    assert main(["link", "--ward", "Nhị Chiểu", "--role", "city", "--name", "C", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["unit"] == "Phường Nhị Chiểu"


def test_a_link_after_the_plan_is_edited_reads_and_syncs_it_again(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import bot.app.service

    plan = workdir / "tasks.yaml"
    plan.write_text(PLAN.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("NHACVIEC_PLAN_PATH", str(plan))
    assert main(["link", "--unit", "VHXH", "--role", "head", "--name", "A"]) == 0
    opened: list[object] = []
    real_open = bot.app.service.open_context

    async def counted(*args: Any, **kwargs: Any) -> Any:
        opened.append(args)
        return await real_open(*args, **kwargs)

    monkeypatch.setattr(bot.app.service, "open_context", counted)
    # The unit renamed, its old name kept as an alias (the tasks name it so).
    text = plan.read_text(encoding="utf-8").replace('name: "Phòng Văn hóa - Xã hội"', 'name: "Phòng VHTT"')
    plan.write_text(text.replace('aliases: ["Phòng', 'aliases: ["Phòng Văn hóa - Xã hội", "Phòng', 1), "utf-8")
    capsys.readouterr()
    assert main(["link", "--unit", "VHXH", "--role", "deputy", "--name", "B", "--json"]) == 0
    assert len(opened) == 1  # the code alone would be found in the rows: the new bytes were read
    assert main(["link", "--unit", "Phòng VHTT", "--role", "head", "--name", "C", "--json"]) == 0
    assert len(opened) == 1  # synced: the rows hold the new name
    # An alias is in the plan only, not in the rows: that link reads the plan.
    assert main(["link", "--unit", "Phòng VHXXH", "--role", "deputy", "--name", "D", "--json"]) == 0
    assert len(opened) == 2
    assert {json.loads(line)["unit"] for line in capsys.readouterr().out.splitlines()} == {"VHXH"}


def test_remind_queues_a_reminder(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Nobody of VHXH is linked: nothing is queued, and the office is told so.
    assert main(["remind", "4", "--unit", "VHXH"]) == 0
    assert "Chưa nhắc được nhiệm vụ 4: chưa có người nhận ở VHXH" in capsys.readouterr().out
    assert main(["remind", "99"]) == 1


@pytest.mark.slow
def test_run_starts_a_console_chat_on_a_fresh_directory(tmp_path: Path) -> None:
    """The quick start: no configuration, SQLite created and migrated, a person picked.

    Only the plan and calendar are the suite's fixtures; that the bundled ones are found
    without configuration is checked in test_plan_file."""
    from tests.conftest import CALENDAR_PATH, PLAN_PATH

    env = {k: v for k, v in os.environ.items() if not k.startswith("NHACVIEC_")}
    env |= {"NHACVIEC_PLAN_PATH": str(PLAN_PATH), "NHACVIEC_CALENDAR_PATH": str(CALENDAR_PATH)}
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "run", "--now", "2026-06-25T07:59:58", "--speed", "1"],
        input="2\n/tasks\n4: đang làm 50%\n/thoat\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(root)},
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "nhacviec.db").exists()
    assert "Bạn đang là: Trưởng phòng Văn hóa - Xã hội" in out.stdout
    assert "Đã ghi nhận: Nhiệm vụ 4 — Đang thực hiện 50%." in out.stdout


@pytest.mark.slow
def test_link_asks_telegram_for_the_bot_username_when_not_configured(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import httpx

    from tests.fakes.server import free_port
    from tests.fakes.waiting import until_sync

    port = free_port()
    root = Path(__file__).resolve().parent.parent
    fake = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.telegram_api", "--port", str(port), "--token", "42:abc"], cwd=root
    )

    def listening() -> bool:
        assert fake.poll() is None, "the fake Telegram server exited"
        try:
            return httpx.get(f"http://127.0.0.1:{port}/_stats").status_code == 200
        except httpx.TransportError:
            return False

    try:
        until_sync(listening, what="the fake Telegram server to listen")
        monkeypatch.setenv("NHACVIEC_TELEGRAM_TOKEN", "42:abc")
        monkeypatch.setenv("NHACVIEC_TELEGRAM_BASE_URL", f"http://127.0.0.1:{port}/bot")
        assert main(["link", "--unit", "VP", "--role", "head", "--name", "D", "--json"]) == 0
        out = json.loads(capsys.readouterr().out)
        assert out["deep_link"] == f"https://t.me/nhacviec_test_bot?start={out['code']}"
    finally:
        fake.terminate()
        fake.wait()


def test_link_without_reaching_telegram_still_gives_the_code(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.fakes.server import free_port

    monkeypatch.setenv("NHACVIEC_TELEGRAM_TOKEN", "42:abc")
    monkeypatch.setenv("NHACVIEC_TELEGRAM_BASE_URL", f"http://127.0.0.1:{free_port()}/bot")  # nobody listens
    assert main(["link", "--unit", "VP", "--role", "head", "--name", "E", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["code"]) == 6 and "deep_link" not in out


async def test_an_edited_plan_is_picked_up_by_the_running_bot(tmp_path: Path) -> None:
    from bot.app.service import Ticker, make_dispatcher, open_context
    from bot.settings import Settings
    from scheduler.clock import ManualClock
    from tests.conftest import PLAN_PATH, RecordingChannel, local

    plan_file = tmp_path / "tasks.yaml"
    plan_file.write_text(PLAN_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", plan_path=plan_file, _env_file=None)  # type: ignore[call-arg]
    ctx = await open_context(settings, ManualClock(local("2026-06-22T07:00")))
    try:
        ticker = Ticker(ctx, make_dispatcher(ctx, {"console": RecordingChannel()}))
        await ticker.tick()
        plan_file.write_text(
            plan_file.read_text(encoding="utf-8").replace('"Quý II/2026"', '"sớm thôi"'), encoding="utf-8"
        )
        os.utime(plan_file, (1, 1))
        await ticker.tick()  # invalid: logged, the running plan stays
        assert ctx.plan.task(4).deadline_text == "Quý II/2026"  # type: ignore[union-attr]
        plan_file.write_text(
            plan_file.read_text(encoding="utf-8").replace('"sớm thôi"', '"Quý III/2026"'), encoding="utf-8"
        )
        os.utime(plan_file, (2, 2))
        await ticker.tick()
        assert ctx.plan.task(4).deadline_text == "Quý III/2026"  # type: ignore[union-attr]
        from sqlalchemy import select

        from store.models import Task

        async with ctx.db.session() as s:
            assert await s.scalar(select(Task.deadline_text).where(Task.stt == 4)) == "Quý III/2026"
    finally:
        await ctx.db.dispose()


async def test_shutdown_lets_the_batch_in_hand_finish_and_claims_no_more(tmp_path: Path) -> None:
    import asyncio

    from bot.app.service import Ticker, make_dispatcher, open_context
    from bot.messages import DeliveryResult, OutboundMessage
    from bot.settings import Settings
    from scheduler.clock import ManualClock
    from store.outbox import insert_reminders, reminder_row
    from tests.conftest import local

    class SlowChannel:
        name, supports_buttons = "console", False

        def __init__(self) -> None:
            self.sent = 0

        async def send(self, chat_id: str, message: OutboundMessage) -> DeliveryResult:
            await asyncio.sleep(0.02)
            self.sent += 1
            return DeliveryResult(str(self.sent))

    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", claim_batch=10, _env_file=None)  # type: ignore[call-arg]
    ctx = await open_context(settings, ManualClock(local("2026-06-22T07:00")))
    try:
        from bot.actions.people import create_person
        from store.models import ChatIdentity

        async with ctx.db.session() as s, s.begin():
            person = await create_person(s, ctx.ward_id, "A", "office", "VHXH", ctx.now())
            s.add(ChatIdentity(person_id=person.id, channel="console", chat_id="a", linked_at=ctx.now()))
            await insert_reminders(
                s,
                [
                    reminder_row(ctx.ward_id, f"n{i}", "notice", ctx.now(), ctx.now(), person_id=person.id, body="x")
                    for i in range(100)
                ],
            )
        channel = SlowChannel()
        ticker = Ticker(ctx, make_dispatcher(ctx, {"console": channel}))
        running = asyncio.create_task(ticker.tick())
        from tests.fakes.waiting import until

        await until(lambda: channel.sent >= 5, what="the first sends")
        await ticker.shutdown()
        await running
        stats = ticker.dispatcher.stats
        assert stats.sent == channel.sent and 0 < channel.sent < 100  # all sent were recorded, no more claimed
    finally:
        await ctx.db.dispose()


@pytest.mark.slow
def test_the_demo_shows_the_morning_to_the_unit_picked_on_a_fresh_database(tmp_path: Path) -> None:
    """The README's demo: the bot's clock starts once the newcomer has picked a unit, so the
    08:00 reminders reach that unit's head instead of being skipped for want of anyone."""
    import threading
    import time

    env = {k: v for k, v in os.environ.items() if not k.startswith("NHACVIEC_")}
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli.main", "run", "--now", "2026-06-25T07:59:30", "--speed", "60"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(root)},
    )
    assert proc.stdin is not None and proc.stdout is not None
    out: list[str] = []
    reader = threading.Thread(target=lambda: out.extend(iter(proc.stdout.readline, "")), daemon=True)  # type: ignore[union-attr]
    reader.start()

    def seen(text: str, timeout: float = 90) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in "".join(out):
                return True
            time.sleep(0.1)
        return False

    try:
        assert seen("Bạn muốn dùng thử với vai trò nào?"), "the newcomer is asked who they are"
        time.sleep(3)  # reading the list takes a while; the bot's clock must wait for the answer
        proc.stdin.write("2\n")
        proc.stdin.flush()
        assert seen("Bạn đang là: Trưởng phòng Văn hóa - Xã hội")
        assert seen("🔔 Nhắc việc ngày 25/06/2026 — Phòng Văn hóa - Xã hội"), "".join(out)[-2000:]
        proc.stdin.write("/thoat\n")
        proc.stdin.flush()
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
