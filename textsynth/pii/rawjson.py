"""Edit a JSON record in place: find a string value's raw bytes and replace characters in it.

Re-serialising a record changes bytes the scrubber never meant to touch (``1.50`` -> ``1.5``,
``1e400`` -> ``Infinity``, escapes, key order, spacing). These functions locate the raw literal
of a value (by its key path) and rewrite only the replaced characters inside it; everything
else in the line stays byte for byte.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

__all__ = ["RawJsonError", "edit_string", "value_spans"]

_WS = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|NaN|-?Infinity")

Path = tuple[str | int, ...]


class RawJsonError(ValueError):
    """The line is not the JSON the scanner expects (the caller falls back to re-serialising)."""


def value_spans(line: str, depth: int = 3) -> dict[Path, tuple[int, int]]:
    """Return ``key path -> (start, end)`` of every value down to ``depth`` levels.

    A duplicated key maps to its last occurrence (the one ``json.loads`` keeps).
    """
    out: dict[Path, tuple[int, int]] = {}
    i = _WS.match(line, 0).end()  # type: ignore[union-attr]
    end = _value(line, i, (), out, depth)
    if line[_WS.match(line, end).end() :].strip():  # type: ignore[union-attr]
        raise RawJsonError("trailing data")
    return out


def _value(s: str, i: int, path: Path, out: dict[Path, tuple[int, int]], depth: int) -> int:
    if i >= len(s):
        raise RawJsonError("unexpected end")
    c = s[i]
    if c == "{":
        j = _WS.match(s, i + 1).end()  # type: ignore[union-attr]
        if s.startswith("}", j):
            end = j + 1
        else:
            while True:
                m = _STRING.match(s, j)
                if m is None:
                    raise RawJsonError(f"expected a key at {j}")
                key = json.loads(m.group())
                j = _WS.match(s, m.end()).end()  # type: ignore[union-attr]
                if not s.startswith(":", j):
                    raise RawJsonError(f"expected ':' at {j}")
                j = _WS.match(s, j + 1).end()  # type: ignore[union-attr]
                j = _value(s, j, (*path, key), out, depth)
                j = _WS.match(s, j).end()  # type: ignore[union-attr]
                if s.startswith(",", j):
                    j = _WS.match(s, j + 1).end()  # type: ignore[union-attr]
                    continue
                if s.startswith("}", j):
                    end = j + 1
                    break
                raise RawJsonError(f"expected ',' or '}}' at {j}")
    elif c == "[":
        j = _WS.match(s, i + 1).end()  # type: ignore[union-attr]
        k = 0
        if s.startswith("]", j):
            end = j + 1
        else:
            while True:
                j = _value(s, j, (*path, k), out, depth)
                k += 1
                j = _WS.match(s, j).end()  # type: ignore[union-attr]
                if s.startswith(",", j):
                    j = _WS.match(s, j + 1).end()  # type: ignore[union-attr]
                    continue
                if s.startswith("]", j):
                    end = j + 1
                    break
                raise RawJsonError(f"expected ',' or ']' at {j}")
    elif c == '"':
        m = _STRING.match(s, i)
        if m is None:
            raise RawJsonError(f"unterminated string at {i}")
        end = m.end()
    else:
        m = _SCALAR.match(s, i)
        if m is None:
            raise RawJsonError(f"unexpected {c!r} at {i}")
        end = m.end()
    if path and len(path) <= depth:
        out[path] = (i, end)
    return end


def _char_offsets(literal: str) -> list[int]:
    """Return the raw offset (in ``literal``, quotes included) of each decoded character, + end."""
    offs: list[int] = []
    i, n = 1, len(literal) - 1
    while i < n:
        offs.append(i)
        if literal[i] != "\\":
            i += 1
            continue
        if literal[i + 1] != "u":
            i += 2
            continue
        cp = int(literal[i + 2 : i + 6], 16)
        if 0xD800 <= cp < 0xDC00 and literal.startswith("\\u", i + 6):
            low = int(literal[i + 8 : i + 12], 16)
            if 0xDC00 <= low < 0xE000:
                i += 12
                continue
        i += 6
    offs.append(n)
    return offs


def edit_string(literal: str, edits: Sequence[tuple[int, int, str]]) -> str:
    """Return the JSON string ``literal`` with decoded characters ``[start, end)`` replaced.

    Args:
        literal: the raw literal, quotes included, as it appears in the line.
        edits: ``(start, end, replacement)`` in decoded-character offsets, sorted, disjoint.
    """
    offs = _char_offsets(literal)
    pieces: list[str] = []
    pos = 0
    for start, end, rep in edits:
        if not (0 <= start <= end < len(offs)):
            raise RawJsonError("edit outside the string")
        pieces.append(literal[pos : offs[start]])
        pieces.append(json.dumps(rep, ensure_ascii=False)[1:-1])
        pos = offs[end]
    pieces.append(literal[pos:])
    return "".join(pieces)
