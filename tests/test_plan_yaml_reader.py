"""Plans are read by libyaml (C) under the same budget composer as the pure-Python reader:
the same tree and lines for every plan, and for a file either refuses the same Vietnamese
words naming the same line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from scheduler.plan import PlanError, parse_plan
from scheduler.plan.yaml import BudgetLoader, _compose, _LibyamlBudgetLoader, compose
from tests.test_hostile_plan import alias_bomb

ROOT = Path(__file__).resolve().parent.parent
PLANS = sorted([ROOT / "data" / "tasks.yaml", *(ROOT / "tests" / "data").glob("*.yaml")])


def _shape(node: yaml.Node) -> list[tuple[Any, ...]]:
    """Every node in document order: kind, tag, value, where it starts and ends."""
    out: list[tuple[Any, ...]] = []

    def walk(n: yaml.Node) -> None:
        value = n.value if isinstance(n.value, str) else None
        out.append((type(n).__name__, n.tag, value, n.start_mark.line, n.start_mark.column, n.end_mark.line))
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                walk(k)
                walk(v)
        elif isinstance(n, yaml.SequenceNode):
            for child in n.value:
                walk(child)

    walk(node)
    return out


@pytest.mark.parametrize("path", PLANS, ids=lambda p: p.name)
def test_libyaml_reads_every_plan_to_the_pure_readers_tree_and_lines(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    fast, pure = _compose(_LibyamlBudgetLoader(text)), _compose(BudgetLoader(text))
    assert fast is not None and pure is not None
    assert _shape(fast) == _shape(pure)


def _refusal(text: str) -> str:
    with pytest.raises(PlanError) as err:
        parse_plan(text)
    return str(err.value)


@pytest.mark.parametrize(
    "text",
    [
        alias_bomb(),
        "a: &a [*a]\n",
        "a: " + "[" * 5000 + "]" * 5000 + "\n",
        "a: &a x\n" + "".join(f"b{i}: *a\n" for i in range(1500)),
        "plan:\n  code: 1\n tasks: [\n",  # bad indentation
        "plan:\n\tcode: 1\n",  # a tab
        'plan: "unclosed\n',
    ],
    ids=["alias bomb", "cycle", "deep", "alias flood", "indentation", "tab", "unclosed quote"],
)
def test_a_refused_file_is_worded_as_the_pure_reader_words_it(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with_libyaml = _refusal(text)
    monkeypatch.setattr(yaml, "__with_libyaml__", False)
    assert with_libyaml == _refusal(text)
    assert "dòng" in with_libyaml


def test_the_libyaml_reader_keeps_the_budget_itself() -> None:
    # Not only the pure reader behind it: the tree libyaml's events build is bounded too.
    with pytest.raises(yaml.YAMLError, match="quá lớn"):
        _compose(_LibyamlBudgetLoader(alias_bomb()))
    assert compose("a: &a [1]\nb: *a\n") is not None
