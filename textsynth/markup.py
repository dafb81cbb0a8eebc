"""Inline slot markup ``book a flight to [Paris](city)`` <-> :class:`Utterance`.

Shared by the LM generator (its completions are markup) and the Rasa formats. A synonym is
written ``[NYC](city:New York)``. Literal brackets and parentheses in text are escaped with a
backslash: ``\\[``, ``\\]``, ``\\(``, ``\\)``, ``\\\\``.
"""

from __future__ import annotations

import re

from textsynth.errors import MarkupError
from textsynth.types import Span, Utterance

_ESCAPABLE = "[]()\\"
_LABEL_RE = re.compile(r"[A-Za-z_][\w.\-]*")


def escape(text: str) -> str:
    """Escape markup characters in plain text."""
    return "".join("\\" + c if c in _ESCAPABLE else c for c in text)


def render(utt: Utterance) -> str:
    """Return ``utt.text`` with every span written as ``[surface](label)`` (or ``label:value``)."""
    out: list[str] = []
    pos = 0
    for s in utt.spans:
        out.append(escape(utt.text[pos : s.start]))
        surface = utt.text[s.start : s.end]
        tag = s.label if s.value is None or s.value == surface else f"{s.label}:{escape(s.value)}"
        out.append(f"[{escape(surface)}]({tag})")
        pos = s.end
    out.append(escape(utt.text[pos:]))
    return "".join(out)


def parse(markup: str, intent: str = "", **fields: object) -> Utterance:
    """Parse markup into an utterance; raise ``MarkupError`` saying what is wrong and where.

    Args:
        markup: text with ``[surface](label)`` spans.
        intent: the intent of the utterance.
        **fields: passed to :class:`Utterance` (``language``, ``source``, ``meta``).
    """
    text: list[str] = []
    spans: list[Span] = []
    n = len(markup)
    i = 0
    pos = 0  # length of the plain text so far
    open_at = -1
    span_start = 0
    while i < n:
        c = markup[i]
        if c == "\\" and i + 1 < n and markup[i + 1] in _ESCAPABLE:
            text.append(markup[i + 1])
            pos += 1
            i += 2
            continue
        if c == "[":
            if open_at >= 0:
                raise MarkupError(f"nested '[' at column {i + 1} in {markup!r}")
            open_at, span_start = i, pos
            i += 1
            continue
        if c == "]":
            if open_at < 0:
                raise MarkupError(f"']' without '[' at column {i + 1} in {markup!r}")
            if i + 1 >= n or markup[i + 1] != "(":
                raise MarkupError(f"'[...]' at column {open_at + 1} is not followed by '(slot)'")
            close = markup.find(")", i + 2)
            if close < 0:
                raise MarkupError(f"unclosed '(' at column {i + 2} in {markup!r}")
            tag = markup[i + 2 : close]
            label, _, value = tag.partition(":")
            label = label.strip()
            if not _LABEL_RE.fullmatch(label):
                raise MarkupError(f"bad slot label {label!r} at column {i + 3} in {markup!r}")
            if pos == span_start:
                raise MarkupError(f"empty value for slot {label!r} at column {open_at + 1}")
            surface = "".join(text)[span_start:pos]
            if surface != surface.strip():
                raise MarkupError(f"slot {label!r} value {surface!r} has outer whitespace")
            given = value.replace("\\", "") if value else None
            spans.append(Span(span_start, pos, label, given if given != surface else None))
            open_at = -1
            i = close + 1
            continue
        if c in "()" and open_at < 0:
            pass  # plain parentheses outside a span are allowed
        text.append(c)
        pos += 1
        i += 1
    if open_at >= 0:
        raise MarkupError(f"unclosed '[' at column {open_at + 1} in {markup!r}")
    return Utterance(text="".join(text), intent=intent, spans=tuple(spans), **fields)  # type: ignore[arg-type]
