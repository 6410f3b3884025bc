"""Task ids: what keeps a task the same task when the plan around it is edited.

A plan file may give each task an `id` ("t-3f9a2c"). The importer writes one for every task,
and a task written without one gets the same id derived from its content, so:

- importing a plan twice, or a revised edition of it, gives every unchanged task its old id
  (a renumbered or moved row keeps its id: nothing in the id is its number or place);
- the seed's import and data/tasks.yaml agree without the test ignoring ids.

The ward is not part of the hash: ids need to be unique within one plan only (the database
keeps them unique per ward), and leaving it out lets a draft whose ward the clerk has yet to
fill in get the ids it will keep.
"""

from __future__ import annotations

import hashlib
import re

from scheduler.folding import fold

# A short slug: letters, digits, "-", "_", "."; the width of tasks.uid.
ID_MAX = 32
ID_TEXT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
ID_HELP = 'mã nhiệm vụ (id) chỉ gồm chữ không dấu, số, "-", "_", "." và dài tối đa 32 ký tự, ví dụ "t-3f9a2c"'


def content_key(content: str) -> str:
    """Content as compared for identity: folded, one space between words, no end punctuation."""
    return " ".join(fold(content).split()).strip(" .;:")


def derived_id(content: str, taken: set[str]) -> str:
    """The id a task without one gets from its content; a second task of the same words in
    one plan gets the next free one (deterministic: the order of the plan decides)."""
    key = content_key(content)
    n = 0
    while True:
        seed = key if n == 0 else f"{key}#{n}"
        uid = "t-" + hashlib.sha256(seed.encode("utf-8")).hexdigest()[:6]
        if uid not in taken:
            return uid
        n += 1


def with_ids(text: str, ids: list[str | None]) -> str:
    """The plan file's text with `id: …` written into each task that has none (`ids[i]` for
    the i-th task; None leaves it as it is), comments and layout kept: the id goes first in
    the task's mapping, on the line where the mapping starts (`- id: t-3f9a2c` then the
    task's first key on the next line, or `{id: t-3f9a2c, …}` in a one-line task)."""
    import yaml

    from scheduler.plan.yaml import compose

    root = compose(text)
    if not isinstance(root, yaml.MappingNode):
        return text
    tasks = next((v for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == "tasks"), None)
    if not isinstance(tasks, yaml.SequenceNode):
        return text
    lines = text.splitlines(keepends=True)
    # From the last task up, so the line numbers of those above stay right.
    for node, uid in reversed(list(zip(tasks.value, ids, strict=False))):
        if uid is None or not isinstance(node, yaml.MappingNode):
            continue
        row, col = node.start_mark.line, node.start_mark.column
        line = lines[row]
        if node.flow_style:
            lines[row] = f"{line[: col + 1]}id: {uid}, {line[col + 1 :]}"
        else:
            lines[row] = f"{line[:col]}id: {uid}\n{' ' * col}{line[col:]}"
    return "".join(lines)
