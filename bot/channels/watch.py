"""Is a channel still reading what people write? Polling can stop without the process
noticing (python-telegram-bot, which the service used until issue 26, ended getUpdates for
good on one 401: "Invalid token. Aborting retry loop"; our pollers retry, and a retry can
fail for ever); each poller reports here, and /healthz and the dead-man's switch
(bot/app/health.py) read it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

# A channel whose polling has failed (or not completed) for this long is reported.
INBOUND_STALE = timedelta(minutes=2)


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class InboundWatch:
    """One channel's polling: when it last read updates, since when it fails, and why."""

    channel: str
    started_at: datetime
    last_ok: datetime | None = None
    failing_since: datetime | None = None
    last_error: str | None = None
    # Called when reading works again after failing: a channel that reads again accepts its
    # token again, so its outbound pause can end at once (bot/app/messengers.py).
    recovered: list[Callable[[], None]] = field(default_factory=list)

    @classmethod
    def start(cls, channel: str) -> InboundWatch:
        return cls(channel, _utc_now())

    def ok(self) -> None:
        was_failing = self.failing_since is not None
        self.last_ok, self.failing_since, self.last_error = _utc_now(), None, None
        if was_failing:
            for callback in self.recovered:
                callback()

    def failed(self, error: str) -> None:
        self.failing_since = self.failing_since or _utc_now()
        self.last_error = error[:300]

    def stopped_since(self, now: datetime, stale: timedelta = INBOUND_STALE) -> datetime | None:
        """Since when updates stopped being read, when that is longer than `stale`; else None."""
        if self.failing_since is not None and now - self.failing_since >= stale:
            return self.failing_since
        return None
