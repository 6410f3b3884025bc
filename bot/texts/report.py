"""Vietnamese words of the report: class names, periods, shares, dates, quoted reports."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.texts.common import vn_date, vn_period
from scheduler.rating_rules import Grade
from scheduler.standing import Standing
from scheduler.windows import ReportWindow
from store.reporting import ReportRow

CLASS_LABELS: dict[Standing, str] = {
    "done_on_time": "Hoàn thành đúng hạn",
    "done_late": "Hoàn thành quá hạn",
    "in_term": "Đang thực hiện trong hạn",
    "overdue": "Quá hạn chưa hoàn thành",
    "waiting": "Chờ điều kiện triển khai",
    "not_applicable": "Không phát sinh",
    "before_tracking": "Trước khi theo dõi",
}

NOT_REPORTED = "đơn vị chưa báo cáo"


def period_label(key: str) -> str:
    """An occurrence key as people say it ("tháng 6/2026"); "" for one-off deadlines."""
    return vn_period(key) if key[:4].isdigit() else ""


def percent_text(value: float | None) -> str:
    """33.3 → "33,3%" (Vietnamese decimal comma); nothing to divide → "–"."""
    if value is None:
        return "–"
    return f"{value:.1f}".replace(".", ",") + "%"


def number_text(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def data_period(window: ReportWindow) -> str:
    return f"Số liệu từ {vn_date(window.start)} đến {vn_date(window.end)}"


def vn_datetime(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{vn_date(local.date())} {local:%H:%M}"


def quoted(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return f"“{text}”"


def report_words(r: ReportRow) -> str:
    """What the unit said: its own words when the report came from a message."""
    return r.text or r.note or ""


def report_line(r: ReportRow, zone: ZoneInfo) -> str:
    """ "Lê Minh Châu, 20/4/2026 09:00: “vướng: chưa có kinh phí”"."""
    who = f"{r.person}, " if r.person else ""
    words = report_words(r)
    return f"{who}{vn_datetime(r.at, zone)}" + (f": {quoted(words)}" if words else "")


def reason(r: ReportRow) -> str:
    """The difficulty a blocked report gave (the reason after "vướng:", else the words)."""
    return r.note or r.text or "không nêu lý do"


def produced_line(ward: str, day: date) -> str:
    return f"{ward}, ngày lập: {vn_date(day)}"


GRADE_LABELS: dict[Grade, str] = {
    "excellent": "Hoàn thành xuất sắc nhiệm vụ",
    "good": "Hoàn thành tốt nhiệm vụ",
    "pass": "Hoàn thành nhiệm vụ",
    "fail": "Không hoàn thành nhiệm vụ",
}
NO_GRADE = "Chưa đủ cơ sở xếp loại"


def grade_text(grade: Grade | None) -> str:
    return GRADE_LABELS[grade] if grade is not None else NO_GRADE


REPORT = "Báo cáo"  # the title of a report whose cycle has no name
