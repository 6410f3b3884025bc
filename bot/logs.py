"""Logging that never prints a secret: bot tokens live inside API URLs."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

_secrets: set[str] = set()
_installed = False


def redact(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, "***")
    return text


def install_redaction(secrets: Iterable[str]) -> None:
    """Redact `secrets` from every log record, whoever logs it (httpx, PTB, us)."""
    global _installed
    _secrets.update(s for s in secrets if s and len(s) >= 6)
    if _installed:
        return
    _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if _secrets:
            try:
                message = record.getMessage()
            except Exception:  # a malformed record is logged as it is
                return record
            cleaned = redact(message)
            if cleaned != message:
                record.msg, record.args = cleaned, None
        return record

    logging.setLogRecordFactory(factory)
