"""One typed settings object, built in `main` and passed down (never a module global).

Read by bot/settings_reader.py (not pydantic-settings: `nhacviec link` spent a sixth of its
time importing and building it, issue 26). Annotations here are real types, read at run time:
no `from __future__ import annotations` in this module.
"""

import difflib
import os
import sys
from collections.abc import Mapping
from datetime import time
from pathlib import Path
from typing import ClassVar, Literal
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.settings_reader import SecretStr, SettingsError, TypedSettings, read_env_file, setting
from scheduler.workcal import OfficeHours
from store import pg_options

__all__ = ["SecretStr", "Settings", "SettingsError"]

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


# Zalo's CDN domains as seen in image URLs of the Zalo Bot API (…zdn.vn, …zadn.vn) and its
# own domains; NHACVIEC_ZALO_FILE_HOSTS replaces the list.
ZALO_FILE_HOSTS = "zdn.vn,zadn.vn,zalo.me,zaloapp.com,zaloplatforms.com"


CHANNELS = ("console", "telegram", "zalo")
# NHACVIEC_* names that are not settings of the bot (the test suite's and benchmarks').
NOT_SETTINGS = frozenset({"NHACVIEC_TEST_POSTGRES_URL", "NHACVIEC_BENCH_POSTGRES_URL"})


def normalise_database_url(url: str) -> str:
    """The async driver added to a plain postgresql:// or sqlite:// URL; ValueError for a URL
    the bot cannot use."""
    scheme, sep, rest = url.partition("://")
    if not sep or not (rest or scheme.startswith("sqlite")):  # sqlite:// alone: in memory
        raise ValueError(
            f"không phải địa chỉ cơ sở dữ liệu: {url.split('@')[-1]!r} (ví dụ sqlite+aiosqlite:///nhacviec.db)"
        )
    # asyncpg is PostgreSQL's driver (~6 MiB lighter in a worker than psycopg:
    # bench/idle_memory.py); psycopg, the driver until issue 26, is still taken as written.
    drivers = {"postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg", "sqlite": "sqlite+aiosqlite"}
    scheme = drivers.get(scheme, scheme)
    if scheme not in ("postgresql+asyncpg", "postgresql+psycopg", "sqlite+aiosqlite"):
        raise ValueError(
            f"chỉ dùng được sqlite+aiosqlite://, postgresql:// (postgresql+asyncpg://) hoặc postgresql+psycopg://, "
            f"không phải {scheme}://"
        )
    if scheme == "postgresql+asyncpg":
        _check_asyncpg_options(dict(parse_qsl(rest.partition("?")[2], keep_blank_values=True)))
    return f"{scheme}://{rest}"


def _check_asyncpg_options(options: dict[str, str]) -> None:
    if unknown := sorted(options.keys() - pg_options.OPTIONS):
        raise ValueError(
            f"asyncpg không hiểu tham số {', '.join(unknown)} của địa chỉ PostgreSQL; nếu cần tham số của libpq, "
            "viết địa chỉ là postgresql+psycopg://…"
        )
    for name in ("connect_timeout", "prepared_statement_cache_size", *pg_options.NUMBERS):
        if name in options:
            try:
                float(options[name])
            except ValueError:
                said = f"tham số {name} của địa chỉ PostgreSQL phải là một số, không phải {options[name]!r}"
                raise ValueError(said) from None


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


# --- the checks of single values: each normalises its value or raises ValueError ---------


def _api_url(v: str) -> str:
    parts = urlsplit(v)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"phải là địa chỉ http(s)://…, không phải {v!r}")
    return v


def _public_url(v: str | None) -> str | None:
    if v in (None, ""):
        return None
    parts = urlsplit(v)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"phải là địa chỉ https://… công khai, không phải {v!r}")
    return v


def _channels(v: str | None) -> str | None:
    if v is None or not v.strip():
        return None
    names = [n.strip().lower() for n in v.replace("|", ",").replace(" ", ",").split(",") if n.strip()]
    unknown = [n for n in names if n not in CHANNELS]
    if unknown:
        raise ValueError(f"kênh không có: {', '.join(unknown)} (chọn trong: {', '.join(CHANNELS)})")
    if "console" in names and len(names) > 1:
        raise ValueError("console chỉ chạy một mình (bản thử trên máy), không cùng telegram/zalo")
    return ",".join(dict.fromkeys(names))


def _hours(v: str) -> str:
    parse_office_hours(v)
    return v


def _zone(v: str) -> str:
    try:
        ZoneInfo(v)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"múi giờ không hợp lệ: {v!r}") from None
    return v


def _digest_time(v: str) -> str:
    parse_weekly_time(v)
    return v


class Settings(TypedSettings):
    env_prefix: ClassVar[str] = "NHACVIEC_"

    plan_path: Path = setting(default_factory=lambda: bundled("tasks.yaml"))
    calendar_path: Path = setting(default_factory=lambda: bundled("calendar.yaml"))
    database_url: str = setting(default="sqlite+aiosqlite:///nhacviec.db", check=normalise_database_url)
    ward: str = "default"

    # Office hours "07:30-11:30,13:30-17:00", local time in `timezone`.
    office_hours: str = setting(default="07:30-11:30,13:30-17:00", check=_hours)
    timezone: str = setting(default="Asia/Ho_Chi_Minh", check=_zone)

    # Outbox dispatch.
    tick_seconds: float = setting(default=2.0, gt=0, le=3600)
    claim_batch: int = setting(default=50, ge=1, le=10_000)
    lease_seconds: int = setting(default=120, ge=10, le=86_400)
    max_attempts: int = setting(default=8, ge=1, le=100)
    # A reminder that fell due while the bot was down is still sent when younger than this.
    stale_after_hours: float = setting(default=20.0, gt=0, le=24 * 30)
    plan_ahead_days: int = setting(default=35, ge=1, le=400)
    silent_after_days: int = setting(default=14, ge=1, le=365)
    # Which deadline the standing (on time / late / overdue) is judged against when the office
    # approved an extension: the approved day (as VPCP counts) or the plan's original one.
    on_time_against: Literal["extended", "original"] = "extended"

    link_code_ttl_hours: int = setting(default=72, ge=1, le=24 * 60)

    # Where /export, the report-due reminder and the digest write their files (kept for Zalo
    # and the console, which cannot receive them).
    files_path: Path = Path("nhacviec-files")
    # Where the photos and files units send as evidence are kept (default: FILES_PATH/evidence).
    evidence_path: Path | None = None
    # The weekly digest to the office and leaders: weekday and local time, "MON 07:45".
    digest_time: str = setting(default="MON 07:45", check=_digest_time)

    telegram_token: SecretStr | None = None
    telegram_base_url: str = setting(default="https://api.telegram.org/bot", check=_api_url)
    telegram_bot_username: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    # Sending pace of the whole bot (all workers on PostgreSQL together); Telegram allows
    # about 30 messages/s counted over any 1-second window at its end, and 2/s of margin
    # absorbs ~70 ms of network and scheduling jitter, each 429 costing a pause of all sends.
    telegram_max_rate: float = setting(default=28.0, gt=0, le=30)
    zalo_token: SecretStr | None = None
    zalo_base_url: str = setting(default="https://bot-api.zaloplatforms.com", check=_api_url)
    zalo_webhook_secret: SecretStr | None = None
    # The hosts Zalo serves the images people send from (a host or any of its subdomains,
    # comma-separated); an image URL naming another host, or resolving to a private or
    # loopback address, is not fetched. An IP address listed here is allowed as is (a test
    # fake or a local mirror).
    zalo_file_hosts: str = ZALO_FILE_HOSTS
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = setting(default=8080, ge=1, le=65535)
    webhook_mode: bool = False
    # The public HTTPS address Telegram and Zalo call in webhook mode; the bot registers
    # {public_url}/telegram/webhook and {public_url}/zalo/webhook itself at start.
    public_url: str | None = setting(default=None, check=_public_url)
    # Which messengers `nhacviec run` serves: "console" (the demo), or "telegram", "zalo" or
    # both ("telegram,zalo"). Unset: the channels whose token is set, else the console. A
    # service sets it, so a missing token is refused instead of a silent console that exits.
    channels: str | None = setting(default=None, check=_channels)
    # Serve /healthz and /metrics on WEBHOOK_LISTEN:WEBHOOK_PORT in polling mode too (webhook
    # mode always serves them): for a container's health check and Prometheus.
    health_server: bool = False
    # Log lines as plain text or as one JSON object per line (for a log collector).
    log_format: Literal["text", "json"] = "text"

    # The office's desk (web page), served by `nhacviec run` in the same process. In webhook
    # mode on the webhook server's port (the default), that server serves it too.
    desk_enabled: bool = True
    desk_host: str = "127.0.0.1"
    desk_port: int = setting(default=8080, ge=1, le=65535)
    # The address people open (behind the TLS proxy); default PUBLIC_URL, else host:port.
    desk_url: str | None = setting(default=None, check=_public_url)
    # Signs the desk's session cookie. Unset: a random key made once and kept in the
    # database, shared by every worker.
    desk_secret: SecretStr | None = None
    desk_link_minutes: int = setting(default=10, gt=0)  # a one-time login link's life
    desk_idle_minutes: int = setting(default=60, gt=0)  # a session unused this long ends

    # Dead-man's switch: when rows have been due this long and nothing could be sent
    # meanwhile, the office is told (once per outage) and /healthz answers 503.
    deadman_minutes: float = setting(default=30.0, gt=0, le=24 * 60)
    # At start, Telegram/Zalo unreachable (a server boots before its network) is retried
    # this many times, waiting startup_retry_seconds, doubling up to 30 s, between tries.
    startup_retries: int = setting(default=8, ge=0, le=1000)
    startup_retry_seconds: float = setting(default=2.0, ge=0, le=300)

    def check_together(self) -> None:
        for name, token in (("telegram", self.telegram_token), ("zalo", self.zalo_token)):
            if self.channels and name in self.channels.split(",") and not token:
                raise ValueError(f"NHACVIEC_CHANNELS có {name} nhưng chưa đặt NHACVIEC_{name.upper()}_TOKEN")

    def channel_list(self) -> list[str]:
        """The channels `nhacviec run` serves (see `channels`)."""
        if self.channels:
            return self.channels.split(",")
        found = [n for n, t in (("telegram", self.telegram_token), ("zalo", self.zalo_token)) if t]
        return found or ["console"]

    def messengers(self) -> bool:
        """Whether `run` serves Telegram/Zalo (not the console demo)."""
        return self.channel_list() != ["console"]

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


def unknown_names(environ: Mapping[str, str | None]) -> list[str]:
    """One line per NHACVIEC_* name in `environ` that is no setting, with the closest one
    (a misspelt token must stop the bot, not leave it running on the console)."""
    known = {f"NHACVIEC_{name.upper()}" for name in Settings.declared}
    problems = []
    for name in sorted(environ):
        upper = name.upper()
        if not upper.startswith("NHACVIEC_") or upper in known or upper in NOT_SETTINGS:
            continue
        # Compared without the shared prefix, which would make every name look close.
        suffixes = sorted(k.removeprefix("NHACVIEC_") for k in known)
        close = difflib.get_close_matches(upper.removeprefix("NHACVIEC_"), suffixes, n=1, cutoff=0.7)
        hint = f"; có phải NHACVIEC_{close[0]}?" if close else "; xem .env.example"
        problems.append(f"{name}: không có thiết lập này{hint}")
    return problems


def environment_names(env_file: Path = Path(".env")) -> dict[str, str | None]:
    """The process environment and the .env file Settings reads, as one mapping."""
    names: dict[str, str | None] = dict(os.environ)
    if env_file.is_file():
        names.update(read_env_file(env_file, "NHACVIEC_"))
    return names
