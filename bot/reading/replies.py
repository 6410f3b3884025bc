"""Short Vietnamese status replies → status, percent and note.

Replies come from phones, often without diacritics and with chat abbreviations. The
parser never guesses: a message that states no status gives `none` and the bot asks again.
Folding creates collisions (vướng/Vương, đã/dạ, chờ/cho), so where the text carries
diacritics the accented form decides.

A false "done" is the costliest mistake: the unit stops being reminded and the report to the
city says the work is finished. So "done" needs a done word and nothing that contradicts it.
Partial completion ("xong 1 phần", "xong bước 1"), a promise ("dự kiến xong trước 30/6",
"tuần sau xong") or work still going on beside it ("phần 2 đang làm") make it in progress; a
pause ("tạm dừng", "tạm hoãn chờ chỉ đạo") is blocked; a done word hedged or mixed with a
negation ("cơ bản hoàn thành", "xong nhưng…", "đã xong, không có gì") is `unclear_done`: the
bot asks (`texts.ask_fully_done`) and reads the answer with `read_confirmation`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Literal

from scheduler.folding import fold, has_diacritics

Status = Literal["done", "in_progress", "blocked", "not_started", "not_applicable", "none", "unclear_done"]
# What a report can record ("unclear_done" is a question to ask, never stored).
STATUSES: tuple[Status, ...] = ("done", "in_progress", "blocked", "not_started", "not_applicable", "none")
UNCLEAR_DONE: Status = "unclear_done"


@dataclass(frozen=True)
class ParsedReply:
    status: Status
    percent: int | None = None
    note: str | None = None


ABBREVIATIONS = {
    "ko": "khong",
    "k": "khong",
    "kg": "khong",
    "khg": "khong",
    "hok": "khong",
    "kh": "khong",
    "r": "roi",
    "dc": "duoc",
    "chx": "chua",
    "dg": "dang",
    "dag": "dang",
    "ht": "hoan thanh",
    "bc": "bao cao",
    "xg": "xong",
    "vs": "voi",
    "ng": "nguoi",
    "trg": "truong",
}

_PERCENT = re.compile(r"(?<!\d)(\d{1,3})\s*(?:%|phan tram\b)")
_HALF = re.compile(r"\b(?:mot nua|nua chung|duoc mot nua)\b")
_PARTICLES = r"(?:\s+(?:a|roi|nhe|nha|anh|chi|em|ban|oi|u|vang|day))*"

_NOT_APPLICABLE = re.compile(
    r"\bkhong (?:phat sinh|ap dung|lien quan|co nhiem vu)\b"
    r"|\bkhong thuoc (?:chuc nang|nhiem vu|tham quyen|pham vi|linh vuc)"
    r"|\bkhong phai (?:viec|nhiem vu) cua"
)
_BLOCKED = re.compile(
    r"\b(?:vuong(?: mac)?|kho khan|gia han|bi tac|un tac|chua the|khong the|thieu kinh phi"
    r"|chua co (?:huong dan|kinh phi|chi dao|van ban))\b"
)
_BLOCKED_NEGATED = re.compile(r"\b(?:khong|chua|het) (?:co )?(?:gi )?(?:vuong|kho khan)")
_NOT_DONE = re.compile(
    r"\b(?:chua|khong|van chua|sap|gan|chuan bi|se|nua(?: la| thi| se)?)"
    r" (?:xong|hoan thanh|ban hanh|gui|nop|hoan tat|ky)\b"
)
_NOT_DONE_EN = re.compile(r"\bnot (?:yet )?(?:done|finished|completed?|complete)\b|\bnot yet\b")
_NOT_STARTED = re.compile(
    r"\bchua (?:trien khai|thuc hien|lam|bat dau|co ke hoach|xay dung)\b"
    rf"|^(?:van )?chua{_PARTICLES}$"
)
_DONE = re.compile(
    r"\b(?:xong|hoan thanh|hoan tat|da ban hanh|da gui|da nop|da thuc hien|da co van ban"
    r"|da trien khai xong|da ky|da phat hanh|da dang tai|da to chuc)\b"
)
_IN_PROGRESS = re.compile(
    r"\b(?:dang\s+\w+|cho ky|cho duyet|cho phe duyet|da trinh|sap xong|gan xong"
    r"|tiep tuc|trien khai|dang lam)\b"
)
_QUESTION = re.compile(r"\?\s*$")
# English some heads use.
_DONE_EN = re.compile(r"\b(?:done|finished|completed?|complete)\b")
_IN_PROGRESS_EN = re.compile(r"\b(?:in progress|doing|wip|ongoing|working on)\b")
# Part of the work: "xong 1 phần", "phần 2 đang làm", "xong bước 1", "một số nội dung".
# Any "phần" but "phần trăm" (a percentage, read on its own).
_PARTIAL = re.compile(
    r"\bphan\b(?! tram)|\bbuoc (?:\d+|mot|hai|ba|dau)\b|\bgiai doan\b|\bmot so\b|\bhau het\b"
    r"|\bmot vai\b|\bdot (?:\d+|mot|dau)\b|\bmuc (?:\d+|mot)\b|\bnoi dung \d+\b"
)
# A promise: done later, not now.
_PROMISE = re.compile(
    r"\b(?:du kien|se|sap|tuan (?:sau|toi)|thang (?:sau|toi)|ngay mai|mai|toi nay|chieu nay|cuoi (?:tuan|thang)"
    r"|trong (?:tuan|thang|ngay)|nua|hen|phan dau|ke hoach xong|truoc ngay|den ngay|truoc \d|den \d)\b"
)
_PAUSE = re.compile(r"\btam (?:dung|hoan|ngung|gac)\b|\bhoan lai\b|\bdung lai\b|\bcho chi dao\b")
_NEGATION = re.compile(r"\b(?:khong|chua|chang|not|no|never)\b")
# A done word hedged: "cơ bản hoàn thành", "tạm xong", "xong nhưng…".
_HEDGE = re.compile(r"\b(?:co ban|tam|gan nhu|hau nhu|nhung|tuy nhien|con|ngoai tru|tru)\b")
_DATE = re.compile(r"(?<![\d/])(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}|\d{2}))?(?![\d/])")


def _fold_with_abbreviations(text: str) -> str:
    out = []
    for raw in text.split():
        word = fold(raw).replace("đ", "d")
        bare = word.strip(".,;:!")
        # "KH" in capitals is a plan ("KH số 12"), not "không".
        if raw.strip(".,;:!") in _CAPITAL_WORDS:
            out.append(word)
            continue
        out.append(ABBREVIATIONS.get(bare, word))
    return " ".join(out)


_CAPITAL_WORDS = {"KH"}


def _accented(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


def _percent(folded: str) -> int | None:
    if m := _PERCENT.search(folded):
        value = int(m[1])
        return value if 0 <= value <= 100 else None
    if _HALF.search(folded):
        return 50
    return None


def _note(original: str, folded: str) -> str | None:
    """Free text worth keeping: what follows a colon, or a message longer than a status."""
    if ":" in original:
        after = original.split(":", 1)[1].strip()
        if after:
            return after
    without_percent = _PERCENT.sub("", folded)
    words = re.findall(r"[\w/\-]+", without_percent)
    if len(words) <= 3 and not re.search(r"\d", without_percent):
        return None
    return original.strip() or None


def _future_date(folded: str, today: date | None) -> bool:
    """Whether the reply names a day after `today` ("xong trước 30/6" on 20/6)."""
    if today is None:
        return False
    for m in _DATE.finditer(folded):
        day, month = int(m[1]), int(m[2])
        year = int(m[3]) if m[3] else today.year
        year += 2000 if year < 100 else 0
        try:
            named = date(year, month, day)
        except ValueError:
            continue
        if named > today:
            return True
    return False


def _done_or_ask(
    folded: str, accented: str, marked: bool, percent: int | None, note: str | None, today: date | None
) -> ParsedReply:
    """A reply with a done word: done only when nothing else in it says otherwise."""
    if percent is not None and percent < 100:
        return ParsedReply("in_progress", percent, note)
    partial = _PARTIAL.search(folded)
    if partial and partial[0] == "phan" and re.search(r"\bphân\b", accented) and "phần" not in accented:
        partial = None  # "phân công", "phân loại" written with marks: not a part
    if (
        partial
        or _PROMISE.search(folded)
        or _future_date(folded, today)
        or _IN_PROGRESS.search(folded)
        or _IN_PROGRESS_EN.search(folded)
    ):
        return ParsedReply("in_progress", percent if percent is not None and percent < 100 else None, note)
    if _NEGATION.search(folded) or _HEDGE.search(folded):
        return ParsedReply(UNCLEAR_DONE, None, note)
    return ParsedReply("done", 100 if percent == 100 else None, note)


def needs_confirmation(parsed: ParsedReply) -> bool:
    """Whether the bot must ask "đã hoàn thành hẳn chưa?" before recording anything."""
    return parsed.status == UNCLEAR_DONE


_YES = re.compile(r"^(?:co|roi|da|xong|dung|vang|yes|ok|ok xong|da xong|xong roi|hoan thanh|co roi|roi a|co a|vang a)$")
_NO = re.compile(r"^(?:chua|khong|no|not yet|chua a|chua xong|chua hoan thanh|chua het)$")


def read_confirmation(text: str, asked: ParsedReply) -> ParsedReply | None:
    """The answer to `texts.ask_fully_done`: "có" → done, "chưa" → in progress (the note of
    the reply that raised the question kept); anything else None (read it as a new reply)."""
    folded = re.sub(r"[^\w\s]", "", _fold_with_abbreviations(" ".join(text.split()))).strip()
    folded = re.sub(r"\s+(?:a|nhe|nha)$", "", folded)
    if _NO.match(folded):
        return ParsedReply("in_progress", None, asked.note)
    if _YES.match(folded):
        return ParsedReply("done", None, asked.note)
    return None


def parse_reply(text: str, today: date | None = None) -> ParsedReply:
    """What a reply says. `today` (the ward's local day) lets a named day after it read as a
    promise ("xong ngày 30/6" on 20/6)."""
    original = " ".join(text.split())
    folded = _fold_with_abbreviations(original)
    accented = _accented(original)
    marked = has_diacritics(original)
    percent = _percent(folded)
    note = _note(original, folded)

    if not re.search(r"[a-z0-9]", folded):
        return ParsedReply("none")  # emoji, punctuation
    if _NOT_APPLICABLE.search(folded):
        return ParsedReply("not_applicable", None, note)
    blocked = _BLOCKED.search(folded)
    if blocked and not _BLOCKED_NEGATED.search(folded):
        # "Vương" (a name) folds like "vướng": with diacritics, only the accented word counts.
        if not (blocked[0].startswith("vuong") and marked and "vướng" not in accented):
            return ParsedReply("blocked", percent, note)
    if _PAUSE.search(folded):
        # "tạm dừng", "tạm hoãn chờ chỉ đạo": the work is held, never done.
        return ParsedReply("blocked", percent, note)
    if _NOT_DONE.search(folded) or _NOT_DONE_EN.search(folded):
        return ParsedReply("in_progress", percent, note)
    if _NOT_STARTED.search(folded):
        return ParsedReply("not_started", None, note)
    done = _DONE.search(folded) or _DONE_EN.search(folded)
    if _QUESTION.search(original):
        # "xong chưa?", "hoàn thành khi nào?": a question, not a report.
        return ParsedReply("none") if not done or _NEGATION.search(folded) else ParsedReply(UNCLEAR_DONE, None, note)
    if done:
        return _done_or_ask(folded, accented, marked, percent, note, today)
    if _IN_PROGRESS_EN.search(folded):
        return ParsedReply("in_progress", percent, note)
    in_progress = _IN_PROGRESS.search(folded)
    # "dạ" (yes) folds to "da" like "đã": an accented "dạ" is never a status by itself.
    if in_progress and not (marked and in_progress[0].startswith("da ") and "đã" not in accented):
        return ParsedReply("in_progress", percent, note)
    if percent is not None:
        if percent == 100 and (_PARTIAL.search(folded) or _NEGATION.search(folded) or _PROMISE.search(folded)):
            return ParsedReply("in_progress", None, note)
        return ParsedReply("done" if percent == 100 else "in_progress", percent, note)
    return ParsedReply("none")
