"""The format interface: a class with a ``name``, ``extensions``, ``read`` and ``write``."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import ClassVar

from textsynth.types import Utterance


def add_synonym(table: dict[str, list[str]], value: str, surface: str) -> None:
    """Record ``value`` in ``table`` and, when it differs, ``surface`` as one of its synonyms."""
    syns = table.setdefault(value, [])
    if surface != value and surface not in syns:
        syns.append(surface)


class Format:
    """Base class of a file format.

    Subclasses set ``name`` (registry key) and ``extensions`` and implement ``write`` (atomic:
    a crash leaves no partial file) and ``read``. ``streaming`` says whether ``write`` keeps
    memory flat (formats that group by intent must hold the utterances).
    """

    name: ClassVar[str] = ""
    extensions: ClassVar[tuple[str, ...]] = ()
    streaming: ClassVar[bool] = False

    def write(self, utts: Iterable[Utterance], path: str | os.PathLike[str]) -> int:
        """Write ``utts`` to ``path``; return how many were written."""
        raise NotImplementedError

    def read(self, path: str | os.PathLike[str]) -> Iterator[Utterance]:
        """Yield the utterances stored in ``path``."""
        raise NotImplementedError
