"""How a task label is compared: "II.3", "ii 3", "II.1.a)" and "II.1a" are one label.

Here, not in the plan model, because the store looks tasks up by label too and may not
import from above; the plan model uses this same key.
"""

from __future__ import annotations

import re
import unicodedata

_PARTS = re.compile(r"[a-z]+|\d+")


def label_key(text: str) -> str:
    """ "II.1.a", "ii 1 a)", "II.1a" → "ii.1.a": case, separators and brackets do not matter."""
    text = unicodedata.normalize("NFC", text).replace("đ", "d").replace("Đ", "D")
    stripped = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    return ".".join(_PARTS.findall(stripped.lower()))
