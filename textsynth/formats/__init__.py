"""Output/input formats, one module each, behind the ``formats`` registry.

``write(utts, path, fmt)`` and ``read(path, fmt)`` pick the format by name (or by the file
extension when ``fmt`` is ``None``). Third parties add formats through the
``textsynth_formats`` entry-point group.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from textsynth.errors import ConfigError
from textsynth.formats.base import Format
from textsynth.registry import formats as registry
from textsynth.types import Utterance

# importing the modules registers the built-in formats
from textsynth.formats import jsonl as _jsonl  # noqa: F401,E402  isort: skip
from textsynth.formats import rasa_yaml as _rasa_yaml  # noqa: F401,E402  isort: skip
from textsynth.formats import rasa_json as _rasa_json  # noqa: F401,E402  isort: skip
from textsynth.formats import snips_json as _snips_json  # noqa: F401,E402  isort: skip
from textsynth.formats import conll as _conll  # noqa: F401,E402  isort: skip
from textsynth.formats import hf_dataset as _hf_dataset  # noqa: F401,E402  isort: skip

__all__ = ["Format", "get", "guess", "read", "write", "names"]


def names() -> list[str]:
    """Return the registered format names."""
    return registry.names()


def get(name: str) -> Format:
    """Return an instance of the format registered as ``name``."""
    return registry.get(name)()


def guess(path: str | os.PathLike[str]) -> str:
    """Return the format name for ``path`` from its extension (``.jsonl`` if unknown)."""
    p = str(path).lower()
    for name in registry.names():
        cls = registry.get(name)
        if any(p.endswith(ext) for ext in getattr(cls, "extensions", ())):
            return name
    if Path(p).suffix in ("", ".jsonl", ".json") or p == "-":
        return "jsonl"
    raise ConfigError(
        f"cannot tell the format of {path!s} from its extension",
        hint=f"pass --format, one of: {', '.join(registry.names())}",
    )


def write(utts: Iterable[Utterance], path: str | os.PathLike[str], fmt: str | None = None) -> int:
    """Write utterances to ``path`` atomically in format ``fmt``; return how many."""
    return get(fmt or guess(path)).write(utts, path)


def read(path: str | os.PathLike[str], fmt: str | None = None) -> Iterator[Utterance]:
    """Read utterances from ``path`` in format ``fmt`` (guessed from the extension if None)."""
    return get(fmt or guess(path)).read(path)
