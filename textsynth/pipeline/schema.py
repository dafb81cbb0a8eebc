"""Check plain data against the config dataclasses, by their type hints, with YAML positions.

:func:`compose` reads YAML into plain data and remembers where each key and value was;
:func:`build` turns a mapping into a dataclass, checking every key and value against the field's
type (``int`` is not ``bool``, a ``list[str]`` is not a string, ``"no"`` is not a boolean) and
its ``choices`` metadata, and raises ``InputError`` at ``file:line:col`` with a caret.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from dataclasses import dataclass, field
from typing import Any

from textsynth.errors import ConfigError, InputError, Location, UnknownNameError
from textsynth.registry import did_you_mean

__all__ = ["Marks", "build", "compose"]

KeyPath = tuple[Any, ...]


@dataclass
class Marks:
    """Where each key (``keys``) and value (``values``) of a YAML file is: 1-based (line, col)."""

    path: str = "<pipeline>"
    lines: list[str] = field(default_factory=list)
    keys: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    values: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)

    def error(self, message: str, at: KeyPath, *, key: bool = False, hint: str = "") -> InputError:
        """Return an ``InputError`` located at the key or value ``at`` (or its nearest parent)."""
        table = self.keys if key else self.values
        where = at
        while where and where not in table and where not in self.keys:
            where = where[:-1]
        pos = table.get(where) or self.keys.get(where)
        if pos is None:
            return InputError(message, Location(self.path), hint=hint)
        line, col = pos
        src = self.lines[line - 1] if 0 < line <= len(self.lines) else None
        return InputError(message, Location(self.path, line, col), hint=hint, source_line=src)


def compose(src: str, path: str) -> tuple[Any, Marks]:
    """Parse YAML ``src``; return the plain data and the positions of its keys and values."""
    import yaml

    marks = Marks(path, src.splitlines())
    try:
        node = yaml.compose(src, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if mark is None:
            raise InputError(f"invalid YAML: {exc}", Location(path)) from None
        line = marks.lines[mark.line] if mark.line < len(marks.lines) else None
        raise InputError(
            f"invalid YAML: {getattr(exc, 'problem', exc)}",
            Location(path, mark.line + 1, mark.column + 1),
            source_line=line,
            hint="check the indentation and the brackets/quotes before this point",
        ) from None
    if node is None:
        return {}, marks
    constructor = yaml.SafeLoader(src)

    def walk(n: Any, at: KeyPath) -> Any:
        marks.values[at] = (n.start_mark.line + 1, n.start_mark.column + 1)
        if isinstance(n, yaml.MappingNode):
            out = {}
            for k, v in n.value:
                key = constructor.construct_object(k, deep=True)
                if not isinstance(key, str):
                    key = str(key)
                here = (*at, key)
                if here in marks.keys:  # YAML would keep the last one silently
                    first = marks.keys[here][0]
                    line, col = k.start_mark.line + 1, k.start_mark.column + 1
                    raise InputError(
                        f"duplicate key '{'.'.join(map(str, here))}' (first at line {first})",
                        Location(path, line, col),
                        hint="merge the two into one",
                        source_line=marks.lines[line - 1] if line <= len(marks.lines) else None,
                    )
                marks.keys[here] = (k.start_mark.line + 1, k.start_mark.column + 1)
                out[key] = walk(v, here)
            return out
        if isinstance(n, yaml.SequenceNode):
            return [walk(v, (*at, i)) for i, v in enumerate(n.value)]
        return constructor.construct_object(n, deep=True)

    try:
        return walk(node, ()), marks
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", Location(path)) from None


_NAMES = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}


def _describe(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if tp in _NAMES:
        return _NAMES[tp]
    if origin in (list, tuple):
        (inner, *_) = typing.get_args(tp) or (Any,)
        return f"a list of {_describe(inner).removeprefix('a ').removeprefix('an ')}s"
    if origin is dict:
        return "a mapping"
    if origin in (typing.Union, types.UnionType):
        return " or ".join(
            _describe(a) if a is not type(None) else "null" for a in typing.get_args(tp)
        )
    if dataclasses.is_dataclass(tp):
        return "a mapping"
    return getattr(tp, "__name__", str(tp))


def _check(value: Any, tp: Any) -> bool:
    if tp is Any:
        return True
    if tp is type(None):
        return value is None
    if tp is bool:
        return isinstance(value, bool)
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if tp is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if tp is str:
        return isinstance(value, str)
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return any(_check(value, a) for a in typing.get_args(tp))
    if origin in (list, tuple):
        args = [a for a in typing.get_args(tp) if a is not Ellipsis] or [Any]
        return isinstance(value, list) and all(_check(v, args[0]) for v in value)
    if origin is dict:
        return isinstance(value, dict)
    if dataclasses.is_dataclass(tp):
        return isinstance(value, dict)
    return True


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _nested(tp: Any) -> type | None:
    for a in (tp, *typing.get_args(tp)):
        if dataclasses.is_dataclass(a) and isinstance(a, type):
            return a
    return None


def build(
    cls: type,
    data: Any,
    marks: Marks,
    at: KeyPath = (),
    *,
    defaults: dict[str, Any] | None = None,
    skip: frozenset[str] = frozenset(),
) -> Any:
    """Return ``cls(**data)`` after checking every key and value; errors name file:line:col.

    Args:
        cls: the dataclass.
        data: its mapping (``None`` = every default).
        marks: positions from :func:`compose`.
        at: the key path of ``data`` (for messages and positions).
        defaults: values used for fields the mapping does not set (e.g. the run's seed).
        skip: field names that are not read from the file.
    """
    where = ".".join(map(str, at)) or "the pipeline file"
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise marks.error(
            f"'{where}' must be a mapping of keys to values, got {type(data).__name__}", at
        )
    fields = {f.name: f for f in dataclasses.fields(cls) if f.name not in skip}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        path = (*at, key)
        dotted = ".".join(map(str, path))
        if key not in fields:
            hint = f"'{where}' accepts: {', '.join(fields)}"
            close = did_you_mean(key, list(fields))
            for f in fields.values():  # a key that lives one level down ("lm.epochs")
                sub = _nested(_hints(cls)[f.name])
                if sub is not None and key in {g.name for g in dataclasses.fields(sub)}:
                    close = f" (did you mean '{'.'.join(map(str, (*at, f.name, key)))}'?)"
            raise marks.error(f"unknown key '{dotted}'{close}", path, key=True, hint=hint)
        f = fields[key]
        tp = _hints(cls)[key]
        sub = _nested(tp)
        if sub is not None and (value is None or isinstance(value, dict)):
            if value is None and type(None) in typing.get_args(tp):
                kwargs[key] = None
                continue
            kwargs[key] = build(sub, value, marks, path, defaults=f.metadata.get("defaults"))
            continue
        if not _check(value, tp):
            got = "null" if value is None else f"{type(value).__name__} {value!r}"
            raise marks.error(
                f"'{dotted}' must be {_describe(tp)}, got {got}",
                path,
                hint=str(f.metadata.get("help", "")),
            )
        choices = f.metadata.get("choices")
        if choices and value not in choices:
            raise marks.error(
                f"'{dotted}' must be one of {', '.join(map(str, choices))}, not "
                f"{value!r}{did_you_mean(str(value), [str(c) for c in choices])}",
                path,
            )
        origin = typing.get_origin(tp) or tp
        kwargs[key] = tuple(value) if origin is tuple and isinstance(value, list) else value
    for k, v in (defaults or {}).items():
        if k in fields and k not in kwargs:
            kwargs[k] = v
    try:
        return cls(**kwargs)
    except (ConfigError, UnknownNameError, TypeError, ValueError) as exc:
        msg = exc.message if isinstance(exc, InputError) else str(exc)
        hint = exc.hint if isinstance(exc, InputError) else ""
        bad = [k for k in kwargs if k in msg.split("=")[0]]
        raise marks.error(
            f"bad value in '{where}': {msg}", (*at, bad[0]) if bad else at, hint=hint
        ) from None
