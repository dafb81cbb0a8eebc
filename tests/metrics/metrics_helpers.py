"""Helpers shared by the metric tests: a fake embedder (no model) and an utterance builder."""

from __future__ import annotations

import zlib

import numpy as np

from textsynth.types import Span, Utterance


class FakeEmbedder:
    """Bag-of-words vectors hashed into 64 dimensions, unit-normalised (deterministic)."""

    model_name = "fake-bow"

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts, *, show_progress=False):
        self.calls += 1
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.lower().split():
                out[i, zlib.crc32(w.encode()) % 64] += 1.0
            out[i] /= max(np.linalg.norm(out[i]), 1e-9)
        return out


def utt(text, intent="book", *spans):
    """Return an utterance; spans are ``(surface, label)`` pairs located in the text."""
    out = []
    for surface, label in spans:
        start = text.index(surface)
        out.append(Span(start, start + len(surface), label))
    return Utterance(text, intent, tuple(out))
