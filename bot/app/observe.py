"""What the running bot shows an operator: a log line for each kind of failing send and for
its recovery, and the Prometheus metrics served at GET /metrics.

The dispatcher is not changed for it: each channel is wrapped (`ObservedSender`) before the
dispatcher gets it, and the queue is read from the database at each scrape.

Log lines are rate-limited per channel and class of failure: the first failure of a class is
logged at once, then at most one summary line a minute while it goes on ("57 more in the
last 60 s"), then one line when a send succeeds again. Without it the first sign of a
failing channel was the dead-man's switch, 30 minutes later.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from bot.app.health import STATES, HealthReport
from bot.messages import ChannelError, DeliveryResult, OutboundMessage
from scheduler.delivery import Sender
from store.versioning import SCHEMA_HEAD, app_version

log = logging.getLogger("nhacviec.sends")

LOG_EVERY = 60.0  # seconds between two lines about one ongoing failure


class Metrics:
    """One process's metrics, in a registry of its own (a test may build several). Made only
    where /metrics is served: a polling worker without the health server never loads
    prometheus_client (with wsgiref and the http.server it imports, ≈ 0.7 MiB idle)."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.registry = CollectorRegistry()
        r = self.registry
        self.sends = Counter(
            "nhacviec_sends", "Messages handed to a channel, by outcome", ["channel", "outcome"], registry=r
        )
        self.failures = Counter(
            "nhacviec_send_failures", "Failed sends by channel and error scope", ["channel", "scope"], registry=r
        )
        self.rate_limited = Counter("nhacviec_rate_limited", "429 answers (flood control)", ["channel"], registry=r)
        self.latency = Histogram(
            "nhacviec_send_seconds",
            "Time of one send, the channel's pacing included",
            ["channel"],
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=r,
        )
        self.queue = Gauge("nhacviec_outbox_rows", "Outbox rows by state", ["state"], registry=r)
        self.due_now = Gauge("nhacviec_outbox_due_now", "Rows due and not yet sent", registry=r)
        self.oldest_due = Gauge(
            "nhacviec_outbox_oldest_unsent_due_timestamp_seconds",
            "Due time of the oldest unsent row (0: none)",
            registry=r,
        )
        self.last_tick = Gauge(
            "nhacviec_last_tick_timestamp_seconds", "When the last dispatcher tick ended", registry=r
        )
        self.healthy = Gauge("nhacviec_healthy", "1 while /healthz answers 200", registry=r)
        info = Gauge("nhacviec_info", "The running release", ["version", "schema"], registry=r)
        info.labels(app_version(), SCHEMA_HEAD).set(1)

    def observe_health(self, report: HealthReport) -> None:
        o = report.outbox
        for state in STATES:
            self.queue.labels(state).set(o.by_state.get(state, 0) if o else 0)
        self.due_now.set(o.due_now if o else 0)
        self.oldest_due.set(o.oldest_unsent_due_at.timestamp() if o and o.oldest_unsent_due_at else 0)
        self.last_tick.set(report.last_tick.timestamp() if report.last_tick else 0)
        self.healthy.set(1 if report.healthy else 0)

    def exposition(self) -> bytes:
        from prometheus_client import generate_latest

        return generate_latest(self.registry)


@dataclass
class _Trouble:
    """One ongoing class of failure on one channel."""

    since: float
    count: int = 0
    unlogged: int = 0
    logged_at: float = 0.0
    last_error: str = ""


@dataclass
class FailureLog:
    """Rate-limited log lines about failing sends, and their recovery."""

    every: float = LOG_EVERY
    clock: Callable[[], float] = time.monotonic
    _trouble: dict[tuple[str, str], _Trouble] = field(default_factory=dict)

    def failed(self, channel: str, kind: str, error: str) -> None:
        now = self.clock()
        t = self._trouble.get((channel, kind))
        if t is None:
            t = self._trouble[(channel, kind)] = _Trouble(since=now)
            t.count, t.logged_at, t.last_error = 1, now, error
            log.warning("%s: send failed (%s): %s", channel, kind, error)
            return
        t.count += 1
        t.unlogged += 1
        t.last_error = error
        if now - t.logged_at >= self.every:
            log.warning(
                "%s: %d more sends failed (%s) in the last %.0f s; last error: %s",
                channel,
                t.unlogged,
                kind,
                now - t.logged_at,
                error,
            )
            t.unlogged, t.logged_at = 0, now

    def succeeded(self, channel: str) -> None:
        for key in [k for k in self._trouble if k[0] == channel]:
            t = self._trouble.pop(key)
            log.warning(
                "%s: sending recovered after %d failed sends (%s) over %.0f s",
                channel,
                t.count,
                key[1],
                self.clock() - t.since,
            )


def failure_kind(exc: ChannelError) -> str:
    """The class a failed send is logged and counted under."""
    if exc.retry_after is not None:
        return "rate_limited"
    if exc.unknown_outcome:
        return "unknown_outcome"
    return str(exc.scope)


class ObservedSender:
    """A channel as the dispatcher sees it, with every send timed, counted and its failures
    logged. Everything else is the wrapped channel's."""

    def __init__(self, inner: Sender, metrics: Metrics | None, failures: FailureLog) -> None:
        self.inner = inner
        self.metrics = metrics
        self.failures = failures
        self.name = inner.name
        self.supports_buttons = inner.supports_buttons

    def __getattr__(self, attr: str) -> Any:
        return getattr(self.inner, attr)

    async def send(self, chat_id: str, message: OutboundMessage) -> DeliveryResult:
        channel = self.inner.name
        started = time.perf_counter()
        try:
            result = await self.inner.send(chat_id, message)
        except ChannelError as exc:
            kind = failure_kind(exc)
            self._count(channel, kind, started, scope=str(exc.scope), limited=exc.retry_after is not None)
            self.failures.failed(channel, kind, str(exc)[:300])
            raise
        except Exception as exc:
            self._count(channel, "error", started, scope="error")
            self.failures.failed(channel, "error", f"{type(exc).__name__}: {str(exc)[:300]}")
            raise
        self._count(channel, "ok", started)
        self.failures.succeeded(channel)
        return result

    def _count(self, channel: str, outcome: str, started: float, *, scope: str = "", limited: bool = False) -> None:
        if self.metrics is None:
            return
        self.metrics.sends.labels(channel, outcome).inc()
        self.metrics.latency.labels(channel).observe(time.perf_counter() - started)
        if scope:
            self.metrics.failures.labels(channel, scope).inc()
        if limited:
            self.metrics.rate_limited.labels(channel).inc()


def observed(channels: dict[str, Sender], metrics: Metrics | None) -> dict[str, Sender]:
    """Every channel wrapped, sharing one rate-limited failure log."""
    failures = FailureLog()
    return {name: ObservedSender(channel, metrics, failures) for name, channel in channels.items()}


MetricsSource = Callable[[], Coroutine[Any, Any, bytes]]


def metrics_source(metrics: Metrics, report: Callable[[], Awaitable[HealthReport]]) -> MetricsSource:
    """GET /metrics: the queue read from the database at each scrape, then every metric."""

    async def scrape() -> bytes:
        try:
            metrics.observe_health(await report())
        except Exception as exc:  # the database is down: the counters are still worth showing
            log.warning("metrics: the outbox could not be read (%s)", type(exc).__name__)
            metrics.healthy.set(0)
        return metrics.exposition()

    return scrape
