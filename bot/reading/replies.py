"""Short Vietnamese status replies → status, percent and note: the public face of
`bot.reading` (see there for how a reply is read).

The parser never guesses: a message that states no status gives `none` and the bot asks
again; a done it doubts is `unclear_done` (`ParsedReply.certain` is False): the bot asks
`confirm_done_question(label)` and reads the answer with `read_confirmation`. Several
answers in one message: `read_answers` (each read on its own; an unreadable part is asked
about). "sai" / "nhầm" after a record: `is_retraction`. The line saying what was understood:
`understood_line`. Person-facing wording: `bot.reading.wording`.
"""

from __future__ import annotations

from datetime import date

from bot.reading.answers import is_retraction, read_confirmation
from bot.reading.reader import read
from bot.reading.result import STATUSES, UNCLEAR_DONE, ParsedReply, Status
from bot.reading.task_refs import Answer, TaskRef, read_answers, split_answers, task_refs
from bot.reading.wording import confirm_done_question, question_for, understood_line

__all__ = [
    "STATUSES",
    "UNCLEAR_DONE",
    "Answer",
    "ParsedReply",
    "Status",
    "TaskRef",
    "confirm_done_question",
    "is_retraction",
    "needs_confirmation",
    "parse_reply",
    "question_for",
    "read_answers",
    "read_confirmation",
    "split_answers",
    "task_refs",
    "understood_line",
]


def parse_reply(text: str, today: date | None = None) -> ParsedReply:
    """What a reply says. `today` (the ward's local day) lets a named day after it read as a
    promise ("xong ngày 30/6" on 20/6)."""
    return read(text, today)


def needs_confirmation(parsed: ParsedReply) -> bool:
    """Whether the bot must ask "đã hoàn thành hẳn chưa?" before recording anything."""
    return parsed.status == UNCLEAR_DONE
