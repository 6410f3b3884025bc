"""A whole reply → status, percent and note.

A false "done" is the costliest mistake: the unit stops being reminded and the report to the
city says the work is finished. So a reply is done only when a clause says the work is
finished and nothing in the message takes it back: no negation of it ("chưa xong", "xong đâu
mà xong", "hoàn thành thì chưa"), no promise ("thứ 6 này xong"), no counterfactual ("tưởng xong
rồi ai dè…"), no part of the work ("xong phần 1", "8/12 tổ"), no work going on or remaining
beside it ("đang chờ ký", "còn lấy ý kiến"). A done that is likely but hedged ("cơ bản xong",
"rồi ạ") is `unclear_done`: the bot asks, and records nothing until it is answered.
Questions and acknowledgements say nothing about the work: `none`.
"""

from __future__ import annotations

import re
from datetime import date

from bot.reading import lexicon as lx
from bot.reading.clauses import Clause, clauses
from bot.reading.normalize import normalize
from bot.reading.numbers import Amount, amount
from bot.reading.result import UNCLEAR_DONE, ParsedReply

_DATE = re.compile(r"(?<![\d/])(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}|\d{2}))?(?![\d/])")
_PERCENT_TEXT = re.compile(r"(?<!\d)\d{1,3}\s*(?:%|phần trăm|phan tram)", re.I)
_NEGATIVE = ("not_done", "progress", "not_started", "other_negated", "partial", "remaining")
_DONEISH = ("done", "maybe", "likely")


def _note(original: str) -> str | None:
    """Free text worth keeping: what follows a colon, or a message longer than a status."""
    if ":" in original:
        after = original.split(":", 1)[1].strip()
        if after:
            return after
    without_percent = _PERCENT_TEXT.sub("", original)
    words = re.findall(r"[\w/\-]+", without_percent)
    if len(words) <= 3 and not re.search(r"\d", without_percent):
        return None
    return original.strip() or None


def _future_date(original: str, today: date | None) -> bool:
    """Whether the reply names a day after `today` ("xong trước 30/6" on 20/6)."""
    if today is None:
        return False
    for m in _DATE.finditer(original):
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


def _done(
    readings: list[str], figure: Amount | None, counterfactual: bool, hedged: bool, note: str | None
) -> ParsedReply:
    """A reply with a completion in it: done only when nothing in it says otherwise."""
    percent = figure.percent if figure is not None and not figure.target and not figure.whole else None
    short = percent if percent is not None and percent < 100 else None
    negative = {r for r in readings if r in _NEGATIVE}
    if counterfactual or short is not None or negative - {"remaining"}:
        return ParsedReply("in_progress", short, note)
    # A hedge ("cơ bản xong", "xem lại giúp em") or a bare "rồi ạ": ask. A bare "rồi" beside a
    # plain done ("dạ rồi, em gửi hôm qua rồi") is that done.
    if hedged or "maybe" in readings or ("likely" in readings and "done" not in readings):
        return ParsedReply(UNCLEAR_DONE, None, note)
    if negative:
        return ParsedReply("in_progress", None, note)  # "tập huấn xong rồi, còn kiểm tra"
    return ParsedReply("done", percent, note)


def _not_done(readings: list[str], figure: Amount | None, note: str | None) -> ParsedReply:
    percent = figure.percent if figure is not None else None
    if any(r in ("not_done", "progress", "weak", "remaining") for r in readings):
        return ParsedReply("in_progress", percent if percent != 100 else None, note)
    if "not_started" in readings:
        return ParsedReply("not_started", None, note)
    if percent is not None:
        return ParsedReply("done" if percent == 100 else "in_progress", percent, note)
    return ParsedReply("none")


def read(text: str, today: date | None = None) -> ParsedReply:
    """What a reply says. `today` (the ward's local day) lets a named day after it read as a
    promise ("xong ngày 30/6" on 20/6)."""
    original = " ".join(text.split())
    plain = normalize(text).text
    if not re.search(r"[a-z0-9]", plain):
        return ParsedReply("none")  # emoji, punctuation
    note = _note(original)
    every = clauses(plain)
    said: list[Clause] = [c for c in every if not c.question]
    # A question that carries a negation ("rồi không, xong") leaves a done beside it in doubt.
    doubted = any(c.question and re.search(rf"\b{lx.NEG}\b", c.text) for c in every)
    readings = [c.reading for c in said]
    figure = amount(" , ".join(c.text for c in said))
    if "declined" in readings:
        return ParsedReply("not_applicable", None, note)
    if "blocked" in readings:
        return ParsedReply("blocked", figure.percent if figure is not None and not figure.target else None, note)
    if any(r in _DONEISH for r in readings) or "partial" in readings:
        if _future_date(original, today):
            readings.append("progress")
        if any(lx.PARTIAL.search(c.text) for c in said):
            readings.append("partial")  # "xong, phần 2 đang làm": a part named anywhere
        counterfactual = any(c.finishing for c in said) and bool(lx.COUNTERFACTUAL.search(plain))
        hedged = doubted or any(lx.HEDGE.search(c.text) for c in said)
        return _done(readings, figure, counterfactual, hedged, note)
    if lx.COUNTERFACTUAL.search(plain) and (any(c.finishing for c in said) or lx.THOUGHT_DONE.search(plain)):
        return ParsedReply("in_progress", None, note)  # "tưởng ok rồi ai dè sai số liệu"
    return _not_done(readings, figure, note)
