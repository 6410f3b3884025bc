"""A deadline cell read the way a clerk reads it, with the confidence of the reading.

The grammar (`parse_deadline`) places every word or refuses. A real cell wraps the time in
words that say what is done ("Ban hành kế hoạch … và tổ chức thực hiện"), in a legal basis
("(theo Kế hoạch số 12/KH-UBND ngày 05/01/2026)") or in a trailing clause. This layer finds
the time expression inside them and says how sure it is:

- `exact`: the grammar placed every word;
- `read`: the grammar placed one stretch of the cell and every word set aside is listed in
  `ignored`. Words that could change a time's meaning (numbers, "năm", "hằng", "trước",
  "hoặc", "nếu", "sau", a weekday, a connector next to a time …) are never set aside, so
  the words kept mean what they say alone: "Tháng 12 hằng năm" is never read as "Tháng 12".
  The one exception is a legal basis (a document number, with its own date), set aside
  whole when it holds no other time;
- `unsure`: two or more stretches read to different deadlines ("Trước 10/5/2026 hoặc trước
  10/6/2026"): the candidates are listed and the office chooses;
- `unknown`: nothing read, or only a part whose surroundings could change it (the part, if
  any, is listed as a candidate).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Literal

from scheduler.deadlines.phrase import parse_deadline, try_parse
from scheduler.deadlines.rules import (
    Conditional,
    DeadlineError,
    DeadlineRule,
    Milestone,
    Milestones,
    Once,
    Ongoing,
    Period,
    Recurring,
)
from scheduler.folding import fold

Confidence = Literal["exact", "read", "unsure", "unknown"]
CONFIDENCES: tuple[Confidence, ...] = ("exact", "read", "unsure", "unknown")
# Cells longer than this are not searched word by word (a pasted paragraph, not a deadline).
MAX_WORDS = 40


@dataclass(frozen=True)
class Reading:
    text: str  # the cell, spaces collapsed
    confidence: Confidence
    rule: DeadlineRule | None = None  # exact and read only
    kept: str = ""  # the words the rule was read from, line breaks kept (the whole cell when exact)
    ignored: tuple[str, ...] = ()  # read: the words set aside, in the cell's order
    candidates: tuple[DeadlineRule, ...] = ()  # unsure: ≥ 2; unknown: the part read, if any
    reason: str = ""  # unknown: why, in Vietnamese (the grammar's own message)

    @property
    def runs_unattended(self) -> bool:
        return self.confidence in ("exact", "read")


# --- the words of a cell -------------------------------------------------------------------


@dataclass(frozen=True)
class _Word:
    text: str
    start: int
    end: int
    folded: str


def _words(text: str) -> list[_Word]:
    return [_Word(m[0], m.start(), m.end(), fold(m[0])) for m in re.finditer(r"\S+", text)]


# Words that carry or change a time. They are never set aside: a stretch read without them
# could mean something else. "quy định", "Việt Nam", "hạn chế" are not times.
_TEMPORAL = re.compile(
    r"\d"
    r"|\b(?:ngay|thang|qui|tuan|hang|moi|dinh ky|chu ky|thuong xuyen|lien tuc|truoc|cham|cuoi|giua|gio|phut"
    r"|giai doan|khi|muon|som|hoac|neu|tru|sau|tien do|lo trinh|tro di|tiep theo|ke tu|hom|luc"
    r"|dot|lan|het|tu|den|toi|trong|vao|suot|khoang|nua|chu nhat)\b"
    r"|\bthu\s+(?:hai|ba|tu|nam|sau|bay|[2-7])\b|\bt[2-7]\b"
    r"|\bdau\s+(?:thang|quy|nam|tuan|ky|nam)\b"
    r"|\bquy\b(?!\s+(?:dinh|che|trinh|hoach|mo|chuan|pham|tac|doi|tu|trach))"
    r"|(?<!viet )\bnam\b"
    r"|\bhan\b(?!\s+che)"
)
# Connectors that are temporal inside a time but ordinary words in a description ("tổ
# chức thực hiện trong toàn phường"): they may be set aside when no time word is with them.
_CONNECTORS = frozenset({"tu", "den", "toi", "trong", "vao", "suot", "khoang", "het", "lan", "dot", "moi"})
# A step's own number ("Đợt 1") is a name, not a date.
_STEP_NUMBER = re.compile(r"\b(?:dot|lan|giai doan|buoc|phan)\s+(?:\d{1,2}|[ivx]{1,4})\b(?!\s*[-/])")


# Without marks, time words share their letters with others ("sâu", "thắng", "nam", "quy
# định"): when the cell has marks, a word counts only in a time word's own spelling.
_SPELLINGS = {
    "sau": {"sau", "sáu"}, "nam": {"năm"}, "thang": {"tháng"}, "quy": {"quý", "quí"}, "qui": {"quý", "quí"},
    "hang": {"hằng", "hàng"}, "han": {"hạn"}, "truoc": {"trước"}, "cham": {"chậm"}, "som": {"sớm"},
    "muon": {"muộn"}, "tu": {"từ", "tư"}, "den": {"đến"}, "dau": {"đầu"}, "gio": {"giờ"}, "lan": {"lần"},
    "dot": {"đợt"}, "moi": {"mỗi"}, "luc": {"lúc"}, "het": {"hết"}, "hom": {"hôm"}, "tuan": {"tuần"},
    "cuoi": {"cuối"}, "giua": {"giữa"}, "ky": {"kỳ", "kì"}, "nua": {"nửa"}, "neu": {"nếu"}, "hoac": {"hoặc"},
    "tru": {"trừ"}, "toi": {"tới"}, "vao": {"vào"}, "suot": {"suốt"}, "phut": {"phút"}, "tuc": {"tục"},
}  # fmt: skip


def _misspelled_time(w: _Word) -> bool:
    bare = w.text.strip(".,;:()[]-–\"'").lower()
    spellings = _SPELLINGS.get(bare if bare.isascii() else fold(bare))
    return spellings is not None and not bare.isascii() and bare not in spellings


def _time_flags(words: list[_Word]) -> list[bool]:
    """For each word, whether it carries or changes a time (connectors alone do not)."""
    joined = " ".join(w.folded for w in words)
    owner: list[int] = []
    for i, w in enumerate(words):
        owner += [i] * (len(w.folded) + 1)
    flags = [False] * len(words)
    connectors = [False] * len(words)
    steps = {owner[k] for m in _STEP_NUMBER.finditer(joined) for k in range(m.start(), m.end())}
    for m in _TEMPORAL.finditer(joined):
        for i in {owner[k] for k in range(m.start(), max(m.end(), m.start() + 1))}:
            if i in steps:
                continue
            if m[0].strip() in _CONNECTORS:
                connectors[i] = True
            else:
                flags[i] = True
    for i, w in enumerate(words):
        if _misspelled_time(w):
            flags[i] = connectors[i] = False
    # A connector next to a time belongs to it ("Đến năm 2020" is not "năm 2020").
    for i, is_connector in enumerate(connectors):
        if is_connector and ((i > 0 and flags[i - 1]) or (i + 1 < len(words) and flags[i + 1])):
            flags[i] = True
    return flags


# --- legal bases ---------------------------------------------------------------------------

_DOC_NUMBER = re.compile(r"\d+/(?:\d{4}/)?[a-z]")
_BASIS_START = re.compile(r"^(?:theo|tai|can cu|kem theo|quy dinh|ghi chu|can)\b")
_DOC_WORDS = frozenset(
    {"theo", "tai", "can", "cu", "quyet", "ke", "cong", "van", "ban", "thong", "tu", "nghi", "chi", "thi", "luat",
     "so", "dinh", "hoach", "bao", "quy", "huong", "dan", "chuong", "trinh", "de", "an"}
)  # fmt: skip
_DATE_WORD = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{4}[,;.)]*$")


def _is_basis(group: list[_Word]) -> bool:
    """A bracket naming a document or a basis, with no time of its own besides the
    document's date: "(theo Kế hoạch số 12/KH-UBND ngày 05/01/2026)" is one, "(Quý III)"
    and "(theo quy định, trước 30/6)" are not."""
    folded = " ".join(w.folded for w in group).lstrip("([")
    if not (_BASIS_START.match(folded) or any(_DOC_NUMBER.search(w.folded) for w in group)):
        return False
    reference = {k for a, b in _basis_spans(group) for k in range(a, b)}
    reference |= {k for k, w in enumerate(group) if _DOC_NUMBER.search(w.folded)}
    flags = _time_flags(group)
    return not any(f for k, f in enumerate(flags) if k not in reference)


def _bracket_spans(words: list[_Word]) -> list[tuple[int, int]]:
    """Word ranges of bracketed groups that hold a legal basis ("(theo Quyết định số …)")."""
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        if words[i].text.startswith("(") or words[i].text.startswith("["):
            j = i
            while j < len(words) and not words[j].text.rstrip(".,;:").endswith((")", "]")):
                j += 1
            if j < len(words):
                if _is_basis(words[i : j + 1]):
                    spans.append((i, j + 1))
                i = j
        i += 1
    return spans


def _basis_spans(words: list[_Word]) -> list[tuple[int, int]]:
    """Unbracketed references ("theo Kế hoạch số 12/KH-UBND ngày 05/01/2026 của UBND tỉnh"):
    the document's own date is part of the reference, never a deadline."""
    spans: list[tuple[int, int]] = []
    for k, w in enumerate(words):
        if not _DOC_NUMBER.search(w.folded):
            continue
        start = k
        while start > 0 and k - start < 6 and words[start - 1].folded.strip("(,:") in _DOC_WORDS:
            start -= 1
        if start == k:
            continue  # "12/2026" alone is a month, not a document
        end = k + 1
        if end + 1 < len(words) and words[end].folded == "ngay" and _DATE_WORD.match(words[end + 1].folded):
            end += 2
        if end < len(words) and words[end].folded == "cua":
            while end < len(words) and not _time_flags([words[end]])[0]:
                end += 1
                if words[end - 1].text.endswith((",", ";", ".")):
                    break
        spans.append((start, end))
    return spans


def _aside_spans(words: list[_Word]) -> list[tuple[int, int]]:
    spans = sorted(_bracket_spans(words) + _basis_spans(words))
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


# --- stretches -----------------------------------------------------------------------------


def _stretch(text: str, words: list[_Word]) -> str:
    """The words as written, keeping line breaks between them (milestones split on them)."""
    out = words[0].text
    for prev, w in zip(words, words[1:], strict=False):
        out += ("\n" if "\n" in text[prev.end : w.start] else " ") + w.text
    return out


def _clean(words: list[_Word], text: str) -> str:
    """The words set aside as written, without the punctuation and brackets at their edges
    (a bracket closed inside them stays)."""
    out = _stretch(text, words).strip(" ,;:.-–") if words else ""
    for opening, closing in (("(", ")"), ("[", "]")):
        if out.count(opening) != out.count(closing):  # the other half stayed with the time
            out = out.replace(opening, " ").replace(closing, " ")
        if out.startswith(opening) and out.endswith(closing) and out.count(opening) == 1:
            out = out[1:-1]
    out = " ".join(out.split())
    return out.strip(" ,;:.-–")


@dataclass(frozen=True)
class _Found:
    i: int
    j: int
    rule: DeadlineRule
    kept: str


def _try(text: str, words: list[_Word], i: int, j: int, year: int, plan_date: date | None) -> _Found | None:
    kept = _stretch(text, words[i:j]).strip(" ,;:")
    if not kept:
        return None
    rule = try_parse(kept, year, plan_date)
    return None if rule is None else _Found(i, j, rule, kept)


def _covering(text: str, words: list[_Word], flags: list[bool], year: int, plan_date: date | None) -> list[_Found]:
    """The largest stretches that hold every time word of the cell and read."""
    timed = [k for k, f in enumerate(flags) if f]
    if not timed:
        return []
    first, last = timed[0], timed[-1]
    windows = sorted(
        ((i, j) for i in range(first + 1) for j in range(last + 1, len(words) + 1)), key=lambda w: w[0] - w[1]
    )
    found: list[_Found] = []
    for i, j in windows:
        if found and j - i < found[0].j - found[0].i:
            break
        if (f := _try(text, words, i, j, year, plan_date)) is not None:
            found.append(f)
    return found


def _parts(text: str, words: list[_Word], year: int, plan_date: date | None) -> list[_Found]:
    """Every stretch that reads and is not inside a longer one, in the cell's order. A
    stretch begins and ends with a time word, so the search stays small in a long cell."""
    flags = _time_flags(words)

    def clause_end(j: int) -> bool:
        return j == len(words) or words[j - 1].text.endswith((",", ";", "."))

    found: list[_Found] = []
    for i in range(len(words)):
        if not flags[i] or (found and i < found[-1].j):
            continue
        for j in range(len(words), i, -1):
            if not (flags[j - 1] or clause_end(j)) or (f := _try(text, words, i, j, year, plan_date)) is None:
                continue
            # A condition runs to the end of its clause: "Sau khi được phê duyệt, chậm"
            # would take the next clause's first word with it.
            if isinstance(f.rule, Conditional) and not clause_end(j):
                continue
            found.append(f)
            break
    return found


def _distinct(rules: list[DeadlineRule]) -> tuple[DeadlineRule, ...]:
    out: list[DeadlineRule] = []
    for r in rules:
        if r not in out:
            out.append(r)
    return tuple(out)


# --- entry point ---------------------------------------------------------------------------


def read_deadline(text: str, plan_year: int, plan_date: date | None = None) -> Reading:
    """Read one deadline cell; never raises for wording (unknown carries the reason)."""
    cell = unicodedata.normalize("NFC", text)
    flat = " ".join(cell.split())
    try:
        return Reading(flat, "exact", parse_deadline(cell, plan_year, plan_date), kept=cell)
    except DeadlineError as exc:
        reason = str(exc)
    except (ValueError, OverflowError):
        return Reading(flat, "unknown", reason=f'Thời hạn "{flat}" có ngày không hợp lệ')
    words = _words(cell)
    if not words or len(words) > MAX_WORDS:
        return Reading(flat, "unknown", reason=reason)
    aside = _aside_spans(words)
    inside = {k for a, b in aside for k in range(a, b)}
    kept = [w for k, w in enumerate(words) if k not in inside]
    if not kept:
        return Reading(flat, "unknown", reason=reason)
    found = _covering(cell, kept, _time_flags(kept), plan_year, plan_date)
    rules = _distinct([f.rule for f in found])
    if len(rules) > 1:
        return Reading(flat, "unsure", candidates=rules)
    if len(rules) == 1:
        best = found[0]
        runs = [(words[a].start, _clean(words[a:b], cell)) for a, b in aside]
        runs += [(kept[0].start, _clean(kept[: best.i], cell))]
        if best.j < len(kept):
            runs += [(kept[best.j].start, _clean(kept[best.j :], cell))]
        ignored = tuple(run for _, run in sorted(runs) if run)
        return Reading(flat, "read", best.rule, kept=best.kept, ignored=ignored)
    found = _parts(cell, kept, plan_year, plan_date)
    parts = _distinct([f.rule for f in found])
    if len(parts) > 1 and any(isinstance(r, Recurring | Ongoing) for r in parts):
        # "Tháng 6 và tháng 12 hằng năm": the recurrence belongs to every part; read apart,
        # each choice would mean something else. The grammar's own message says why.
        return Reading(flat, "unknown", reason=reason)
    if len(parts) > 1:
        return Reading(flat, "unsure", candidates=_with_all_steps(cell, kept, found) + parts)
    return Reading(flat, "unknown", candidates=parts, reason=reason)


_EITHER = re.compile(r"\b(?:hoac|hay|hoac la)\b")


def _with_all_steps(cell: str, words: list[_Word], found: list[_Found]) -> tuple[DeadlineRule, ...]:
    """Dated parts not offered as alternatives ("Tháng 3/2026 (đợt 1), tháng 9/2026 (đợt
    2)") may be all due: that reading comes first among the choices."""
    dues: list[Milestone] = []
    for f in found:
        if isinstance(f.rule, Once | Period):
            rule = f.rule
            dues.append(Milestone(label="", due=rule.due if isinstance(rule, Once) else rule.end, time=rule.time))
        else:
            return ()
    between = " ".join(w.folded for w in words[found[0].i : found[-1].j])
    if _EITHER.search(between) or any(b.due <= a.due for a, b in zip(dues, dues[1:], strict=False)):
        return ()
    return (Milestones(tuple(dues)),)
