"""JSONL, the interchange format of every command: one utterance object per line."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

from textsynth.formats.base import Format
from textsynth.io import read_utterances, write_utterances_jsonl
from textsynth.registry import formats
from textsynth.types import Utterance


@formats.register()
class JsonlFormat(Format):
    """``{"text", "intent", "entities": [{start, end, label, value}], "language", "source"}``."""

    name = "jsonl"
    extensions = (".jsonl", ".ndjson")
    streaming = True

    def write(self, utts: Iterable[Utterance], path: str | os.PathLike[str]) -> int:  # noqa: D102
        return write_utterances_jsonl(utts, path)

    def read(self, path: str | os.PathLike[str]) -> Iterator[Utterance]:  # noqa: D102
        return read_utterances(path)
