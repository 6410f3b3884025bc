"""App wiring: the only place that reads real time and builds the long-lived objects."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import socket
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.actions.notices import notify_office
from bot.app.offload import in_worker_transaction
from bot.context import AppContext, PlanReading, ServedWard
from bot.messages import Channel
from bot.settings import Settings
from bot.texts import operator as texts_operator
from bot.texts import wards as texts_wards
from bot.texts.common import blocked_notice, plan_change, vn_date
from bot.texts.plan import other_work_notice
from bot.wards import (
    WardError,
    WardPlan,
    check_distinct,
    check_plan,
    load_wards,
    pick_ward,
    plan_digests,
    plan_files,
    ward_key,
)
from scheduler.clock import Clock
from scheduler.plan import Plan, PlanError
from scheduler.plan.compare import compare_plan
from scheduler.planner import PlanningResult, plan_ward
from scheduler.titles import derive_head_title
from scheduler.workcal import WorkingCalendar, load_calendar
from store.db import Database
from store.plan_state import confirmed_digest, running_plan
from store.wards import (
    OtherPlan,
    claim_ward,
    mark_issued,
    record_plan_sha,
    release_planning_lease,
    serve_wards,
    take_planning_lease,
    ward_ids_by_key,
    wards_by_sha,
)

if TYPE_CHECKING:  # the service's own pieces: a command line opening a ward never loads them
    from bot.app.periodic import PeriodicWork
    from scheduler.dispatcher import Delivery, Dispatcher
    from store.outbox import LeasedReply

log = logging.getLogger(__name__)

REPLAN_EVERY = timedelta(minutes=10)
# Planning of all wards in one tick stops after this long; the wards left wait for the next
# tick, first in line (the least recently planned go first), so a big ward or a hundred of
# them never hold the outbox and the conversation back for long.
PLAN_BUDGET_SECONDS = 2.0
# Shutdown (SIGTERM) is bounded whatever the API or the database does: the batch in hand gets
# STOP_GRACE seconds, then its sends on the wire are cut off, STOP_CUT_OFF more to record
# that; the channels then stop. systemd kills at 30 s, Docker at 10 s by default (deploy/ gives
# the container 30 s); a process still there
# bot/app/signals.HARD_STOP seconds after the signal exits at once.
STOP_GRACE = 5.0
STOP_CUT_OFF = 8.0
MAX_LOGGED_CHANGES = 50  # plan changes logged one by one after a reload; the rest counted
# How long a worker may hold a ward's planning lease: far above one ward's planning (tenths
# of a second), short enough that a dead worker's wards are planned by another soon.
PLAN_LEASE_SECONDS = 300.0
# New or edited plan files a service start reads before it answers; more are read in chunks
# while it answers (a plan takes ~10 ms to read and check: 3,000 would hold the first answer
# for half a minute), each chunk's wards served as soon as they are checked.
READ_BEFORE_SERVING = 20
READ_CHUNK = 20


async def open_context(
    settings: Settings,
    clock: Clock,
    *,
    announce: Callable[[str], None] | None = None,
    ward: str | None = None,
    one_ward: bool = False,
    plan_first: bool = True,
) -> AppContext:
    """Load the plans and the calendar, upgrade the schema and sync every ward's plan into
    the database. `one_ward` (the command line): only the ward `ward` names — or the only
    one — is opened and synced; WardError when that is not one ward. Without `plan_first`
    (the service) the wards are served at once and planned afterwards by the Ticker, ward
    by ward between answers: a restart with thousands of wards answers within seconds; more
    than READ_BEFORE_SERVING new or edited plan files are left to `ctx.reading`, which the
    service runs beside its answers (`serving_while_reading`)."""
    # Hashed before they are read: a file edited meanwhile shows a digest its rows do not have.
    digests = plan_digests(plan_files(settings.plan_path)) if plan_first or one_ward else {}
    wards = load_wards(settings.plan_path) if plan_first or one_ward else []
    if one_ward:
        wards = [pick_ward(wards, ward)]
    calendar = load_calendar(settings.calendar_path, settings.hours(), settings.zone())
    db = Database(settings.database_url)
    try:
        await db.upgrade()
        now = clock.now()
        served, reading = await _serve_or_defer(db, settings) if not wards else ([], None)
        for w in wards:
            # One transaction per ward: a big ward holds no lock over the others' sync.
            async with db.session() as s, s.begin():
                result = await plan_one_ward(s, settings, w, calendar, now)
                if (sha := digests.get(w.path)) is not None:
                    await record_plan_sha(s, w.key, sha)
            served.append(ServedWard(result.ward_id, w.key, w.path, w.plan))
            if announce:
                where = f" ({w.plan.ward})" if len(wards) > 1 else ""
                for change in result.changes:
                    announce(texts_operator.plan_changed(where, plan_change(change)))
    except BaseException:
        await db.dispose()
        raise
    first = min(served, key=lambda w: w.key)
    ctx = AppContext(
        db=db,
        settings=settings,
        plan=first.plan,
        calendar=calendar,
        clock=clock,
        ward_id=first.ward_id,
        wards={w.ward_id: w for w in served},
    )
    if reading is not None:
        ctx.reading = PlanReading(len(reading.files), lambda: read_rest(ctx, reading))
    return ctx


async def _serve_or_defer(db: Database, settings: Settings) -> tuple[list[ServedWard], Unread | None]:
    """The wards served at the start, and the plan files left to read once the service
    answers (None: all read now). A few files are read at once, as are all when a row is
    still under the legacy key (claim_ward moves it by the first ward read, in file order);
    with none served from its row, the first file is read so the service has a ward."""
    unread = await served_by_digest(db, settings)
    if len(unread.files) > READ_BEFORE_SERVING:
        async with db.session() as s:
            legacy = bool(await ward_ids_by_key(s, [settings.ward]))
        if not legacy:
            now = unread.files[: 0 if unread.served else 1]
            served = unread.served + await serve_read(db, settings, unread, _read_plans(now), legacy=False)
            return served, Unread(unread.files[len(now) :], unread.digests, unread.served, unread.read)
    return unread.served + await serve_read(db, settings, unread, _read_plans(unread.files)), None


async def plan_one_ward(
    s: AsyncSession, settings: Settings, w: WardPlan, calendar: WorkingCalendar, now: datetime
) -> PlanningResult:
    """Claim the ward's identity (WardError when the database holds another plan under it),
    sync its plan and queue its coming reminders, in the caller's transaction."""
    other = await claim_ward(s, w.key, w.plan.ward, w.plan.code, w.plan.issued, legacy_key=settings.ward)
    if other is not None:
        raise _other_plan(other, w)
    result = await plan_ward(
        s,
        w.key,
        w.plan,
        calendar,
        now,
        ahead_days=settings.plan_ahead_days,
        stale_after=timedelta(hours=settings.stale_after_hours),
        blocked_notice=blocked_notice,
    )
    await mark_issued(s, w.key, w.plan.issued)
    return result


def _other_plan(other: OtherPlan, w: WardPlan) -> WardError:
    return WardError(
        texts_wards.OTHER_PLAN_IN_DB.format(
            key=other.key,
            code=other.plan_code,
            ward=other.ward_name,
            old_issued=vn_date(other.issued),
            path=w.path,
            issued=vn_date(w.plan.issued),
        )
    )


@dataclass
class Unread:
    """What a start found to read: plan files whose bytes are not those a ward was last
    served from, their digests, and the wards served from their rows (whose plans are read
    when needed: only an identity clash with a file read makes that happen here)."""

    files: list[Path]
    digests: dict[Path, str]
    served: list[ServedWard]
    read: dict[str, WardPlan] = field(default_factory=dict)  # wards read so far, by key


async def serve_unplanned(db: Database, settings: Settings) -> list[ServedWard]:
    """Every ward served without planning it, and without reading its plan when the file's
    bytes are those the ward was last served from (by SHA-256, `wards.plan_sha`): its plan
    is read when first needed. Other files are read and checked as `load_wards` does, their
    rows found or made in one transaction with the identity checks of `plan_one_ward`
    (WardError for a row holding another plan). A database still keeping its ward under the
    legacy key goes through `claim_ward` ward by ward first, which moves that row."""
    unread = await served_by_digest(db, settings)
    return unread.served + await serve_read(db, settings, unread, _read_plans(unread.files))


async def served_by_digest(db: Database, settings: Settings) -> Unread:
    """The wards served from their rows (the file's bytes unchanged) and the files left to read."""
    files = plan_files(settings.plan_path)
    if not files:
        raise WardError(texts_wards.NO_PLAN_FILES.format(path=settings.plan_path))
    digests = plan_digests(files)  # an unreadable file is read below, which says why
    # Two files with the same bytes are one identity twice: read, so check_distinct says so.
    twice = {d for d, n in Counter(digests.values()).items() if n > 1}
    async with db.session() as s:
        known = await wards_by_sha(s, [d for d in set(digests.values()) if d not in twice])
    served = [ServedWard(*known[digests[f]], f) for f in files if digests.get(f) in known]
    return Unread([f for f in files if digests.get(f) not in known], digests, served)


async def serve_read(
    db: Database, settings: Settings, unread: Unread, plans: list[tuple[Path, Plan]], *, legacy: bool | None = None
) -> list[ServedWard]:
    """Serve plans read from `unread.files` (all of them, or the next chunk): checked against
    every ward served or read so far, rows found or made. `legacy` False: known to have no
    row under the legacy key."""
    wards = [WardPlan(ward_key(p), f, p) for f, p in plans]
    by_sha = {w.key: w for w in unread.served}
    for w in wards:
        if (first := unread.read.get(w.key)) is not None:
            check_distinct([first, w])
        if (same := by_sha.get(w.key)) is not None:
            check_distinct([WardPlan(same.key, same.path, same.plan), w])
        unread.read[w.key] = w
    keys = set(unread.read) | set(by_sha)
    if wards and settings.ward not in keys and legacy is not False:
        async with db.session() as s:
            legacy = bool(await ward_ids_by_key(s, [settings.ward]))
        for w in wards if legacy else []:
            async with db.session() as s, s.begin():
                other = await claim_ward(s, w.key, w.plan.ward, w.plan.code, w.plan.issued, legacy_key=settings.ward)
            if other is not None:
                raise _other_plan(other, w)
    async with db.session() as s, s.begin():
        rows = await serve_wards(
            s,
            [(w.key, w.plan.ward, w.plan.code, w.plan.issued) for w in wards],
            {w.key: unread.digests[w.path] for w in wards if w.path in unread.digests},
        )
    served = []
    for w in wards:
        found = rows[w.key]
        if isinstance(found, OtherPlan):
            raise _other_plan(found, w)
        served.append(ServedWard(found, w.key, w.path, w.plan))
    return served


async def read_rest(ctx: AppContext, unread: Unread) -> None:
    """Read and serve the plan files the service started without, a chunk at a time on a
    worker thread (the conversation keeps the event loop), with every check a start makes
    (WardError, PlanError: the caller ends the service as a refused start does). Each chunk's
    wards are served as soon as they are checked, and whoever waits for them is woken."""
    reading = ctx.reading
    assert reading is not None
    files = unread.files
    for n in range(0, len(files), READ_CHUNK):
        chunk = files[n : n + READ_CHUNK]
        plans = await asyncio.to_thread(_read_plans, chunk)
        for ward in await serve_read(ctx.db, ctx.settings, unread, plans, legacy=False):
            ctx.serve(ward)
        if n + READ_CHUNK < len(files):
            reading.advanced()
    first = ctx.served()[0]
    ctx.ward_id, ctx.plan = first.ward_id, first.plan  # the first ward by key, as a start gives
    reading.advanced(done=True)
    log.warning("%d new or edited plan files read: %d wards served", len(files), len(ctx.wards))


def _read_plans(files: list[Path]) -> list[tuple[Path, Plan]]:
    return [(f, check_plan(f)) for f in files]


async def serving_while_reading(ctx: AppContext, stop: asyncio.Event, serve: Awaitable[object]) -> None:
    """Run `serve` (which ends when `stop` is set) while `ctx.reading` reads the plan files
    left; a refusal the reading finds sets `stop` and is raised once `serve` has ended, as
    a refused start is."""
    from bot.app.memory import release_after_start

    if ctx.reading is None or ctx.reading.done:
        release = asyncio.create_task(release_after_start(None), name="release-memory")
        try:
            await serve
        finally:
            await _cancelled(release)
        return
    work = ctx.reading.work
    failed: list[BaseException] = []

    async def read() -> None:
        try:
            await work()
        except Exception as exc:
            failed.append(exc)
            stop.set()

    reading = asyncio.create_task(read(), name="plan-reading")
    release = asyncio.create_task(release_after_start(reading), name="release-memory")
    try:
        await serve
    finally:
        await _cancelled(release)
        await _cancelled(reading)
    if failed:
        raise failed[0]


async def _cancelled(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def unit_reminds_deputies(ctx: AppContext, ward_id: int, unit_code: str) -> bool:
    """The plan's remind_deputies for one unit of a ward."""
    unit = ctx.plan_of(ward_id).units.get(unit_code)
    return unit is not None and unit.remind_deputies


def head_title(ctx: AppContext, ward_id: int, unit_code: str, unit_name: str) -> str:
    """The title of a unit's head in its own ward's plan (derived from the name for a ward no
    longer served)."""
    try:
        return ctx.plan_of(ward_id).head_title(unit_code, unit_name)
    except LookupError:
        return derive_head_title(unit_name)


def make_dispatcher(ctx: AppContext, channels: dict[str, Channel]) -> Dispatcher:
    from bot.texts.reminders import ReminderRenderer
    from scheduler.dispatcher import Dispatcher, DispatcherConfig

    s = ctx.settings
    return Dispatcher(
        db=ctx.db,
        channels=channels,
        renderer=ReminderRenderer(
            ctx.calendar, titles=lambda ward_id, code, name: head_title(ctx, ward_id, code, name)
        ),
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
    """APScheduler only ticks: each tick re-plans each ward whose bot day changed (or every
    few minutes, or whose plan file was edited) and drains the outbox of every ward. The
    database stays the schedule."""

    ctx: AppContext
    dispatcher: Dispatcher
    _planned: dict[int, tuple[date, float]] = field(default_factory=dict)  # ward → (day, loop time)
    _mtimes: dict[Path, float] | None = None  # plan files as last seen
    _dirty: set[int] = field(default_factory=set)  # wards whose plan was reloaded
    _new: dict[Path, WardPlan] = field(default_factory=dict)  # plan files not yet served
    _refused: set[Path] = field(default_factory=set)  # files refused for another's identity
    # Edits of a served ward, compared with the database before they are served (_apply_edits);
    # those held back by "same id, different work", with the digest the office may confirm.
    _edited: dict[int, ServedWard] = field(default_factory=dict)
    _held: dict[int, tuple[ServedWard, str]] = field(default_factory=dict)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _dispatching: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Set when a reply was queued or an answer handed over: the dispatcher acts at once
    # instead of at the next tick.
    woken: asyncio.Event = field(default_factory=asyncio.Event)
    # Set by `wake` (rows queued for a claim), not by `hand_over`: an answer handed over is
    # sent without the outbox being checked after it, a query that would compete with the
    # next message (issue 26); whatever else its turn queued wakes a claim through `wake`.
    _due: bool = False
    # Answers the conversation wrote claimed by this dispatcher, committed, not yet sent
    # (scheduler/dispatcher/direct.py): reminder id → its send, and until when it is ours.
    _handed: dict[int, tuple[list[Delivery], datetime]] = field(default_factory=dict)
    periodic: PeriodicWork | None = None  # the first ward's cycles' sweep and report-due, digest
    periodics: dict[int, PeriodicWork] = field(default_factory=dict)  # every ward's
    last_tick: datetime | None = None  # when the last tick completed (bot.app.health reads it)
    leased_elsewhere: int = 0  # wards skipped because another worker held their planning lease

    def __post_init__(self) -> None:
        from bot.app.periodic import PeriodicWork

        self.ctx.wake = self.wake
        self.periodic = self.periodic or PeriodicWork(self.ctx, ward=self.ctx.ward_id)
        self.periodics[self.ctx.ward_id] = self.periodic

    async def _reload_plans_if_edited(self) -> bool:
        """The office may add, edit or remove plan files while the bot runs: a valid edit is
        picked up at the next tick. An edit that fails any check `nhacviec check` makes (the
        file's own rules, then each task's reminder policy against the office hours), or
        whose ward and number another served plan has, is logged and the running plan stays;
        so does one the loader trips over in a way nobody foresaw, since a tick that raises
        here would stop planning for good. A removed file (in a folder of plans) stops its
        ward; a lone plan file that vanished is kept running, as a half-saved edit may."""
        path = self.ctx.settings.plan_path
        try:
            files = {f: f.stat().st_mtime for f in plan_files(path)}
        except OSError:
            return False
        if self._mtimes is None:
            self._mtimes = files
            return False
        if self.ctx.reading is not None and not self.ctx.reading.done:
            # Files still being read after the start are served by that reading. An edit
            # seen now is reloaded once it is done (the mtimes are kept until then): read
            # here too, a file could be served twice, the older read last.
            return False
        changed = False
        by_path = {w.path: w for w in self.ctx.served()}
        for gone in set(self._mtimes) - set(files):
            self._new.pop(gone, None)
            if (ward := by_path.get(gone)) is not None:
                self.ctx.stop_serving(ward.ward_id)
                self.periodics.pop(ward.ward_id, None)
                log.warning("plan %s removed: ward %s is no longer served", gone, ward.key)
                changed = True
        if set(self._mtimes) - set(files):
            # A file refused for its identity may be the one left now: look at it again.
            for refused in self._refused:
                self._mtimes.pop(refused, None)
            self._refused.clear()
        for f, mtime in files.items():
            if self._mtimes.get(f) == mtime:
                continue
            self._mtimes[f] = mtime
            changed |= await self._reload(f, by_path.get(f))
        self._mtimes = {f: m for f, m in self._mtimes.items() if f in files}
        return changed

    async def _reload(self, path: Path, running: ServedWard | None) -> bool:
        try:
            # Reading a big plan takes seconds of pure Python (a 9,999-task file: ~20 s on a
            # busy 2-core machine): on a worker thread, so chat answers do not wait for it.
            plan = await asyncio.to_thread(check_plan, path, self.ctx.calendar)
        except PlanError as exc:
            log.error("the edited plan is invalid; keeping the running one:\n%s", exc)
            return False
        except Exception:
            log.exception("the edited plan could not be loaded; keeping the running one")
            return False
        w = WardPlan(ward_key(plan), path, plan)
        others = [o.path for o in self.ctx.served() if o.key == w.key and o.path != path]
        others += [p for p, n in self._new.items() if n.key == w.key and p != path]
        if others:
            same = texts_wards.SAME_IDENTITY.format(
                first=others[0].name, second=path.name, ward=plan.ward, code=plan.code
            )
            log.error("plan %s refused; keeping the running one: %s", path, same)
            self._refused.add(path)
            return False
        if running is not None and running.key == w.key and plan.issued != running.plan.issued:
            # The same ward and number issued another day is another plan (numbers restart
            # every year): it would replace this one's tasks, as claim_ward refuses at start.
            log.error(
                "plan %s refused; keeping the running one: issued %s, the running plan %s",
                path,
                plan.issued,
                running.plan.issued,
            )
            return False
        if running is not None and running.key == w.key:
            # Served once compared with the database (_apply_edits): a task whose id now holds
            # other work keeps the running plan until the office says so.
            self._held.pop(running.ward_id, None)
            self._edited[running.ward_id] = ServedWard(running.ward_id, w.key, path, plan)
            return True
        if running is not None:  # another ward and number now: the old ward stops
            self.ctx.stop_serving(running.ward_id)
            self.periodics.pop(running.ward_id, None)
        self._new[path] = w
        log.warning("plan %s added (ward %s)", path, w.key)
        return True

    async def plan_if_due(self) -> None:
        from bot.app.periodic import PeriodicWork

        now = self.ctx.now()
        today = self.ctx.calendar.local_date(now)
        loop = asyncio.get_running_loop()
        await self._reload_plans_if_edited()
        await self._apply_edits(now)
        started = loop.time()
        for n, (path, w) in enumerate(list(self._new.items())):
            if n and loop.time() - started > PLAN_BUDGET_SECONDS:
                return
            self._new.pop(path)
            try:

                async def first_plan(session: AsyncSession, w: WardPlan = w) -> PlanningResult:
                    return await plan_one_ward(session, self.ctx.settings, w, self.ctx.calendar, now)

                result = await in_worker_transaction(self.ctx.db, first_plan)
            except WardError as exc:
                log.error("plan %s refused: %s", path, exc)
                continue
            self.ctx.serve(ServedWard(result.ward_id, w.key, path, w.plan))
            self.periodics.setdefault(result.ward_id, PeriodicWork(self.ctx, ward=result.ward_id))
            self._planned[result.ward_id] = (today, loop.time())
            log.warning("ward %s served from %s", w.key, path)
        # The least recently planned first: wards a tick's budget left over go first next time.
        due: list[ServedWard] = [
            w
            for w in self.ctx.served()
            if w.ward_id in self._dirty
            or self._planned.get(w.ward_id, (None, 0.0))[0] != today
            or loop.time() - self._planned[w.ward_id][1] >= REPLAN_EVERY.total_seconds()
        ]
        due.sort(key=lambda w: self._planned.get(w.ward_id, (None, 0.0))[1])
        for n, ward in enumerate(due):
            if n and loop.time() - started > PLAN_BUDGET_SECONDS:
                break  # at least one ward a tick: a tiny budget slows planning, never stops it
            await self._plan(ward, now, today)
            await asyncio.sleep(0)  # let the conversation in between two wards

    async def _apply_edits(self, now: datetime) -> None:
        """Serve each edited plan unless, compared with the database the way the sync will
        match its tasks (scheduler/plan/compare.py), a task keeps its id for clearly other
        work: then the running plan stays, the office is told once in Vietnamese, and the edit
        waits for `nhacviec check --against --confirm` (re-read at each tick) or a new edit
        in which the ids say what is what."""
        for ward_id, (edited, digest) in list(self._held.items()):
            async with self.ctx.db.read() as s:
                if await confirmed_digest(s, ward_id) == digest:
                    del self._held[ward_id]
                    self._edited[ward_id] = edited
        for ward_id, edited in list(self._edited.items()):
            del self._edited[ward_id]
            if ward_id not in {w.ward_id for w in self.ctx.served()}:
                continue  # stopped meanwhile
            try:
                async with self.ctx.db.session() as s, s.begin():
                    running = await running_plan(s, ward_id)
                    diff = compare_plan(edited.plan, running)
                    if running is not None and diff.held_back(running.confirmed):
                        body = other_work_notice(diff, edited.plan.ward, edited.plan.code, edited.path.name)
                        await notify_office(s, ward_id, f"plan-other-work:{diff.digest[:24]}", body, now)
                        self._held[ward_id] = (edited, diff.digest)
                        log.error(
                            "plan %s held back: %d task(s) keep their id for other work; keeping the running plan",
                            edited.path,
                            len(diff.other_work),
                        )
                        continue
            except Exception:
                log.exception("the edited plan %s could not be compared; keeping the running one", edited.path)
                continue
            self.ctx.serve(edited)
            self._dirty.add(ward_id)
            log.warning("plan %s reloaded", edited.path)

    async def plan_now(self, ward_id: int) -> None:
        """Plan one served ward at once (the console acts in it before the first tick)."""
        now = self.ctx.now()
        await self._plan(self.ctx.wards[ward_id], now, self.ctx.calendar.local_date(now))

    async def _plan(self, w: ServedWard, now: datetime, today: date) -> None:
        """Plan one ward under its lease: a ward another worker is planning is left to it
        (this worker comes back to it at a later tick, when a re-plan finds the work done
        and stops after one read), so N workers share the wards instead of each planning all."""
        s = self.ctx.settings
        worker = self.dispatcher.config.worker
        async with self.ctx.db.session() as session, session.begin():
            if not await take_planning_lease(session, w.ward_id, worker, now, PLAN_LEASE_SECONDS):
                self.leased_elsewhere += 1
                return

        async def plan(session: AsyncSession) -> PlanningResult:
            planned = await plan_ward(
                session,
                w.key,
                w.plan,
                self.ctx.calendar,
                now,
                ahead_days=s.plan_ahead_days,
                stale_after=timedelta(hours=s.stale_after_hours),
                blocked_notice=blocked_notice,
            )
            await release_planning_lease(session, w.ward_id, worker)
            return planned

        try:
            # Syncing a big plan builds tens of thousands of rows: on a worker thread with its
            # own engine, so the conversation and the outbox keep the event loop.
            result = await in_worker_transaction(self.ctx.db, plan)
        except BaseException:
            with contextlib.suppress(Exception):
                async with self.ctx.db.session() as session, session.begin():
                    await release_planning_lease(session, w.ward_id, worker)
            raise
        for change in result.changes[:MAX_LOGGED_CHANGES]:
            log.warning("plan change (%s): %s", w.key, plan_change(change))
        if len(result.changes) > MAX_LOGGED_CHANGES:
            # A plan grown by thousands of tasks: ten thousand lines would help nobody.
            log.warning("plan change (%s): and %d more", w.key, len(result.changes) - MAX_LOGGED_CHANGES)
        if result.inserted:
            log.info("planned %d new reminders for %s", result.inserted, w.key)
        self._dirty.discard(w.ward_id)
        self._planned[w.ward_id] = (today, asyncio.get_running_loop().time())

    async def run_periodic(self) -> None:
        """Every ward's cycles and digest, within the tick's budget: a ward checked less than
        a minute ago returns at once, so wards a Monday morning's digests left over are
        reached at the next ticks."""
        from bot.app.periodic import PeriodicWork

        loop = asyncio.get_running_loop()
        started = loop.time()
        for n, w in enumerate(self.ctx.served()):
            if n and loop.time() - started > PLAN_BUDGET_SECONDS:
                break
            work = self.periodics.setdefault(w.ward_id, PeriodicWork(self.ctx, ward=w.ward_id))
            await work.run()

    async def shutdown(self, grace: float = STOP_GRACE, cut_off: float = STOP_CUT_OFF) -> None:
        """Let the tick in progress finish its batch (so what was sent is recorded) for
        `grace` seconds; then cut off the sends still on the wire (a hung API), which are
        recorded as unknown outcome with their rows given back, and wait `cut_off` more.
        Answers handed over and not yet sent are given back too (sent at the next start)."""
        self.dispatcher.stopping = True
        self.woken.set()
        if not await self._idle_within(grace):
            log.warning("the batch in hand did not finish within %.0f s; cutting off the sends on the wire", grace)
            self.dispatcher.hurry()
            if not await self._idle_within(cut_off):
                log.warning("the last dispatch batch did not finish %.0f s after the cut-off", cut_off)
                return
        if self._handed:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(cut_off), self._dispatching:
                    await self._send_handed()

    async def _idle_within(self, seconds: float) -> bool:
        try:
            async with asyncio.timeout(seconds), self._lock, self._dispatching:
                return True
        except TimeoutError:
            return False

    async def tick(self) -> None:
        if self._lock.locked() or self.dispatcher.stopping:
            return
        async with self._lock:
            try:
                await self.plan_if_due()
                await self.run_periodic()
                await self.dispatch()
                self.last_tick = self.ctx.now()
            except Exception:
                log.exception("tick failed; the next tick retries")

    async def dispatch(self, *, claim: bool = True) -> None:
        """Send the answers handed over, then (`claim`) drain the outbox's due rows."""
        async with self._dispatching:
            await self._send_handed()
            if claim and not self.dispatcher.stopping:
                await self.dispatcher.tick()

    def wake(self) -> None:
        """AppContext.wake: rows were queued, the dispatcher claims them at once."""
        self._due = True
        self.woken.set()

    async def _send_handed(self) -> None:
        """Send the answers handed over (once stopping, give them back: their attempts
        deleted, their rows pending for the next start)."""
        if self._handed:
            handed, self._handed = self._handed, {}
            # One batch, held until its earliest lease: an answer that waited behind a long
            # batch has its lease renewed before it is sent (scheduler.dispatcher.lease).
            until = min(until for _, until in handed.values())
            await self.dispatcher.send_claimed({rid: sends for rid, (sends, _) in handed.items()}, until)

    def lease(self, channel: str, now: datetime) -> tuple[str, datetime] | None:
        """bot.context.ReplySender: an answer on a channel this dispatcher sends on is
        written claimed by it, for its lease."""
        if self.dispatcher.stopping or channel not in self.dispatcher.channels:
            return None
        return self.dispatcher.config.worker, now + timedelta(seconds=self.dispatcher.config.lease_seconds)

    def hand_over(self, reply: LeasedReply) -> None:
        """bot.context.ReplySender: send a committed answer written claimed, at once."""
        from scheduler.dispatcher import reply_delivery

        self._handed[reply.reminder_id] = ([reply_delivery(reply)], reply.locked_until)
        self.woken.set()

    async def serve_wakeups(self) -> None:
        """Drain the outbox whenever a reply is queued (`wake`). The event is cleared before
        the drain, so a reply queued during it triggers one more drain rather than waiting.
        While it runs, the conversation hands its answers over written claimed (sent first,
        without a claim and a decision of their own: scheduler/dispatcher/direct.py)."""
        self.ctx.replies = self
        try:
            while not self.dispatcher.stopping:
                await self.woken.wait()
                self.woken.clear()
                due, self._due = self._due, False
                try:
                    await self.dispatch(claim=due)
                except Exception:
                    log.exception("dispatch after a wake-up failed; the next tick retries")
        finally:
            if self.ctx.replies is self:
                self.ctx.replies = None


async def run_with_scheduler(ticker: Ticker, main: Awaitable[object], tick_seconds: float) -> None:
    ticks = asyncio.create_task(every(tick_seconds, ticker.tick), name="outbox-tick")
    wakeups = asyncio.create_task(ticker.serve_wakeups(), name="outbox-wakeups")
    # The first tick may drain a long backlog: it runs beside `main`, so a stop request
    # during it is honoured after the batch in hand rather than after the whole backlog.
    first = asyncio.create_task(ticker.tick(), name="first-tick")
    try:
        await main
    finally:
        # Ticks due meanwhile return at once (stopping); the one in progress is let finish.
        await ticker.shutdown()
        for task in (ticks, first, wakeups):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def every(seconds: float, work: Callable[[], Awaitable[None]]) -> None:
    """Run `work` every `seconds` on a fixed grid from now, until cancelled. A run still
    going when the next is due is not doubled, and the runs it overlapped are not made up:
    the next starts at the grid's next point. A run that fails is logged and the next is
    still run: the clock never stops. (APScheduler's interval job with max_instances=1 and
    coalesce=True did this; it cost a worker ~1.2 MiB and 35 modules, and a line "maximum
    number of running instances reached" for every overlapped run.)"""
    loop = asyncio.get_running_loop()
    due = loop.time() + seconds
    while True:
        await asyncio.sleep(due - loop.time())
        try:
            await work()
        except Exception:
            log.exception("a periodic run failed; the next runs as planned")
        due += seconds * max(1, math.ceil((loop.time() - due) / seconds))


async def first_of(*waits: Awaitable[object]) -> None:
    """Wait until the first of `waits` ends; cancel the others."""
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
