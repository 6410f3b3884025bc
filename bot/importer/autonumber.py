"""Word's automatic list numbers, written back in front of the paragraph's text.

A paragraph numbered by Word (Home → Numbering, or a "List Number" style) does not hold its
"1." or "a)" or "-" in its text: python-docx returns the words only. A prose plan read
without them has no items. The number is rebuilt from the paragraph's list and level
(w:numPr, on the paragraph or its style) and the level's format in numbering.xml.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.importer.numbering import roman_text


def qn(tag: str) -> str:
    """python-docx's qualified name of `tag` ("w:val"). Imported at the first Word file read:
    the running desk imports the importer, and python-docx with lxml would stay resident."""
    from docx.oxml.ns import qn as docx_qn

    return docx_qn(tag)


@dataclass(frozen=True)
class Level:
    fmt: str  # decimal, lowerLetter, upperLetter, lowerRoman, upperRoman, bullet …
    text: str  # "%1.", "%1.%2.", "%2)", "-"
    start: int


_LETTERS = "abcdefghiklmnopqrstuvxy"  # the Vietnamese alphabet's plain letters, as plans use them


def _format(value: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        letter = _LETTERS[(value - 1) % len(_LETTERS)]
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        roman = roman_text(value)
        return roman.lower() if fmt == "lowerRoman" else roman
    return str(value)


def _val(element: Any, tag: str) -> str | None:
    child = element.find(qn(tag)) if element is not None else None
    return None if child is None else child.get(qn("w:val"))


@dataclass
class ListNumbers:
    """The list levels of one document and the running counters of its lists."""

    levels: dict[tuple[str, int], Level] = field(default_factory=dict)
    counters: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, document: Any) -> ListNumbers:
        out = cls()
        try:
            root = document.part.numbering_part.element
        except (AttributeError, KeyError, NotImplementedError):
            return out
        abstract: dict[str, dict[int, Level]] = {}
        for node in root.findall(qn("w:abstractNum")):
            levels: dict[int, Level] = {}
            for lvl in node.findall(qn("w:lvl")):
                start = _val(lvl, "w:start")
                levels[int(lvl.get(qn("w:ilvl"), "0"))] = Level(
                    fmt=_val(lvl, "w:numFmt") or "decimal",
                    text=_val(lvl, "w:lvlText") or "",
                    start=int(start) if start and start.isdigit() else 1,
                )
            abstract[node.get(qn("w:abstractNumId"), "")] = levels
        for num in root.findall(qn("w:num")):
            for ilvl, level in abstract.get(_val(num, "w:abstractNumId") or "", {}).items():
                out.levels[(num.get(qn("w:numId"), ""), ilvl)] = level
        return out

    def marker(self, paragraph: Any) -> str:
        """ "1. ", "a) ", "- " for a paragraph Word numbers itself; "" for any other."""
        num_pr = _num_pr(paragraph)
        if num_pr is None:
            return ""
        num_id = _val(num_pr, "w:numId") or ""
        ilvl_text = _val(num_pr, "w:ilvl")
        ilvl = int(ilvl_text) if ilvl_text and ilvl_text.isdigit() else 0
        level = self.levels.get((num_id, ilvl))
        if level is None or num_id == "0":
            return ""
        if level.fmt in ("bullet", "none"):
            return "- " if level.fmt == "bullet" else ""
        counts = self.counters.setdefault(num_id, [])
        while len(counts) <= ilvl:
            counts.append(0)
        counts[ilvl] += 1
        del counts[ilvl + 1 :]  # a deeper list starts again under each item
        text = level.text
        for depth in range(ilvl + 1):
            at = self.levels.get((num_id, depth))
            if at is None:
                continue
            value = at.start - 1 + (counts[depth] or 1)
            text = text.replace(f"%{depth + 1}", _format(value, at.fmt))
        return f"{text.strip()} " if text.strip() else ""


def _num_pr(paragraph: Any) -> Any:
    p_pr = paragraph._p.pPr
    if p_pr is not None and p_pr.numPr is not None:
        return p_pr.numPr
    style = paragraph.style
    while style is not None:
        s_pr = style.element.pPr
        if s_pr is not None and s_pr.numPr is not None:
            return s_pr.numPr
        style = style.base_style
    return None
