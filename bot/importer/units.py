"""Unit and group proposal from the lead and coordinating cells.

A cell lists units separated by ";", "," or new lines, but the comma also sits inside one
unit's name ("Phòng Kinh tế, Hạ tầng và Đô thị") and inside a group ("Các Sở, ban, ngành",
"UBND các xã, phường"). A comma starts a new unit only before a word that starts one
(Phòng, Trung tâm, UBND, các…). Spellings of one unit — with or without "phường", UBND for
Ủy ban nhân dân, "Phòng VHXH" for "Phòng Văn hóa - Xã hội", a slip of the keyboard such as
"VHXXH" — are merged into one declaration, and every merge is reported for the clerk.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from bot.importer.model import DraftGroup, DraftUnit
from scheduler.folding import fold

# Words that begin the name of a unit (folded). Order does not matter; whole words only.
_HEADS = (
    "phong",
    "van phong",
    "trung tam",
    "ubnd",
    "uy ban",
    "hdnd",
    "hoi dong",
    "so",
    "ban",
    "cong an",
    "quan su",
    "chi huy",
    "dang uy",
    "doan",
    "hoi",
    "mat tran",
    "ubmttq",
    "co quan",
    "chi cuc",
    "cuc",
    "kho bac",
    "bao hiem",
    "tram",
    "truong",
    "doi",
    "toa an",
    "vien kiem sat",
    "chi nhanh",
    "hat",
    "bo",
    "thanh tra",
    "chu tich",
    "pho chu tich",
    "thu truong",
    "lanh dao",
    "cong chuc",
    "tt",
    "bch",
)
# A head that does not split at "và": "Văn phòng HĐND và UBND" is one unit.
_JOINED_HEADS = ("ubnd", "uy ban", "hdnd", "hoi dong")
_GROUP_START = re.compile(
    r"^(?:(?:ubnd|uy ban nhan dan|thu truong|lanh dao|nguoi dung dau)\s+)?(?:cac|toan the|tat ca)\b"
)
_ABBREVIATIONS = {
    "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan",
    "ubmttq": "uy ban mat tran to quoc",
    "ubmttqvn": "uy ban mat tran to quoc viet nam",
    "tt": "trung tam",
    "bch": "ban chi huy",
}
_STOP = {"va", "cua", "thuoc", "truc"}
_WARD_WORDS = ("phuong", "xa", "thi tran", "dac khu")
_ACRONYM = re.compile(r"^[A-ZĐ]{2,}[A-ZĐ0-9-]*$")


def _starts_with_head(folded: str) -> bool:
    return any(folded == h or folded.startswith(h + " ") for h in _HEADS)


def _is_group(text: str) -> bool:
    return _GROUP_START.match(fold(text)) is not None


# --- what is not a unit ------------------------------------------------------------------------

_REFERENCE = re.compile(
    r"^theo\b|\b(?:quyet dinh|ke hoach|cong van|thong bao|nghi quyet|chi thi|huong dan|van ban|thong tu|nghi dinh)"
    r"\s+(?:so\s*)?\d|\b\d+/\d{0,4}/?[a-z]{2,}(?:-[a-z]+)*\b|\bphan cong tai\b"
)
_BRACKET = re.compile(r"\s*\(([^()]*)\)")
# A person's role in front of another body's name: the unit is the body.
_ROLE = re.compile(
    r"^(?P<role>(?:ban )?lanh dao|(?:pho )?giam doc|ban giam doc|thu truong|nguoi dung dau|(?:pho )?truong"
    r"|(?:pho )?chu tich|(?:pho )?chanh van phong)\s+(?=\S)"
)
# The ward's own committee, as the ward's plans name it: its leadership is a unit of its own.
_OWN_COMMITTEE = re.compile(r"^(?:ubnd|uy ban nhan dan)(?:\s+(?:phuong|xa|thi tran|dac khu))?$")


def is_reference(text: str) -> bool:
    """A document reference ("Theo phân công tại Quyết định số 1441/QĐ-UBND…"), never a unit."""
    return _REFERENCE.search(fold(text)) is not None


def without_references(cell: str) -> tuple[str, list[str]]:
    """The cell without bracketed document references, and the references set aside."""
    refs: list[str] = []

    def drop(m: re.Match[str]) -> str:
        if is_reference(m[1]):
            refs.append(m[1].strip())
            return ""
        return m[0]

    return _BRACKET.sub(drop, cell).strip(), refs


def split_role(mention: str) -> tuple[str, str | None]:
    """ "Lãnh đạo Sở Giáo dục và Đào tạo" → ("Sở Giáo dục và Đào tạo", "Lãnh đạo"). A role in
    front of the ward's own committee ("Chủ tịch UBND phường") is left as written."""
    folded = fold(mention)
    if len(folded) != len(mention):
        return mention, None
    m = _ROLE.match(folded)
    if m is None:
        return mention, None
    rest = mention[m.end() :].strip()
    rest_folded = fold(rest)
    if not _starts_with_head(rest_folded) or _OWN_COMMITTEE.match(rest_folded) or not rest[0].isupper():
        return mention, None
    if rest_folded.startswith(("chu tich", "pho ", "lanh dao", "thu truong", "cong chuc")):
        return mention, None  # "Chủ tịch …" after a role: a person, not a body
    return rest, mention[: m.end()].strip()


# --- splitting a cell ----------------------------------------------------------------------


def split_mentions(cell: str) -> list[str]:
    """'Văn phòng HĐND và UBND phường và các phòng, đơn vị' → ['Văn phòng HĐND và UBND phường', 'các phòng, đơn vị']."""
    out: list[str] = []
    for piece in re.split(r"[;\n]+", cell):
        piece = _tidy(piece)
        if not piece:
            continue
        for segment in _split_at_va(piece):
            out.extend(_split_commas(segment))
    seen: set[str] = set()
    unique = []
    for mention in out:
        mention = _tidy(mention)
        if mention and fold(mention) not in seen:
            seen.add(fold(mention))
            unique.append(mention)
    return unique


def _tidy(text: str) -> str:
    return " ".join(text.split()).strip(" .,;:-+•*\u2013").strip()


def _split_at_va(piece: str) -> list[str]:
    """Split at "và" only before a group ("và các…") or a new unit that is not UBND/HĐND."""
    parts: list[str] = []
    start = 0
    for m in re.finditer(r"\s+(?:và|va|cùng|cung)\s+", piece, flags=re.IGNORECASE):
        after = fold(piece[m.end() :])
        new_group = _GROUP_START.match(after) is not None
        new_unit = _starts_with_head(after) and not after.startswith(_JOINED_HEADS) and piece[m.end()].isupper()
        if new_group or new_unit:
            parts.append(piece[start : m.start()])
            start = m.end()
    parts.append(piece[start:])
    return [p for p in (_tidy(x) for x in parts) if p]


def _split_commas(segment: str) -> list[str]:
    mentions: list[str] = []
    for part in segment.split(","):
        part = part.strip()
        if not part:
            continue
        folded = fold(part)
        starts_new = _GROUP_START.match(folded) is not None or (part[0].isupper() and _starts_with_head(folded))
        if mentions and not starts_new:
            mentions[-1] = f"{mentions[-1]}, {part}"
        else:
            mentions.append(part)
    return mentions


# --- keys ------------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s\-–—/,.&()]+", text) if w]


@dataclass
class _Spelling:
    text: str  # as written, tidied
    name: str  # without a bracketed abbreviation
    hint: str | None  # "VHXH" from "Phòng Văn hóa - Xã hội (VHXH)"
    key: str  # folded, abbreviations expanded, ward qualifier and stop words dropped
    head: str  # folded head words: "phong", "trung tam", ""
    acronym: str | None  # folded acronym when the rest of the name is one: "vhxh" in "Phòng VHXH"
    count: int = 0


class UnitNames:
    """Keys for comparing unit names within one ward."""

    def __init__(self, ward: str | None) -> None:
        ward_tokens = fold(ward or "").split()
        # "phường Nhị Chiểu" → drop "nhi chieu" too when it ends a name.
        self._ward_name = [t for t in ward_tokens if t not in ("phuong", "xa", "thi", "tran", "dac", "khu")]

    def spelling(self, text: str) -> _Spelling:
        hint_match = re.search(r"\(([^()]+)\)\s*$", text)
        hint = hint_match[1].strip() if hint_match and _ACRONYM.match(hint_match[1].strip()) else None
        name = text[: hint_match.start()].strip() if hint_match and hint else text
        tokens = self._key_tokens(name)
        words = _words(name)
        head, rest = _head_and_rest(words)
        # "Phòng VHXH", "Phòng KT, HT&ĐT": the rest of the name is abbreviations only.
        acronym = "".join(fold(w) for w in rest) if rest and all(_ACRONYM.match(w) for w in rest) else None
        if acronym is None and not head and len(words) == 1 and _ACRONYM.match(words[0]):
            acronym = fold(words[0])
        return _Spelling(text=text, name=name, hint=hint, key=" ".join(tokens), head=head, acronym=acronym)

    def _key_tokens(self, name: str) -> list[str]:
        tokens: list[str] = []
        for word in _words(fold(name)):
            tokens.extend(_ABBREVIATIONS.get(word, word).split())
        tokens = [t for t in tokens if t not in _STOP]
        return self.without_ward(tokens)

    def without_ward(self, tokens: list[str]) -> list[str]:
        n = len(self._ward_name)
        if n and tokens[-n:] == self._ward_name:
            tokens = tokens[:-n]
        for words in _WARD_WORDS:
            w = words.split()
            if len(tokens) > len(w) and tokens[-len(w) :] == w:
                tokens = tokens[: -len(w)]
                break
        return tokens

    def initials(self, name: str, skip_head: bool) -> str:
        words = _words(name)
        head, rest = _head_and_rest(words)
        chosen = rest if skip_head else words
        kept = self.without_ward([fold(w) for w in chosen])
        originals = chosen[: len(kept)]
        out = ""
        for original, folded in zip(originals, kept, strict=True):
            if folded in _STOP:
                continue
            out += folded if _ACRONYM.match(original) else folded[0]
        return out


def _head_and_rest(words: list[str]) -> tuple[str, list[str]]:
    folded = [fold(w) for w in words]
    for size in (2, 1):
        head = " ".join(folded[:size])
        if len(words) > size and head in _HEADS and head not in ("ubnd", "hdnd", "tt", "bch"):
            return head, words[size:]
    return "", words


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance; names are short."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


# --- proposal --------------------------------------------------------------------------------


@dataclass
class _Cluster:
    spellings: list[_Spelling] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)  # spelling text → why merged

    @property
    def full(self) -> list[_Spelling]:
        return [s for s in self.spellings if s.acronym is None]

    @property
    def count(self) -> int:
        return sum(s.count for s in self.spellings)


@dataclass
class Proposal:
    units: list[DraftUnit]
    groups: list[DraftGroup]
    code_of: dict[str, str]  # fold(mention) → unit or group code

    def resolve(self, mention: str) -> str | None:
        return self.code_of.get(fold(_tidy(mention)))


def propose(mentions: list[str], ward: str | None) -> Proposal:
    """Units and groups for the mentions of every lead and coordinate cell, in order."""
    names = UnitNames(ward)
    counts = Counter(_tidy(m) for m in mentions)
    unit_texts = [t for t in counts if not _is_group(t)]
    group_texts = [t for t in counts if _is_group(t)]

    clusters: list[_Cluster] = []
    by_key: dict[str, _Cluster] = {}
    for text in unit_texts:
        sp = names.spelling(text)
        sp.count = counts[text]
        cluster = by_key.get(sp.key)
        if cluster is None:
            cluster = _Cluster()
            clusters.append(cluster)
            by_key[sp.key] = cluster
        elif sp.text not in cluster.reasons and cluster.spellings:
            cluster.reasons[sp.text] = _same_key_reason(cluster.spellings[0], sp)
        cluster.spellings.append(sp)
    clusters = _merge_acronyms(clusters, names)
    clusters = _merge_near(clusters)

    units: list[DraftUnit] = []
    code_of: dict[str, str] = {}
    taken: set[str] = set()
    for cluster in clusters:
        full = cluster.full or cluster.spellings
        # The longest full spelling is the most explicit ("… phường" over the bare name).
        best = max(full, key=lambda s: (len(s.name.split()), s.count, -cluster.spellings.index(s)))
        name = best.name if best.acronym is None else best.text
        hint = next((s.hint for s in cluster.spellings if s.hint), None)
        code = _unique(_unit_code(name, hint, names), taken)
        aliases = []
        for s in cluster.spellings:
            if s.text != name and fold(s.text) != fold(name) and s.text not in aliases:
                aliases.append(s.text)
        merged = [
            (s.text, cluster.reasons.get(s.text) or _same_key_reason(best, s))
            for s in cluster.spellings
            if s.text != name
        ]
        units.append(DraftUnit(code=code, name=name, aliases=aliases, merged=merged))
        for s in cluster.spellings:
            code_of[fold(s.text)] = code
        code_of[fold(name)] = code

    groups = _groups(group_texts, counts, units, taken, code_of)
    return Proposal(units=units, groups=groups, code_of=code_of)


def _same_key_reason(first: _Spelling, other: _Spelling) -> str:
    """Why two spellings with one key are one unit, in the clerk's words."""
    if other.hint and fold(other.name) == fold(first.name):
        return "cùng tên, thêm chữ viết tắt trong ngoặc"
    a, b = _words(fold(first.name)), _words(fold(other.name))
    reasons = []
    if any(w in a for w in _WARD_WORDS) != any(w in b for w in _WARD_WORDS):
        reasons.append('có/không có "phường"')
    if {"ubnd", "hdnd"} & set(a) != {"ubnd", "hdnd"} & set(b):
        reasons.append("viết tắt UBND/HĐND")
    if ("va" in a) != ("va" in b):
        reasons.append('"và" viết thành dấu gạch')
    return ", ".join(reasons) or "cùng tên, khác cách viết"


def _merge_acronyms(clusters: list[_Cluster], names: UnitNames) -> list[_Cluster]:
    """Attach "Phòng VHXH" (and the typo "Phòng VHXXH") to "Phòng Văn hóa - Xã hội"."""
    full = [c for c in clusters if c.full]
    result = list(full)
    pending = [c for c in clusters if not c.full]
    for cluster in pending:
        sp = cluster.spellings[0]
        assert sp.acronym is not None
        target, reason = None, ""
        for candidate in full:
            forms = set()
            for s in candidate.full:
                forms.add((s.head, names.initials(s.name, skip_head=True)))
                forms.add(("", names.initials(s.name, skip_head=False)))
                if s.hint:
                    forms.add((s.head, fold(s.hint)))
            exact = (sp.head, sp.acronym) in forms
            near = not exact and any(
                h == sp.head and len(a) >= 3 and edit_distance(a, sp.acronym) == 1 and _same_numbers(a, sp.acronym)
                for h, a in forms
            )
            if exact or near:
                target, reason = candidate, "viết tắt" if exact else "viết tắt, có thể gõ nhầm"
                break
        if target is None:
            # Two abbreviations one keystroke apart ("VHXH", "VHXXH") with no full name.
            for other in result:
                o = other.spellings[0]
                if (
                    not other.full
                    and o.head == sp.head
                    and o.acronym
                    and edit_distance(o.acronym, sp.acronym) == 1
                    and _same_numbers(o.acronym, sp.acronym)
                ):
                    target, reason = other, "có thể gõ nhầm"
                    break
        if target is None:
            result.append(cluster)
            continue
        for s in cluster.spellings:
            target.spellings.append(s)
            target.reasons[s.text] = reason
    order = {id(c): i for i, c in enumerate(clusters)}
    return sorted(result, key=lambda c: order[id(c)])


def _merge_near(clusters: list[_Cluster]) -> list[_Cluster]:
    """Full names one or two keystrokes apart are one unit typed twice."""
    result: list[_Cluster] = []
    for cluster in clusters:
        key = cluster.spellings[0].key
        target = next(
            (
                c
                for c in result
                if len(key) >= 10
                and _may_be_typo(c.spellings[0].key, key)
                and edit_distance(c.spellings[0].key, key) <= (2 if len(key) >= 25 else 1)
            ),
            None,
        )
        if target is None:
            result.append(cluster)
            continue
        for s in cluster.spellings:
            target.spellings.append(s)
            target.reasons[s.text] = "gần giống, có thể gõ nhầm"
    return result


_PLACE_WORDS = re.compile(
    r"\b(?:phuong|xa|thi tran|thi xa|huyen|quan|tinh|thanh pho|dac khu|ap|thon|khu pho|to dan pho)\b"
)


def _same_numbers(a: str, b: str) -> bool:
    return re.findall(r"\d+", a) == re.findall(r"\d+", b)


def _may_be_typo(a: str, b: str) -> bool:
    """Named places are merged only when names and numbers match exactly: "Phường 1" and
    "Phường 3", "xã Tân Lập" and "xã Tân Lạc" are different bodies, not a slip of the keyboard."""
    if not _same_numbers(a, b):
        return False
    return not (_PLACE_WORDS.search(a) or _PLACE_WORDS.search(b))


_CODE_MAX = 12


def _unit_code(name: str, hint: str | None, names: UnitNames) -> str:
    if hint:
        return fold(hint).upper()
    words = _words(name)
    folded = [fold(w) for w in words]
    if folded[:2] == ["van", "phong"]:
        return "VP"
    rest_tokens = names.without_ward(folded)
    if rest_tokens in (["ubnd"], ["uy", "ban", "nhan", "dan"]):
        return "UBND"
    head, _ = _head_and_rest(words)
    initials = names.initials(name, skip_head=head == "phong")
    return (initials or "DV").upper()[:_CODE_MAX]


def _unique(code: str, taken: set[str]) -> str:
    code = re.sub(r"[^A-Z0-9_]", "", code.upper()) or "DV"
    candidate, n = code, 2
    while candidate in taken:
        candidate, n = f"{code}{n}", n + 1
    taken.add(candidate)
    return candidate


# --- groups ----------------------------------------------------------------------------------


def _group_tokens(text: str) -> list[str]:
    # "có liên quan" and "liên quan" are one group; "cơ quan" keeps its "co".
    folded = re.sub(r"\bco lien quan\b", "lien quan", fold(text))
    return [t for t in _words(folded) if t not in ("va", "cua")]


def _group_key(text: str) -> tuple[bool, str]:
    tokens = _group_tokens(text)
    rest = tokens[tokens.index("cac") + 1 :] if "cac" in tokens else tokens
    all_units = bool(rest) and rest[0] == "phong" and "lien" not in rest  # "… liên quan" is a subset
    return all_units, "ALL" if all_units else " ".join(tokens)


def _is_committee(unit: DraftUnit) -> bool:
    """The ward's People's Committee itself or its leaders: not one of "các phòng, đơn vị"."""
    return fold(unit.name).startswith(("ubnd", "uy ban nhan dan", "chu tich", "pho chu tich", "lanh dao"))


def _groups(
    texts: list[str], counts: Counter[str], units: list[DraftUnit], taken: set[str], code_of: dict[str, str]
) -> list[DraftGroup]:
    clusters: dict[str, list[str]] = {}
    kinds: dict[str, bool] = {}
    for text in texts:
        all_units, key = _group_key(text)
        clusters.setdefault(key, []).append(text)
        kinds[key] = all_units
    groups: list[DraftGroup] = []
    for key, spellings in clusters.items():
        best = max(spellings, key=lambda t: (counts[t], -spellings.index(t)))
        name = best[0].upper() + best[1:]
        all_units = kinds[key]
        if all_units:
            code = _unique("CAC_DON_VI", taken)
            members = [u.code for u in units if not _is_committee(u)]
        else:
            tokens = _group_tokens(best)
            before, after = (
                (tokens[: tokens.index("cac")], tokens[tokens.index("cac") + 1 :]) if "cac" in tokens else ([], tokens)
            )
            code = _unique("_".join([*(t.upper() for t in before), "CAC", "".join(t[0] for t in after).upper()]), taken)
            members = []
        aliases = [t for t in spellings if fold(t) != fold(name)]
        groups.append(DraftGroup(code=code, name=name, aliases=aliases, members=members, all_units=all_units))
        for t in spellings:
            code_of[fold(t)] = code
    return groups
