"""A plan draft at the desk: what the importer read (or the running plan, for an edit), the
reader's questions with the clerk's answers, the clerk's unit edits — kept as one JSON file
per draft in the data folder so the clerk can leave and come back.

The draft's `data` is the plan file's tree as read; answers and unit edits are applied on
top of it each time the plan is built (`build`), so an answer can be changed or a merge
undone without losing what was read.
"""

from __future__ import annotations

import copy
import json
import os
import re
import secrets
from dataclasses import asdict, dataclass
from dataclasses import field as default
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from bot.texts.intake import draft_header
from scheduler.deadlines import DeadlineRule, Once, Ongoing, Period, read_deadline, rule_summary
from scheduler.plan import Plan, PlanError, parse_plan
from scheduler.plan.yaml import compose, construct

if TYPE_CHECKING:  # the importer is loaded for an upload only, not with the serving desk
    from bot.importer import ImportQuestion, ImportResult

CODE = re.compile(r"^[A-Z0-9_]{1,32}$")
_SPELLING = re.compile(r'"(.*)"')


@dataclass
class Question:
    id: str
    kind: str
    task: str
    field: str
    where: str
    text: str
    choices: list[str]
    # A deadline's candidate readings as phrases the plan reads exactly (one per choice, "" when none).
    phrases: list[str] = default(default_factory=list)
    spelling: str = ""  # a unit question's spelling
    answer: Any = None


@dataclass
class Draft:
    id: str
    ward_id: int
    source: str
    kind: str  # "import" (a file) or "edit" (the running plan)
    data: dict[str, Any]
    questions: list[Question] = default(default_factory=list)
    merged: dict[str, list[list[str]]] = default(default_factory=dict)  # unit code → [spelling, why]
    renames: dict[str, str] = default(default_factory=dict)  # unit code → new code
    titles: dict[str, str] = default(default_factory=dict)  # unit code → head's title
    splits: list[list[str]] = default(default_factory=list)  # [unit code, spelling] merges undone
    notices: list[str] = default(default_factory=list)
    skipped: list[str] = default(default_factory=list)
    shape: str = ""
    created_at: str = ""
    activated: dict[str, Any] | None = None

    # --- questions ---------------------------------------------------------------------

    def open_questions(self) -> list[Question]:
        return [q for q in self.questions if not answered(q, self)]

    def question(self, qid: str) -> Question | None:
        return next((q for q in self.questions if q.id == qid), None)

    def unit_codes(self) -> list[str]:
        """The units' codes before the clerk's renames: read, answered, split off."""
        return [str(u.get("code", "")) for u in self.units()]

    def units(self) -> list[dict[str, Any]]:
        """The units with every answer and undone merge applied, not yet renamed."""
        renames, self.renames = self.renames, {}
        try:
            return [u for u in self.build().get("units") or [] if isinstance(u, dict)]
        finally:
            self.renames = renames

    def year(self) -> int:
        plan = self.data.get("plan") or {}
        year = plan.get("year")
        if isinstance(year, int):
            return year
        try:
            return date.fromisoformat(str(plan.get("issued"))).year
        except ValueError:
            return date.today().year

    # --- the plan ----------------------------------------------------------------------

    def build(self) -> dict[str, Any]:
        """The plan file's tree with every answer and unit edit applied."""
        data = copy.deepcopy(self.data)
        for q in self.questions:
            if q.answer not in (None, "", []):
                _apply(data, q)
        for code, spelling in self.splits:
            _split(data, code, spelling)
        for code, title in self.titles.items():
            unit = _unit(data, code)
            if unit is not None:
                if title.strip():
                    unit["head_title"] = title.strip()
                else:
                    unit.pop("head_title", None)
        _rename(data, {old: new for old, new in self.renames.items() if new and new != old})
        return data

    def yaml_text(self) -> str:
        return draft_header(self.source) + yaml.safe_dump(self.build(), allow_unicode=True, sort_keys=False, width=100)

    def plan(self) -> tuple[Plan | None, list[str]]:
        """The plan as the bot would load it, or the problems `nhacviec check` names."""
        try:
            return parse_plan(self.yaml_text(), self.source), []
        except PlanError as exc:
            return None, list(exc.problems)


def answered(q: Question, draft: Draft) -> bool:
    a = q.answer
    if a in (None, "", []):
        return False
    if q.kind == "deadline":
        return read_deadline(str(a), draft.year()).runs_unattended
    if q.kind == "lead":
        return str(a) in draft.unit_codes()
    if q.kind == "group":
        return isinstance(a, list) and all(c in draft.unit_codes() for c in a)
    return True


# --- applying answers ------------------------------------------------------------------


def task_label(task: dict[str, Any]) -> str:
    section, stt = task.get("section"), task.get("stt")
    return f"{section}.{stt}" if section else str(stt)


def _task(data: dict[str, Any], label: str) -> dict[str, Any] | None:
    return next((t for t in data.get("tasks") or [] if isinstance(t, dict) and task_label(t) == label), None)


def _unit(data: dict[str, Any], code: str) -> dict[str, Any] | None:
    return next((u for u in data.get("units") or [] if isinstance(u, dict) and u.get("code") == code), None)


def _apply(data: dict[str, Any], q: Question) -> None:
    a = q.answer
    if q.kind == "plan" and q.field == "units":
        for line in str(a).splitlines():
            code, _, name = _code_name(line)
            if code and name:
                data.setdefault("units", []).append({"code": code, "name": name})
    elif q.kind == "plan":
        data.setdefault("plan", {})[q.field] = " ".join(str(a).split())
    elif q.kind == "group":
        group = next((g for g in data.get("groups") or [] if g.get("code") == q.task), None)
        if group is not None:
            group["members"] = list(a)
    elif q.kind == "unit":
        _move_spelling(data, q.task, q.spelling, str(a))
    elif q.kind in ("content", "lead", "deadline"):
        task = _task(data, q.task)
        if task is not None:
            task[q.field] = [str(a)] if q.kind == "lead" else " ".join(str(a).split())


def _code_name(line: str) -> tuple[str, str, str]:
    code, sep, name = line.partition("–") if "–" in line else line.partition("-")
    return code.strip().upper(), sep, name.strip()


def _move_spelling(data: dict[str, Any], code: str, spelling: str, answer: str) -> None:
    """A spelling merged on a guess: kept (the answer is its unit), moved to another unit,
    or a new unit of its own ("new:CODE")."""
    if answer == code or not spelling:
        return
    unit = _unit(data, code)
    if unit is not None and spelling in (unit.get("aliases") or []):
        unit["aliases"] = [x for x in unit["aliases"] if x != spelling]
    if answer.startswith("new:"):
        data.setdefault("units", []).append({"code": answer[4:], "name": spelling})
        return
    target = _unit(data, answer)
    if target is not None:
        target.setdefault("aliases", []).append(spelling)


def _split(data: dict[str, Any], code: str, spelling: str) -> None:
    """Undo a merge: the spelling becomes a unit of its own, with a code made from it."""
    unit = _unit(data, code)
    if unit is None or spelling not in (unit.get("aliases") or []):
        return
    unit["aliases"] = [x for x in unit["aliases"] if x != spelling]
    data.setdefault("units", []).append({"code": new_code(spelling, _all_codes(data)), "name": spelling})


def _all_codes(data: dict[str, Any]) -> set[str]:
    return {str(u.get("code")) for key in ("units", "groups") for u in data.get(key) or [] if isinstance(u, dict)}


def new_code(name: str, taken: set[str]) -> str:
    """Initials of the name without diacritics ("Phòng Kinh tế" → PKT), made unique."""
    from scheduler.folding import fold

    words = re.findall(r"[a-z0-9]+", fold(name))
    base = ("".join(w[0] for w in words) or "DV").upper()[:28]
    code, n = base, 2
    while code in taken:
        code, n = f"{base}{n}", n + 1
    return code


def _rename(data: dict[str, Any], renames: dict[str, str]) -> None:
    if not renames:
        return
    for unit in data.get("units") or []:
        if unit.get("code") in renames:
            unit["code"] = renames[unit["code"]]
    for group in data.get("groups") or []:
        group["members"] = [renames.get(m, m) for m in group.get("members") or []]
    plan = data.get("plan") or {}
    if plan.get("coordinating_unit") in renames:
        plan["coordinating_unit"] = renames[plan["coordinating_unit"]]
    for task in data.get("tasks") or []:
        for key in ("lead", "coordinate"):
            if isinstance(task.get(key), list):
                task[key] = [renames.get(x, x) for x in task[key]]


# --- making drafts ---------------------------------------------------------------------


def candidate_phrase(rule: DeadlineRule) -> str:
    """A deadline phrase the plan reads exactly as this candidate reading, or ""."""
    if isinstance(rule, Once) and rule.time is None:
        phrase = f"Chậm nhất {rule.due:%d/%m/%Y}"
    elif isinstance(rule, Period):
        phrase = f"Từ {rule.start:%d/%m/%Y} đến {rule.end:%d/%m/%Y}"
    elif isinstance(rule, Ongoing):
        phrase = "Thường xuyên"
    else:
        return ""
    year = rule.due.year if isinstance(rule, Once) else rule.end.year if isinstance(rule, Period) else 2026
    reading = read_deadline(phrase, year)
    return phrase if reading.rule is not None and rule_summary(reading.rule) == rule_summary(rule) else ""


def _question(n: int, q: ImportQuestion, year: int, cell: str) -> Question:
    phrases: list[str] = []
    if q.kind == "deadline":
        reading = read_deadline(cell, year)
        phrases = [candidate_phrase(c) for c in reading.candidates]
    spelling = ""
    if q.kind == "unit":
        m = _SPELLING.search(q.where)
        spelling = m[1] if m else ""
    return Question(f"q{n}", q.kind, q.task, q.field, q.where, q.text, list(q.choices), phrases, spelling)


def from_import(result: ImportResult, ward_id: int, now: datetime) -> Draft:
    data = yaml.safe_load(result.yaml_text)  # the importer's own text: plain, no aliases
    draft = Draft(
        id=secrets.token_urlsafe(12),
        ward_id=ward_id,
        source=result.source_name,
        kind="import",
        data=_plain(data),
        merged={u.code: [list(m) for m in u.merged] for u in result.units if u.merged},
        notices=list(result.notices),
        skipped=list(result.skipped),
        shape=result.shape,
        created_at=now.isoformat(),
    )
    cells = {t.label: t.deadline for t in result.tasks}
    draft.questions = [
        _question(n, q, draft.year(), cells.get(q.task, "")) for n, q in enumerate(result.questions, start=1)
    ]
    return draft


def from_plan_text(text: str, source: str, ward_id: int, now: datetime, kind: str = "edit") -> Draft:
    """A draft of a plan file as it stands (the running plan, or an edited .yaml): already
    checked by the caller with `parse_plan`, so it holds no alias bombs."""
    root = compose(text)
    data = construct(root) if root is not None else {}
    return Draft(
        id=secrets.token_urlsafe(12),
        ward_id=ward_id,
        source=source,
        kind=kind,
        data=_plain(data),
        created_at=now.isoformat(),
    )


def _plain(data: Any) -> Any:
    """Dates and times as ISO text: the tree goes through JSON and back."""
    result: Any = json.loads(json.dumps(data, default=_iso, ensure_ascii=False))
    return result


def _iso(value: object) -> str:
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    raise TypeError(type(value).__name__)


# --- storing drafts --------------------------------------------------------------------


def drafts_folder(files: Path, ward_id: int) -> Path:
    return files / "ke-hoach-nhap" / str(ward_id)


def save(files: Path, draft: Draft) -> None:
    folder = drafts_folder(files, draft.ward_id)
    folder.mkdir(parents=True, exist_ok=True, mode=0o750)
    tmp = folder / f".{draft.id}.tmp"
    tmp.write_text(json.dumps(asdict(draft), ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, folder / f"{draft.id}.json")


def load(files: Path, ward_id: int, draft_id: str) -> Draft | None:
    if not re.fullmatch(r"[A-Za-z0-9_-]{8,40}", draft_id):
        return None
    path = drafts_folder(files, ward_id) / f"{draft_id}.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    raw["questions"] = [Question(**q) for q in raw.get("questions", [])]
    return Draft(**raw)


def listed(files: Path, ward_id: int) -> list[Draft]:
    """The ward's drafts not yet activated, newest first."""
    folder = drafts_folder(files, ward_id)
    if not folder.is_dir():
        return []
    found = [load(files, ward_id, p.stem) for p in folder.glob("*.json")]
    out = [d for d in found if d is not None and d.activated is None]
    return sorted(out, key=lambda d: d.created_at, reverse=True)
