"""The plan's number, date, issuing body, ward, title and signer from the text around the tables."""

from __future__ import annotations

import re
from datetime import date

from bot.importer.model import Metadata
from scheduler.folding import fold

_NUMBER = re.compile(r"\bSố\s*:\s*(?P<code>[0-9A-Za-zĐđ./\-]+/[0-9A-Za-zĐđ.\-]+)", re.IGNORECASE)
_DATE = re.compile(
    r"(?:(?P<place>[^,\n]{2,60}),\s*)?ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>\d{4})",
    re.IGNORECASE,
)
_ATTACHED = re.compile(
    r"Kế hoạch số\s+(?P<code>[0-9A-Za-zĐđ.\-]+/[0-9A-Za-zĐđ.\-]+)\s+ngày\s+(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})",
    re.IGNORECASE,
)
_BODY = re.compile(r"(?:ỦY BAN NHÂN DÂN|UỶ BAN NHÂN DÂN|Ủy ban nhân dân|Uỷ ban nhân dân|UBND)\s+", re.IGNORECASE)
_WARD_KINDS = {"phuong": "Phường", "xa": "Xã", "thi tran": "Thị trấn", "dac khu": "Đặc khu"}
# Bodies above a ward: a plan they issue names no ward (the ward that adopts it fills it in).
_UPPER_KINDS = {"tinh": "Tỉnh", "thanh pho": "Thành phố", "huyen": "Huyện", "quan": "Quận", "thi xa": "Thị xã"}
_TITLE_STOP = re.compile(r"^(?:căn cứ|thực hiện|để|nhằm|i\.|1\.|ủy ban nhân dân|uỷ ban nhân dân|ubnd)", re.IGNORECASE)
_FIRST_STOP = re.compile(r"^(?:căn cứ|i\.|1\.|ủy ban nhân dân|uỷ ban nhân dân|ubnd)", re.IGNORECASE)
_SIGN_ROLE = re.compile(r"\b(?:KT\.\s*)?(?:PHÓ\s+)?CHỦ\s+TỊCH\b", re.IGNORECASE)
_NAME_WORD = re.compile(r"^[A-ZĐÀ-Ỹ][a-zđà-ỹ]+$")


def read_metadata(lines: list[str]) -> Metadata:
    meta = Metadata()
    text_lines = [line for block in lines for line in block.split("\n")]
    clean = [" ".join(line.split()) for line in text_lines]
    for line in clean:
        if meta.code is None and (m := _NUMBER.search(line)):
            meta.code = m["code"].rstrip(".")
        if meta.issued is None and len(line) <= 80 and (m := _DATE.search(line)):
            try:
                meta.issued = date(int(m["y"]), int(m["m"]), int(m["d"]))
            except ValueError:
                continue
            place = (m["place"] or "").strip()
            meta.place = place or None
    for line in clean:
        # An appendix sent alone still says which plan it belongs to.
        if (m := _ATTACHED.search(line)) and fold(line).startswith(("(kem theo", "kem theo")):
            meta.code = meta.code or m["code"]
            if meta.issued is None:
                try:
                    meta.issued = date(int(m["y"]), int(m["m"]), int(m["d"]))
                except ValueError:
                    pass
    _ward_and_body(clean, meta)
    meta.title = _title(clean)
    _signer(clean, meta)
    return meta


def _header_lines(lines: list[str]) -> list[str]:
    """ "ỦY BAN NHÂN DÂN" over "TỈNH LÂM ĐỒNG" on the next line read as one line."""
    out: list[str] = []
    for i, line in enumerate(lines):
        if fold(line) in ("uy ban nhan dan", "ubnd") and i + 1 < len(lines):
            out.append(f"{line} {lines[i + 1]}")
        else:
            out.append(line)
    return out


def _body_of(line: str) -> tuple[str, str, str] | None:
    """(kind key, kind as written, name) of the first People's Committee named in the line."""
    for m in _BODY.finditer(line):
        rest = line[m.end() :].split()
        if not rest:
            continue
        two = fold(" ".join(rest[:2]))
        kind_words = 2 if two in _WARD_KINDS or two in _UPPER_KINDS else 1
        key = fold(" ".join(rest[:kind_words]))
        kind = _WARD_KINDS.get(key) or _UPPER_KINDS.get(key)
        if kind is None:
            continue
        name_words: list[str] = []
        for word in rest[kind_words:]:
            word = word.strip(",.;:()")
            if not word or not (word[0].isupper() or word.isdigit()):
                break
            name_words.append(word)
            if len(name_words) >= 4:
                break
        if name_words:
            name = " ".join(w.capitalize() if w.isupper() else w for w in name_words)
            return key, kind, name
    return None


def _ward_and_body(lines: list[str], meta: Metadata) -> None:
    """The committee in the header block ("ỦY BAN NHÂN DÂN TỈNH …": a provincial plan, which
    names no ward) issues the plan; without a header, the ward named in the text ("… của
    UBND phường Nhị Chiểu") does."""
    title = next((i for i, line in enumerate(lines) if fold(line) == "ke hoach"), min(len(lines), 10))
    for line in _header_lines(lines[:title]):
        found = _body_of(line)
        if found is not None:
            _set_body(meta, *found)
            return
    # Another body heads the plan ("BAN CHỈ ĐẠO …", "ĐẢNG ỦY …"): named as printed.
    other = next((line for line in lines[:title] if _is_body_line(line)), None)
    for line in lines:
        found = _body_of(line)
        if found is not None and found[0] in _WARD_KINDS:
            _set_body(meta, *found)
            break
    if other is not None:
        meta.issuing_body = other


_NOT_BODY = re.compile(r"^(?:cong hoa|doc lap|ke hoach|so\b|v/v|ve viec)")


def _is_body_line(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    return len(letters) >= 6 and line.upper() == line and _NOT_BODY.match(fold(line)) is None


def _set_body(meta: Metadata, key: str, kind: str, name: str) -> None:
    meta.issuing_body = f"Ủy ban nhân dân {kind.lower()} {name}"
    meta.body_kind = kind.lower()
    if key in _WARD_KINDS:
        meta.ward = f"{kind} {name}"


def _title(lines: list[str]) -> str | None:
    for i, line in enumerate(lines):
        if fold(line) != "ke hoach":
            continue
        parts: list[str] = []
        for nxt in lines[i + 1 : i + 5]:
            # "Thực hiện …" right under "KẾ HOẠCH" is the title ("Thực hiện chuyển đổi số …");
            # further down it is the legal basis.
            stop = _FIRST_STOP if not parts else _TITLE_STOP
            if not nxt or stop.match(nxt) or len(nxt) > 400:
                break
            parts.append(nxt)
            if not nxt.endswith((",", "và", "của", "về")) and len(parts) >= 1 and not _continues(lines, i, parts):
                break
        if parts:
            body = " ".join(parts)
            if body.isupper():
                body = body.capitalize()
            return "Kế hoạch " + body[0].lower() + body[1:]
    return None


def _continues(lines: list[str], i: int, parts: list[str]) -> bool:
    """A title broken over two lines: the next line starts in lower case."""
    following = lines[i + 1 + len(parts)] if i + 1 + len(parts) < len(lines) else ""
    return bool(following) and following[0].islower()


def _signer(lines: list[str], meta: Metadata) -> None:
    """The name under the last "CHỦ TỊCH" / "KT. CHỦ TỊCH … PHÓ CHỦ TỊCH" block. "KT." is a
    deputy signing for the Chairman; "TM." is the Chairman (or a deputy) for the Committee."""
    last_role = None
    for i, line in enumerate(lines):
        if _SIGN_ROLE.search(line) and line.upper() == line:
            last_role = i
    if last_role is None:
        return
    block = " ".join(lines[max(0, last_role - 2) : last_role + 1]).upper()
    for line in lines[last_role + 1 : last_role + 6]:
        words = line.strip(" .").split()
        if line.upper() == line and line and not _NAME_WORD.match(words[0] if words else ""):
            block += " " + line.upper()
            continue
        if 2 <= len(words) <= 5 and all(_NAME_WORD.match(w) for w in words):
            meta.signer = " ".join(words)
            break
    if meta.signer is None:
        return
    kind = meta.body_kind or (meta.ward or "").split(" ")[0].lower() or "phường"
    if "KT." in block or "KT " in block:
        meta.signer_role = f"Phó Chủ tịch UBND {kind} (ký thay Chủ tịch)"
    elif "PHÓ CHỦ TỊCH" in block:
        meta.signer_role = f"Phó Chủ tịch UBND {kind}"
    else:
        meta.signer_role = f"Chủ tịch UBND {kind}"
