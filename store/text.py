"""Text from people, made storable: nothing they send is dropped because a database cannot
hold one of its characters.

PostgreSQL refuses NUL in text columns, and neither database can encode a lone surrogate
(U+D800–U+DFFF without its pair: JSON may carry one as "\\ud800", and json.loads hands it
over as is). Such characters are written as visible escapes ("\\x00", "\\ud800"), so the
message and its note are kept, readable, and the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from itertools import chain
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase

_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def _escape(m: re.Match[str]) -> str:
    code = ord(m[0])
    return "\\x00" if code == 0 else f"\\u{code:04x}"


def storable(text: str) -> str:
    """`text` with NUL and lone surrogates written as visible escapes; unchanged otherwise."""
    return _UNSTORABLE.sub(_escape, text) if _UNSTORABLE.search(text) else text


def _clean(value: Any) -> Any:
    """`value` with every string in it storable; the same object when nothing changed (the
    usual case costs one type check, or one scan of a string)."""
    kind = type(value)
    if kind is str:
        if value.isascii() and "\x00" not in value:
            return value
        return storable(value)
    if kind is list or kind is tuple:
        cleaned = [_clean(v) for v in value]
        if all(c is v for c, v in zip(cleaned, value, strict=True)):
            return value
        return cleaned if kind is list else tuple(cleaned)
    if kind is dict:
        changed = {k: c for k, v in value.items() if (c := _clean(v)) is not v}
        return {**value, **changed} if changed else value
    return value


def _unstorable_anywhere(parameters: Any) -> bool:
    """Whether any string in `parameters` holds NUL or a lone surrogate. Each level of
    nesting is read with C-level passes (the strings of a level joined and searched at
    once; an ASCII text without NUL needs no search), so 100,000 outbox rows cost a few
    passes over their values, not a Python call per value."""
    level: list[Any] = [parameters]
    while level:
        kinds = set(map(type, level))
        if str in kinds:
            joined = "".join(filter(str.__instancecheck__, level))
            if not (joined.isascii() and "\x00" not in joined) and _UNSTORABLE.search(joined):
                return True
        deeper: list[Any] = []
        if tuple in kinds:
            deeper.append(chain.from_iterable(filter(tuple.__instancecheck__, level)))
        if list in kinds:
            deeper.append(chain.from_iterable(filter(list.__instancecheck__, level)))
        if dict in kinds:
            deeper.append(chain.from_iterable(map(dict.values, filter(dict.__instancecheck__, level))))
        level = list(chain.from_iterable(deeper))
    return False


def storable_parameters(parameters: Any) -> Any:
    """The parameters of one statement (a dict, a tuple, or a list of them for executemany;
    PostgreSQL's bulk insert sends lists) with every string storable; the same object when
    nothing needs it (the usual case). Run on every statement the engine sends (store.db),
    so no path — an outbox body echoing a person's words, a pending question, a note, a
    caption — can lose a message to a NUL or a lone surrogate."""
    return _clean(parameters) if _unstorable_anywhere(parameters) else parameters


def storable_row(model: type[DeclarativeBase], row: dict[str, Any]) -> dict[str, Any]:
    """A row of `model` with every string storable and cut to its column's width (a sender
    name of 300 characters from a webhook would make PostgreSQL refuse the whole message)."""
    columns = model.__table__.columns
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, str):
            value = storable(value)
            column = columns.get(key)
            if column is not None and isinstance(column.type, String) and column.type.length:
                value = value[: column.type.length]
        out[key] = value
    return out
