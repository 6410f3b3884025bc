"""The layers point one way (bot → scheduler → store), nothing imports in a circle, and SQL
lives in store/. Read from the source, so a lazy import inside a function counts too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "scheduler", "store")
# What each layer may import from the project.
ALLOWED = {"bot": {"bot", "scheduler", "store"}, "scheduler": {"scheduler", "store"}, "store": {"store"}}
SQL_BUILDERS = {"select", "insert", "update", "delete", "text"}


def _modules() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Project modules imported by `name`, anywhere in the file (lazy imports included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in MODULES else base)
    return {m for m in found if m.split(".")[0] in PACKAGES}


GRAPH = {name: _imports(name, path) - {name} for name, path in MODULES.items()}


def _layer_violations() -> list[str]:
    return [
        f"{name} imports {target}"
        for name, targets in sorted(GRAPH.items())
        for target in sorted(targets)
        if target.split(".")[0] not in ALLOWED[name.split(".")[0]]
    ]


def test_layers_point_one_way() -> None:
    assert _layer_violations() == []


def test_the_check_catches_an_import_that_points_back() -> None:
    GRAPH["store.models"].add("scheduler.plan")
    try:
        assert _layer_violations() == ["store.models imports scheduler.plan"]
    finally:
        GRAPH["store.models"].discard("scheduler.plan")


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_module_imports_in_a_circle() -> None:
    assert _cycles(GRAPH) == []


def test_the_cycle_check_finds_a_circle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("name", sorted(n for n in MODULES if not n.startswith("store")))
def test_sql_is_built_only_in_store(name: str) -> None:
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    offending = [
        f"line {node.lineno}: from {node.module} import {', '.join(a.name for a in node.names)}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and (node.module or "").startswith("sqlalchemy")
        and ((node.module or "").startswith("sqlalchemy.dialects") or any(a.name in SQL_BUILDERS for a in node.names))
    ]
    assert offending == []


# Inside bot/, from the top down: a package may import only itself and what is below it.
# The CLI and the composition root wire everything; the desk, the channels and the chat
# commands are the ways in; the conversation handles one message; actions and reports are
# the use cases and files; readers, the context, settings (read by settings_reader) and words
# sit at the bottom, and the message types everything speaks are the floor.
BOT_LAYERS = (
    ("cli",),
    ("app",),
    ("desk", "channels", "commands"),
    ("conversation",),
    ("actions", "report", "importer"),
    ("reading",),
    ("context",),
    ("wards",),
    ("settings",),
    ("settings_reader",),
    ("texts",),
    ("messages",),
)
LEVEL = {part: n for n, parts in enumerate(BOT_LAYERS) for part in parts}


def _bot_part(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "bot" and len(parts) > 1 else None


def _bot_violations(graph: dict[str, set[str]]) -> list[str]:
    out = []
    for name, targets in sorted(graph.items()):
        mine = _bot_part(name)
        if mine is None:
            continue
        for target in sorted(targets):
            theirs = _bot_part(target)
            if theirs is None or theirs == mine:
                continue
            if LEVEL[theirs] <= LEVEL[mine]:
                # Same level (desk ↔ commands) or above: a way in never calls another way in.
                out.append(f"{name} imports {target}")
    return out


def test_every_bot_package_has_its_place_in_the_layers() -> None:
    parts = {p for n in MODULES if (p := _bot_part(n)) is not None}
    assert parts <= set(LEVEL), sorted(parts - set(LEVEL))


def test_bot_packages_import_only_downward() -> None:
    assert _bot_violations(GRAPH) == []


def test_the_bot_layer_check_catches_an_arrow_back_up() -> None:
    assert _bot_violations({"bot.conversation.handle": {"bot.commands.review"}}) == [
        "bot.conversation.handle imports bot.commands.review"
    ]
    assert _bot_violations({"bot.desk.pages": {"bot.commands.office"}}) == [
        "bot.desk.pages imports bot.commands.office"
    ]
