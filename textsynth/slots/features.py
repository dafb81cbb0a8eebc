"""CRF features of a token sequence: the word, its shape and affixes, and its neighbours."""

from __future__ import annotations

import re
from collections.abc import Sequence

from textsynth.slots.tokens import Token

__all__ = ["FEATURES_VERSION", "sequence_features"]

FEATURES_VERSION = 1

_UPPER = re.compile(r"[A-Z]+")
_LOWER = re.compile(r"[a-z]+")
_DIGIT = re.compile(r"[0-9]+")


def _shape(word: str) -> str:
    """Return a short word shape: ``Xx``, ``x``, ``d``, ``X``, ``d.d``...; runs collapse."""
    return _DIGIT.sub("d", _LOWER.sub("x", _UPPER.sub("X", word)))[:6]


def sequence_features(tokens: Sequence[Token]) -> list[dict[str, str | float]]:
    """Return one crfsuite feature dict per token."""
    words = [t.text for t in tokens]
    low = [w.lower() for w in words]
    n = len(words)
    out: list[dict[str, str | float]] = []
    for i, w in enumerate(words):
        lw = low[i]
        f: dict[str, str | float] = {
            "b": 1.0,
            "w": lw,
            "p3": lw[:3],
            "s3": lw[-3:],
            "s2": lw[-2:],
            "sh": _shape(w),
        }
        if w[:1].isupper():
            f["title"] = 1.0
        if w.isdigit():
            f["digit"] = 1.0
        if i == 0:
            f["bos"] = 1.0
        else:
            f["w-1"] = low[i - 1]
            f["w-1:w"] = low[i - 1] + "|" + lw
            f["sh-1"] = _shape(words[i - 1])
            if i > 1:
                f["w-2"] = low[i - 2]
        if i == n - 1:
            f["eos"] = 1.0
        else:
            f["w+1"] = low[i + 1]
            f["w:w+1"] = lw + "|" + low[i + 1]
            f["sh+1"] = _shape(words[i + 1])
            if i < n - 2:
                f["w+2"] = low[i + 2]
        out.append(f)
    return out
