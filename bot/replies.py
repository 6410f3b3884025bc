"""Short Vietnamese status replies → status, percent and note.

Replies come from phones, often without diacritics and with chat abbreviations. The
parser never guesses: a message that states no status gives `none` and the bot asks again.
Folding creates collisions (vướng/Vương, đã/dạ, chờ/cho), so where the text carries
diacritics the accented form decides.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from scheduler.folding import fold, has_diacritics

Status = Literal["done", "in_progress", "blocked", "not_started", "not_applicable", "none"]
STATUSES: tuple[Status, ...] = ("done", "in_progress", "blocked", "not_started", "not_applicable", "none")


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


def _fold_with_abbreviations(text: str) -> str:
    words = fold(text).replace("đ", "d").split()
    out = []
    for word in words:
        bare = word.strip(".,;:!")
        out.append(ABBREVIATIONS.get(bare, word))
    return " ".join(out)


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


def parse_reply(text: str) -> ParsedReply:
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
    if _NOT_DONE.search(folded):
        return ParsedReply("in_progress", percent, note)
    if _NOT_STARTED.search(folded):
        return ParsedReply("not_started", None, note)
    if _QUESTION.search(original) and not _DONE.search(folded):
        return ParsedReply("none")
    if _DONE.search(folded):
        if percent is not None and percent < 100:
            return ParsedReply("in_progress", percent, note)
        return ParsedReply("done", 100 if percent == 100 else None, note)
    in_progress = _IN_PROGRESS.search(folded)
    # "dạ" (yes) folds to "da" like "đã": an accented "dạ" is never a status by itself.
    if in_progress and not (marked and in_progress[0].startswith("da ") and "đã" not in accented):
        return ParsedReply("in_progress", percent, note)
    if percent is not None:
        return ParsedReply("done" if percent == 100 else "in_progress", percent, note)
    return ParsedReply("none")
