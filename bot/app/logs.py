"""Logging that never prints a secret: bot tokens live inside API URLs.

Two layers: the record factory redacts each record's message as it is made (whoever logs
it: httpx, uvicorn, us), and `RedactingFormatter` redacts the whole formatted line,
tracebacks included, since an exception's text and its frames' reprs can hold a URL with
the token (`cmd_run` installs it on the root handlers).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.settings import Settings

_secrets: set[str] = set()
_installed = False


# A desk login link is a path: whoever logs a request line (uvicorn's access log, an error
# handler, httpx) must not write a usable link, so its token is cut from every record.
_LOGIN_PATH = re.compile(r"(/dang-nhap/)[^\s\"'?#<>]+")


def redact(text: str) -> str:
    # Longest first: a secret that contains another is replaced whole.
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    return _LOGIN_PATH.sub(r"\1***", text)


def install_redaction(secrets: Iterable[str]) -> None:
    """Redact `secrets` from every log record, whoever logs it (httpx, uvicorn, us)."""
    global _installed
    _secrets.update(s for s in secrets if s and len(s) >= 6)
    if _installed:
        return
    _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        # Always, not only once a secret is known: login paths are cut too.
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logged as it is
            return record
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return record

    logging.setLogRecordFactory(factory)


class RedactingFormatter(logging.Formatter):
    """A formatter whose every output, exception text and stack included, is redacted."""

    def formatException(self, ei: Any) -> str:  # noqa: N802 (logging's name)
        return redact(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:  # noqa: N802
        return redact(super().formatStack(stack_info))

    def format(self, record: logging.LogRecord) -> str:
        # record.exc_text may have been cached unredacted by another handler's formatter.
        return redact(super().format(record))


def redact_handlers(logger: logging.Logger | None = None) -> None:
    """Give every handler of `logger` (the root logger by default) a redacting formatter
    that keeps the handler's own format."""
    for handler in (logger or logging.getLogger()).handlers:
        current = handler.formatter
        if not isinstance(current, RedactingFormatter):
            handler.setFormatter(RedactingFormatter() if current is None else _wrap(current))


def _wrap(formatter: logging.Formatter) -> logging.Formatter:
    """The handler's own formatter (its format, style and class kept), redacted."""

    class Wrapped(RedactingFormatter):
        def format(self, record: logging.LogRecord) -> str:
            return redact(formatter.format(record))

    return Wrapped()


class JsonFormatter(RedactingFormatter):
    """One JSON object per line (NHACVIEC_LOG_FORMAT=json), redacted like the text lines:
    time (UTC, ISO 8601), level, logger, message, and the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(verbose: bool, fmt: str) -> None:
    """The root handler for `nhacviec run`: text or JSON lines."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format=TEXT_FORMAT)
    if fmt == "json":
        for handler in logging.getLogger().handlers:
            handler.setFormatter(JsonFormatter())
    logging.getLogger("httpx").setLevel(logging.WARNING)  # httpx logs URLs, and URLs hold tokens


def secrets_of(settings: Settings) -> list[str]:
    """Every secret a log line or a message could leak: tokens, webhook secrets, and the
    database password. Here, not with the messengers: the console run needs it without
    loading them (and prometheus-client with them)."""
    from sqlalchemy.engine import make_url

    out = [
        s.get_secret_value()
        for s in (
            settings.telegram_token,
            settings.zalo_token,
            settings.telegram_webhook_secret,
            settings.zalo_webhook_secret,
            settings.desk_secret,
        )
        if s
    ]
    try:
        password = make_url(settings.database_url).password
    except Exception:  # an unparsable URL fails later, with its own message
        password = None
    if password:
        out.append(str(password))
    return out
