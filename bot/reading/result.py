"""What reading a reply gives: a status the bot may record, or a question to ask first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["done", "in_progress", "blocked", "not_started", "not_applicable", "none", "unclear_done"]
# What a report can record ("unclear_done" is a question to ask, never stored; "none" records nothing).
STATUSES: tuple[Status, ...] = ("done", "in_progress", "blocked", "not_started", "not_applicable", "none")
UNCLEAR_DONE: Status = "unclear_done"


@dataclass(frozen=True)
class ParsedReply:
    status: Status
    percent: int | None = None
    note: str | None = None

    @property
    def certain(self) -> bool:
        """Whether the bot may record this without asking: everything but a doubtful done."""
        return self.status != UNCLEAR_DONE

    @property
    def records(self) -> bool:
        """Whether the reply states anything to record (a question or a thank-you does not)."""
        return self.status not in ("none", UNCLEAR_DONE)
