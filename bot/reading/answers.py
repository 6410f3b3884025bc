"""Answers to the bot's own questions: "1"/"2" to "đã hoàn thành hẳn chưa?", and "sai" /
"nhầm" taking back what was just recorded."""

from __future__ import annotations

import re

from bot.reading import lexicon as lx
from bot.reading.normalize import normalize
from bot.reading.result import ParsedReply

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
