"""Issue 9 wired into the running bot: /summary on the standing and a task's history,
/export and /summary chart as files through the outbox, the report cycles' sweep and
report-due reminder, the weekly digest, and statuses recorded on a unit's behalf."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.app.periodic import PeriodicWork
from bot.app.service import Ticker
from bot.channels.zalo.channel import ZaloChannel
from bot.cli.main import main
from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.messages import Attachment, OutboundMessage
from bot.texts.reminders import ReminderRenderer
from scheduler.attachments import decode
from scheduler.clock import ManualClock
from scheduler.dispatcher import Dispatcher, DispatcherConfig
from store.models import Assignment, Occurrence, Person, Reminder, StatusReport, Task, Unit
from tests.conftest import RecordingChannel, local
from tests.fakes.telegram_harness import Harness, tg  # noqa: F401  (the Telegram harness fixture)
from tests.fakes.waiting import until
from tests.helpers import linked, say

PNG = b"\x89PNG"


def dispatcher(ctx: AppContext, channel: Any) -> Dispatcher:
    return Dispatcher(
        db=ctx.db,
        channels={channel.name: channel},
        renderer=ReminderRenderer(ctx.calendar),
        clock=ctx.clock,
        calendar=ctx.calendar,
        config=DispatcherConfig(worker="w"),
    )


async def rows(ctx: AppContext, prefix: str) -> list[Reminder]:
    async with ctx.db.session() as s:
        found = await s.scalars(select(Reminder).where(Reminder.key.startswith(prefix)).order_by(Reminder.id))
        return list(found)


# --- /summary, /summary N, /ghinhan ------------------------------------------------------


async def test_summary_history_and_a_status_recorded_on_a_units_behalf(ctx: AppContext, clock: ManualClock) -> None:
    conv = Conversation(ctx)
    head = await linked(ctx, conv, "VHXH", name="Lê Minh Châu")
    office = await linked(ctx, conv, "VHXH", role="office", chat_id="office", name="Chị Lan")
    await say(conv, head, "4: đang làm 60%")
    clock.advance(hours=2)
    answer = (await say(conv, office, "/ghinhan 4 Phòng Văn hóa - Xã hội vướng: chưa có kinh phí"))[0]
    assert answer.startswith("Đã ghi nhận: Nhiệm vụ 4 — Vướng mắc") and "ghi nhận hộ Phòng Văn hóa - Xã hội" in answer

    summary = (await say(conv, office, "/summary"))[0]
    assert "VHXH: Đang thực hiện trong hạn, hạn 30/06/2026 — vướng: “chưa có kinh phí”" in summary
    assert "ĐƠN VỊ CHƯA BÁO CÁO TRONG KỲ (từ 15/12/2025)" in summary and "TTPVHCC — " in summary
    assert "im lặng" not in summary.lower()

    history = (await say(conv, office, "/summary 4"))[0].splitlines()
    assert history[0] == "LỊCH SỬ BÁO CÁO — Nhiệm vụ 4"
    assert history[3] == "22/06/2026 07:00 — VHXH (chủ trì), Lê Minh Châu: “4: đang làm 60%” → Đang thực hiện 60%"
    assert history[4] == (
        "22/06/2026 09:00 — VHXH (chủ trì), văn phòng ghi nhận hộ (Chị Lan): “vướng: chưa có kinh phí” → Vướng mắc"
    )
    assert (await say(conv, office, "/summary 99"))[0] == "Không có nhiệm vụ số 99."
    assert "Cách dùng" in (await say(conv, office, "/summary linh tinh"))[0]
    assert "Cách dùng" in (await say(conv, office, "/ghinhan 4 Không Có Đơn Vị xong"))[0]
    assert "Chưa hiểu" in (await say(conv, office, "/ghinhan 4 VHXH dạ"))[0]
    for command in ("/export", "/ghinhan 4 VHXH xong"):
        assert "dành cho văn phòng" in (await say(conv, head, command))[0]


async def test_a_status_recorded_for_an_earlier_time_does_not_override_a_newer_one(ctx: AppContext) -> None:
    from bot.actions.status import record_on_behalf

    conv = Conversation(ctx)
    head = await linked(ctx, conv, "VHXH")
    await say(conv, head, "4: đang làm 80%")
    earlier = ctx.now() - timedelta(days=3)
    async with ctx.db.session() as s, s.begin():
        await record_on_behalf(
            s, ctx.ward_id, 4, "VHXH", "đang làm 30%", earlier, ctx.now(), ctx.today(),
            recorder=None, recorder_label="dòng lệnh (test)", via="cli",
        )  # fmt: skip
    async with ctx.db.session() as s:
        reports = list(await s.scalars(select(StatusReport).order_by(StatusReport.created_at)))
        assert [(r.percent, r.created_at) for r in reports] == [(30, earlier), (80, ctx.now())]
        assignment = await s.get(Assignment, reports[0].assignment_id)
        assert assignment is not None and assignment.percent == 80


def test_nhacviec_record_goes_through_the_reply_reader_and_shows_in_the_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NHACVIEC_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    assert main(["record", "4", "--unit", "VHXH", "đang làm 40%", "--at", "2026-06-03T09:30"]) == 0
    out = capsys.readouterr().out
    assert "Nhiệm vụ 4 — Đang thực hiện 40%" in out and "lúc 03/06/2026 09:30" in out
    assert main(["record", "4", "--unit", "VHXH", "ok"]) == 1
    assert "Chưa hiểu" in capsys.readouterr().err
    assert main(["record", "99", "--unit", "VHXH", "xong"]) == 1

    from store.db import Database
    from store.history import task_history

    async def history() -> list[Any]:
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
        try:
            async with db.session() as s:
                return await task_history(s, 1, 4)
        finally:
            await db.dispose()

    (row,) = asyncio.run(history())
    assert row.recorded and row.recorder and row.recorder.startswith("dòng lệnh")
    assert row.text == "đang làm 40%" and row.percent == 40 and row.at == local("2026-06-03T09:30")


# --- files through the outbox ------------------------------------------------------------


async def test_export_queues_documents_for_the_asking_chat(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    office = await linked(ctx, conv, "VHXH", role="office", chat_id="office")
    answer = (await say(conv, office, "/export 6thang"))[0]
    assert answer.startswith("Đã lập Báo cáo 6 tháng năm 2026: Số liệu từ 15/12/2025 đến 14/06/2026")
    queued = await rows(ctx, "export:")
    assert [r.kind for r in queued] == ["file", "file"]
    assert {(r.channel, r.chat_id) for r in queued} == {("console", "office")}
    xlsx, docx = (decode(r.attachment) for r in queued)
    assert xlsx is not None and docx is not None and xlsx.kind == docx.kind == "document"
    assert xlsx.filename.endswith("-20251215-20260614.xlsx") and docx.filename.endswith(".docx")
    assert Path(xlsx.path).parent == ctx.settings.files_path.resolve()
    assert {"Phụ lục", "Tổng hợp", "Chỉ tiêu"} <= set(load_workbook(xlsx.path).sheetnames)
    assert json.loads(queued[0].attachment or "")["caption"].startswith("Bảng tổng hợp — Báo cáo 6 tháng năm 2026")

    channel = RecordingChannel()
    await dispatcher(ctx, channel).tick()
    sent = [m for chat, m in channel.sent if chat == "office"]
    assert [m.attachment.filename for m in sent if m.attachment] == [xlsx.filename, docx.filename]
    assert "Cách dùng" in (await say(conv, office, "/export quy"))[0]


async def test_export_and_chart_reach_telegram_as_a_document_and_a_photo(tg: Harness) -> None:  # noqa: F811
    await tg.link(7001, "VHXH", role="office", name="Chị Lan")
    tg.fake.push_text(7001, "/export")
    # The answer and the two files all go through the outbox, in whichever order they drain.
    expected = "Bảng tổng hợp (Excel) và dự thảo báo cáo (Word) đang được gửi"
    await until(lambda: any(expected in t for t in tg.fake.texts_to(7001)), what="the /export answer")
    tg.fake.push_text(7001, "/summary chart")  # no text answer: the photo comes through the outbox
    for _ in range(200):
        if await rows(tg.ctx, "chart:"):
            break
        await asyncio.sleep(0.05)
    await tg.dispatcher().tick()
    # The background sender of replies may have claimed the row first: wait for the photo.
    await until(
        lambda: any(f["method"] == "sendPhoto" and f["chat_id"] == "7001" for f in tg.fake.files),
        what="the chart photo",
    )
    files = {f["method"]: f for f in tg.fake.files if f["chat_id"] == "7001"}
    documents = [f for f in tg.fake.files if f["method"] == "sendDocument"]
    assert [d["filename"].rsplit(".", 1)[1] for d in documents] == ["xlsx", "docx"]
    assert documents[0]["content"][:2] == b"PK" and documents[0]["caption"].startswith("Bảng tổng hợp")
    photo = files["sendPhoto"]
    assert photo["content"][:4] == PNG and photo["caption"].startswith("Biểu đồ tiến độ — Kế hoạch số 158/KH-UBND")


async def test_zalo_says_where_the_file_is_and_the_console_prints_it(tmp_path: Path) -> None:
    class Client:
        def __init__(self) -> None:
            self.texts: list[str] = []

        async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
            self.texts.append(text)
            return {"message_id": str(len(self.texts))}

    client = Client()
    path = tmp_path / "bao-cao.xlsx"
    path.write_bytes(b"PK")
    message = OutboundMessage("Sắp đến hạn báo cáo", attachment=Attachment(str(path), path.name, "document", "Bảng"))
    await ZaloChannel(client).send("z1", message)  # type: ignore[arg-type]
    assert client.texts[0].startswith("Sắp đến hạn báo cáo\n\nZalo chưa cho bot gửi tệp. bao-cao.xlsx")
    assert str(path) in client.texts[0] and "nhacviec export" in client.texts[0]

    import io

    from bot.channels.console import ConsoleChannel

    out = io.StringIO()
    await ConsoleChannel(out).send("c", message)
    assert f"Tệp bao-cao.xlsx đã lưu trên máy chạy Nhắc việc: {path}" in out.getvalue()


# --- the report cycles ---------------------------------------------------------------------


def test_the_sweep_and_the_report_due_reminder_are_in_the_schedule_before_10_6_2026(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["schedule", "--from", "2026-05-01", "--to", "2026-06-09"]) == 0
    lines = capsys.readouterr().out.splitlines()
    sweep = next(line for line in lines if "hỏi tình hình trước kỳ báo cáo" in line)
    due = next(line for line in lines if "nhắc hạn gửi báo cáo" in line)
    assert sweep.startswith("26/05/2026 08:00  mọi ĐV") and "(10 ngày) hạn 09/06/2026 (Báo cáo 6 tháng 2026)" in sweep
    assert due.startswith("04/06/2026 08:00  VHXH") and "(3 ngày) hạn 09/06/2026" in due
    assert lines[-1].endswith("2 việc của kỳ báo cáo (hỏi tình hình, nhắc hạn báo cáo)")

    assert main(["schedule", "--from", "2026-05-01", "--to", "2026-06-09", "--unit", "VP", "--json"]) == 0
    events = [r for r in json.loads(capsys.readouterr().out) if r["kind"] in ("sweep", "report_due")]
    assert events == [
        {
            "at": "2026-05-26T08:00:00+07:00",
            "unit": "VP",
            "task": None,
            "occurrence": None,
            "kind": "sweep",
            "seq": 10,
            "role": None,
            "cycle": "six_month",
            "year": 2026,
            "due": "2026-06-09",
            "working_due": "2026-06-09",
        }
    ]


def test_the_plan_configures_or_turns_off_the_cycles_act(tmp_path: Path, calendar: Any) -> None:
    from datetime import date

    from scheduler.cycles import cycle_events
    from scheduler.plan import load_plan
    from tests.conftest import PLAN_PATH

    edited = tmp_path / "tasks.yaml"
    edited.write_text(
        PLAN_PATH.read_text(encoding="utf-8").replace(
            "  compiled_by: VHXH\n",
            "  compiled_by: VHXH\n  sweep_before_working_days: 5\n  report_due_before_working_days: null\n",
        ),
        encoding="utf-8",
    )
    events = cycle_events(load_plan(edited), calendar, date(2026, 5, 1), date(2026, 6, 30))
    assert [(e.kind, e.at.date()) for e in events] == [("sweep", date(2026, 6, 2))]


async def test_the_periodic_job_sweeps_then_reminds_the_compiling_unit_with_the_files(
    ctx: AppContext, clock: ManualClock
) -> None:
    conv = Conversation(ctx)
    clock.current = local("2026-05-26T07:00")
    await linked(ctx, conv, "VHXH")
    await linked(ctx, conv, "VP")
    await linked(ctx, conv, "VHXH", role="office", chat_id="office", name="Chị Lan")
    async with ctx.db.session() as s:
        people = {p.name: p.id for p in await s.scalars(select(Person))}
    work = PeriodicWork(ctx)
    assert await work.run() == 0  # before 08:00
    clock.current = local("2026-05-26T08:05")
    assert await work.run() == 2  # one per head; the office person is not asked
    sweep = await rows(ctx, "sweep:")
    assert {r.key for r in sweep} == {
        f"sweep:six_month:2026:p{people['Người VHXH']}",
        f"sweep:six_month:2026:p{people['Người VP']}",
    }
    body = next(r.body for r in sweep if r.person_id == people["Người VP"]) or ""
    assert body.startswith("HỎI TÌNH HÌNH THỰC HIỆN — Báo cáo 6 tháng năm 2026")
    assert "hạn 09/06/2026; số liệu từ 15/12/2025 đến 14/06/2026" in body and "Văn phòng HĐND và UBND phường" in body
    assert "\n5. " in body and "— hiện: Chưa triển khai" in body
    clock.advance(minutes=5)
    assert await work.run() == 0 and await PeriodicWork(ctx).run() == 0  # once, across restarts too

    clock.current = local("2026-06-04T08:01")
    assert await PeriodicWork(ctx).run() == 2  # the table and the draft, to the office
    due = await rows(ctx, "report_due:")
    assert [r.key for r in due] == [
        f"report_due:six_month:2026:p{people['Chị Lan']}",
        f"report_due:six_month:2026:p{people['Chị Lan']}:docx",
    ]
    assert (due[0].body or "").startswith("SẮP ĐẾN HẠN BÁO CÁO — Báo cáo 6 tháng năm 2026")
    assert "Thứ Ba, 09/06/2026 (còn 3 ngày làm việc)" in (due[0].body or "")
    xlsx = decode(due[0].attachment)
    assert xlsx is not None and Path(xlsx.path).exists() and xlsx.kind == "document"

    channel = RecordingChannel()
    await dispatcher(ctx, channel).tick()
    to_office = [m for chat, m in channel.sent if chat == "office"]
    assert [m.attachment.filename.rsplit(".", 1)[1] for m in to_office if m.attachment] == ["xlsx", "docx"]


async def test_the_weekly_digest_is_queued_once_a_week_with_its_chart(ctx: AppContext, clock: ManualClock) -> None:
    conv = Conversation(ctx)
    clock.current = local("2026-06-15T09:00")
    head = await linked(ctx, conv, "VHXH")
    await linked(ctx, conv, "VHXH", role="office", chat_id="office")
    await linked(ctx, conv, "UBND", role="leader", chat_id="leader")
    await say(conv, head, "4: vướng: chưa có hướng dẫn của thành phố")
    clock.current = local("2026-06-22T07:00")
    channel = RecordingChannel()
    ticker = Ticker(ctx, dispatcher(ctx, channel))
    await ticker.tick()
    assert await rows(ctx, "digest:") == []
    clock.current = local("2026-06-22T07:50")
    await ticker.tick()  # the Ticker's hook queues it and the same tick sends it
    digest = await rows(ctx, "digest:")
    assert len(digest) == 2 and all(r.key.startswith("digest:2026-W26:p") and r.kind == "digest" for r in digest)
    sent = {chat: m for chat, m in channel.sent if chat in ("office", "leader")}
    assert set(sent) == {"office", "leader"}
    text = sent["leader"].text
    assert text.startswith("BẢN TIN TIẾN ĐỘ HẰNG TUẦN — Kế hoạch số 158/KH-UBND")
    assert "tuần từ 15/06/2026 đến 21/06/2026" in text
    assert "vướng mắc: “chưa có hướng dẫn của thành phố”" in text
    chart = sent["leader"].attachment
    assert chart is not None and chart.kind == "photo" and Path(chart.path).read_bytes()[:4] == PNG

    clock.current = local("2026-06-22T10:00")
    assert await PeriodicWork(ctx).run() == 0  # idempotent for the ISO week
    clock.current = local("2026-06-29T07:46")
    assert await PeriodicWork(ctx).run() == 2
    assert {r.key.split(":p")[0] for r in await rows(ctx, "digest:")} == {"digest:2026-W26", "digest:2026-W27"}


async def test_the_digest_time_is_a_setting() -> None:
    from datetime import time

    from bot.settings import Settings

    assert Settings(digest_time="fri 16:30", _env_file=None).digest_at() == (4, time(16, 30))  # type: ignore[call-arg]
    with pytest.raises(ValueError):
        Settings(digest_time="someday", _env_file=None)  # type: ignore[call-arg]


async def test_task_occurrence_tables_are_untouched_by_the_cycles_act(ctx: AppContext, clock: ManualClock) -> None:
    """The sweep is a message, not a task: no task, occurrence or assignment is added."""
    async with ctx.db.session() as s:
        before = [len(list(await s.scalars(select(m.id)))) for m in (Task, Occurrence, Assignment, Unit)]
    clock.current = local("2026-05-26T08:05")
    await PeriodicWork(ctx).run()
    async with ctx.db.session() as s:
        assert [len(list(await s.scalars(select(m.id)))) for m in (Task, Occurrence, Assignment, Unit)] == before


async def test_the_digest_and_the_report_files_are_made_in_read_sessions(
    ctx: AppContext, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Their standings, workbook, draft and chart take a while to make: on SQLite, made in a
    # write transaction they held the lock the dispatcher and every chat answer wait for.
    import bot.app.periodic
    from store.db import READ_ONLY

    seen: list[bool] = []
    for name in ("build_standing", "write_report_files"):
        real = getattr(bot.app.periodic, name)

        async def spy(s: Any, *args: Any, _real: Any = real, **kwargs: Any) -> Any:
            seen.append(bool((await s.connection()).sync_connection.get_execution_options().get(READ_ONLY)))
            return await _real(s, *args, **kwargs)

        monkeypatch.setattr(bot.app.periodic, name, spy)
    conv = Conversation(ctx)
    await linked(ctx, conv, "VHXH", role="office", chat_id="office")
    clock.current = local("2026-06-04T08:01")
    assert await PeriodicWork(ctx).run() == 2  # the report-due table and draft
    clock.current = local("2026-06-22T07:50")
    assert await PeriodicWork(ctx).run() == 1  # the digest, to the office
    assert seen == [True, True, True]
