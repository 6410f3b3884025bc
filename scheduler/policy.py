"""Reminder policy: when to remind, per plan with per-task overrides."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import time

from scheduler.periods import Freq


@dataclass(frozen=True)
class ReminderPolicy:
    before_working_days: tuple[int, ...] = (10, 3)
    on_due: bool = True
    # Overdue nags back off: the first on the working day after the due day, the next ones
    # these many working days apart, the last gap repeating (3, 5, 10, 10, 10…). A unit that
    # has not answered after a week does not answer faster for being asked every third day.
    overdue_backoff_working_days: tuple[int, ...] = (3, 5, 10)
    # A fixed step between nags, for plans written before the back-off existed. When set it
    # wins over the back-off of the same level; a task that sets the back-off clears the
    # step it inherited from the plan.
    overdue_every_working_days: int | None = None
    # One escalation to leadership when a lead unit is still overdue this many working days
    # after the due day (once per task and unit, not once per period); 0 disables it.
    escalate_after_working_days: int = 5
    send_time: time = time(8, 0)
    checkin: Freq = "monthly"
    checkin_before_working_days: int = 3
    # Whether coordinating units are asked at every check-in of ongoing work too (a ward
    # may find monthly questions to every coordinating unit too chatty).
    checkin_coordinators: bool = True

    def overdue_gaps(self) -> Iterator[int]:
        """Working days between one overdue nag and the next, endless."""
        every = self.overdue_every_working_days
        gaps = (every,) if every else self.overdue_backoff_working_days or (10,)
        yield from gaps
        while True:
            yield gaps[-1]

    def merged(self, overrides: dict[str, object]) -> ReminderPolicy:
        clean = {k: v for k, v in overrides.items() if v is not None}
        if "before_working_days" in clean:
            clean["before_working_days"] = tuple(
                sorted(
                    {int(x) for x in clean["before_working_days"]},  # type: ignore[attr-defined]
                    reverse=True,
                )
            )
        if "overdue_backoff_working_days" in clean:
            clean["overdue_backoff_working_days"] = tuple(int(x) for x in clean["overdue_backoff_working_days"])  # type: ignore[attr-defined]
            clean.setdefault("overdue_every_working_days", None)
        return replace(self, **clean)  # type: ignore[arg-type]
