"""Word tokens with character offsets, and the BIO tags of slot spans over them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from textsynth.types import Span

__all__ = ["Token", "bio_tags", "decode_bio", "token_range", "tokenise"]

# a word (letters/digits, inner apostrophes and hyphens kept) or one other non-space character
_TOKEN = re.compile(r"\w+(?:['’\-]\w+)*|[^\w\s]", re.UNICODE)


class Token(NamedTuple):
    """A token: its text and character offsets ``[start, end)`` in the utterance."""

    text: str
    start: int
    end: int


def tokenise(text: str) -> list[Token]:
    """Return the word and punctuation tokens of ``text`` with their offsets."""
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def token_range(tokens: Sequence[Token], span: Span) -> tuple[int, int] | None:
    """Return ``(first, last + 1)``: the tokens that overlap ``span``; ``None`` when none do."""
    idx = [i for i, t in enumerate(tokens) if t.start < span.end and span.start < t.end]
    return (idx[0], idx[-1] + 1) if idx else None


def bio_tags(tokens: Sequence[Token], spans: Sequence[Span]) -> tuple[list[str], list[Span]]:
    """Return the BIO tag of each token, and the spans that could not be tagged.

    A span tags every token it overlaps. A span that overlaps no token, or a token already
    tagged by an earlier span (two slots inside one word, e.g. ``10am``), is returned as
    dropped.
    """
    tags = ["O"] * len(tokens)
    dropped: list[Span] = []
    for s in spans:
        r = token_range(tokens, s)
        if r is None or any(tags[i] != "O" for i in range(*r)):
            dropped.append(s)
            continue
        tags[r[0]] = f"B-{s.label}"
        for i in range(r[0] + 1, r[1]):
            tags[i] = f"I-{s.label}"
    return tags, dropped


def decode_bio(tokens: Sequence[Token], tags: Sequence[str]) -> tuple[Span, ...]:
    """Return the character-offset spans of a BIO tag sequence.

    An ``I-x`` that does not continue an ``x`` span starts a new one (conlleval's reading).
    """
    spans: list[Span] = []
    cur: tuple[int, int, str] | None = None  # first token, last token, label
    for i, tag in enumerate(tags):
        kind, _, label = tag.partition("-")
        if kind == "I" and cur is not None and cur[2] == label and cur[1] == i - 1:
            cur = (cur[0], i, label)
            continue
        if cur is not None:
            spans.append(Span(tokens[cur[0]].start, tokens[cur[1]].end, cur[2]))
            cur = None
        if kind in ("B", "I") and label:
            cur = (i, i, label)
    if cur is not None:
        spans.append(Span(tokens[cur[0]].start, tokens[cur[1]].end, cur[2]))
    return tuple(spans)
