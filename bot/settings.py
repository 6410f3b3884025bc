"""One typed settings object, built in `main` and passed down (never a module global)."""

from __future__ import annotations

import sys
from datetime import time
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from scheduler.workcal import OfficeHours

# Where the bundled plan and calendar are found, first hit wins: ./data (a ward's own copy
# in the working directory), the installed copy (pyproject's data-files put them under
# <prefix>/share/nhacviec), the source checkout (an editable install).
_SOURCES = (
    Path("data"),
    Path(sys.prefix) / "share" / "nhacviec",
    Path(__file__).resolve().parent.parent / "data",
)


def bundled(name: str) -> Path:
    for folder in _SOURCES:
        if (folder / name).exists():
            return folder / name
    return _SOURCES[0] / name


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NHACVIEC_", env_file=".env", extra="ignore")

    plan_path: Path = Field(default_factory=lambda: bundled("tasks.yaml"))
    calendar_path: Path = Field(default_factory=lambda: bundled("calendar.yaml"))
    database_url: str = "sqlite+aiosqlite:///nhacviec.db"
    ward: str = "default"

    # Office hours "07:30-11:30,13:30-17:00", local time in `timezone`.
    office_hours: str = "07:30-11:30,13:30-17:00"
    timezone: str = "Asia/Ho_Chi_Minh"

    # Outbox dispatch.
    tick_seconds: float = 2.0
    claim_batch: int = 50
    lease_seconds: int = 120
    max_attempts: int = 8
    # A reminder that fell due while the bot was down is still sent when younger than this.
    stale_after_hours: float = 20.0
    plan_ahead_days: int = 35
    silent_after_days: int = 14
    # Which deadline the standing (on time / late / overdue) is judged against when the office
    # approved an extension: the approved day (as VPCP counts) or the plan's original one.
    on_time_against: Literal["extended", "original"] = "extended"

    link_code_ttl_hours: int = 72

    # Where /export, the report-due reminder and the digest write their files (kept for Zalo
    # and the console, which cannot receive them).
    files_path: Path = Path("nhacviec-files")
    # Where the photos and files units send as evidence are kept (default: FILES_PATH/evidence).
    evidence_path: Path | None = None
    # The weekly digest to the office and leaders: weekday and local time, "MON 07:45".
    digest_time: str = "MON 07:45"

    telegram_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_bot_username: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    # Sending pace of the whole bot (all workers on PostgreSQL together); Telegram allows
    # about 30 messages/s counted over any 1-second window at its end, and 2/s of margin
    # absorbs ~70 ms of network and scheduling jitter, each 429 costing a pause of all sends.
    telegram_max_rate: float = 28.0
    zalo_token: SecretStr | None = None
    zalo_base_url: str = "https://bot-api.zaloplatforms.com"
    zalo_webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8080
    webhook_mode: bool = False
    # The public HTTPS address Telegram and Zalo call in webhook mode; the bot registers
    # {public_url}/telegram/webhook and {public_url}/zalo/webhook itself at start.
    public_url: str | None = None

    # The office's desk (web page), served by `nhacviec run` in the same process. In webhook
    # mode on the webhook server's port (the default), that server serves it too.
    desk_enabled: bool = True
    desk_host: str = "127.0.0.1"
    desk_port: int = 8080
    # The address people open (behind the TLS proxy); default PUBLIC_URL, else host:port.
    desk_url: str | None = None
    # Signs the desk's session cookie. Unset: a random key made once and kept in the
    # database, shared by every worker.
    desk_secret: SecretStr | None = None
    desk_link_minutes: int = Field(default=10, gt=0)  # a one-time login link's life
    desk_idle_minutes: int = Field(default=60, gt=0)  # a session unused this long ends

    # Dead-man's switch: when rows have been due this long and nothing could be sent
    # meanwhile, the office is told (once per outage) and /healthz answers 503.
    deadman_minutes: float = Field(default=30.0, gt=0)
    # At start, Telegram/Zalo unreachable (a server boots before its network) is retried
    # this many times, waiting startup_retry_seconds, doubling up to 30 s, between tries.
    startup_retries: int = Field(default=8, ge=0)
    startup_retry_seconds: float = Field(default=2.0, ge=0)

    @field_validator("office_hours")
    @classmethod
    def _hours(cls, v: str) -> str:
        parse_office_hours(v)
        return v

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"múi giờ không hợp lệ: {v!r}") from None
        return v

    @field_validator("digest_time")
    @classmethod
    def _digest_time(cls, v: str) -> str:
        parse_weekly_time(v)
        return v

    def evidence_folder(self) -> Path:
        """Where evidence files are kept."""
        return self.evidence_path if self.evidence_path is not None else self.files_path / "evidence"

    def digest_at(self) -> tuple[int, time]:
        """(weekday, Monday = 0; local time) of the weekly digest."""
        return parse_weekly_time(self.digest_time)

    def hours(self) -> OfficeHours:
        return parse_office_hours(self.office_hours)

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def parse_office_hours(text: str) -> OfficeHours:
    intervals = []
    for part in text.split(","):
        start_text, _, end_text = part.strip().partition("-")
        try:
            start, end = time.fromisoformat(start_text.strip()), time.fromisoformat(end_text.strip())
        except ValueError:
            raise ValueError(f"giờ hành chính không hợp lệ: {part!r} (ví dụ 07:30-11:30)") from None
        if end <= start:
            raise ValueError(f"giờ hành chính không hợp lệ: {part!r}")
        intervals.append((start, end))
    return OfficeHours(intervals=tuple(intervals))


_WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")


def parse_weekly_time(text: str) -> tuple[int, time]:
    """ "MON 07:45" → (0, 07:45); weekdays in English three-letter form (or T2…T7, CN)."""
    day_text, _, time_text = text.strip().partition(" ")
    day = day_text.upper()
    vietnamese = {"T2": 0, "T3": 1, "T4": 2, "T5": 3, "T6": 4, "T7": 5, "CN": 6}
    weekday = _WEEKDAYS.index(day) if day in _WEEKDAYS else vietnamese.get(day)
    try:
        at = time.fromisoformat(time_text.strip())
    except ValueError:
        at = None
    if weekday is None or at is None:
        raise ValueError(f"lịch bản tin không hợp lệ: {text!r} (ví dụ MON 07:45)")
    return weekday, at
