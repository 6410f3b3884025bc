"""App wiring: the only place that reads real time and builds the long-lived objects."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.channel import Channel
from bot.context import AppContext
from bot.periodic import PeriodicWork
from bot.reminder_text import ReminderRenderer
from bot.settings import Settings
from bot.texts import blocked_notice, plan_change
from scheduler.clock import Clock
from scheduler.dispatcher import Dispatcher, DispatcherConfig
from scheduler.plan import PlanError, load_plan
from scheduler.planner import plan_ward
from scheduler.reminders import PolicyError, check_policy
from scheduler.workcal import load_calendar
from store.db import Database

log = logging.getLogger(__name__)

REPLAN_EVERY = timedelta(minutes=10)


async def open_context(
    settings: Settings, clock: Clock, *, announce: Callable[[str], None] | None = None
) -> AppContext:
    """Load plan and calendar, upgrade the schema and sync the plan into the database."""
    plan = load_plan(settings.plan_path)
    calendar = load_calendar(settings.calendar_path, settings.hours(), settings.zone())
    db = Database(settings.database_url)
    await db.upgrade()
    now = clock.now()
    async with db.session() as s, s.begin():
        result = await plan_ward(
            s,
            settings.ward,
            plan,
            calendar,
            now,
            ahead_days=settings.plan_ahead_days,
            stale_after=timedelta(hours=settings.stale_after_hours),
            blocked_notice=blocked_notice,
        )
    if announce:
        for change in result.changes:
            announce(f"Kế hoạch thay đổi: {plan_change(change)}")
    return AppContext(db=db, settings=settings, plan=plan, calendar=calendar, clock=clock, ward_id=result.ward_id)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def unit_reminds_deputies(ctx: AppContext, ward_id: int, unit_code: str) -> bool:
    """The plan's remind_deputies for one unit of a ward."""
    unit = ctx.plan_of(ward_id).units.get(unit_code)
    return unit is not None and unit.remind_deputies


def make_dispatcher(ctx: AppContext, channels: dict[str, Channel]) -> Dispatcher:
    s = ctx.settings
    return Dispatcher(
        db=ctx.db,
        channels=channels,
        renderer=ReminderRenderer(ctx.calendar, titles=ctx.plan.head_title),
        remind_deputies=lambda ward_id, code: unit_reminds_deputies(ctx, ward_id, code),
        clock=ctx.clock,
        calendar=ctx.calendar,
        config=DispatcherConfig(
            worker=worker_name(),
            batch=s.claim_batch,
            lease_seconds=s.lease_seconds,
            max_attempts=s.max_attempts,
            stale_after=timedelta(hours=s.stale_after_hours),
        ),
    )


@dataclass
class Ticker:
    """APScheduler only ticks: each tick re-plans when the bot's day changed (or every
    few minutes) and drains the outbox. The database stays the schedule."""

    ctx: AppContext
    dispatcher: Dispatcher
    _planned_day: date | None = None
    _planned_at: float = 0.0
    _plan_mtime: float | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _dispatching: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Set when a reply was queued: the dispatcher drains at once instead of at the next tick.
    woken: asyncio.Event = field(default_factory=asyncio.Event)
    periodic: PeriodicWork | None = None  # the cycles' sweep and report-due, the weekly digest
    last_tick: datetime | None = None  # when the last tick completed (bot.health reads it)

    def __post_init__(self) -> None:
        self.ctx.wake = self.woken.set
        self.periodic = self.periodic or PeriodicWork(self.ctx)

    def _reload_plan_if_edited(self) -> bool:
        """The office may edit tasks.yaml while the bot runs: a valid edit is picked up at
        the next tick. An edit that fails any check `nhacviec check` makes (the file's own
        rules, then each task's reminder policy against the office hours) is logged and the
        running plan stays; so does one the loader trips over in a way nobody foresaw, since
        a tick that raises here would stop planning for good."""
        path = self.ctx.settings.plan_path
        try:
            mtime = path.stat().st_mtime
        except OSError:
            return False
        if self._plan_mtime is None or mtime == self._plan_mtime:
            self._plan_mtime = mtime
            return False
        self._plan_mtime = mtime
        try:
            plan = load_plan(path)
            problems = []
            for policy, name in [(plan.policy, "reminders")] + [(t.policy, f"Nhiệm vụ {t.name}") for t in plan.tasks]:
                try:
                    check_policy(policy, self.ctx.calendar)
                except PolicyError as exc:
                    problems.append(f"{name}: {exc}")
            if problems:
                raise PlanError(str(path), problems)
        except PlanError as exc:
            log.error("the edited plan is invalid; keeping the running one:\n%s", exc)
            return False
        except Exception:
            log.exception("the edited plan could not be loaded; keeping the running one")
            return False
        self.ctx.plan = plan
        log.warning("plan %s reloaded", path)
        return True

    async def plan_if_due(self) -> None:
        now = self.ctx.now()
        today = self.ctx.calendar.local_date(now)
        loop_time = asyncio.get_running_loop().time()
        edited = self._reload_plan_if_edited()
        if not edited and today == self._planned_day and loop_time - self._planned_at < REPLAN_EVERY.total_seconds():
            return
        s = self.ctx.settings
        async with self.ctx.db.session() as session, session.begin():
            result = await plan_ward(
                session,
                s.ward,
                self.ctx.plan,
                self.ctx.calendar,
                now,
                ahead_days=s.plan_ahead_days,
                stale_after=timedelta(hours=s.stale_after_hours),
                blocked_notice=blocked_notice,
            )
        for change in result.changes:
            log.warning("plan change: %s", plan_change(change))
        if result.inserted:
            log.info("planned %d new reminders", result.inserted)
        self._planned_day, self._planned_at = today, loop_time

    async def shutdown(self, timeout: float = 60.0) -> None:
        """Let the tick in progress finish its batch (so what was sent is recorded)."""
        self.dispatcher.stopping = True
        self.woken.set()
        try:
            async with asyncio.timeout(timeout), self._lock, self._dispatching:
                pass
        except TimeoutError:
            log.warning("the last dispatch batch did not finish within %.0f s", timeout)

    async def tick(self) -> None:
        if self._lock.locked() or self.dispatcher.stopping:
            return
        async with self._lock:
            try:
                await self.plan_if_due()
                if self.periodic is not None:
                    await self.periodic.run()
                await self.dispatch()
                self.last_tick = self.ctx.now()
            except Exception:
                log.exception("tick failed; the next tick retries")

    async def dispatch(self) -> None:
        async with self._dispatching:
            if not self.dispatcher.stopping:
                await self.dispatcher.tick()

    async def serve_wakeups(self) -> None:
        """Drain the outbox whenever a reply is queued. The event is cleared before the
        drain, so a reply queued during it triggers one more drain rather than waiting."""
        while not self.dispatcher.stopping:
            await self.woken.wait()
            self.woken.clear()
            try:
                await self.dispatch()
            except Exception:
                log.exception("dispatch after a wake-up failed; the next tick retries")


async def run_with_scheduler(ticker: Ticker, main: Awaitable[object], tick_seconds: float) -> None:
    scheduler = AsyncIOScheduler()
    scheduler.add_job(ticker.tick, "interval", seconds=tick_seconds, max_instances=1, coalesce=True, id="outbox-tick")
    scheduler.start()
    wakeups = asyncio.create_task(ticker.serve_wakeups(), name="outbox-wakeups")
    # The first tick may drain a long backlog: it runs beside `main`, so a stop request
    # during it is honoured after the batch in hand rather than after the whole backlog.
    first = asyncio.create_task(ticker.tick(), name="first-tick")
    try:
        await main
    finally:
        scheduler.shutdown(wait=False)
        await ticker.shutdown()
        for task in (first, wakeups):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGTERM or SIGINT (a second signal ends the process at once)."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    def on_signal(sig: signal.Signals) -> None:
        if stop.is_set():
            log.warning("second %s: exiting now", sig.name)
            os._exit(1)
        log.warning("%s received: finishing the batch in hand, then stopping", sig.name)
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, on_signal, sig)
    return stop


async def first_of(*waits: Awaitable[object]) -> None:
    """Wait until the first of `waits` ends; cancel the others."""
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
