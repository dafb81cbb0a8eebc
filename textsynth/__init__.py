"""textsynth: labelled training text for conversational AI, and real text made safe to share.

The public API (heavy parts are imported lazily, on first use)::

    from textsynth import Utterance, Span, load_grammar, read, write
"""

from __future__ import annotations

import importlib
from typing import Any

from textsynth.errors import InputError, TextsynthError
from textsynth.types import Span, Utterance

__version__ = "0.1.0"

_LAZY = {
    "load_grammar": "textsynth.grammar",
    "expand": "textsynth.grammar",
    "read": "textsynth.formats",
    "write": "textsynth.formats",
    "Pseudonymiser": "textsynth.pii",
    "scrub": "textsynth.pii",
    "evaluate": "textsynth.metrics",
    "finetune": "textsynth.lm",
    "sample": "textsynth.lm",
}

__all__ = ["InputError", "Span", "TextsynthError", "Utterance", "__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'textsynth' has no attribute {name!r}")
