"""Answers to the bot's own questions: "1"/"2" to "đã hoàn thành hẳn chưa?", "1"/"2"/"3" to
"đang ở trạng thái nào?" (asked again after a retraction), and "sai" / "nhầm" taking back
what was just recorded."""

from __future__ import annotations

import re

from bot.reading import lexicon as lx
from bot.reading.normalize import normalize
from bot.reading.result import ParsedReply, Status

_LEAD = r"^(?:vang |da |a |ok |em |anh |chi |dung la )*"
_YES = re.compile(
    _LEAD + r"(?:(?:1|so 1)(?: da xong| xong)?|mot|co|roi|dung|dung roi|xong|da xong|xong roi|hoan thanh|da hoan thanh"
    r"|hoan thanh roi|co roi|ok xong|xong het|xong han|hoan thanh han|vang|ok|yes)" + lx.PARTICLES + "$"
)
_NO = re.compile(
    _LEAD + r"(?:(?:2|so 2)(?: chua xong)?|hai|chua|khong|chua xong|chua hoan thanh|chua het|chua han|chua xong han"
    r"|khong phai|van chua|chua dau)" + lx.PARTICLES + "$"
)
_RETRACTION = re.compile(
    r"^(?:vang |da |a |oi |chet |thoi |xin loi |em |anh )*(?:sai|nham|khong phai|khong dung|ghi sai|ghi nham"
    r"|bao nham|bao sai|em nham|nham roi|sai roi)(?: (?:roi|a|anh|chi|em|nhe|nha|oi|het|nhiem vu(?: \d+)?|\d+))*$"
)


def _plain(text: str) -> str:
    words = normalize(text).text
    return " ".join(w for w in words.split() if w not in (",", ".", "!", ";", ":", "?", "=")).strip()


def read_confirmation(text: str, asked: ParsedReply) -> ParsedReply | None:
    """The answer to the "đã hoàn thành hẳn chưa?" question: "1", "có", "rồi", "đúng" → done;
    "2", "chưa", "không" → in progress (the note of the reply that raised the question kept);
    anything else None (read it as a new reply)."""
    plain = _plain(text)
    if _NO.match(plain):
        return ParsedReply("in_progress", None, asked.note)
    if _YES.match(plain):
        return ParsedReply("done", None, asked.note)
    return None


def is_retraction(text: str) -> bool:
    """ "sai", "sai rồi", "không phải", "nhầm", "em nhầm rồi ạ": the person takes back what the
    bot just recorded. A decline ("không phải việc của bên em") is not one."""
    plain = _plain(text)
    return bool(_RETRACTION.match(plain)) and not lx.DECLINED.search(plain)


# "1 = đã xong, 2 = đang làm, 3 = vướng": the number first, then what the person adds (a
# percent after 2, a reason after 3). Typed on Zalo, where there are no buttons. A number
# glued to more digits ("30/6", "10") is not one of the answers.
_RESTATED = re.compile(r"^\s*(?:số\s*|so\s*)?([123])(?=$|[\s=:,.)\-])[\s=:,.)\-]*(.*)$", re.S | re.I)
_RESTATED_STATUS: dict[str, Status] = {"1": "done", "2": "in_progress", "3": "blocked"}
_SAID_IN_FULL = {"1": ("da xong", "xong", "hoan thanh"), "2": ("dang lam",), "3": ("vuong",)}
_PERCENT = re.compile(r"(\d{1,3})\s*%")
_BLOCKED_WORD = re.compile(r"^(?:vướng|vuong|vg)(?:\s*(?:mắc|mac))?\s*[:,\-]?\s*", re.I)


def read_restatement(text: str) -> ParsedReply | None:
    """The answer to "đang ở trạng thái nào ạ? 1 = đã xong, 2 = đang làm, 3 = vướng": "1" →
    done; "2", "2 50%" → in progress (with its percent); "3", "3: chờ kinh phí" → blocked
    (with its reason). None when the message is not one of these (read it as a reply)."""
    m = _RESTATED.match(text)
    if m is None:
        return None
    number, rest = m[1], m[2].strip()
    if _plain(rest) in _SAID_IN_FULL[number]:
        rest = ""  # "1 = đã xong" typed in full
    if number == "1":
        return ParsedReply("done") if not rest else None
    if number == "2":
        percent = _PERCENT.search(rest)
        if rest and (percent is None or not _plain(rest).replace("dang lam", "").strip(" %").isdigit()):
            return None
        value = int(percent[1]) if percent is not None else None
        return ParsedReply("in_progress", value if value is not None and value < 100 else None)
    reason = _BLOCKED_WORD.sub("", rest).strip()
    return ParsedReply("blocked", None, reason or None)
