"""`nhacviec restore`: a backup put back sends nothing twice, and the office hears once what
may have been missed."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections import Counter
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.actions.people import create_person, issue_link_code
from bot.actions.tasks import queue_manual_reminder
from bot.channels.telegram.app import TelegramBot
from bot.cli.backup import backup_sqlite, restore_sqlite
from bot.cli.main import main
from bot.cli.ops import after_restore
from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.texts.reminders import ReminderRenderer
from scheduler.clock import ManualClock
from scheduler.dispatcher import Dispatcher, DispatcherConfig
from store.models import Reminder
from store.restore import RESTORED_UNKNOWN
from tests.conftest import local
from tests.fakes.server import serve
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.waiting import until
from tests.helpers import replies_sent

HEAD_CHAT, OFFICE_CHAT = 5010, 5001


def _dispatcher(ctx: AppContext, bot: TelegramBot) -> Dispatcher:
    return Dispatcher(
        db=ctx.db,
        channels={"telegram": bot.channel},
        renderer=ReminderRenderer(ctx.calendar),
        clock=ctx.clock,
        calendar=ctx.calendar,
        config=DispatcherConfig(worker="w1"),
    )


async def _link(ctx: AppContext, fake: FakeTelegram, chat: int, unit: str, role: str) -> None:
    async with ctx.db.session() as s, s.begin():
        person = await create_person(s, ctx.ward_id, f"Người {chat}", role, unit, ctx.now())
        code = await issue_link_code(s, person, ctx.now(), timedelta(hours=1))
    fake.push_text(chat, f"/start {code.code}")
    await until(lambda: any("Xin chào" in t for t in fake.texts_to(chat)), what="welcome")


async def _tick_through(ctx: AppContext, clock: ManualClock, d: Dispatcher, hours: int) -> None:
    for _ in range(hours * 4):
        await d.tick()
        clock.advance(minutes=15)


def _sent_keys(database: Path, since: str = "0000") -> Counter[str]:
    """Outbox keys with a successful send (started at or after `since`, UTC as stored)."""
    with sqlite3.connect(database) as conn:
        rows = conn.execute(
            "SELECT r.key FROM delivery_attempts a JOIN reminders r ON r.id = a.reminder_id "
            "WHERE a.outcome = 'ok' AND a.started_at >= ?",
            (since,),
        ).fetchall()
    return Counter(key for (key,) in rows)


async def test_a_restored_backup_sends_nothing_twice_and_the_office_is_told_once(
    ctx: AppContext, clock: ManualClock, tmp_path: Path
) -> None:
    """The issue's case: a backup taken before the morning's reminders, restored after them.
    Without the restore step the 08:00 reminders went out a second time."""
    if not ctx.db.url.startswith("sqlite"):
        pytest.skip("restore FILE is SQLite's; PostgreSQL restores with pg_restore")
    database = Path(ctx.db.url.split("///", 1)[1])
    fake = FakeTelegram()
    server = await serve(fake.app())
    try:
        bot = TelegramBot(fake.token, f"{server.url}/bot", Conversation(ctx), poll_timeout=1, chat_interval=0.01)
        async with bot.running(), replies_sent(ctx, {"telegram": bot.channel}):
            await _link(ctx, fake, HEAD_CHAT, "VHXH", "head")
            await _link(ctx, fake, OFFICE_CHAT, "VHXH", "office")
            d = _dispatcher(ctx, bot)
            clock.current = local("2026-06-25T07:50")
            await d.tick()
            backup = tmp_path / "backup.db"
            backup_sqlite(database, backup, mark="test", taken_at=clock.now())
            # After the backup: the 08:00 reminders go out, the office nudges the unit.
            await _tick_through(ctx, clock, d, 1)
            async with ctx.db.session() as s, s.begin():
                await queue_manual_reminder(s, ctx.ward_id, 4, "VHXH", ctx.now(), ctx.today())
            await _tick_through(ctx, clock, d, 1)
            assert any(m["text"].startswith("🔔") for m in fake.sent)

            # The disk is lost at 10:00; the operator restores at 10:30 (the bot stopped).
            await ctx.db.dispose()
            clock.current = local("2026-06-25T10:30")
            restore_moment = clock.now()
            restore_sqlite(backup, database, tmp_path / "aside.db")
            sent_before = _sent_keys(tmp_path / "aside.db")
            assert sum(k.startswith(("before:", "checkin:", "due:")) or ":" in k for k in sent_before) >= 8
            restored = await after_restore(ctx.settings, clock.now(), clock.now())
            assert restored.taken_at == local("2026-06-25T07:50") and restored.closed >= 8 and restored.told == 1

            fake.sent.clear()
            await _tick_through(ctx, clock, d, 3)
            clock.current = local("2026-06-30T07:50")  # days later: the due-day reminder is new
            await _tick_through(ctx, clock, d, 2)
            stamp = restore_moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
            sent_after = _sent_keys(database, stamp)
            repeats = sorted(set(sent_after) & set(sent_before))
            assert repeats == []
            assert any(k.startswith("restore:") for k in sent_after)
            assert len(sent_after) > 1  # the 30/06 reminder went out: sending goes on
            to_office = fake.texts_to(OFFICE_CHAT)
            assert sum("vừa được khôi phục" in t for t in to_office) == 1
            notice = next(t for t in to_office if "vừa được khôi phục" in t)
            assert "bản sao lưu lúc 07:50 25/06/2026" in notice and "không gửi lại" in notice
            assert "Phòng Văn hóa - Xã hội" in notice
            async with ctx.db.read() as s:
                marked = (
                    await s.scalars(select(Reminder.state).where(Reminder.last_error.like(f"{RESTORED_UNKNOWN}%")))
                ).all()
            assert len(marked) == restored.closed and set(marked) == {"dropped"}
    finally:
        await server.stop()


def test_backup_then_restore_from_the_command_line(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not ctx.db.url.startswith("sqlite"):
        pytest.skip("SQLite")
    database = Path(ctx.db.url.split("///", 1)[1])
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NHACVIEC_DATABASE_URL", ctx.db.url)
    assert main(["backup", "--out", str(tmp_path / "b") + "/"]) == 0
    (copy,) = (tmp_path / "b").glob("*.db")
    assert stat.S_IMODE(os.stat(copy).st_mode) == 0o600
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT count(*) FROM backup_marks").fetchone()[0] == 1
    capsys.readouterr()
    assert main(["restore", str(copy)]) == 0
    out = capsys.readouterr().out
    assert "Đã đặt bản sao lưu" in out and "Không gửi lại" in out
    assert stat.S_IMODE(os.stat(database).st_mode) == 0o600
    assert list(tmp_path.glob("*truoc-khoi-phuc*")) or list(database.parent.glob("*truoc-khoi-phuc*"))
    # A file that is not a backup, or no file: one line, nothing replaced.
    (tmp_path / "junk.db").write_text("not a database")
    assert main(["restore", str(tmp_path / "junk.db")]) == 1
    assert main(["restore", str(tmp_path / "missing.db")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "Traceback" not in err


def test_a_backup_of_a_newer_release_is_refused_before_anything_is_replaced(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not ctx.db.url.startswith("sqlite"):
        pytest.skip("SQLite")
    database = Path(ctx.db.url.split("///", 1)[1])
    backup_sqlite(database, tmp_path / "newer.db", mark="t")
    with sqlite3.connect(tmp_path / "newer.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0042z'")
    before = database.read_bytes()
    monkeypatch.setenv("NHACVIEC_DATABASE_URL", ctx.db.url)
    assert main(["restore", str(tmp_path / "newer.db")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "0042z" in err and "mới hơn mã đang chạy" in err
    assert database.read_bytes() == before


def test_restore_refuses_while_a_bot_is_sending(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not ctx.db.url.startswith("sqlite"):
        pytest.skip("SQLite")
    database = Path(ctx.db.url.split("///", 1)[1])
    backup_sqlite(database, tmp_path / "b.db", mark="t")
    with sqlite3.connect(database) as conn:
        conn.execute(
            "UPDATE reminders SET state = 'sending', locked_by = 'w', locked_until = '2999-01-01 00:00:00.000000' "
            "WHERE id = (SELECT min(id) FROM reminders)"
        )
    monkeypatch.setenv("NHACVIEC_DATABASE_URL", ctx.db.url)
    assert main(["restore", str(tmp_path / "b.db")]) == 1
    assert "bot có vẻ đang chạy" in capsys.readouterr().err


def test_postgresql_restore_prints_the_steps(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NHACVIEC_DATABASE_URL", "postgresql+psycopg://u:p@db:5432/nhacviec")
    assert main(["restore", "x.dump"]) == 0
    out = capsys.readouterr().out
    assert "pg_restore --clean --if-exists" in out and "nhacviec restore --database-restored" in out


async def test_after_restore_closes_what_fell_due_by_the_cutoff_and_keeps_the_rest(ctx: AppContext) -> None:
    """Both databases (PostgreSQL: after pg_restore, `restore --database-restored`). With
    --stopped-at the old bot sent nothing after it: what falls due later is still sent."""
    stopped = local("2026-06-25T09:00")
    restored = await after_restore(ctx.settings, local("2026-06-26T10:00"), stopped)
    assert restored.taken_at is None and restored.closed >= 8 and restored.told == 0
    async with ctx.db.read() as s:
        rows = (await s.execute(select(Reminder.due_at, Reminder.state, Reminder.last_error))).all()
    closed = [r for r in rows if (r.last_error or "").startswith(RESTORED_UNKNOWN)]
    assert closed and all(r.due_at <= stopped and r.state == "dropped" for r in closed)
    assert all(r.state == "pending" for r in rows if r.due_at > stopped and r.state != "dropped")
    assert any(r.due_at > stopped and r.state == "pending" for r in rows)
