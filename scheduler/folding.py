"""Vietnamese text folding shared by the deadline and reply parsers."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lowercase ASCII-ish form: NFC, đ→d, strip combining marks, collapse spaces.

    Plain NFD stripping keeps "đ" (it is a letter, not d + mark), so it is mapped first.
    """
    text = unicodedata.normalize("NFC", text).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.lower()).strip()


def unit_key(text: str) -> str:
    """How a unit's code, name or alias is looked up: folded, without trailing punctuation."""
    return fold(text).strip(" .;")


def has_diacritics(text: str) -> bool:
    return fold(text) != _SPACES.sub(" ", text.lower()).strip()
