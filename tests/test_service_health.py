"""`nhacviec status`, GET /healthz and the dead-man's switch, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast

import httpx
import pytest
from sqlalchemy import select, update

from bot.actions.people import create_person
from bot.app.health import HealthCheck, read_health
from bot.app.service import Ticker
from bot.channels.webhooks import webhook_app
from bot.context import AppContext
from scheduler.clock import ManualClock
from store.enums import AttemptOutcome, ReminderKind, ReminderState
from store.models import DeliveryAttempt, Reminder
from store.outbox import insert_reminders, reminder_row

THRESHOLD = timedelta(minutes=30)


@dataclass
class FakeTicker:
    """Stands in for bot.app.service.Ticker: HealthCheck reads only its last_tick."""

    last_tick: datetime | None = None


async def quiet_outbox(ctx: AppContext) -> None:
    """Nothing due: every planned row is moved a day ahead, so each test sets its own scene."""
    async with ctx.db.session() as s, s.begin():
        await s.execute(
            update(Reminder)
            .where(Reminder.due_at <= ctx.now() + timedelta(days=1))
            .values(
                due_at=ctx.now() + timedelta(days=2),
                next_attempt_at=ctx.now() + timedelta(days=2),
            )
        )


async def office_person(ctx: AppContext) -> int:
    async with ctx.db.session() as s, s.begin():
        person = await create_person(s, ctx.ward_id, "Chánh văn phòng", "office", "VHXH", ctx.now())
        return person.id


async def due_row(ctx: AppContext, key: str, due_at: datetime, person_id: int) -> int:
    async with ctx.db.session() as s, s.begin():
        await insert_reminders(
            s, [reminder_row(ctx.ward_id, key, ReminderKind.NOTICE, due_at, due_at, person_id=person_id, body="x")]
        )
        rid = await s.scalar(select(Reminder.id).where(Reminder.key == key))
        assert rid is not None
        return rid


async def attempt(ctx: AppContext, rid: int, outcome: str, at: datetime, channel: str = "telegram") -> None:
    async with ctx.db.session() as s, s.begin():
        s.add(
            DeliveryAttempt(reminder_id=rid, channel=channel, chat_id="1", worker="w", started_at=at, outcome=outcome)
        )


async def notices(ctx: AppContext, prefix: str) -> list[Reminder]:
    async with ctx.db.session() as s:
        return list(await s.scalars(select(Reminder).where(Reminder.key.like(f"{prefix}%")).order_by(Reminder.id)))


async def test_the_report_counts_the_queue_the_last_sends_and_the_failures_of_the_day(
    ctx: AppContext, clock: ManualClock
) -> None:
    await quiet_outbox(ctx)
    person = await office_person(ctx)
    now = ctx.now()
    a = await due_row(ctx, "t:a", now - timedelta(minutes=5), person)
    b = await due_row(ctx, "t:b", now - timedelta(minutes=3), person)
    await attempt(ctx, a, AttemptOutcome.OK, now - timedelta(minutes=4), "telegram")
    await attempt(ctx, b, AttemptOutcome.OK, now - timedelta(minutes=2), "zalo")
    await attempt(ctx, b, AttemptOutcome.TRANSIENT, now - timedelta(minutes=3), "zalo")
    await attempt(ctx, b, AttemptOutcome.TRANSIENT, now - timedelta(days=2), "zalo")  # older than a day
    await attempt(ctx, b, AttemptOutcome.CHANNEL, now - timedelta(hours=1), "zalo")
    async with ctx.db.session() as s, s.begin():
        await s.execute(update(Reminder).where(Reminder.id == a).values(state=ReminderState.FAILED, finished_at=now))

    report = await read_health(ctx.db, ctx.ward_id, now, THRESHOLD)
    data = report.to_json()
    assert data["queue"]["failed"] == 1 and data["queue"]["pending"] >= 1
    assert data["due_now"] == 1  # row b (the planned rows are tomorrow's)
    assert datetime.fromisoformat(data["last_ok"]["telegram"]) == now - timedelta(minutes=4)
    assert datetime.fromisoformat(data["last_ok"]["zalo"]) == now - timedelta(minutes=2)
    assert data["failures_last_day"] == {"channel": 1, "transient": 1}
    assert data["failed_rows_last_day"] == 1
    assert datetime.fromisoformat(data["last_activity_at"]) == now
    assert report.healthy and data["status"] == "ok"
    text = report.text(ctx.settings.zone())
    assert "Bình thường" in text and "Gửi thành công gần nhất qua zalo" in text and "channel 1" in text
    json.dumps(data)  # serialisable as it is


async def test_the_switch_trips_after_the_threshold_and_tells_the_office_once_per_outage(
    ctx: AppContext, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    await quiet_outbox(ctx)
    person = await office_person(ctx)
    check = HealthCheck(ctx, cast("Ticker", FakeTicker()))
    start = ctx.now()
    first = await due_row(ctx, "t:stuck", start, person)
    await attempt(ctx, first, AttemptOutcome.OK, start - timedelta(hours=1))  # the last success

    clock.advance(minutes=29)
    check.ticker.last_tick = ctx.now()  # type: ignore[union-attr]
    report = await check.check()
    assert not report.tripped and await notices(ctx, "deadman:") == []

    clock.advance(minutes=2)  # due for 31 minutes, nothing sent for 91
    check.ticker.last_tick = ctx.now()  # type: ignore[union-attr]
    report = await check.check()
    assert report.tripped and not report.healthy and report.status == "deadman"
    rows = await notices(ctx, "deadman:")
    assert [r.person_id for r in rows] == [person]
    assert rows[0].kind == ReminderKind.NOTICE and "không gửi được" in (rows[0].body or "")
    assert (await check.http())[0] == 503

    # Later checks, and another worker's check, in the same outage: nothing more.
    clock.advance(minutes=10)
    await check.check()
    await HealthCheck(ctx, cast("Ticker", FakeTicker(ctx.now()))).check()
    assert len(await notices(ctx, "deadman:")) == 1

    # Sending works again: healthy. A new outage later: told again.
    await attempt(ctx, first, AttemptOutcome.OK, ctx.now())
    async with ctx.db.session() as s, s.begin():
        await s.execute(update(Reminder).values(state=ReminderState.SENT).where(Reminder.due_at <= ctx.now()))
    check.ticker.last_tick = ctx.now()  # type: ignore[union-attr]
    with caplog.at_level(logging.WARNING, logger="bot.app.health"):
        assert (await check.check()).healthy
        assert (await check.check()).healthy
    assert [r.getMessage() for r in caplog.records if "recovered" in r.getMessage()] == [
        f"dead-man's switch: sending recovered (last successful send: {ctx.now().astimezone(UTC).isoformat()})"
    ]
    assert (await check.http())[0] == 200
    await due_row(ctx, "t:stuck-again", ctx.now(), person)
    clock.advance(minutes=45)
    check.ticker.last_tick = ctx.now()  # type: ignore[union-attr]
    assert (await check.check()).tripped
    assert len(await notices(ctx, "deadman:")) == 2


async def test_rows_due_but_sends_succeeding_do_not_trip_the_switch(ctx: AppContext, clock: ManualClock) -> None:
    """A backlog that is being worked through (a 429 storm, a slow channel) is not an outage."""
    await quiet_outbox(ctx)
    person = await office_person(ctx)
    rid = await due_row(ctx, "t:old", ctx.now() - timedelta(hours=3), person)
    await attempt(ctx, rid, AttemptOutcome.OK, ctx.now() - timedelta(minutes=5))
    report = await read_health(ctx.db, ctx.ward_id, ctx.now(), THRESHOLD)
    assert not report.tripped and report.healthy


async def test_healthz_answers_503_when_the_bot_has_not_ticked_for_the_threshold(
    ctx: AppContext, clock: ManualClock
) -> None:
    await quiet_outbox(ctx)
    ticker = FakeTicker()
    check = HealthCheck(ctx, cast("Ticker", ticker), running_since=ctx.now())
    app = webhook_app(health=check.http)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot") as client:
        ticker.last_tick = ctx.now()
        ok = await client.get("/healthz")
        assert ok.status_code == 200 and ok.json()["status"] == "ok"
        assert ok.json()["last_tick"] == ctx.now().isoformat()
        clock.advance(minutes=31)  # no tick since: hung
        stalled = await client.get("/healthz")
        assert stalled.status_code == 503 and stalled.json()["status"] == "stalled"


async def test_healthz_without_a_health_source_still_answers_ok() -> None:
    app = webhook_app()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot") as client:
        r = await client.get("/healthz")
    assert (r.status_code, r.text) == (200, "ok")


async def test_healthz_is_503_when_the_health_source_fails() -> None:
    async def broken() -> tuple[int, dict[str, object]]:
        raise ConnectionError("database down")

    app = webhook_app(health=broken)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot") as client:
        r = await client.get("/healthz")
    assert r.status_code == 503 and r.json() == {"status": "error", "error": "ConnectionError"}


async def test_an_unknown_ward_is_reported_empty_not_an_error(ctx: AppContext) -> None:
    report = await read_health(ctx.db, None, ctx.now(), THRESHOLD)
    assert report.healthy and report.to_json()["queue"]["pending"] == 0
