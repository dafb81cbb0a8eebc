"""Hugging Face ``datasets.Dataset``: in memory (``to_dataset``) or saved to a folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from textsynth._compat import require
from textsynth.formats.base import Format
from textsynth.registry import formats
from textsynth.types import Span, Utterance


def _features(weighted: bool = False) -> Any:
    ds = require("datasets", feature="the Hugging Face dataset format")
    ent = {
        "start": ds.Value("int32"),
        "end": ds.Value("int32"),
        "label": ds.Value("string"),
        "value": ds.Value("string"),
    }
    return ds.Features(
        {
            "text": ds.Value("string"),
            "intent": ds.Value("string"),
            "entities": [ent],
            "language": ds.Value("string"),
            "source": ds.Value("string"),
            **({"weight": ds.Value("float32")} if weighted else {}),
        }
    )


def to_dataset(utts: Iterable[Utterance]) -> Any:
    """Return a ``datasets.Dataset`` with columns text, intent, entities, language, source.

    When any utterance carries ``meta["weight"]`` (the pipeline's merge stage writes it: seeds
    weighted as much as the text added to them), a ``weight`` column holds it (1.0 elsewhere),
    ready for a weighted loss.
    """
    ds = require("datasets", feature="the Hugging Face dataset format")
    utts = list(utts)
    rows = [{k: v for k, v in u.to_dict().items() if k != "meta"} for u in utts]
    cols = {k: [r[k] for r in rows] for k in ("text", "intent", "entities", "language", "source")}
    weighted = any("weight" in u.meta for u in utts)
    if weighted:
        cols["weight"] = [float(u.meta.get("weight", 1.0)) for u in utts]
    return ds.Dataset.from_dict(cols, features=_features(weighted))


def from_dataset(dataset: Any) -> Iterator[Utterance]:
    """Yield utterances from a dataset with our columns (``entities`` may be empty)."""
    for row in dataset:
        spans = []
        for e in row.get("entities") or []:
            surface = row["text"][e["start"] : e["end"]]
            value = e.get("value")
            spans.append(
                Span(e["start"], e["end"], e["label"], value if value != surface else None)
            )
        yield Utterance(
            row["text"],
            row.get("intent") or "",
            tuple(spans),
            language=row.get("language") or "en",
            source=row.get("source") or "",
            meta={"weight": row["weight"]} if row.get("weight") is not None else {},
        )


@formats.register()
class HfDatasetFormat(Format):
    """A folder written by ``Dataset.save_to_disk`` (moved into place atomically)."""

    name = "hf-dataset"
    extensions = (".hf",)

    def write(self, utts: Iterable[Utterance], path: str | os.PathLike[str]) -> int:  # noqa: D102
        dset = to_dataset(utts)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
        try:
            dset.save_to_disk(str(tmp / "data"))
            if path.exists():
                shutil.rmtree(path)
            os.replace(tmp / "data", path)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return len(dset)

    def read(self, path: str | os.PathLike[str]) -> Iterator[Utterance]:  # noqa: D102
        ds = require("datasets", feature="the Hugging Face dataset format")
        return from_dataset(ds.load_from_disk(str(path)))
