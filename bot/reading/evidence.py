"""The product a unit names for a task, read from its words: a document's number and date
("Công văn số 45/UBND-VHXH ngày 20/6/2026", "CV 45/UBND-VHXH ngay 20/6"), or a link.

Pure functions: the conversation stores what is found (store/evidence.py) and the files
that come with a message are handled apart (bot/actions/evidence_files.py). Like the reply
reader, it never guesses: a bare date or a number without a document code is not a
document ("xong 20/6" is not evidence, "KH 12" is not either unless a document word
names it).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Literal

# Document kinds a ward writes, folded (no diacritics, lowercase), longest first.
_KINDS = (
    r"cong van|van ban|ke hoach|quyet dinh|bao cao|thong bao|to trinh|chi thi|huong dan"
    r"|quy dinh|quy che|nghi quyet|chuong trinh|cv|vb|kh|qd|bc|tb|ttr|ct|hd|nq"
)
# A document number: "45/UBND-VHXH", "12/KH-VHXH", "123/2026/QĐ-UBND"; the part after the
# first slash starts with a letter (or a year then a slash), so a date "20/6/2026" is never one.
_NUMBER = r"\d{1,6}(?:/\d{4})?/[a-z][a-z0-9]*(?:-[a-z0-9]+)*"
_DOCUMENT = re.compile(
    rf"(?:\b(?P<kind>{_KINDS})\b\.?\s*(?:so\s*)?:?\s*(?P<bare>\d{{1,6}})\b(?!\s*/\s*\d)(?!/)"
    rf"|(?<![\w/])(?P<number>{_NUMBER})(?![\w/]))"
)
_DAY = re.compile(
    r"(?<![\d/])(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})(?:\s*[/.-]\s*(?P<y>\d{4}|\d{2}))?(?![\d/])"
    r"|\b(?P<d2>\d{1,2}) thang (?P<m2>\d{1,2})(?: nam (?P<y2>\d{4}))?\b"
)
_URL = re.compile(r"https?://[^\s<>\"']+", re.I)
_TRAILING = ".,;:!?)]}»”’"

EvidenceKind = Literal["document", "link"]


@dataclass(frozen=True)
class Found:
    """One piece of evidence named in a message."""

    kind: EvidenceKind
    doc_number: str | None = None  # "45/UBND-VHXH", as written (capitals kept)
    doc_date: date | None = None
    url: str | None = None


def _fold_chars(text: str) -> str:
    """`text` folded one character for one character, so a match in the folded text is a
    slice of the original: "Công văn" → "cong van", "Đ" → "d"."""
    out = []
    for ch in text:
        if ch in "đĐ":
            out.append("d")
            continue
        base = unicodedata.normalize("NFD", ch)[0]
        out.append(base.lower() if len(base.lower()) == 1 else ch)
    return "".join(out)


def _day(m: re.Match[str], today: date) -> date | None:
    d, mo, y = (m["d"], m["m"], m["y"]) if m["d"] else (m["d2"], m["m2"], m["y2"])
    year = int(y) if y else today.year
    if year < 100:
        year += 2000
    try:
        return date(year, int(mo), int(d))
    except ValueError:
        return None


def parse_evidence(text: str, today: date) -> list[Found]:
    """Documents (number and date) and links named in `text`, in the order written.

    A date belongs to the document it follows (the next document's start bounds it); a
    date without a year is of `today`'s year."""
    original = unicodedata.normalize("NFC", text)
    found: list[tuple[int, Found]] = []
    spans: list[tuple[int, int]] = []
    for m in _URL.finditer(original):
        url = m[0].rstrip(_TRAILING)
        found.append((m.start(), Found("link", url=url)))
        spans.append((m.start(), m.start() + len(url)))

    def in_link(pos: int) -> bool:
        return any(a <= pos < b for a, b in spans)

    folded = _fold_chars(original)
    documents = [m for m in _DOCUMENT.finditer(folded) if not in_link(m.start())]
    for i, m in enumerate(documents):
        if m["number"]:
            number = original[m.start("number") : m.end("number")]
        else:
            number = original[m.start("bare") : m.end("bare")]
            kind = m["kind"]
            # "KH 12" or "bc 3" alone are too thin to be a document: only full words count
            # without a slash-number ("công văn số 45").
            if " " not in kind and not re.search(r"\bso\b", folded[m.start() : m.end()]):
                continue
        end = documents[i + 1].start() if i + 1 < len(documents) else len(folded)
        day = next((d for dm in _DAY.finditer(folded, m.end(), end) if (d := _day(dm, today)) is not None), None)
        found.append((m.start(), Found("document", doc_number=number, doc_date=day)))
    return [f for _, f in sorted(found, key=lambda p: p[0])]


def describe(found: Found) -> str:
    """How a piece of evidence is shown: "văn bản số 45/UBND-VHXH ngày 20/06/2026", a link."""
    if found.kind == "link":
        return found.url or ""
    text = f"văn bản số {found.doc_number}"
    if found.doc_date is not None:
        text += f" ngày {found.doc_date.day:02d}/{found.doc_date.month:02d}/{found.doc_date.year}"
    return text
