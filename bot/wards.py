"""The wards one deployment serves: one plan file per ward, its identity from the plan.

`NHACVIEC_PLAN_PATH` is a plan file (one ward, as before) or a folder of plan files (a city:
every `*.yaml`/`*.yml` in it is one ward). A ward's identity is its plan's `ward` and `code`
("Phường Nhị Chiểu" + "158/KH-UBND" → key `phuong-nhi-chieu:158-kh-ubnd`), never a shared
default: two files with the same identity are refused, and so is a database that holds a
different plan under that identity (store.wards.claim_ward), rather than one plan silently
replacing another's tasks.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.texts import wards as texts_wards
from scheduler.folding import fold

if TYPE_CHECKING:  # read when a plan is: `nhacviec link` finds its ward without them
    from scheduler.plan import Plan
    from scheduler.workcal import WorkingCalendar

PLAN_SUFFIXES = (".yaml", ".yml")
KEY_WIDTH = 64  # wards.key
# Words a ward's name starts with that people leave out when they name it ("Nhị Chiểu").
_KINDS = ("phuong ", "xa ", "dac khu ", "thi tran ")


class WardError(Exception):
    """The wards cannot be served as given; the message is one Vietnamese paragraph."""


@dataclass(frozen=True)
class WardPlan:
    key: str  # identity in the database (wards.key)
    path: Path
    plan: Plan


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def ward_key(plan: Plan) -> str:
    """The plan's identity: its ward and its number, folded to a stable key."""
    key = f"{_slug(plan.ward) or 'phuong'}:{_slug(plan.code) or 'ke-hoach'}"
    if len(key) > KEY_WIDTH:
        # Long names keep a readable head and a checksum of the whole, so two stay apart.
        key = f"{key[: KEY_WIDTH - 9]}~{zlib.crc32(key.encode()):08x}"
    return key


def short_names(ward: str, key: str) -> set[str]:
    """What a person may type for a ward: its name (the plan's `ward`, with or without
    diacritics, with or without "Phường"), its key, the key's ward part."""
    name = fold(ward)
    names = {name, key, key.split(":", 1)[0]}
    for kind in _KINDS:
        if name.startswith(kind):
            names.add(name.removeprefix(kind))
    return {n for n in names if n}


def plan_files(path: Path) -> list[Path]:
    """The plan files `path` names: itself, or the plan files of a folder (hidden and
    editor backup files left out), in name order."""
    if not path.is_dir():
        return [path]
    return sorted(
        p for p in path.iterdir() if p.is_file() and p.suffix.lower() in PLAN_SUFFIXES and not p.name.startswith(".")
    )


def plan_digests(files: list[Path]) -> dict[Path, str]:
    """SHA-256 of each readable file's bytes (`wards.plan_sha`); an unreadable file is left
    out, for reading it to say why."""
    digests: dict[Path, str] = {}
    for f in files:
        with contextlib.suppress(OSError):
            digests[f] = hashlib.sha256(f.read_bytes()).hexdigest()
    return digests


def check_plan(path: Path, calendar: WorkingCalendar | None = None) -> Plan:
    """Load one plan with every check `nhacviec check` makes (the reminder policies against
    the office hours when a calendar is given); PlanError names every problem."""
    from scheduler.plan import PlanError, load_plan
    from scheduler.reminders import PolicyError, check_policy

    plan = load_plan(path)
    if calendar is not None:
        problems = []
        for policy, name in [(plan.policy, "reminders")] + [(t.policy, f"Nhiệm vụ {t.name}") for t in plan.tasks]:
            try:
                check_policy(policy, calendar)
            except PolicyError as exc:
                problems.append(f"{name}: {exc}")
        if problems:
            raise PlanError(str(path), problems)
    return plan


def load_wards(path: Path, calendar: WorkingCalendar | None = None) -> list[WardPlan]:
    """Every ward of `path`. PlanError for the first invalid file; WardError for an empty
    folder or two files of one identity."""
    files = plan_files(path)
    if not files:
        raise WardError(texts_wards.NO_PLAN_FILES.format(path=path))
    wards = [WardPlan(ward_key(plan), f, plan) for f in files for plan in (check_plan(f, calendar),)]
    check_distinct(wards)
    return wards


def check_distinct(wards: list[WardPlan]) -> None:
    seen: dict[str, WardPlan] = {}
    for w in wards:
        if (first := seen.get(w.key)) is not None:
            raise WardError(
                texts_wards.SAME_IDENTITY.format(
                    first=first.path.name, second=w.path.name, ward=w.plan.ward, code=w.plan.code
                )
            )
        seen[w.key] = w


def find_wards(wards: list[WardPlan], text: str) -> list[WardPlan]:
    """The wards `text` names (by name, short name or key); several when it is ambiguous."""
    wanted = fold(text).strip()
    exact = [w for w in wards if wanted == w.key]
    return exact or [w for w in wards if wanted in short_names(w.plan.ward, w.key)]


def pick_ward(wards: list[WardPlan], text: str | None) -> WardPlan:
    """The ward a command line acts on: `--ward` when given, the only one otherwise."""
    if text is None:
        if len(wards) == 1:
            return wards[0]
        raise WardError(texts_wards.WARD_REQUIRED.format(wards=ward_list(wards)))
    found = find_wards(wards, text)
    if len(found) == 1:
        return found[0]
    if not found:
        raise WardError(texts_wards.UNKNOWN_WARD.format(ward=text, wards=ward_list(wards)))
    raise WardError(texts_wards.AMBIGUOUS_WARD.format(ward=text, wards=ward_list(found)))


def ward_list(wards: list[WardPlan]) -> str:
    return "; ".join(f"{w.plan.ward} ({w.key})" for w in wards)
