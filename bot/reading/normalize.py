"""Chat Vietnamese → plain folded words.

Units answer from phones: without diacritics, in teen code ("xog r a", "dc 1 nua", "vg kp"),
with English loan words ("finish rồi", "submit lên hệ thống") and through voice typing that
hears "xong" as "sông". Everything later reads one spelling: lower case, no diacritics, one
word per token, punctuation that ends a clause kept as its own token.

Folding merges words the accented text keeps apart (đã/dạ, đang/đăng, phần/phân, vướng/Vương,
đâu/đầu, tưởng/tượng, kỳ/ký, lỗi/lời). Where the message carries diacritics the accented word
decides; without them, the neighbouring words do.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from scheduler.folding import fold

# A document number ("112/KH-UBND", "25/VHXH"), a number with its joins ("15/6/2026", "8/12",
# "1-3", "40%"), a word, or one mark.
_TOKEN = re.compile(r"\d+/[^\W\d_][\w\-]*|\d+(?:[/.,\-]\d+)*\s?%?|[^\W\d_]+|[?;:,.!\n]")
_DOC = re.compile(r"\d+/[a-z]")

# One spelling → the plain words it stands for.
_SPELLINGS = {
    "xog": "xong", "xg": "xong", "xon": "xong", "xongg": "xong", "xoong": "xong",
    "r": "roi", "rui": "roi", "roai": "roi", "roy": "roi", "ruj": "roi",
    "dc": "duoc", "dx": "duoc", "lm": "lam", "j": "gi",
    "hok": "khong", "hk": "khong", "ko": "khong", "k": "khong", "kg": "khong", "khg": "khong",
    "khum": "khong", "hem": "khong", "kh": "khong",
    "vg": "vuong", "kp": "kinh phi", "chx": "chua", "dg": "dang", "dag": "dang",
    "ht": "hoan thanh", "hthanh": "hoan thanh", "bc": "bao cao", "vs": "voi", "ng": "nguoi",
    "trg": "truong", "e": "em", "ak": "a", "ah": "a", "cx": "cung", "ms": "moi", "bd": "bat dau",
    "bik": "biet", "bit": "biet", "bt": "biet", "ntn": "nhu the nao", "hnay": "hom nay",
    "ps": "phat sinh", "nv": "nhiem vu", "cv": "cong viec", "tl": "tra loi",
    "oke": "ok", "oki": "ok", "okie": "ok", "okay": "ok", "okela": "ok", "okla": "ok", "oce": "ok",
    "thui": "thoi", "tks": "cam on", "thanks": "cam on", "thank": "cam on", "camon": "cam on",
    # English loan words
    "done": "xong", "finish": "xong", "finished": "xong", "complete": "xong", "completed": "xong",
    "submit": "gui", "submitted": "da gui", "sent": "da gui", "send": "gui", "upload": "gui",
    "uploaded": "da gui", "stuck": "vuong", "doing": "dang lam", "wip": "dang lam",
    "ongoing": "dang lam", "processing": "dang lam", "pending": "dang cho", "progress": "lam", "start": "bat dau",
    "started": "bat dau", "yes": "co", "not": "khong", "no": "khong",
}  # fmt: skip
# Several words → plain words, applied after the single spellings.
_PHRASES = (
    (re.compile(r"\bbat dau_"), "bat dau"),
    (re.compile(r"\bin lam\b"), "dang lam"),  # "in progress"
    (re.compile(r"\bon going\b"), "dang lam"),
    (re.compile(r"\bkhong yet\b"), "chua"),  # "not yet"
    (re.compile(r"\bkhong bat dau\b"), "chua bat dau"),  # "not started"
    (re.compile(r"\bkhong xong\b(?= *$)"), "chua xong"),
    (re.compile(r"\bhoang thanh\b"), "hoan thanh"),  # voice typing
    (re.compile(r"\bxong (?:doi|gioi|dzoi)\b"), "xong roi"),
    (re.compile(r"\b(da|lam|chua|sap|gan|moi|vua|mai|se) song\b"), r"\1 xong"),
    (re.compile(r"\bsong (roi|a|nhe|nha|het|xuoi)\b"), r"xong \1"),
    (re.compile(r"^song$"), "xong"),
    (re.compile(r"\b(?:mot|1) nua\b"), "nuah"),
)
# Words whose accented form says which of the folded twins it is.
_ACCENTED = {
    "dạ": "vang", "đăng": "post", "kỳ": "ki", "kì": "ki", "kỹ": "ki", "kĩ": "ki",
    "lời": "loi_", "lợi": "loi_", "lội": "loi_", "phân": "phan_", "phản": "phan_", "phấn": "phan_",
    "phận": "phan_", "vương": "vuong_", "đầu": "dau_", "dấu": "dau_", "dầu": "dau_",
    "tường": "tuong_", "tượng": "tuong_", "tướng": "tuong_", "tầm": "khoang", "tâm": "tam_",
    "nửa": "nuah", "chả": "chang", "sông": "song", "hông": "khong", "hồng": "hong_",
    "mắc": "mac", "mặc": "mac_", "đang": "dang", "ký": "ky", "hỏng": "hong", "tạm": "tam",
    "tám": "tam", "nữa": "nua", "đợi": "cho",
}  # fmt: skip
# Folded twins: the accented spellings that are the status word. Any other accented spelling
# of the same letters is another word ("dạng", "phân", "đầu", "chùa", "mãi") and reads as
# `word_`; written without diacritics, the neighbours decide (`_twin`).
_TWINS = {
    "dang": {"đang"}, "vuong": {"vướng"}, "ky": {"ký", "kí"}, "tuong": {"tưởng"}, "dau": {"đâu"},
    "phan": {"phần"}, "loi": {"lỗi"}, "tam": {"tạm", "tám"}, "nua": {"nữa"}, "da": {"đã"},
    "song": {"sông"}, "xong": {"xông"}, "con": {"còn"}, "gui": {"gửi"}, "nop": {"nộp"}, "hong": {"hỏng"},
    "chua": {"chưa"}, "khong": {"không"}, "roi": {"rồi"}, "het": {"hết"}, "mai": set(), "se": {"sẽ"},
    "sap": {"sắp"}, "cho": {"chờ"}, "trinh": {"trình"},
}  # fmt: skip
# Words that follow "phan" when it is "phân"/"phản"/"phấn"/"phần mềm", not a part of the work.
# ("phan cong" stays a part: without marks "đã phân công xong" is not read as done.)
_PHAN_COMPOUND = frozenset(
    "loai bo mem hoi anh dau biet tich lap quyen cap phoi chia ung doi khang hang xu giai luong".split()
)
_COUNTING = frozenset("mot cac nhieu tung moi nhung".split())
_TUONG_BEFORE = frozenset("doi hien y an chan bieu ly tinh".split())
_TUONG_AFTER = frozenset("tu duong ung niem thuat".split())
_DAU_BEFORE = frozenset("bat phan ban tu mo khoi".split())
_DAU_AFTER = frozenset("thang tuan nam tien vao ky quy".split())
_POST_AFTER = frozenset("tai len tren bai tin".split())
# Marks that end a clause.
BOUNDARY = frozenset(";:,.!?")


@dataclass(frozen=True)
class Normalized:
    """A message in plain folded words; `text` has one space between tokens."""

    text: str
    marked: bool  # the message carries diacritics


def _tokens(original: str) -> list[tuple[str, str]]:
    """(as written, lower accented) for each token; a line break reads as ";"."""
    out = []
    for m in _TOKEN.finditer(original):
        raw = ";" if m[0] == "\n" else m[0].replace(" ", "")
        out.append((raw, raw.lower()))
    return out


def _plain(raw: str, accented: str) -> tuple[str, bool]:
    """The plain word(s) of one token, and whether the token was written without diacritics
    (then its neighbours decide which folded twin it is)."""
    if raw == "KH":
        return "ke hoach", False  # a plan in capitals ("KH số 12"), never "không"
    if raw == "Mai":
        return "mai_", False  # a name
    word = fold(accented)
    if word == accented or not word.isalpha():
        if _DOC.match(word):
            return "<doc>", False
        return _SPELLINGS.get(word, word), True
    if accented in _ACCENTED:
        return _ACCENTED[accented], False
    if word in _TWINS and accented not in _TWINS[word]:
        return word + "_", False  # "dạng", "phân", "đầu", "chùa": not the status word
    return _SPELLINGS.get(word, word), False


def _twin(w: str, before: str, after: str) -> str:
    """Which of the folded twins `w` is, by its neighbours (text without diacritics)."""
    if w == "phan" and after in _PHAN_COMPOUND and not (before.isdigit() or before in _COUNTING):
        return "phan_"  # "phan cong" (phân công), but "1 phan anh" is "1 phần, anh"
    if w == "tuong" and (before in _TUONG_BEFORE or after in _TUONG_AFTER):
        return "tuong_"
    if w == "dau" and (before in _DAU_BEFORE or after in _DAU_AFTER):
        return "dau_"
    if w == "dang" and after in _POST_AFTER:
        return "post"
    return w


def _context(tokens: list[tuple[str, bool]]) -> list[str]:
    """Resolve what the neighbours decide: folded twins written without diacritics (with
    them, the accented word has decided), "ch" (chưa or chị), "vương mắc"."""
    words = [w for w, _ in tokens]
    out = list(words)
    for i, (w, bare) in enumerate(tokens):
        before = words[i - 1] if i else ""
        after = words[i + 1] if i + 1 < len(words) else ""
        if bare:
            out[i] = _twin(w, before, after)
        if w == "phan" and after == "mem":
            out[i] = "phan_"  # "phần mềm": software, not a part of the work
        elif w == "ch":
            out[i] = "chi" if after == "oi" else "chua"
        elif w == "vuong_" and after == "mac":
            out[i] = "vuong"  # "vương mắc": voice typing of "vướng mắc"
    return out


def normalize(text: str) -> Normalized:
    original = unicodedata.normalize("NFC", text)
    marked = fold(original) != " ".join(original.lower().split())
    tokens: list[tuple[str, bool]] = []
    for raw, accented in _tokens(original):
        plain, bare = _plain(raw, accented)
        tokens.extend((word, bare) for word in plain.split())
    plain = " ".join(_context(tokens))
    for pattern, replacement in _PHRASES:
        plain = pattern.sub(replacement, plain)
    return Normalized(plain, marked)
