"""The title of a unit's head, as the ward office writes it ("Chủ tịch UBND phường",
"Trưởng phòng Văn hóa - Xã hội"). A plan may state it (`head_title`); otherwise it is
derived from the unit's name, so no text ever reads "Trưởng Ủy ban nhân dân phường"."""

from __future__ import annotations

import re

from scheduler.folding import fold

_UBND = re.compile(r"^(?:uy ban nhan dan|ubnd)\b")


def derive_head_title(name: str) -> str:
    """The head's title from the unit's name, in the ward office's register."""
    clean = " ".join(name.split())
    key = fold(clean)
    if _UBND.match(key):
        # The People's Committee's head is its Chairman; "UBND" is how every text shortens it.
        words = clean.split(" ")
        tail = words[4:] if key.startswith("uy ban nhan dan") else words[1:]
        return " ".join(["Chủ tịch UBND", *tail])
    if key.startswith("van phong"):
        return f"Chánh {clean}"
    if key.startswith("trung tam"):
        return f"Giám đốc {clean}"
    if key.startswith("phong "):
        return f"Trưởng phòng {clean[len('Phòng ') :]}"
    if key.startswith("cong an"):
        return f"Trưởng {clean}"
    if key.startswith("ban "):
        return f"Trưởng {clean}"
    return f"Thủ trưởng {clean}"
