"""Is the bot healthy? What `nhacviec status` prints, GET /healthz answers, and the
dead-man's switch that tells the office when nothing could be sent for a while.

The switch (as healthchecks.io does for cron jobs): it trips when some row has been due for
`deadman_minutes` without being sent and no send succeeded on any channel in that time. The
office is told once per outage, through the outbox (the key holds the time of the last
success before the outage, so several workers and every later check insert it once); the
log gets an error line at once, and /healthz answers 503 so a supervisor or a monitor sees it
even when no message can get out.

"The last tick" is the running process's own (in memory). `nhacviec status`, another
process, shows the last dispatcher activity recorded in the database instead: the last send
started or row closed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.channels.watch import INBOUND_STALE, InboundWatch
from bot.texts import operator as texts_operator
from store.db import Database
from store.enums import PersonRole, ReminderKind
from store.health import OutboxHealth, outbox_health, record_poll, stopped_polls
from store.outbox import insert_reminders, reminder_row
from store.queries import people_with_role
from store.versioning import SCHEMA_HEAD, app_version
from store.wards import all_ward_ids

if TYPE_CHECKING:
    from bot.app.service import Ticker
    from bot.context import AppContext

log = logging.getLogger(__name__)

FAILURE_WINDOW = timedelta(days=1)
# A poller's row in channel_polls counts while its worker wrote it this recently (the health
# loop writes it at every check, at most a minute apart).
POLL_REPORT_ALIVE = timedelta(minutes=5)
STATES = ("pending", "sending", "sent", "skipped", "dropped", "failed")


@dataclass(frozen=True)
class HealthReport:
    now: datetime
    threshold: timedelta
    outbox: OutboxHealth | None  # None: the ward has no rows in this database yet
    last_tick: datetime | None = None  # in-process only (GET /healthz)
    running_since: datetime | None = None
    problems: list[str] = field(default_factory=list)
    # Channels whose polling has not read updates for a while: name → (since, last error).
    inbound_stopped: dict[str, tuple[datetime, str | None]] = field(default_factory=dict)

    @property
    def tripped(self) -> bool:
        """The dead-man's switch: rows due for the threshold, nothing sent in that time."""
        o = self.outbox
        if o is None or o.oldest_unsent_due_at is None:
            return False
        limit = self.now - self.threshold
        return o.oldest_unsent_due_at <= limit and (o.last_ok_at is None or o.last_ok_at <= limit)

    @property
    def stalled(self) -> bool:
        """The running bot has not completed a tick for the threshold and sent nothing."""
        if self.running_since is None:
            return False
        limit = self.now - self.threshold
        last = self.last_tick or self.running_since
        last_ok = self.outbox.last_ok_at if self.outbox else None
        return last <= limit and (last_ok is None or last_ok <= limit)

    @property
    def healthy(self) -> bool:
        return not self.tripped and not self.stalled and not self.inbound_stopped

    @property
    def status(self) -> str:
        if self.tripped:
            return "deadman"
        return "stalled" if self.stalled else "inbound_stopped" if self.inbound_stopped else "ok"

    def outage_key(self) -> str:
        """Names this outage: the last success before it (0: nothing was ever sent)."""
        last_ok = self.outbox.last_ok_at if self.outbox else None
        return f"deadman:{int(last_ok.timestamp()) if last_ok else 0}"

    def to_json(self) -> dict[str, Any]:
        o = self.outbox
        return {
            "version": app_version(),
            "schema": SCHEMA_HEAD,
            "status": self.status,
            "healthy": self.healthy,
            "now": _iso(self.now),
            "deadman_minutes": self.threshold.total_seconds() / 60,
            "queue": {s: (o.by_state.get(s, 0) if o else 0) for s in STATES},
            "due_now": o.due_now if o else 0,
            "oldest_unsent_due_at": _iso(o.oldest_unsent_due_at if o else None),
            "last_tick": _iso(self.last_tick),
            "last_activity_at": _iso(o.last_activity_at if o else None),
            "last_ok": {c: _iso(t) for c, t in sorted((o.last_ok_by_channel if o else {}).items())},
            "failures_last_day": dict(sorted((o.failures_since if o else {}).items())),
            "failed_rows_last_day": o.failed_rows_since if o else 0,
            "inbound_stopped": {
                c: {"since": _iso(t), "error": e} for c, (t, e) in sorted(self.inbound_stopped.items())
            },
        }

    def text(self, zone: ZoneInfo) -> str:
        """The report in Vietnamese, times in the ward's zone."""
        o = self.outbox
        queue = ", ".join(f"{s} {o.by_state.get(s, 0) if o else 0}" for s in STATES)
        return texts_operator.health_text(
            self.status,
            o,
            self.threshold,
            queue,
            self.last_tick,
            self.running_since is not None,
            self.inbound_stopped,
            zone,
        )


def _iso(t: datetime | None) -> str | None:
    return t.isoformat() if t else None


def inbound_text(channel: str, since: datetime, error: str | None, zone: ZoneInfo) -> str:
    """The office notice when a channel stops reading what people write."""
    return texts_operator.inbound_text(channel, since, error, zone)


def deadman_text(report: HealthReport, zone: ZoneInfo) -> str:
    """The office notice when the switch trips."""
    return texts_operator.deadman_text(report.outbox, report.threshold, zone)


async def read_health(
    db: Database,
    ward_id: int | Collection[int] | None,
    now: datetime,
    threshold: timedelta,
    *,
    last_tick: datetime | None = None,
    running_since: datetime | None = None,
) -> HealthReport:
    async with db.read() as s:
        outbox = (
            await outbox_health(s, ward_id, now, now - FAILURE_WINDOW)
            if ward_id is not None and _any_ward(ward_id)
            else None
        )
    return HealthReport(now, threshold, outbox, last_tick, running_since)


def _any_ward(ward_id: int | Collection[int] | None) -> bool:
    return ward_id is not None and (isinstance(ward_id, int) or len(ward_id) > 0)


async def ward_health(db: Database, now: datetime, threshold: timedelta) -> HealthReport:
    """For `nhacviec status`: every ward the database keeps (one bot serves them all), read
    without changing anything; with the pollers the running bot reported as stopped."""
    async with db.read() as s:
        ward_ids = await all_ward_ids(s)
        stopped = await stopped_polls(s, now, INBOUND_STALE, POLL_REPORT_ALIVE)
    report = await read_health(db, ward_ids or None, now, threshold)
    report.inbound_stopped.update(stopped)
    return report


@dataclass
class HealthCheck:
    """The running bot's health: GET /healthz and the dead-man's switch."""

    ctx: AppContext
    ticker: Ticker | None = None
    running_since: datetime | None = None
    inbound: list[InboundWatch] = field(default_factory=list)  # the pollers' watches
    check_every: float = 60.0  # seconds between dead-man checks
    _alerted: set[str] = field(default_factory=set)
    _tripped: bool = False  # at the last check: a recovery is logged once

    def __post_init__(self) -> None:
        self.running_since = self.running_since or self.ctx.now()

    @property
    def threshold(self) -> timedelta:
        return timedelta(minutes=self.ctx.settings.deadman_minutes)

    async def report(self) -> HealthReport:
        report = await read_health(
            self.ctx.db,
            sorted(self.ctx.wards),
            self.ctx.now(),
            self.threshold,
            last_tick=self.ticker.last_tick if self.ticker else None,
            running_since=self.running_since,
        )
        # The pollers keep real time (the bot's clock may be shifted for a demo).
        real_now = datetime.now(UTC)
        for w in self.inbound:
            since = w.stopped_since(real_now)
            if since is not None:
                report.inbound_stopped[w.channel] = (since, w.last_error)
        return report

    async def http(self) -> tuple[int, dict[str, Any]]:
        report = await self.report()
        body = report.to_json()
        reading = self.ctx.reading
        if reading is not None and not reading.done:
            # Healthy meanwhile: it answers; the wards of the files left are served as read.
            body["plans_being_read"] = {"files": reading.files, "wards_served": len(self.ctx.wards)}
        return (200 if report.healthy else 503), body

    async def check(self) -> HealthReport:
        """One dead-man check: on a trip, an error line and an office notice, once per outage."""
        report = await self.report()
        await self._record_polls()
        await self._inbound_alerts(report)
        if not report.tripped:
            if self._tripped:
                self._tripped = False
                o = report.outbox
                log.warning(
                    "dead-man's switch: sending recovered (last successful send: %s)", _iso(o.last_ok_at if o else None)
                )
            return report
        self._tripped = True
        key = report.outage_key()
        if key in self._alerted:
            return report
        self._alerted.add(key)
        o = report.outbox
        log.error(
            "dead-man's switch: rows due since %s not sent, no successful send for over %s (last: %s)",
            _iso(o.oldest_unsent_due_at if o else None),
            report.threshold,
            _iso(o.last_ok_at if o else None),
        )
        body = deadman_text(report, self.ctx.settings.zone())
        now = self.ctx.now()
        async with self.ctx.db.session() as s, s.begin():
            # Every ward's office hears: the outage stops the reminders of all of them.
            rows = [
                reminder_row(ward_id, f"{key}:p{p.id}", ReminderKind.NOTICE, now, now, person_id=p.id, body=body)
                for ward_id in sorted(self.ctx.wards)
                for p in await people_with_role(s, ward_id, (PersonRole.OFFICE,))
            ]
            inserted = await insert_reminders(s, rows)
        if inserted:
            self.ctx.wake()
        return report

    async def _record_polls(self) -> None:
        """Tell `nhacviec status` (another process) how this worker's pollers are doing."""
        if not self.inbound:
            return
        from bot.app.service import worker_name

        now = datetime.now(UTC)
        async with self.ctx.db.session() as s, s.begin():
            for w in self.inbound:
                await record_poll(s, w.channel, worker_name(), w.last_ok, w.failing_since, w.last_error, now)

    async def _inbound_alerts(self, report: HealthReport) -> None:
        """A channel that stopped reading updates: an error line and an office notice, once
        per outage (keyed by when it began)."""
        for channel, (since, error) in sorted(report.inbound_stopped.items()):
            key = f"inbound:{channel}:{int(since.timestamp())}"
            if key in self._alerted:
                continue
            self._alerted.add(key)
            log.error("%s has not read incoming messages since %s (%s); still retrying", channel, _iso(since), error)
            body = inbound_text(channel, since, error, self.ctx.settings.zone())
            now = self.ctx.now()
            async with self.ctx.db.session() as s, s.begin():
                rows = [
                    reminder_row(ward_id, f"{key}:p{p.id}", ReminderKind.NOTICE, now, now, person_id=p.id, body=body)
                    for ward_id in sorted(self.ctx.wards)
                    for p in await people_with_role(s, ward_id, (PersonRole.OFFICE,))
                ]
                inserted = await insert_reminders(s, rows)
            if inserted:
                self.ctx.wake()

    async def watch(self, stop: asyncio.Event) -> None:
        """Check every `check_every` seconds until `stop`; a failed check is logged only."""
        every = min(self.check_every, max(self.threshold.total_seconds() / 2, 1.0))
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), every)
                return
            except TimeoutError:
                pass
            try:
                await self.check()
            except Exception as exc:
                log.warning("dead-man check failed (%s); retried in %.0f s", type(exc).__name__, every)
