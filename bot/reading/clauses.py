"""One clause of a reply → what it says about the work.

A clause is the text between two marks (",", ";", ".", ":", "?", "!", a line break). Its words
are tagged role by role in a fixed order (see `lexicon`); the words a role takes are masked,
so a later role cannot read them again. The clause's reading is then one of:

done, maybe (a done hedged: "cơ bản xong"), likely (a bare "rồi ạ": done likely, not said),
partial (a part of the work done), not_done (a
completion negated or denied), progress, remaining ("còn chờ số liệu"), not_started, blocked, declined, weak (work named
without saying it goes on: "triển khai"), other_negated ("chưa in"), or neutral.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.reading import lexicon as lx

# Marks, and the words that turn a sentence: "xong rồi nhưng chưa in" is two clauses.
_SPLIT = re.compile(r" ?([;:,.!?]|\bnhung\b|\btuy nhien\b) ?")

# Roles in the order they are tried; a role's words are masked for the ones after it.
_ROLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("declined", lx.DECLINED),
    ("blocked", lx.CANNOT),
    ("not_started", lx.NOT_STARTED),
    ("not_done", lx.NOT_DONE),
    ("blocked", lx.BLOCKED),
    ("progress", lx.NEAR),
    ("progress", lx.PENDING),
    ("done", lx.DONE_WORD),
    ("deliver", lx.DELIVERED),
    ("remaining", lx.REMAINING),
    ("progress", lx.PROGRESS),
    ("weak", lx.WEAK_PROGRESS),
    ("likely", lx.MAYBE_DONE),
    ("other_negated", lx.NEGATED_OTHER),
)
_FINISHING = ("done", "deliver", "progress", "remaining")


@dataclass(frozen=True)
class Clause:
    text: str
    reading: str
    question: bool
    finishing: bool  # it names a completion, whatever became of it (for "tưởng xong…")


def mask(text: str, pattern: re.Pattern[str]) -> tuple[str, list[int]]:
    """`text` with `pattern`'s matches blanked out (same length), and where they started."""
    starts: list[int] = []

    def blank(m: re.Match[str]) -> str:
        starts.append(m.start())
        return "#" * len(m[0])

    return pattern.sub(blank, text), starts


def _has_aspect(text: str, start: int, end: int) -> bool:
    """A delivery verb finishes the task only with its aspect: "đã gửi", "gửi rồi"."""
    return bool(lx.ASPECT_BEFORE.search(text[:start]) or lx.ASPECT_AFTER.search(text[end:]))


def _delivered(text: str, tags: list[tuple[int, str]]) -> str:
    """Tag the delivery verbs: done with their aspect, a promise beside a day to come ("mai em
    gửi", "thứ 6 này nộp"), otherwise nothing yet ("triển khai" is read as weak work later)."""
    promise = lx.FUTURE.search(text) or lx.SOFT_FUTURE.search(text)
    for m in list(lx.DELIVERED.finditer(text)):
        if _has_aspect(text, m.start(), m.end()):
            tags.append((m.start(), "deliver"))
        elif promise and m[0] != "bao cao":  # "em sẽ báo cáo sau" promises a message, not work
            tags.append((m.start(), "progress"))
        else:
            continue
        text = text[: m.start()] + "#" * len(m[0]) + text[m.end() :]
    return text


def _tags(text: str) -> list[tuple[int, str]]:
    tags: list[tuple[int, str]] = []
    for role, pattern in _ROLES:
        if role == "deliver":
            text = _delivered(text, tags)
            continue
        text, starts = mask(text, pattern)
        tags.extend((start, role) for start in starts)
    return sorted(tags)


def _finished(text: str, roles: list[str]) -> str:
    """The reading of a clause whose last word on the work is a completion."""
    if "remaining" in roles and not lx.HEDGE.search(text):
        return "progress"  # "còn 2 tổ nữa là xong", "xong dự thảo còn lấy ý kiến"
    if lx.FUTURE.search(text) or (lx.SOFT_FUTURE.search(text) and not re.search(r"\b(?:da|roi)\b", text)):
        return "progress"  # a promise
    if lx.PARTIAL.search(text):
        return "partial"
    if lx.HEDGE.search(text) or "remaining" in roles or "other_negated" in roles:
        return "maybe"  # a negation the reader cannot place, beside the done: ask
    return "done"


def _reading(text: str, tags: list[tuple[int, str]]) -> str:
    roles = [role for _, role in tags]
    for role in ("declined", "blocked", "not_done"):
        if role in roles:
            return role
    finishing = [role for role in roles if role in _FINISHING]
    if finishing:
        if finishing[-1] != "progress" and ("done" in finishing or "deliver" in finishing):
            return _finished(text, roles)
        return "remaining" if finishing[-1] == "remaining" else "progress"
    for role in ("not_started", "likely", "weak", "other_negated"):
        if role in roles:
            if role == "likely" and lx.FUTURE.search(text):
                return "progress"  # "mai là xong rồi"
            if role == "weak" and lx.FUTURE.search(text):
                return "not_started"  # "em sẽ triển khai", "dự kiến thực hiện trong tháng 6"
            return role
    return "neutral"


def clauses(text: str) -> list[Clause]:
    """The clauses of a normalised message, each read on its own."""
    text, _ = mask(text, lx.NO_BLOCKER)  # "Khó khăn, vướng mắc: không" spans marks
    parts = _SPLIT.split(text)
    out: list[Clause] = []
    for i in range(0, len(parts), 2):
        words = parts[i].strip()
        mark = parts[i + 1] if i + 1 < len(parts) else ""
        if not words.strip("# "):
            continue
        question = mark == "?" or bool(lx.QUESTION.search(words))
        tags = [] if question else _tags(words)
        roles = {role for _, role in tags}
        out.append(Clause(words, _reading(words, tags), question, bool(roles & {"done", "deliver", "likely"})))
    return out
