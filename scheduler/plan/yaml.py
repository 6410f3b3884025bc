"""Reading a plan file that may be hostile: a size limit, YAML without unbounded alias
expansion, no nesting deep enough to exhaust the stack, no text the database cannot keep.

A plan is edited by hand and may be copied from anywhere. PyYAML shares aliased nodes, so a
15 KB "billion laughs" file loads quickly, but everything that walks the tree afterwards (the
line index, pydantic) expands it: minutes and gigabytes. The loader here counts the size of
the tree *as expanded* while composing it and stops at a budget far above any real plan.
"""

from __future__ import annotations

import contextlib
import re
from typing import TYPE_CHECKING, Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

try:
    from yaml._yaml import CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml: the pure reader only
    CParser = object  # type: ignore[assignment,misc]

# A ward's plan is ~15 KB; the largest appendix imported so far is under 200 KB.
MAX_PLAN_BYTES = 2 * 1024 * 1024
# Nodes of the tree with every alias expanded: the bundled plan has ~1,500.
MAX_EXPANDED_NODES = 200_000
MAX_ALIASES = 1_000
MAX_DEPTH = 32


class PlanTooLarge(ValueError):
    """The file is over MAX_PLAN_BYTES; the message is Vietnamese."""


class YamlBudgetError(yaml.YAMLError):
    """The YAML is well-formed but too large to expand, too deep or self-referencing."""

    def __init__(self, message: str, mark: yaml.Mark | None) -> None:
        super().__init__(message)
        self.message = message
        self.problem_mark = mark

    def __str__(self) -> str:
        return self.message


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def size_problem(size: int) -> str:
    return (
        f"tệp kế hoạch quá lớn ({size / 1024 / 1024:.1f} MB), giới hạn là {MAX_PLAN_BYTES // 1024 // 1024} MB "
        "— tệp kế hoạch thường chỉ vài chục KB, hãy kiểm tra lại có chọn đúng tệp không"
    )


class _BudgetComposer(yaml.composer.Composer):
    """PyYAML's composer refusing alias bombs, deep nesting and self-referencing anchors,
    over whichever parser gives it events."""

    if TYPE_CHECKING:  # the parser's, next in the loader's bases

        def check_event(self, *choices: Any) -> bool: ...
        def peek_event(self) -> Any: ...

    def _start_budget(self) -> None:
        # id(node) → its size with aliases expanded, set once the node is composed: an alias
        # to a node without a size yet points into the node being composed (a cycle).
        self._expanded: dict[int, int] = {}
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            node = super().compose_node(parent, index)
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise YamlBudgetError(f"dùng quá nhiều tham chiếu (*), giới hạn là {MAX_ALIASES}", mark)
            if id(node) not in self._expanded:
                raise YamlBudgetError("tham chiếu (*) trỏ vào chính phần đang khai báo (vòng lặp)", mark)
            return node
        mark = self.peek_event().start_mark
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise YamlBudgetError(f"lồng nhau quá sâu (quá {MAX_DEPTH} cấp)", mark)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if node is None:
            return None
        size = 1
        if isinstance(node, yaml.SequenceNode):
            size += sum(self._expanded.get(id(child), 1) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            size += sum(self._expanded.get(id(k), 1) + self._expanded.get(id(v), 1) for k, v in node.value)
        if size > MAX_EXPANDED_NODES:
            raise YamlBudgetError(
                f"nội dung khi mở rộng các tham chiếu (*) quá lớn (hơn {_thousands(MAX_EXPANDED_NODES)} phần tử)",
                mark,
            )
        self._expanded[id(node)] = size
        return node


class BudgetLoader(_BudgetComposer, yaml.SafeLoader):
    """SafeLoader (pure Python) under the budget composer: the YAML errors it raises are the
    ones scheduler/plan/messages.py words in Vietnamese."""

    def __init__(self, stream: str) -> None:
        yaml.SafeLoader.__init__(self, stream)
        self._start_budget()


class _LibyamlBudgetLoader(_BudgetComposer, CParser, SafeConstructor, Resolver):
    """libyaml's parser (C) giving its events to the same budget composer: the same tree and
    marks, read several times faster (the pure-Python scanner was 85% of reading a plan)."""

    def __init__(self, stream: str) -> None:
        CParser.__init__(self, stream)
        yaml.composer.Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self._start_budget()


def compose(text: str) -> yaml.Node | None:
    """The YAML tree of `text` within the budgets (YamlBudgetError / YAMLError otherwise).
    Read by libyaml when PyYAML has it; a text it refuses for any reason is read again by
    the pure-Python reader, so a person sees the same words naming the same line either way
    (libyaml words its syntax errors differently, and only valid plans need the speed)."""
    if yaml.__with_libyaml__:
        with contextlib.suppress(Exception):
            return _compose(_LibyamlBudgetLoader(text))
    return _compose(BudgetLoader(text))


def _compose(loader: BudgetLoader | _LibyamlBudgetLoader) -> yaml.Node | None:
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def construct(node: yaml.Node) -> Any:
    loader = BudgetLoader("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


# Characters the database cannot keep (NUL in PostgreSQL text, lone surrogates in UTF-8) or
# that no one types in a plan (other C0 controls; tab and line breaks are fine).
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def unstorable(text: str) -> str | None:
    """A Vietnamese description of the first character of `text` a plan may not hold."""
    m = _UNSTORABLE.search(text)
    if m is None:
        return None
    code = ord(m[0])
    kind = "nửa cặp ký tự đại diện (surrogate)" if 0xD800 <= code <= 0xDFFF else "ký tự điều khiển không in được"
    return f"có {kind} U+{code:04X}, không lưu được — xóa ký tự này hoặc gõ lại đoạn văn bản"


def first_unstorable_line(text: str) -> tuple[int, str] | None:
    """Line and description of the first raw control character in the file itself."""
    m = _UNSTORABLE.search(text)
    if m is None:
        return None
    problem = unstorable(m[0])
    assert problem is not None
    return text.count("\n", 0, m.start()) + 1, problem


def walk_strings(data: Any, path: tuple[Any, ...] = ()) -> Any:
    """(path, text) for every string in the loaded plan, keys included (bounded by the
    loader's budget, and cycles were refused)."""
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str):
                yield (*path, key), key
            yield from walk_strings(value, (*path, key))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from walk_strings(item, (*path, i))


def line_index(root: yaml.Node | None) -> dict[tuple[Any, ...], int]:
    """Map YAML paths such as ("tasks", 3, "deadline") to 1-based line numbers (the tree
    was composed within the loader's budget, so walking it is bounded)."""
    lines: dict[tuple[Any, ...], int] = {}

    def walk(node: yaml.Node, path: tuple[Any, ...]) -> None:
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                walk(value, (*path, key.value))
                lines[(*path, key.value)] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))

    if root is not None:
        walk(root, ())
    return lines
