"""The draft plan as YAML in the shape of data/tasks.yaml, with comments where the clerk
must look."""

from __future__ import annotations

import json
import textwrap
from datetime import date

from bot.importer.model import DraftGroup, DraftSection, DraftTask, DraftUnit, ImportQuestion, Metadata
from scheduler.plan.ids import derived_id

_WIDTH = 92


def _q(text: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar: every character survives.
    return json.dumps(text, ensure_ascii=False)


def _list(items: list[str]) -> str:
    return "[" + ", ".join(_q(i) for i in items) + "]"


def _scalar(key: str, text: str, indent: int) -> list[str]:
    """Short text on one line; long text as a folded block, wrapped at word boundaries."""
    pad = " " * indent
    text = " ".join(text.split())
    if len(text) + len(key) + indent + 4 <= _WIDTH:
        return [f"{pad}{key}: {_q(text)}"]
    lines = textwrap.wrap(text, width=_WIDTH - indent - 2, break_long_words=False, break_on_hyphens=False)
    # A folded scalar must not start a line with a space or end one with a space; wrap()
    # never does, and the plan's text has its whitespace normalised above.
    return [f"{pad}{key}: >-", *(f"{pad}  {line}" for line in lines)]


def _asked(questions: list[ImportQuestion], indent: int) -> list[str]:
    """Each question as comment lines above the entry it is about."""
    pad = " " * indent
    out: list[str] = []
    for q in questions:
        lines = textwrap.wrap(f"CÂU HỎI: {q.text}", width=_WIDTH - indent - 4, break_long_words=False)
        out += [f"{pad}# {line}" for line in lines]
        out += [f"{pad}#   - {choice}" for choice in q.choices]
    return out


def write_plan_yaml(
    *,
    source_name: str,
    meta: Metadata,
    issued: date,
    plan_year: int,
    coordinating_unit: str,
    sections: list[DraftSection],
    units: list[DraftUnit],
    groups: list[DraftGroup],
    tasks: list[DraftTask],
    questions: list[ImportQuestion],
    title_fallback: str,
) -> str:
    about: dict[tuple[str, str], list[ImportQuestion]] = {}
    for q in questions:
        about.setdefault((q.kind, q.task), []).append(q)
    out: list[str] = [
        f'# Bản nháp kế hoạch do "nhacviec import" tạo từ "{source_name}".',
        "# Hãy đối chiếu với văn bản gốc, trả lời các CÂU HỎI, sửa những chỗ ghi KIỂM TRA, rồi chạy: "
        "nhacviec check <tệp này>",
        "# Mỗi đơn vị khai báo một lần (mã, tên, các cách viết trong kế hoạch); nhiệm vụ ghi đơn vị như kế hoạch viết.",
        "",
        *_asked(about.get(("plan", ""), []), 0),
        "plan:",
        f"  code: {_q(meta.code or '')}" + ("" if meta.code else "  # KIỂM TRA: không tìm thấy số kế hoạch"),
        *_scalar("title", meta.title or title_fallback, 2),
        f"  ward: {_q(meta.ward or '')}" + ("" if meta.ward else "  # KIỂM TRA: không tìm thấy tên phường/xã"),
        f"  issued: {issued.isoformat()}"
        + ("" if meta.issued else "  # KIỂM TRA: không tìm thấy ngày ban hành, tạm ghi ngày 01/01"),
    ]
    if plan_year != issued.year:
        out.append(f"  year: {plan_year}  # năm của các thời hạn không ghi năm")
    if meta.signed_by:
        out.append(f"  signed_by: {_q(meta.signed_by)}")
    out.append(f"  coordinating_unit: {coordinating_unit or _q('')}  # KIỂM TRA: đơn vị theo dõi chung, nhận /summary")
    if sections:
        out += ["", "sections:"]
        for s in sections:
            out.append(f"  - label: {_q(s.label)}")
            out += _scalar("title", s.title, 4)
    out += _units_and_groups(units, groups, about)
    out += ["", "tasks:"]
    # Each task's id is derived from its words (scheduler.plan.ids): importing a revised
    # edition of the plan gives every unchanged task the id it already has.
    taken: set[str] = set()
    for t in tasks:
        uid = derived_id(t.content, taken)
        taken.add(uid)
        out += _task_lines(t, about, uid)
    return "\n".join(out).rstrip() + "\n"


def _units_and_groups(
    units: list[DraftUnit], groups: list[DraftGroup], about: dict[tuple[str, str], list[ImportQuestion]]
) -> list[str]:
    out = ["", "units:" if units else "units: []  # KIỂM TRA: kế hoạch không ghi đơn vị nào — hãy khai báo"]
    for u in units:
        out += _asked(about.get(("unit", u.code), []), 2)
        out += [f"  - code: {u.code}", f"    name: {_q(u.name)}"]
        if u.aliases:
            out.append(f"    aliases: {_list(u.aliases)}")
    if groups:
        out += ["", "groups:"]
        for g in groups:
            out += _asked(about.get(("group", g.code), []), 2)
            out += [f"  - code: {g.code}", f"    name: {_q(g.name)}"]
            if g.aliases:
                out.append(f"    aliases: {_list(g.aliases)}")
            if g.members:
                out.append(f"    members: [{', '.join(g.members)}]")
            else:
                out.append("    members: []  # KIỂM TRA: kế hoạch không nêu gồm những đơn vị nào — hãy điền")
    return out


def _task_lines(t: DraftTask, about: dict[tuple[str, str], list[ImportQuestion]], uid: str) -> list[str]:
    out: list[str] = []
    asked = [q for kind in ("content", "lead", "deadline") for q in about.get((kind, t.label), [])]
    out += _asked(asked, 2)
    stt = str(t.stt) if isinstance(t.stt, int) else _q(t.stt)
    out.append(f"  - stt: {stt}")
    out.append(f"    id: {uid}")
    if t.section:
        out.append(f"    section: {_q(t.section)}")
    out += _scalar("content", t.content, 4)
    out.append(f"    lead: {_list(t.lead)}")
    out.append(f"    coordinate: {_list(t.coordinate)}")
    out += _scalar("product", t.product, 4)
    # Always one line: a comment after a folded block would become part of the text.
    deadline = f"    deadline: {_q(' '.join(t.deadline.split()))}"
    out.append(deadline + ("  # CÂU HỎI ở trên" if ("deadline", t.label) in about else ""))
    if t.deadline_year is not None:
        out.append(f"    deadline_year: {t.deadline_year}")
    if t.notes:
        out.append("    notes:")
        for header, text in t.notes.items():
            out += _scalar(_q(header), text, 6)
    out.append("")
    return out
