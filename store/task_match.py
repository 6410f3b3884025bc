"""Which task of the running database each task of a plan is: the one rule the plan sync
(store/sync.py), the activated dates and the plan comparison (scheduler/plan/compare.py,
`nhacviec check --against`) all follow, so what `check` shows is what a reload does.

Pure: plain rows in, pairs out. In order, each step only among what is still unpaired:

1. the same id (`uid`): the plan says so;
2. the same words (folded, spacing ignored): a task moved or renumbered in a plan without
   ids, or whose id the clerk rewrote;
3. for a task written without an id only: close words (SIMILAR of the words in order): a
   slight rewording in a plan without ids;
4. the same number, for a row written before ids existed or a task written without an id:
   what the sync did before there were ids. A pair found here may be another task under the
   old number; the comparison flags it when its words and its deadline or lead differ.

A written id that is new is a new task (rule 2 aside): "the ids say what is what".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum

SIMILAR = 0.6  # share of words in common, in order, for a rewording of a task without an id


@dataclass(frozen=True)
class WantedTask:
    uid: str
    stt: int
    content: str
    uid_written: bool = True


@dataclass(frozen=True)
class HeldTask:
    id: int
    uid: str | None
    stt: int
    content: str
    active: bool = True


class MatchedBy(StrEnum):
    ID = "id"
    CONTENT = "content"
    SIMILAR = "similar"
    NUMBER = "number"


def words(content: str) -> list[str]:
    """The words compared: lowercase, without diacritics or end punctuation."""
    text = unicodedata.normalize("NFC", content).replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    return [w.strip(".,;:()\"'") for w in text.lower().split() if w.strip(".,;:()\"'")]


def similarity(a: str, b: str) -> float:
    """0..1: how much of two tasks' words are the same, in the same order."""
    wa, wb = words(a), words(b)
    if not wa and not wb:
        return 1.0
    return SequenceMatcher(None, wa, wb, autojunk=False).ratio()


def match_tasks(wanted: Sequence[WantedTask], held: Sequence[HeldTask]) -> dict[int, tuple[int, MatchedBy]]:
    """Position in `wanted` → (the held row's id, how it was found), for every task found."""
    found: dict[int, tuple[int, MatchedBy]] = {}
    free = {h.id: h for h in held}

    def pair(i: int, h: HeldTask, how: MatchedBy) -> None:
        found[i] = (h.id, how)
        del free[h.id]

    by_uid = {h.uid: h for h in held if h.uid is not None}
    for i, w in enumerate(wanted):
        if (h := by_uid.get(w.uid)) is not None:
            pair(i, h, MatchedBy.ID)
    # Active rows first: of two rows with the same words, the one still running is the task.
    by_words: dict[tuple[str, ...], list[HeldTask]] = {}
    for h in sorted(free.values(), key=lambda h: (not h.active, h.id)):
        by_words.setdefault(tuple(words(h.content)), []).append(h)
    for i, w in enumerate(wanted):
        if i in found:
            continue
        same = [h for h in by_words.get(tuple(words(w.content)), []) if h.id in free]
        if same:
            pair(i, same[0], MatchedBy.CONTENT)
    for i, hid in _similar(wanted, free, found):
        pair(i, free[hid], MatchedBy.SIMILAR)
    for i, w in enumerate(wanted):
        if i in found:
            continue
        same_number = [h for h in free.values() if h.active and h.stt == w.stt and (h.uid is None or not w.uid_written)]
        if same_number:
            pair(i, same_number[0], MatchedBy.NUMBER)
    return found


def _similar(
    wanted: Sequence[WantedTask], free: dict[int, HeldTask], found: dict[int, tuple[int, MatchedBy]]
) -> list[tuple[int, int]]:
    """(position, held id) of close words, the closest pairs first, for tasks written
    without an id, each side used once."""
    candidates = [
        (score, i, h.id)
        for i, w in enumerate(wanted)
        if i not in found and not w.uid_written
        for h in free.values()
        if h.active and (score := similarity(w.content, h.content)) >= SIMILAR
    ]
    pairs: list[tuple[int, int]] = []
    used_i: set[int] = set()
    used_h: set[int] = set()
    for _, i, hid in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if i not in used_i and hid not in used_h:
            pairs.append((i, hid))
            used_i.add(i)
            used_h.add(hid)
    return pairs
