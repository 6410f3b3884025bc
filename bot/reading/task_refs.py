"""The task a person names at the start of a message: "3: xong", "II.3 xong", "nv II.1.a
đang làm", "/status II 3 …", checked against the labels the ward actually has; and the
several answers of one message ("1 xong; 3 đang làm 40%", "17 18 xong", "nv3 xong, nv5 đang
làm", "1-3 xong", "cả 3 việc đều xong"): `read_answers`, `split_answers`.

A label is only read as one when it is one of the ward's labels, or when it has the shape of
a task number (3, II.9, II.1.c) that the ward does not have. Otherwise "50% xong", "2 ngày
nữa xong" and "30/6 xong" would be read as tasks. Callers decide what must follow the
label (a separator, a status word, a date): see `TaskRef`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from bot.reading.normalize import normalize
from bot.reading.numbers import words_number
from bot.reading.reader import read
from bot.reading.result import ParsedReply
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


# --- several answers in one message --------------------------------------------------------

_INTRO_ANY = r"(?:(?:nv|nhiệm\s*vụ|nhiem\s*vu|việc|viec|cv|công\s*việc|cong\s*viec|số|so|#)\.?\s*){0,2}"
_EDGE_BEFORE = r"(?<![\w/.%\-–])"
_EDGE_AFTER = r"(?![\w%]|[./\-–]\d)"  # "1/ xong" names task 1; "1/3", "1.2", "1-3" do not
_RANGE = re.compile(
    _EDGE_BEFORE + _INTRO_ANY + r"(?:từ\s+|tu\s+)?(?P<a>\d{1,3})\s*(?:[-–]|\s(?:đến|den|tới|toi)\s)\s*"
    + _INTRO_ANY + r"(?P<b>\d{1,3})" + _EDGE_AFTER,
    re.I,
)  # fmt: skip
_SHAPED_ANY = re.compile(
    _EDGE_BEFORE + _INTRO_ANY + r"(?P<label>\d{1,3}|[ivxl]{1,4}\.\d{1,3}(?:\.[a-z\d])?)" + _EDGE_AFTER, re.I
)
# Between two tasks that share one answer: "6, 7", "17 18", "việc 2 với việc 4", "2 và 3".
_CONNECTOR = re.compile(r"^\s*(?:,|&|\+|và|va|với|voi|vs|cùng|cung)?\s*$", re.I)
_SEPARATOR = re.compile(r"^\s*[:.)/\-–]{0,2}\s*")
# Words before a number that make it a quantity, not a task: "phần 2", "được 5", "số 5" of a
# document ("văn bản số 5"). ("còn 5 tổ" is a count by the word after it; "còn 5 thì mai" names
# task 5.)
_QUANTITY_BEFORE = frozenset(
    "phan buoc doan dot muc dung to pho lan ngay thang tuan thu nam tren trong duoc dat khoang gan hon tam"
    " chung moi luc gio truoc sau tu den han hom ho lop khoa tang quy ky ki buoi nguoi vi top".split()
)
_DOCUMENT_BEFORE = frozenset("ban cao dinh hoach van trinh bao cv dien".split())
# Words after a number that make it a count: "2 ngày", "5 tổ", "3 việc".
_COUNTED_AFTER = frozenset(
    "ngay thang tuan nam gio lan to ho nguoi khu don vi truong lop buoi bao cao viec nhiem phan muoi tram"
    " trieu nghin ngan dong hop van ke xa phuong chi tieu nuah nua % tren trong hom tieng phut ban file trang"
    " cuon quyen bo tap dot".split()
)
# Words that open an answer ("xong", "đang làm", "vướng…"), after normalising.
_ANSWER_START = frozenset(
    "xong da dang vuong chua hoan khong cho tam ok bi con duoc gui nop moi sap mai tuan du gan kho thieu het"
    " roi lam trien thuc ban tuong cung van deu se vua post ky to bao cap phan_ tiep hop nhap thi".split()
)
_ALL_OPEN = re.compile(
    r"\b(?:ca|tat ca)(?: cac)?(?: (?P<n>\d{1,2}|hai|ba|bon|tu|nam|sau|bay|tam|chin|muoi))?"
    r" (?:viec|nhiem vu|cong viec|cv)\b"
)


@dataclass(frozen=True)
class Answer:
    """One answer of a message: the tasks it is for and its words, read on their own."""

    refs: tuple[TaskRef, ...]  # empty: words that name no task
    words: str
    reply: ParsedReply

    @property
    def readable(self) -> bool:
        """Whether it can be recorded (or asked about with the done question) as it stands;
        otherwise the conversation asks about it (`wording.UNREADABLE_PART` / `NO_TASK_PART`)."""
        return bool(self.refs) and self.reply.status != "none"


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    refs: tuple[TaskRef, ...]


@lru_cache(maxsize=256)
def _mention_pattern(labels: tuple[str, ...]) -> re.Pattern[str] | None:
    bodies = []
    for label in labels:
        key = label_key(label)
        if key:
            bodies.append(r"\s*[.\-]?\s*".join(_part_pattern(p) for p in key.split(".")))
    if not bodies:
        return None
    alternatives = "|".join(sorted(set(bodies), key=len, reverse=True))
    return re.compile(f"{_EDGE_BEFORE}{_INTRO_ANY}(?P<label>{alternatives}){_EDGE_AFTER}", re.I)


def _ref(label: str, stt: int | None) -> TaskRef:
    return TaskRef(label, stt, "", True, "")


def _mentions(text: str, labels: Mapping[int, str]) -> list[_Mention]:
    """Every place `text` names a task (the ward's, a range of them, or a number shaped like
    one), without overlaps, in order."""
    by_key = {label_key(label): stt for stt, label in labels.items()}
    found: list[_Mention] = []
    taken: list[tuple[int, int]] = []

    def free(m: re.Match[str]) -> bool:
        return all(m.end() <= a or m.start() >= b for a, b in taken)

    for m in _RANGE.finditer(text):
        if label_key(m[0]) in by_key:
            continue  # "1-3" is the ward's label 1.3
        first, last = int(m["a"]), int(m["b"])
        stts = [by_key.get(str(n)) for n in range(first, last + 1)]
        if first < last <= first + 30 and all(stt is not None for stt in stts):
            refs = tuple(_ref(labels[stt], stt) for stt in stts if stt is not None)
            found.append(_Mention(m.start(), m.end(), refs))
            taken.append((m.start(), m.end()))
    pattern = _mention_pattern(tuple(labels.values()))
    for m in pattern.finditer(text) if pattern is not None else ():
        if free(m):
            stt = by_key[label_key(m["label"])]
            found.append(_Mention(m.start(), m.end(), (_ref(labels[stt], stt),)))
            taken.append((m.start(), m.end()))
    for m in _SHAPED_ANY.finditer(text):
        if free(m) and label_key(m["label"]) not in by_key:
            found.append(_Mention(m.start(), m.end(), (_ref(" ".join(m["label"].split()), None),)))
    return sorted(found, key=lambda x: x.start)


def _first_words(text: str, n: int = 2) -> list[str]:
    return normalize(text[:60]).text.split()[:n]


def _is_quantity(text: str, mention: _Mention) -> bool:
    """ "phần 2", "còn 5 tổ", "văn bản số 5": a number in an answer, not a task."""
    before = normalize(text[max(0, mention.start - 30) : mention.start]).text.split()
    intro = normalize(text[mention.start : mention.end]).text.split()
    if before and before[-1] in _QUANTITY_BEFORE:
        return True
    if intro[:1] == ["so"] and before and before[-1] in _DOCUMENT_BEFORE:
        return True
    after = _first_words(text[mention.end :], 1)
    return bool(after) and (after[0] in _COUNTED_AFTER or after[0].endswith("%") and not mention.refs[0].stt)


def _strength(text: str, mention: _Mention, following: str) -> int:
    """2: an answer follows ("xong", "đang làm", ": …"); 1: some words follow, in a message
    where other tasks have answers; 0: not a task here."""
    sep = _SEPARATOR.match(following)
    rest = following[sep.end() :] if sep else following
    words = _first_words(rest, 1)
    at_line_start = not text[: mention.start].strip() or text[: mention.start].rstrip()[-1:] in (";", "\n", ":")
    if sep and ":" in sep[0] or (words and (words[0] in _ANSWER_START or re.match(r"\d{1,3}%", words[0]))):
        return 2
    if at_line_start and rest.strip() and read(rest).status != "none":
        return 2
    if mention.refs[0].stt is None:
        return 0  # a number the ward has no task for, followed by no answer: a number
    return 1 if rest.strip() else 0


def _runs(text: str, mentions: list[_Mention]) -> list[tuple[list[_Mention], int]]:
    """Mentions joined by connectors ("6, 7", "17 18") → runs that share the answer after them."""
    runs: list[tuple[list[_Mention], int]] = []
    current: list[_Mention] = []
    for i, mention in enumerate(mentions):
        nxt = mentions[i + 1] if i + 1 < len(mentions) else None
        current.append(mention)
        between = text[mention.end : nxt.start] if nxt else text[mention.end :]
        if nxt is not None and _CONNECTOR.match(between):
            continue
        runs.append((current, _strength(text, mention, between if nxt else text[mention.end :])))
        current = []
    return runs


def _answers_of(text: str, runs: list[tuple[list[_Mention], int]], today: date | None) -> list[Answer]:
    kept = [run for run, strength in runs if strength == 2 or (strength == 1 and any(s == 2 for _, s in runs))]
    answers: list[Answer] = []
    preamble = text[: kept[0][0].start].strip(" ,;:.\n") if kept else ""
    if preamble and (reply := read(preamble, today)).status != "none":
        answers.append(Answer((), preamble, reply))  # words before the first task: asked about
    for i, run in enumerate(kept):
        end = kept[i + 1][0].start if i + 1 < len(kept) else len(text)
        words = _SEPARATOR.sub("", text[run[-1].end : end], count=1).strip(" ,;.\n-+*•")
        words = re.sub(r"(?:\s+(?:và|va|còn|con))+$", "", words, flags=re.I).strip(" ,;")
        words = re.sub(r"^(?:thì|thi)\s+", "", words, flags=re.I)  # "3 thì chưa": a topic, then the answer
        refs = tuple(ref for mention in run for ref in mention.refs)
        answers.append(Answer(refs, words, read(words, today) if words else ParsedReply("none")))
    return answers


def _all_open(text: str, labels: Mapping[int, str], open_stts: Collection[int], today: date | None) -> Answer | None:
    """ "cả 3 việc đều xong": the unit's open tasks, when it has that many."""
    m = _ALL_OPEN.search(normalize(text).text)
    if m is None or not open_stts:
        return None
    count = None if m["n"] is None else int(m["n"]) if m["n"].isdigit() else words_number([m["n"]])
    if count is not None and count != len(open_stts):
        return None
    refs = tuple(_ref(labels.get(stt, str(stt)), stt) for stt in sorted(open_stts))
    return Answer(refs, text.strip(), read(text, today))


def read_answers(
    text: str,
    labels: Mapping[int, str],
    open_labels: Collection[int] | None = None,
    today: date | None = None,
) -> list[Answer] | None:
    """Several answers in one message, each read on its own; None when it names fewer than
    two tasks (the one-task paths handle it).

    "1 xong; 3 dang lam 40%; 6 vuong …; 8 k phat sinh", "1 xong 2 xong … 19 xong" (no
    separators), "nv3 xong, nv5 đang làm, nv7 chưa", "việc 2 với việc 4 xong", "17 18 xong",
    "1-3 xong". `open_labels` (the stt of the unit's open tasks) lets "cả 3 việc đều xong" name
    them when there are exactly 3. Words that cannot be read, or that name no task, come back
    as an answer that is not `readable`, never folded into another answer.
    """
    text = unicodedata.normalize("NFC", text).strip()
    if open_labels is not None and (everything := _all_open(text, labels, open_labels, today)) is not None:
        return [everything] if len(everything.refs) >= 2 else None
    mentions = [m for m in _mentions(text, labels) if not _is_quantity(text, m)]
    answers = _answers_of(text, _runs(text, mentions), today)
    if sum(len(a.refs) for a in answers) < 2:
        return None
    return answers


def split_answers(
    text: str, labels: Mapping[int, str], open_labels: Collection[int] | None = None
) -> list[tuple[list[TaskRef], str]] | None:
    """`read_answers` in the older shape: [(tasks, their answer words), …]; words that name no
    task are left out (use `read_answers` to ask about them).

    "1 xong; 4 đang làm 50%, 7 vướng: chờ hướng dẫn" → ([1], "xong"), ([4], "đang làm 50%"),
    ([7], "vướng: chờ hướng dẫn"); "6, 7 xong" → ([6, 7], "xong"). "vướng: chờ văn bản số 5,
    6 tháng" stays one answer: "số 5" of a document and "6 tháng" are not tasks.
    """
    answers = read_answers(text, labels, open_labels)
    if answers is None:
        return None
    return [([*a.refs], a.words) for a in answers if a.refs]
