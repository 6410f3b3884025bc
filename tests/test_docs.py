"""The README documents every chat command, every CLI command with its arguments and every
setting, and links only to files in the repository (as sqlite-utils checks its docs); the
docs name only source files that exist and every migration a rollback may go down."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from bot.cli.main import build_parser
from bot.conversation.handle import COMMANDS
from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _row(command: str) -> str:
    """The README table row that documents `nhacviec COMMAND`."""
    rows = [line for line in README.splitlines() if line.startswith(f"| `nhacviec {command}")]
    assert rows, f"`nhacviec {command}` is not in the README's command table"
    return rows[0]


@pytest.mark.parametrize("command", sorted(c.name for c in COMMANDS))
def test_every_chat_command_is_in_the_readme_with_its_usage(command: str) -> None:
    registered = COMMANDS.get(command)
    assert registered is not None
    # A "|" inside a table cell is written "\|" so the table keeps its columns.
    usage = registered.usage.replace("|", "\\|")
    assert f"| `{usage}` |" in README


def _undocumented(command: str, parser: argparse.ArgumentParser) -> list[str]:
    """Arguments of `nhacviec COMMAND` missing from its README row or without help text."""
    row = _row(command)
    missing = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if not action.help:
            missing.append(f"{action.dest} (no help text)")
        if action.option_strings:
            flag = max(action.option_strings, key=len)
            if not re.search(rf"{re.escape(flag)}\b", row):
                missing.append(flag)
    return missing


@pytest.mark.parametrize("command", sorted(_subcommands()))
def test_every_cli_command_is_in_the_readme_with_its_arguments(command: str) -> None:
    assert _undocumented(command, _subcommands()[command]) == []


def test_the_docs_check_notices_a_missing_argument() -> None:
    parser = _subcommands()["remind"]
    parser.add_argument("--undocumented-flag", help="x")
    parser.add_argument("--no-help")
    assert _undocumented("remind", parser) == ["--undocumented-flag", "no_help (no help text)", "--no-help"]


@pytest.mark.parametrize("field", sorted(Settings.declared))
def test_every_setting_is_documented(field: str) -> None:
    assert f"`NHACVIEC_{field.upper()}`" in README


def test_readme_links_only_to_files_in_the_repository() -> None:
    targets = re.findall(r"\]\(([^)]+)\)", README)
    assert any(t.startswith("docs/") for t in targets), targets  # the links are really read
    for target in targets:
        assert not target.startswith(("../", "/")), target
        if not target.startswith(("http://", "https://", "#")):
            assert (ROOT / target.split("#")[0]).exists(), target
    assert "../shared" not in README


DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_the_docs_name_only_source_files_that_exist(doc: Path) -> None:
    """An operator or a new developer follows the paths the docs give (docs/zalo.md sent
    them to `bot/zalo/`, which had moved to `bot/channels/zalo/`)."""
    text = doc.read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:bot|scheduler|store|bench|tests|deploy)/[\w./*-]*[\w/*])", text))
    assert named or doc.name in ("rating.md",), doc  # the pattern really finds paths
    missing = [path for path in sorted(named) if not any(ROOT.glob(path.rstrip("/")))]
    assert missing == [], f"{doc.name} names paths that do not exist: {missing}"


def test_the_rollback_notes_name_every_migration_since_backups() -> None:
    """`nhacviec migrate --to REV` before a rollback: docs/deploying.md says what each
    migration's way down drops, from 0010k (backup marks) to the head."""
    from store.versioning import SCHEMA_HEAD

    revisions = []
    for migration in sorted((ROOT / "store" / "migrations" / "versions").glob("*.py")):
        found = re.search(r'^revision: str = "(\w+)"$', migration.read_text(encoding="utf-8"), re.M)
        if found:
            revisions.append(found.group(1))
    assert SCHEMA_HEAD in revisions and "0010k" in revisions
    deploying = (ROOT / "docs" / "deploying.md").read_text(encoding="utf-8")
    rollback = deploying[deploying.index("**Rollback.**") :]
    since = revisions[revisions.index("0010k") :]
    assert [r for r in since if f"`{r}`" not in rollback] == []
