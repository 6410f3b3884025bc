"""Files a unit sends as evidence: fetched from the channel, kept as bytes in the evidence
folder (NHACVIEC_EVIDENCE_PATH) under a name made from their hash — never executed, never
under a name the sender chose. A fetch that fails is kept as the file id and the error, so
the office is told and it can be fetched again; nothing is dropped silently."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.messages import FileSource, InboundFile
from bot.texts import common as texts

log = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024  # what Telegram lets a bot download
FETCH_ATTEMPTS = 2  # a second try at once; after that the file id is kept and the office told
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


class FileTooLarge(ValueError):
    """The file is over the cap: found out from its declared size or while reading it, so
    no more than the cap is ever held. Not worth a second try."""

    def __init__(self, size: int) -> None:
        super().__init__(f"file of more than {size} bytes")
        self.size = size


def _too_large(max_bytes: int) -> str:
    return texts.file_too_large(max_bytes)


@dataclass(frozen=True)
class FetchedFile:
    file: InboundFile
    path: str | None = None
    sha256: str | None = None
    size: int | None = None
    error: str | None = None

    @property
    def stored(self) -> bool:
        return self.path is not None


def safe_name(name: str | None, kind: str) -> str:
    """A file name that cannot climb out of the folder or look like something to run."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = _SAFE.sub("_", base).strip("._")[:80]
    if not base:
        base = "anh.jpg" if kind == "photo" else "tep"
    return base


def store_bytes(content: bytes, file: InboundFile, folder: Path, now: datetime) -> FetchedFile:
    """Write `content` under folder/YYYY/MM/<sha256 prefix>-<safe name>, readable, not executable."""
    digest = hashlib.sha256(content).hexdigest()
    target_dir = folder / f"{now:%Y}" / f"{now:%m}"
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"{digest[:16]}-{safe_name(file.filename, file.kind)}"
    if not target.exists():
        tmp = target.with_name(target.name + ".part")
        tmp.write_bytes(content)
        os.chmod(tmp, 0o640)
        os.replace(tmp, target)
    return FetchedFile(file, str(target), digest, len(content))


async def fetch_and_store(
    source: FileSource | None, file: InboundFile, folder: Path, now: datetime, max_bytes: int = MAX_BYTES
) -> FetchedFile:
    """The file's bytes in the evidence folder, or why they are not (kept with its id)."""
    if source is None:
        return FetchedFile(file, error=texts.FILE_NOT_FETCHABLE)
    if file.size is not None and file.size > max_bytes:
        return FetchedFile(file, error=texts.file_size_over(file.size))
    content = b""
    for attempt in range(1, FETCH_ATTEMPTS + 1):
        try:
            content = await source.fetch(file, max_bytes)
            break
        except FileTooLarge:
            log.warning("evidence file %s is over %d bytes: not kept", file.file_id[:40], max_bytes)
            return FetchedFile(file, error=_too_large(max_bytes))
        except Exception as exc:  # a network or API failure: tried again, then kept as an id
            log.warning(
                "evidence file %s could not be fetched (try %d): %s", file.file_id[:40], attempt, type(exc).__name__
            )
            if attempt == FETCH_ATTEMPTS:
                return FetchedFile(file, error=texts.file_not_fetched(type(exc).__name__))
    if len(content) > max_bytes:  # a source that does not cap its own reads
        return FetchedFile(file, error=_too_large(max_bytes))
    try:
        return store_bytes(content, file, folder, now)
    except OSError as exc:
        log.error("evidence file could not be written to %s: %s", folder, exc)
        return FetchedFile(file, error=texts.file_not_written(exc.strerror))
