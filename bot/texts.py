"""Every text a person reads, in Vietnamese. Other modules build data; this module words it."""

from __future__ import annotations

from datetime import date

WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")

KIND_LABELS = {
    "before": "nhắc trước hạn",
    "due": "đến hạn",
    "overdue": "quá hạn",
    "checkin": "hỏi tiến độ định kỳ",
    "escalate": "báo cáo lãnh đạo",
    "manual": "nhắc theo yêu cầu",
}

ROLE_LABELS = {"lead": "chủ trì", "coordinate": "phối hợp"}

STATUS_LABELS = {
    "done": "Đã hoàn thành",
    "in_progress": "Đang thực hiện",
    "blocked": "Vướng mắc",
    "not_started": "Chưa triển khai",
    "not_applicable": "Không phát sinh",
    "none": "Chưa rõ",
}

DEADLINE_KIND_LABELS = {
    "once": "một lần",
    "recurring": "định kỳ",
    "ongoing": "thường xuyên",
    "conditional": "có điều kiện",
}

FREQ_LABELS = {
    "monthly": "hằng tháng",
    "quarterly": "hằng quý",
    "semiannual": "6 tháng một lần",
    "yearly": "hằng năm",
}


def vn_date(day: date) -> str:
    """08/5/2026 — day padded, month not, as Vietnamese documents write it."""
    return f"{day.day:02d}/{day.month}/{day.year}"


def vn_weekday_date(day: date) -> str:
    weekday = WEEKDAYS[day.weekday()]
    return f"{weekday[0].upper()}{weekday[1:]}, {vn_date(day)}"


def remaining_phrase(working_days: int) -> str:
    if working_days > 0:
        return f"còn {working_days} ngày làm việc"
    if working_days == 0:
        return "hạn là hôm nay"
    return f"đã quá hạn {-working_days} ngày làm việc"


def shorten(text: str, limit: int = 160) -> str:
    """Cut at a word boundary and mark the cut, so a reminder stays readable on a phone."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.")
    return cut + "…"


def split_message(text: str, limit: int) -> list[str]:
    """Split at line boundaries into chunks of at most `limit` characters."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:  # a single overlong line: cut at a space
            head = line[:limit].rsplit(" ", 1)[0] or line[:limit]
            if current:
                chunks.append(current)
                current = ""
            chunks.append(head)
            line = line[len(head):].lstrip()
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current or not chunks:
        chunks.append(current)
    return chunks
