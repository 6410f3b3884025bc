"""/summary N: a task's history, one line per report — when, which unit, who, the words."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.texts.common import ROLE_LABELS, STATUS_LABELS, retracted_mark
from bot.texts.report import period_label, quoted, vn_datetime
from bot.texts.review import review_label
from store.history import HistoryRow


def _status(row: HistoryRow) -> str:
    if (reviewed := review_label(row.status, row.review)) is not None:
        return reviewed
    text = STATUS_LABELS.get(row.status, row.status)
    if row.percent is not None and row.status != "done":
        text += f" {row.percent}%"
    return text


def history_line(row: HistoryRow, zone: ZoneInfo) -> str:
    """ "20/04/2026 09:00 — VHXH (chủ trì), Lê Minh Châu: “vướng: chưa có kinh phí” → Vướng mắc"."""
    who = f"văn phòng ghi nhận hộ ({row.recorder})" if row.recorded and row.recorder else row.person
    period = period_label(row.occurrence_key)
    line = f"{vn_datetime(row.at, zone)} — {row.unit_code} ({ROLE_LABELS.get(row.role, row.role)})"
    if period:
        line += f" [{period}]"
    if who:
        line += f", {who}"
    words = row.text or row.note
    if words:
        line += f": {quoted(words, 160)}"
    line = f"{line} → {_status(row)}"
    return line + retracted_mark(row.retracted_at, zone) if row.retracted_at is not None else line


def history_text(
    label: int | str, content: str, rows: list[HistoryRow], zone: ZoneInfo, *, limit: int | None = None
) -> str:
    head = content if len(content) <= 90 else content[:89].rsplit(" ", 1)[0] + "…"
    lines = [f"LỊCH SỬ BÁO CÁO — Nhiệm vụ {label}", head, ""]
    if not rows:
        lines.append("Chưa có báo cáo nào.")
    else:
        if limit is not None and len(rows) >= limit:
            lines.append(f"({limit} báo cáo gần nhất)")
        lines += [history_line(r, zone) for r in rows]
    return "\n".join(lines)
