"""A small typed settings reader: fields declared on a class with their types, defaults,
ranges and checks, read from keyword arguments, then the process environment, then a .env
file (each under the class's prefix, names in any case), else the default.

In place of pydantic-settings, whose imports (pydantic, pydantic-core, its sources) and model
building took ≈ 0.1 s of `nhacviec link`'s ≈ 0.65 s (issue 26): this reads ~50 values with
the standard library. What it reads: str, int, float, bool (true/false, yes/no, on/off,
1/0, t/f, y/n), Path, Literal choices, SecretStr, and any of them `| None`. Every wrong value
is one Problem; all of them are raised together as one SettingsError.
"""

from __future__ import annotations

import contextlib
import io
import os
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import replace as _with
from pathlib import Path
from typing import Any, ClassVar, Literal, Self, Union, dataclass_transform, get_args, get_origin

from bot.texts import operator as to


class SecretStr:
    """A value kept out of logs and reprs (a token, a webhook secret): printed as stars."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __str__(self) -> str:
        return "**********" if self._value else ""

    def __repr__(self) -> str:
        return f"SecretStr({str(self)!r})"

    def __len__(self) -> int:  # an empty secret is falsy, as an unset one
        return len(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretStr) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


_MISSING: Any = object()


@dataclass(frozen=True)
class Setting:
    """One declared field: its default (or a factory for it), its numeric range, and a check
    that may normalise the value or raise ValueError with the reason in Vietnamese."""

    default: Any = _MISSING
    default_factory: Callable[[], Any] | None = None
    gt: float | None = None
    ge: float | None = None
    le: float | None = None
    check: Callable[[Any], Any] | None = None
    name: str = ""
    kind: Any = None

    def default_value(self) -> Any:
        return self.default_factory() if self.default_factory is not None else self.default


def setting(
    default: Any = _MISSING,
    *,
    default_factory: Callable[[], Any] | None = None,
    gt: float | None = None,
    ge: float | None = None,
    le: float | None = None,
    check: Callable[[Any], Any] | None = None,
) -> Any:
    """A field with more than a default (typed Any so `x: int = setting(default=8, ge=1)` checks)."""
    return Setting(default, default_factory, gt, ge, le, check)


@dataclass(frozen=True)
class Problem:
    """One wrong value: the field (None for a rule across fields), what is wrong, the value."""

    name: str | None
    message: str
    value: object = None

    def line(self, prefix: str) -> str:
        if self.name is None:
            return self.message
        env = f"{prefix}{self.name.upper()}"
        # Tokens and secrets are never echoed, nor URLs (a database URL holds its password).
        shown = "" if env.endswith(("TOKEN", "SECRET", "URL")) else to.currently(self.value)
        return f"{env}: {self.message}{shown}"


class SettingsError(ValueError):
    """Every wrong value at once, one line each (see Problem.line)."""

    def __init__(self, problems: list[Problem], prefix: str) -> None:
        self.problems = problems
        self.lines = [p.line(prefix) for p in problems]
        super().__init__("\n".join(self.lines))


class _Bad(Exception):
    """A value of the wrong type or out of range: the key of its words in to.SETTING_WORDS."""

    def __init__(self, key: str, **ctx: object) -> None:
        super().__init__(key)
        self.message = to.SETTING_WORDS[key].format(**{k: str(v) for k, v in ctx.items()})


_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})


def _bool(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    text = raw.strip().lower() if isinstance(raw, str) else None
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise _Bad("bool")


def _int(raw: object) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str):
        try:
            return int(raw.strip())
        except ValueError:
            with contextlib.suppress(_Bad):  # "7.0" is 7, as pydantic read it; "7.5" is not
                number = _float(raw)
                if number.is_integer():
                    return int(number)
    raise _Bad("int")


def _float(raw: object) -> float:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    if isinstance(raw, str):
        try:
            return float(raw.strip())
        except ValueError:
            pass
    raise _Bad("float")


def _str(raw: object) -> str:
    if isinstance(raw, str):
        return raw
    raise _Bad("str")


def _path(raw: object) -> Path:
    if isinstance(raw, str | os.PathLike):
        return Path(raw)
    raise _Bad("path")


def _secret(raw: object) -> SecretStr:
    if isinstance(raw, SecretStr):
        return raw
    if isinstance(raw, str):
        return SecretStr(raw)
    raise _Bad("str")


_READERS: dict[Any, Callable[[object], Any]] = {
    bool: _bool,
    int: _int,
    float: _float,
    str: _str,
    Path: _path,
    SecretStr: _secret,
}


def _read(kind: Any, raw: object) -> Any:
    """`raw` (text from the environment, or a value given) as a value of `kind`."""
    origin = get_origin(kind)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(kind) if a is not type(None)]
        if raw is None:
            return None
        (kind,) = args  # one type or None: all this reader declares
        origin = get_origin(kind)
    if origin is Literal:
        choices = get_args(kind)
        if raw in choices:
            return raw
        *first, last = (repr(c) for c in choices)
        raise _Bad("literal", expected=f"{', '.join(first)}{to.OR}{last}" if first else last)
    return _READERS[kind](raw)


def _in_range(spec: Setting, value: Any) -> None:
    if spec.gt is not None and not value > spec.gt:
        raise _Bad("gt", gt=spec.gt)
    if spec.ge is not None and not value >= spec.ge:
        raise _Bad("ge", ge=spec.ge)
    if spec.le is not None and not value <= spec.le:
        raise _Bad("le", le=spec.le)


def _prefixed(names: Mapping[str, str | None], prefix: str) -> dict[str, str]:
    """The values of `names` under `prefix` (any case), by their lower-case field name."""
    start = len(prefix)
    return {k[start:].lower(): v for k, v in names.items() if v is not None and k.upper().startswith(prefix)}


def read_env_file(path: Path | str, prefix: str = "") -> dict[str, str | None]:
    """The names and values of a .env file; SettingsError, one Vietnamese line each, for a
    file that cannot be read or a line that is no NAME=value (python-dotenv would skip such
    a line with an English warning, and the bot would run without the setting)."""
    from dotenv import dotenv_values  # only with a .env file: most starts have none
    from dotenv.parser import parse_stream

    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = text_line(exc.object, exc.start)
        raise SettingsError([Problem(None, to.env_file_not_utf8(path, line))], prefix) from None
    except OSError as exc:
        raise SettingsError([Problem(None, to.env_file_unreadable(path, exc.strerror))], prefix) from None
    bad = [b.original.line for b in parse_stream(io.StringIO(text)) if b.error]
    if bad:
        raise SettingsError([Problem(None, to.env_file_bad_line(path, n)) for n in bad], prefix)
    return dotenv_values(stream=io.StringIO(text))


def text_line(data: bytes, offset: int) -> int:
    """The line number (from 1) of byte `offset` in `data`."""
    return data.count(b"\n", 0, offset) + 1


def _env_file_values(env_file: Path | str | None, prefix: str) -> dict[str, str]:
    if env_file is None or not Path(env_file).is_file():
        return {}
    return _prefixed(read_env_file(env_file, prefix), prefix)


@dataclass_transform(kw_only_default=True, frozen_default=True, field_specifiers=(setting, Setting))
class TypedSettings:
    """Declare the fields as annotated class attributes (`name: int = 3`, or
    `name: int = setting(default=3, ge=1)`: mypy reads `default` by its name); the subclass's
    annotations must be real types, not strings (no `from __future__ import annotations` in
    its module). Instances are frozen: `replace` makes a changed, checked copy."""

    env_prefix: ClassVar[str] = ""
    env_file: ClassVar[str | None] = ".env"
    declared: ClassVar[dict[str, Setting]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declared = dict(cls.declared)
        for name, kind in cls.__dict__.get("__annotations__", {}).items():
            if kind is ClassVar or get_origin(kind) is ClassVar:
                continue
            value = cls.__dict__.get(name, _MISSING)
            spec = value if isinstance(value, Setting) else Setting(default=value)
            declared[name] = _with(spec, name=name, kind=kind)
            if isinstance(value, Setting):
                delattr(cls, name)
        cls.declared = declared

    def __init__(self, _env_file: Path | str | None = _MISSING, **values: Any) -> None:
        unknown = sorted(set(values) - set(self.declared))
        if unknown:
            raise TypeError(f"{type(self).__name__} has no setting {', '.join(unknown)}")
        prefix = self.env_prefix
        file_values = _env_file_values(self.env_file if _env_file is _MISSING else _env_file, prefix)
        sources = (values, _prefixed(os.environ, prefix), file_values)
        problems: list[Problem] = []
        for name, spec in self.declared.items():
            found = next((source[name] for source in sources if name in source), _MISSING)
            if found is _MISSING:
                if spec.default is _MISSING and spec.default_factory is None:
                    problems.append(Problem(name, to.SETTING_WORDS["missing"]))
                else:  # defaults are the code's own: taken as they are
                    object.__setattr__(self, name, spec.default_value())
                continue
            try:
                object.__setattr__(self, name, self._checked(spec, found))
            except _Bad as exc:
                problems.append(Problem(name, exc.message, found))
            except ValueError as exc:
                problems.append(Problem(name, str(exc), found))
        if not problems:
            try:
                self.check_together()
            except ValueError as exc:
                problems.append(Problem(None, str(exc)))
        if problems:
            raise SettingsError(problems, prefix)

    @staticmethod
    def _checked(spec: Setting, raw: object) -> Any:
        value = _read(spec.kind, raw)
        if value is not None and not isinstance(value, bool | str):
            _in_range(spec, value)
        return spec.check(value) if spec.check is not None else value

    def check_together(self) -> None:
        """Rules across fields, once each field is valid: ValueError with the reason."""

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.declared}

    def replace(self, **changes: Any) -> Self:
        """A copy with `changes`, checked as the constructor checks (not the environment's)."""
        return type(self)(_env_file=None, **{**self.values(), **changes})

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"settings are read once; use replace({name}=…)")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(name)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and isinstance(other, TypedSettings) and other.values() == self.values()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.values().items())})"
