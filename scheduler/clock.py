"""The bot's clock. Only the app wiring reads real time; everything else gets `now`."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class ShiftedClock:
    """Starts at `start` and runs `speed` times faster than real time (for `run --now`)."""

    start: datetime
    speed: float = 1.0
    _origin: float = field(default_factory=time.monotonic)

    def now(self) -> datetime:
        elapsed = (time.monotonic() - self._origin) * self.speed
        return self.start.astimezone(UTC) + timedelta(seconds=elapsed)

    def restart(self) -> None:
        """Start counting from `start` again (the demo waits for the newcomer to pick a unit)."""
        self._origin = time.monotonic()


@dataclass
class ManualClock:
    """A clock tests move by hand."""

    current: datetime

    def now(self) -> datetime:
        return self.current

    def advance(self, **kwargs: float) -> None:
        self.current += timedelta(**kwargs)
