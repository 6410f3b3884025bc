"""Reading a plan: bytes → text → a YAML tree within its budget → the schema → the resolved
plan. Every way this can fail ends as one PlanError with Vietnamese lines that name the place."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from scheduler.plan.messages import (
    PlanError,
    bad_scalar_problem,
    decode_plan_bytes,
    pydantic_problem,
    where,
    yaml_problem,
)
from scheduler.plan.model import Plan
from scheduler.plan.resolve import resolve
from scheduler.plan.schema import PlanFile
from scheduler.plan.yaml import (
    MAX_PLAN_BYTES,
    YamlBudgetError,
    compose,
    construct,
    first_unstorable_line,
    line_index,
    size_problem,
    unstorable,
    walk_strings,
)


def load_plan(path: Path | str) -> Plan:
    path = Path(path)
    try:
        # Read at most one byte past the limit: a huge file (or /dev/zero) is never held whole.
        with path.open("rb") as f:
            data = f.read(MAX_PLAN_BYTES + 1)
    except OSError as exc:
        raise PlanError(str(path), [f"không đọc được tệp: {exc.strerror}"]) from None
    if len(data) > MAX_PLAN_BYTES:
        try:
            size = max(path.stat().st_size, len(data))
        except OSError:
            size = len(data)
        raise PlanError(str(path), [size_problem(size)])
    try:
        text = decode_plan_bytes(data)
    except ValueError as exc:
        raise PlanError(str(path), [str(exc)]) from None
    return parse_plan(text, str(path))


def parse_plan(text: str, source: str = "<plan>") -> Plan:
    if len(text) > MAX_PLAN_BYTES:
        raise PlanError(source, [size_problem(len(text.encode("utf-8", "surrogatepass")))])
    if (bad := first_unstorable_line(text)) is not None:
        # PyYAML would refuse it too, in English and without the line.
        raise PlanError(source, [f"dòng {bad[0]}: {bad[1]}"])
    try:
        root = compose(text)
        raw = construct(root) if root is not None else None
    except YamlBudgetError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
        raise PlanError(source, [f"YAML không hợp lệ ở dòng {line}: {exc}" if line else str(exc)]) from None
    except yaml.YAMLError as exc:
        raise PlanError(source, [yaml_problem(exc, text)]) from None
    except (ValueError, OverflowError) as exc:
        # PyYAML builds dates and numbers itself and lets 2026-13-05 escape as a bare ValueError.
        raise PlanError(source, [bad_scalar_problem(text, ValueError(str(exc)))]) from None
    if not isinstance(raw, dict):
        raise PlanError(source, ["tệp kế hoạch phải là một bảng (mapping) YAML: các trường plan, units, tasks…"])
    lines = line_index(root)
    # Escapes in quoted text ("\0", "\ud800") make characters no database column can keep.
    bad_text = [
        f"{where(path, raw, lines)}: {problem}"
        for path, value in walk_strings(raw)
        if (problem := unstorable(value)) is not None
    ]
    if bad_text:
        raise PlanError(source, bad_text)
    try:
        spec = PlanFile.model_validate(raw)
    except ValidationError as exc:
        problems = [f"{where(tuple(err['loc']), raw, lines)}: {pydantic_problem(err)}" for err in exc.errors()]
        raise PlanError(source, problems) from None
    return resolve(spec, raw, lines, source)
