"""Files of the plan intake: an uploaded plan checked before anything reads it (size, kind,
a zip that really is an Office file and does not explode), read into a draft; the plan
file written into the plans folder with the previous version kept beside it; the versions
of a ward's plan."""

from __future__ import annotations

import os
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from bot.desk.intake_draft import Draft, from_import, from_plan_text
from bot.texts import intake as tx
from scheduler.plan import PlanError, parse_plan
from scheduler.plan.messages import decode_plan_bytes

MAX_UPLOAD = tx.MAX_UPLOAD_MB * 1024 * 1024
OFFICE = {".docx", ".xlsx"}
CONVERTED = {".doc", ".odt"}
PLAN_FILES = {".yaml", ".yml"}
# A real plan's Word file unpacks to a few MB; anything far beyond is a bomb, not a plan.
MAX_UNPACKED = 200 * 1024 * 1024
MAX_MEMBERS = 5_000
BACKUP = ".bak"


class UploadRefused(Exception):
    """One Vietnamese line for the clerk."""


def _safe_name(name: str) -> str:
    base = Path(name.replace("\\", "/")).name.strip() or "ke-hoach"
    return "".join(ch for ch in base if ch.isprintable())[:120]


def check_office_zip(data_path: Path, name: str) -> None:
    """A .docx/.xlsx is a zip: refuse one that is not, or that unpacks far beyond any plan."""
    if not zipfile.is_zipfile(data_path):
        raise UploadRefused(tx.NOT_OFFICE_FILE.format(name=name))
    try:
        with zipfile.ZipFile(data_path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UploadRefused(tx.NOT_OFFICE_FILE.format(name=name)) from None
    if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_UNPACKED:
        raise UploadRefused(tx.BOMB.format(name=name))
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names:
        raise UploadRefused(tx.NOT_OFFICE_FILE.format(name=name))


def read_upload(content: bytes, name: str, ward_id: int, today: date, now: datetime) -> Draft:
    """The uploaded file as a draft, or UploadRefused with one line. Runs in a worker thread."""
    name = _safe_name(name)
    suffix = Path(name).suffix.lower()
    if len(content) > MAX_UPLOAD:
        raise UploadRefused(tx.TOO_LARGE)
    if suffix in PLAN_FILES:
        return _read_plan_file(content, name, ward_id, now)
    if suffix not in OFFICE | CONVERTED:
        raise UploadRefused(tx.WRONG_KIND.format(suffix=suffix or tx.NO_SUFFIX))
    with tempfile.TemporaryDirectory(prefix="nhacviec-nhap-") as tmp:
        # Under its own name: the importer names the file in its lines and titles an untitled plan by it.
        path = Path(tmp) / f"{Path(name).stem[:80].strip('.') or 'ke-hoach'}{suffix}"
        path.write_bytes(content)
        if suffix in OFFICE:
            check_office_zip(path, name)
        # Here, not at the top: the serving desk would keep the importer resident for nothing.
        from bot.importer import ImportFailure, draft_plan

        try:
            result = draft_plan(path, today=today)
        except ImportFailure as exc:
            raise UploadRefused(str(exc).replace(str(path), name)) from None
        except Exception:  # a file no reader foresaw: one line, never a traceback on the page
            raise UploadRefused(tx.READ_FAILED.format(name=name)) from None
    result.source_name = name
    return from_import(result, ward_id, now)


def _read_plan_file(content: bytes, name: str, ward_id: int, now: datetime) -> Draft:
    try:
        text = decode_plan_bytes(content)
        parse_plan(text, name)  # size, alias and depth budgets, then every check
    except PlanError as exc:
        raise UploadRefused(tx.BAD_PLAN_FILE.format(name=name, problem=exc.problems[0])) from None
    except ValueError as exc:  # not UTF-8 text
        raise UploadRefused(tx.BAD_PLAN_FILE.format(name=name, problem=str(exc))) from None
    return from_plan_text(text, name, ward_id, now, kind="import")


# --- the plans folder ------------------------------------------------------------------


@dataclass(frozen=True)
class Version:
    path: Path
    saved: datetime
    current: bool


def backup_name(path: Path, at: datetime) -> Path:
    """name.yaml → name.20261206-221500.yaml.bak: beside it, never read as a plan."""
    return path.with_name(f"{path.stem}.{at:%Y%m%d-%H%M%S}{path.suffix}{BACKUP}")


def write_plan(path: Path, text: str, at: datetime) -> Path | None:
    """Write the plan file atomically (the bot never sees half a file), keeping the previous
    version beside it; returns the kept version's path."""
    kept = None
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        kept = backup_name(path, at)
        kept.write_bytes(path.read_bytes())
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return kept


def versions(path: Path) -> list[Version]:
    """The plan file and its kept versions, newest first."""
    out: list[Version] = []
    if path.is_file():
        out.append(Version(path, datetime.fromtimestamp(path.stat().st_mtime), True))
    for p in path.parent.glob(f"{path.stem}.*{path.suffix}{BACKUP}"):
        out.append(Version(p, datetime.fromtimestamp(p.stat().st_mtime), False))
    return [out[0], *sorted(out[1:], key=lambda v: v.path.name, reverse=True)] if out and out[0].current else out
