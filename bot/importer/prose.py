"""Plans written as prose: numbered items, each closed by field lines.

Many ward and commune plans write the assignment in the body, not in a table:

    II. NHIỆM VỤ CỤ THỂ
    1. Tuyên truyền về cải cách hành chính
    - Đơn vị chủ trì: Phòng Văn hóa - Xã hội
    - Thời gian hoàn thành: Quý II/2026

An item is any numbered or bulleted line (I., A., 1., 1.1, a), (1), -, +, •). Nesting
follows the order in which the kinds of marker appear (the way a reader follows it), so
any depth and any style works. A task is an item closed by a field block (lead,
coordinating units, product, deadline — in any order and spelling); one block after
several sibling items that have none of their own applies to each of them. Items without
a block are headings (sections) when tasks sit under them, otherwise description.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.importer.model import DraftSection, DraftTask
from scheduler.folding import fold

Line = tuple[int, str]  # (paragraph number, text)

_FIELD = re.compile(r"^\s*(?:[-+*•–]\s*)?(?P<label>[^:\n]{2,48}?)\s*:\s*(?P<value>.*)$", re.DOTALL)
_UNIT_WORDS = r"(?:(?:co quan|don vi|co quan, don vi|co quan/don vi|don vi, co quan|bo phan)\s+)?"
_FIELD_LABELS: list[tuple[str, re.Pattern[str]]] = [
    ("coordinate", re.compile(rf"^{_UNIT_WORDS}phoi hop(?: thuc hien)?$")),
    (
        "lead",
        re.compile(
            rf"^{_UNIT_WORDS}(?:chu tri|thuc hien|chiu trach nhiem|dau moi|tham muu)(?: thuc hien| tham muu)?"
            r"(?:,? (?:va )?phoi hop)?$"
            r"|^trach nhiem (?:thuc hien|chu tri)$|^phan cong$"
        ),
    ),
    (
        "deadline",
        re.compile(
            r"^(?:thoi gian|thoi han|tien do|moc thoi gian|han|hoan thanh)"
            r"(?: (?:hoan thanh|thuc hien|trien khai|bao cao))?(?: thuc hien)?$"
        ),
    ),
    ("product", re.compile(r"^(?:ket qua|san pham)(?: (?:dau ra|dat duoc|can dat|chinh))?$|^hinh thuc san pham$")),
]
# Lines that describe the item ("- Hình thức: trực tuyến"): kept as its notes, never items.
_DETAIL_LABEL = re.compile(
    r"^(?:noi dung(?: cu the)?|hinh thuc|doi tuong|dia diem|yeu cau|muc tieu|(?:nguon )?kinh phi|chi tieu|"
    r"phuong thuc|quy mo|thanh phan|ghi chu|pham vi)$"
)
# Field text over several lines: "Đợt 1: …", "Đợt 2: …" under "Thời gian hoàn thành:".
_CONTINUES = re.compile(r"^(?:dot|giai doan|lan|buoc|ky|nam|hang (?:nam|quy|thang))\b")
_MARKERS: list[tuple[str, re.Pattern[str]]] = [
    ("dotted", re.compile(r"^(?P<n>\d{1,2}(?:\.\d{1,2})+)\.?\s+(?P<t>\S.*)$", re.DOTALL)),
    ("arabic", re.compile(r"^(?P<n>\d{1,2})\s*[.)]\s*(?P<t>\S.*)$", re.DOTALL)),
    ("paren", re.compile(r"^\((?P<n>\d{1,2})\)\s*(?P<t>\S.*)$", re.DOTALL)),
    ("roman", re.compile(r"^(?P<n>[IVXL]{1,5})\s*[.)]\s*(?P<t>\S.*)$", re.DOTALL)),
    ("upper", re.compile(r"^(?P<n>[A-ZĐ])\s*[.)]\s+(?P<t>\S.*)$", re.DOTALL)),
    ("lower", re.compile(r"^(?P<n>[a-zđ])\s*[.)]\s*(?P<t>\S.*)$", re.DOTALL)),
    ("dash", re.compile(r"^[-–—]\s*(?P<t>\S.*)$", re.DOTALL)),
    ("plus", re.compile(r"^\+\s*(?P<t>\S.*)$", re.DOTALL)),
    ("dot", re.compile(r"^[•·●▪]\s*(?P<t>\S.*)$", re.DOTALL)),
]
_BULLETS = {"dash", "plus", "dot"}
_HEADINGS = {"roman", "upper"}


@dataclass
class Item:
    kind: str
    number: str  # as printed ("II", "1.2", "a"); "" for a bullet
    text: str
    para: int
    parent: Item | None
    children: list[Item] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    detail: list[str] = field(default_factory=list)  # unnumbered lines under it, before its fields
    label: str = ""

    @property
    def is_task(self) -> bool:
        if self.fields.get("lead") or self.fields.get("coordinate"):
            return True
        # A date under a heading ("II. NHIỆM VỤ" then "Thời gian thực hiện: năm 2026") is the
        # period of the whole part, not a task.
        return bool(self.fields.get("deadline")) and self.kind not in _HEADINGS


@dataclass
class ProseRead:
    sections: list[DraftSection]
    tasks: list[DraftTask]
    first: int  # paragraph range the tasks were read from
    last: int


def field_role(label: str) -> str | None:
    folded = fold(label).strip(" .*-+")
    if len(folded.split()) > 6:
        return None
    return next((role for role, pattern in _FIELD_LABELS if pattern.match(folded)), None)


def _field_line(text: str) -> tuple[str, str] | None:
    """(role, value) of a field line; role "note:<label>" for a line that describes the item."""
    m = _FIELD.match(text)
    if m is None:
        return None
    role = field_role(m["label"])
    if role is None and _DETAIL_LABEL.match(fold(m["label"]).strip(" .*-+")):
        role = "note:" + " ".join(m["label"].split()).strip(" .*-+")
    return None if role is None else (role, m["value"].strip())


def _item(text: str) -> tuple[str, str, str] | None:
    for kind, pattern in _MARKERS:
        m = pattern.match(text)
        if m is not None:
            number = m.groupdict().get("n") or ""
            if kind == "dotted":
                kind = f"dotted{number.count('.')}"
            return kind, number, m["t"].strip()
    return None


@dataclass
class _State:
    roots: list[Item] = field(default_factory=list)
    stack: list[Item] = field(default_factory=list)
    block: list[Item] = field(default_factory=list)  # items the open field block applies to
    last_role: str | None = None


def read_prose(lines: list[Line]) -> ProseRead:
    """Tasks and their sections from the body paragraphs (empty when none are closed by
    field lines)."""
    state = _State()
    for para, raw in lines:
        for text in raw.split("\n"):
            text = " ".join(text.split())
            if text:
                _line(state, para, text)
    tasks: list[DraftTask] = []
    sections: dict[str, DraftSection] = {}
    _label(state.roots, "")
    for item in _walk(state.roots):
        if item.is_task:
            tasks.append(_task(item, sections))
    paras = [_para_of(t) for t in tasks]
    return ProseRead(
        sections=list(sections.values()),
        tasks=tasks,
        first=min(paras, default=0),
        last=max(paras, default=0),
    )


def _line(state: _State, para: int, text: str) -> None:
    found = _field_line(text)
    if found is not None and found[0].startswith("note:"):
        _note(state, found[0][5:], found[1])
        return
    if found is not None:
        role, value = found
        _field(state, role, value)
        return
    if state.block and state.last_role is not None and _continues(state, text):
        body = re.sub(r"^[-+•–*]\s*", "", text)
        for item in state.block:
            item.fields[state.last_role] = "\n".join(x for x in (item.fields.get(state.last_role, ""), body) if x)
        return
    state.block, state.last_role = [], None
    marked = _item(text)
    top = state.stack[-1] if state.stack else None
    if marked is None:
        if top is not None and not top.is_task:
            top.detail.append(text)
        return
    kind, number, body = marked
    if kind in _BULLETS and top is not None and top.text.endswith(":") and not top.is_task and not top.children:
        # "Tuyên truyền qua các hình thức:" then bullets: the bullets are its content.
        top.detail.append(body)
        return
    if any(s.kind == kind for s in state.stack):
        while state.stack[-1].kind != kind:
            state.stack.pop()
        state.stack.pop()
    parent = state.stack[-1] if state.stack else None
    item = Item(kind=kind, number=number, text=body, para=para, parent=parent)
    (parent.children if parent else state.roots).append(item)
    state.stack.append(item)


def _continues(state: _State, text: str) -> bool:
    role = state.last_role
    value = state.block[0].fields.get(role or "", "")
    body = re.sub(r"^[-+•–*]\s*", "", text)
    marked = _item(text)
    if marked is not None and marked[0] not in _BULLETS:
        return False
    if role == "deadline" and _CONTINUES.match(fold(body)):
        return True
    # "- Đơn vị chủ trì:" with the units on the lines below.
    return value.endswith(":") or value == "" or (role in ("lead", "coordinate") and value.endswith((",", ";")))


def _note(state: _State, label: str, value: str) -> None:
    targets = state.block or state.stack[-1:]
    for item in targets:
        item.notes[label] = value
    if state.block:
        state.last_role = None  # the lines below a note are not the field above it


def _field(state: _State, role: str, value: str) -> None:
    if not state.block:
        state.block = _targets(state)
    state.last_role = role
    if role == "lead":
        lead, coordinate = split_labelled(value)
        for item in state.block:
            item.fields.setdefault("lead", lead)
            if coordinate:
                item.fields.setdefault("coordinate", coordinate)
        return
    for item in state.block:
        if role not in item.fields:
            item.fields[role] = value


def _targets(state: _State) -> list[Item]:
    """The items a new field block closes: the innermost item and its siblings before it
    that have no field block of their own."""
    if not state.stack:
        return []
    top = state.stack[-1]
    siblings = top.parent.children if top.parent else state.roots
    out: list[Item] = []
    for item in reversed(siblings[: siblings.index(top) + 1]):
        if item.kind != top.kind or item.is_task or item.children:
            break
        out.append(item)
    return list(reversed(out)) or [top]


_LEAD_LABEL = re.compile(r"^\s*chu tri\s*:?\s*", re.IGNORECASE)
_COORD_LABEL = re.compile(r"[;,.]?\s*(?:don vi |co quan )?phoi hop(?: thuc hien)?\s*:\s*")


# "Phòng A chủ trì, phối hợp với Phòng B"
_EACH_NAMED = re.compile(r"^(?P<lead>.+?)\s+chu tri\s*[,;.]\s*(?P<coord>.+?)\s+phoi hop\.?$")
_LEAD_THEN_COORD = re.compile(r"\s+chu tri\s*[,;]?\s*phoi hop(?: voi)?\s+")


def split_labelled(value: str) -> tuple[str, str]:
    """ "Phòng A; phối hợp: Phòng B" or "Phòng A chủ trì, phối hợp với Phòng B" → ("Phòng A", "Phòng B")."""
    folded = fold(value)
    if len(folded) != len(value):
        return value, ""
    both = _EACH_NAMED.match(folded)
    if both is not None:  # "Phòng A chủ trì; Phòng B phối hợp"
        return value[: both.end("lead")].strip(" ;,.-"), value[both.start("coord") : both.end("coord")].strip(" ;,.-")
    m = _COORD_LABEL.search(folded) or _LEAD_THEN_COORD.search(folded)
    if m is None:
        return value, ""
    return value[: m.start()].strip(" ;,.-"), value[m.end() :].strip(" ;,.-")


def _walk(items: list[Item]) -> list[Item]:
    out: list[Item] = []
    for item in items:
        out.append(item)
        out += _walk(item.children)
    return out


def _has_task(item: Item) -> bool:
    return item.is_task or any(_has_task(c) for c in item.children)


def _label(items: list[Item], prefix: str) -> None:
    """Labels from the printed numbers; bullets are numbered by their place among their
    siblings. "1.2" under "1" adds only its last number."""
    ordinal: dict[str, int] = {}
    for item in items:
        ordinal[item.kind] = ordinal.get(item.kind, 0) + 1
        if item.kind in _BULLETS:
            part = str(ordinal[item.kind])
        elif item.kind.startswith("dotted") and item.parent and item.number.startswith(item.parent.number + "."):
            part = item.number[len(item.parent.number) + 1 :]
        else:
            part = item.number
        item.label = f"{prefix}.{part}" if prefix else part
        _label(item.children, item.label)


def _task(item: Item, sections: dict[str, DraftSection]) -> DraftTask:
    chain: list[Item] = []
    parent = item.parent
    while parent is not None:
        chain.insert(0, parent)
        parent = parent.parent
    for ancestor in chain:
        sections.setdefault(ancestor.label, DraftSection(label=ancestor.label, title=_title(ancestor)))
    section = item.parent.label if item.parent else None
    stt_text = item.label[len(section) + 1 :] if section else item.label
    content = _title(item)
    if item.detail:
        # "Tuyên truyền qua các hình thức:" and its bullets are one content.
        content = f"{item.text.rstrip()} {'; '.join(d.rstrip(' ;.') for d in item.detail)}"
    task = DraftTask(
        stt=int(stt_text) if stt_text.isdigit() else stt_text,
        section=section,
        content=content,
        lead=[item.fields.get("lead", "")],
        coordinate=[item.fields.get("coordinate", "")],
        product=item.fields.get("product", ""),
        deadline=_one_line(item.fields.get("deadline", "")),
        notes=dict(item.notes),
        where=f"đoạn {item.para}",
    )
    return task


def _one_line(text: str) -> str:
    """A deadline over several lines ("Đợt 1: …", "+ Đợt 2: …") as one cell: "Đợt 1: …; Đợt 2: …"."""
    parts = [re.sub(r"^[-+•–*]\s*", "", line).strip(" ;.") for line in text.split("\n")]
    return "; ".join(p for p in parts if p)


def _title(item: Item) -> str:
    return item.text.rstrip(" :;.")


def _para_of(task: DraftTask) -> int:
    return int(task.where.split()[-1])
