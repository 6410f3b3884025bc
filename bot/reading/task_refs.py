"""The task a person names at the start of a message: "3: xong", "II.3 xong", "nv II.1.a
đang làm", "/status II 3 …", checked against the labels the ward actually has.

A label is only read as one when it is one of the ward's labels, or when it has the shape of
a task number (3, II.9, II.1.c) that the ward does not have. Otherwise "50% xong", "2 ngày
nữa xong" and "30/6 xong" would be read as tasks. Callers decide what must follow the
label (a separator, a status word, a date): see `TaskRef`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from store.labels import label_key

# "nv 3", "nhiệm vụ II.3", "số 3": words people put before the number.
_INTRO = r"(?:(?:nv|nhiệm\s*vụ|nhiem\s*vu|số|so)\.?\s*)?"
# What follows the label: a separator (":", ".", ")", "-"), then the words.
_TAIL = r"(?!\w)(?P<sep>\s*[:.)\-–]{0,2})(?P<gap>\s*)(?P<rest>.*)$"
# A task number the ward may not have: a dotted number ("3.2", "3.a"), a Roman-led label
# with a number in it ("II.9", "II 9", "II.1.c"), or a plain number. A lone Roman numeral is
# a section (or the word "vì"), never a task.
_JOIN = r"(?:\s*[.\-]\s*)"
_PART = r"(?:\d{1,3}|[ivxl]{1,6}|[a-z])"
_SHAPED = re.compile(
    _INTRO
    + r"(?P<label>\d{1,3}(?:"
    + _JOIN
    + _PART
    + r")+"
    + r"|[ivxl]{1,6}(?:"
    + _JOIN
    + r"|\s+)\d{1,3}(?:"
    + _JOIN
    + _PART
    + r")*"
    + r"|\d{1,3})"
    + _TAIL,
    re.I | re.S,
)


@dataclass(frozen=True)
class TaskRef:
    """A label at the start of a text and what follows it."""

    label: str  # the ward's label when `stt` is set, else the words as typed
    stt: int | None  # the ward's task it names, None when the ward has no such task
    sep: str  # the separator after the label, stripped ("", ":", ".", ")"…)
    gap: bool  # whitespace between the label (and separator) and the rest
    rest: str  # the rest of the text, as written

    @property
    def separated(self) -> bool:
        """The label stands apart from the rest ("II.3: xong", "II.3 xong"), not glued to
        it as "3.5" or "30/6" are."""
        return self.gap or ":" in self.sep


def _part_pattern(part: str) -> str:
    if part.isdigit():
        return "0*" + part
    return "".join("[dđ]" if ch == "d" else re.escape(ch) for ch in part)


@lru_cache(maxsize=4096)
def _label_pattern(label: str) -> re.Pattern[str] | None:
    key = label_key(label)
    if not key:
        return None
    body = r"\s*[.\-]?\s*".join(_part_pattern(p) for p in key.split("."))
    return re.compile(rf"^{_INTRO}(?P<label>{body}){_TAIL}", re.I | re.S)


def _gap(m: re.Match[str]) -> bool:
    return (m["sep"] + m["gap"])[-1:].isspace()


def task_refs(text: str, labels: Mapping[int, str]) -> list[TaskRef]:
    """Every way `text` can be read as starting with a task label: the ward's labels first,
    longest first, then a task-number shape the ward does not have."""
    text = unicodedata.normalize("NFC", text).strip()
    found: list[TaskRef] = []
    ordered = sorted(labels.items(), key=lambda kv: (-len(label_key(kv[1]).split(".")), -len(kv[1]), kv[0]))
    for stt, label in ordered:
        pattern = _label_pattern(label)
        if pattern is not None and (m := pattern.match(text)):
            found.append(TaskRef(label, stt, m["sep"].strip(), _gap(m), m["rest"].strip()))
    if m := _SHAPED.match(text):
        known = {label_key(label) for label in labels.values()}
        if label_key(m["label"]) not in known:
            typed = " ".join(m["label"].split())
            found.append(TaskRef(typed, None, m["sep"].strip(), _gap(m), m["rest"].strip()))
    return found


# Where one answer ends and the next may begin: ";" and line breaks always; a comma only
# when a task label follows it (checked below).
_HARD_BREAK = re.compile(r"\s*(?:;|\n)\s*")
_COMMA = re.compile(r"\s*,\s*")
# Words that open a status ("xong", "đang làm", "vướng: …"), folded.
_STATUS_START = re.compile(
    r"^(?:xong|da\b|đa\b|đã|dang|đang|vuong|vướng|chua|chưa|hoan thanh|hoàn thành|ht\b|dg\b|khong|không|ko\b|"
    r"cho\b|chờ|tam|tạm|done|ok\b)",
    re.I,
)


def _leading(text: str, labels: Mapping[int, str]) -> TaskRef | None:
    """The ward's task `text` starts with, set apart and followed by an answer or nothing."""
    for ref in task_refs(text, labels):
        if ref.stt is None:
            continue
        if not ref.rest:
            return ref
        if ref.separated and (":" in ref.sep or _STATUS_START.match(ref.rest)):
            return ref
    return None


def split_answers(text: str, labels: Mapping[int, str]) -> list[tuple[list[TaskRef], str]] | None:
    """Several answers in one message → [(tasks, their answer words), …], or None when the
    message names fewer than two tasks.

    "1 xong; 4 đang làm 50%, 7 vướng: chờ hướng dẫn" → ([1], "xong"), ([4], "đang làm 50%"),
    ([7], "vướng: chờ hướng dẫn"); "6, 7 xong" → ([6, 7], "xong"). A comma splits only where a
    task label with an answer follows, so "vướng: chờ văn bản số 5, 6 tháng" stays one answer.
    """
    pieces: list[str] = []
    for part in _HARD_BREAK.split(text.strip()):
        chunks = _COMMA.split(part)
        current = chunks[0]
        for chunk in chunks[1:]:
            if _leading(chunk, labels) is not None:
                pieces.append(current)
                current = chunk
            else:
                current = f"{current}, {chunk}"
        pieces.append(current)
    answers: list[tuple[list[TaskRef], str]] = []
    waiting: list[TaskRef] = []  # labels listed before their shared answer ("6, 7 xong")
    for piece in (p.strip() for p in pieces):
        if not piece:
            continue
        ref = _leading(piece, labels)
        if ref is None:
            return None  # a piece that names no task: not a list of answers
        if not ref.rest:
            waiting.append(ref)
            continue
        answers.append(([*waiting, ref], ref.rest))
        waiting = []
    if waiting or sum(len(refs) for refs, _ in answers) < 2:
        return None
    return answers
