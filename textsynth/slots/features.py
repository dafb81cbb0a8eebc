"""CRF features of a token sequence: the word, its shape and affixes, and its neighbours.

Features are crfsuite attribute strings (weight 1). What depends on one word only is computed
once per distinct word and cached, so a long run of utterances costs little more than joining
cached lists (100k utterances are tagged in seconds).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from textsynth.slots.tokens import Token

__all__ = ["FEATURES_VERSION", "sequence_features"]

FEATURES_VERSION = 2

_UPPER = re.compile(r"[A-Z]+")
_LOWER = re.compile(r"[a-z]+")
_DIGIT = re.compile(r"[0-9]+")
_CACHE_LIMIT = 200_000


def _shape(word: str) -> str:
    """Return a short word shape: ``Xx``, ``x``, ``d``, ``X``, ``d.d``...; runs collapse."""
    return _DIGIT.sub("d", _LOWER.sub("x", _UPPER.sub("X", word)))[:6]


class _WordFeatures:
    """Per distinct word: its own features and the strings it gives its neighbours."""

    __slots__ = ("left", "low", "own", "right")

    def __init__(self, word: str) -> None:
        low = word.lower()
        sh = _shape(word)
        own = [f"w={low}", f"p3={low[:3]}", f"s3={low[-3:]}", f"s2={low[-2:]}", f"sh={sh}"]
        if word[:1].isupper():
            own.append("title")
        if word.isdigit():
            own.append("digit")
        self.low = low
        self.own = own
        self.left = [f"w-1={low}", f"sh-1={sh}"]  # what it says about the token after it
        self.right = [f"w+1={low}", f"sh+1={sh}"]  # ... and about the token before it


_cache: dict[str, _WordFeatures] = {}


def _word(w: str) -> _WordFeatures:
    f = _cache.get(w)
    if f is None:
        if len(_cache) >= _CACHE_LIMIT:
            _cache.clear()
        f = _cache[w] = _WordFeatures(w)
    return f


def sequence_features(tokens: Sequence[Token]) -> list[list[str]]:
    """Return one list of crfsuite attributes per token."""
    ws = [_word(t.text) for t in tokens]
    n = len(ws)
    out: list[list[str]] = []
    for i, f in enumerate(ws):
        feats = list(f.own)
        if i == 0:
            feats.append("bos")
        else:
            p = ws[i - 1]
            feats += p.left
            feats.append(f"w-1:w={p.low}|{f.low}")
            if i > 1:
                feats.append(f"w-2={ws[i - 2].low}")
        if i == n - 1:
            feats.append("eos")
        else:
            q = ws[i + 1]
            feats += q.right
            feats.append(f"w:w+1={f.low}|{q.low}")
            if i < n - 2:
                feats.append(f"w+2={ws[i + 2].low}")
        out.append(feats)
    return out
