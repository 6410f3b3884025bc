"""Reminder policy: when to remind, per plan with per-task overrides."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import time

from scheduler.periods import Freq


@dataclass(frozen=True)
class ReminderPolicy:
    before_working_days: tuple[int, ...] = (10, 3)
    on_due: bool = True
    overdue_every_working_days: int = 3
    # One escalation to leadership when a lead unit is still overdue this many working days
    # after the due day; 0 disables it.
    escalate_after_working_days: int = 5
    send_time: time = time(8, 0)
    checkin: Freq = "monthly"
    checkin_before_working_days: int = 3
    # Whether coordinating units are asked at every check-in of ongoing work too (a ward
    # may find monthly questions to every coordinating unit too chatty).
    checkin_coordinators: bool = True

    def merged(self, overrides: dict[str, object]) -> ReminderPolicy:
        clean = {k: v for k, v in overrides.items() if v is not None}
        if "before_working_days" in clean:
            clean["before_working_days"] = tuple(
                sorted(
                    {int(x) for x in clean["before_working_days"]},  # type: ignore[attr-defined]
                    reverse=True,
                )
            )
        return replace(self, **clean)  # type: ignore[arg-type]
