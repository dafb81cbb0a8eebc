"""Where an utterance comes from (``grammar``, ``lm``, ``seed``...), read off its ``source``."""

from __future__ import annotations

from textsynth.types import Utterance

__all__ = ["source_group"]


def source_group(u: Utterance) -> str:
    """Return where an utterance comes from, by its ``source``: ``grammar``, ``lm``, ``seed``..."""
    head = u.source.split(":", 1)[0].strip().lower()
    return head or "unknown"
