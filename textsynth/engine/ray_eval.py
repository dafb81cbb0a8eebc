"""``evaluate --engine ray``: the per-utterance work on an actor pool, the reductions exact.

The actors read the synthetic JSONL in chunks of whole lines (byte ranges, as ``pii scrub``
does), parse and validate each record into an :class:`~textsynth.types.Utterance` and tokenise
it: the per-utterance steps. The driver gathers them in file order and runs the corpus-level
metrics (distinct-n, self-BLEU, n-gram overlap, exact match...) on the whole set exactly as the
in-process engine does, with the tokens already computed: the report is the same.
"""

from __future__ import annotations

import json
import pickle
import resource
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from textsynth.engine.batches import read_range
from textsynth.engine.cluster import connect

__all__ = ["EvalWorker", "read_synthetic_ray"]


class EvalWorker:
    """Parse, validate and tokenise chunks of synthetic utterances (one row per chunk)."""

    def __init__(self, language: str = "en") -> None:
        self.language = language

    def __call__(self, batch: Mapping[str, Sequence[Any]]) -> dict[str, list[Any]]:
        """Map chunk rows (``source``, ``start``, ``offset``, ``length``) to parsed rows."""
        out: dict[str, list[Any]] = {"start": [], "utts": [], "rejected": [], "maxrss_kib": []}
        for i, source in enumerate(batch["source"]):
            start = int(batch["start"][i])
            raw = read_range(str(source), int(batch["offset"][i]), int(batch["length"][i]))
            utts, tokens, rejected = self.chunk(str(source), start, raw)
            out["start"].append(start)
            out["utts"].append(pickle.dumps((utts, tokens), protocol=pickle.HIGHEST_PROTOCOL))
            out["rejected"].append(json.dumps(rejected))
            out["maxrss_kib"].append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        return out

    def chunk(self, source: str, start: int, raw: bytes) -> tuple[list, list, list[str]]:
        """Return the utterances, their tokens and the rejection reasons of one chunk."""
        from textsynth.errors import InputError, Location, RecordError
        from textsynth.metrics.text import tokenise
        from textsynth.types import Utterance

        utts, tokens, rejected = [], [], []
        for lineno, line in enumerate(
            raw.decode("utf-8-sig" if start == 1 else "utf-8").split("\n"), start
        ):
            if not line.strip():
                continue
            try:
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise RecordError(
                        f"malformed JSON: {exc.msg}", Location(source, lineno, exc.colno)
                    ) from None
                try:
                    u = Utterance.from_dict(obj, language=self.language)
                except InputError as exc:
                    raise type(exc)(
                        f"record {lineno}: {exc.message}", Location(source, lineno)
                    ) from None
            except InputError as err:
                rejected.append(f"{err.location}: {err.message}")
                continue
            utts.append(u)
            tokens.append(tokenise(u.text))
        return utts, tokens, rejected


def read_synthetic_ray(
    path: str, *, chunk: int = 20_000, actors: int | None = None, address: str | None = None
) -> tuple[list[Any], list[list[str]], list[str], dict[str, Any]]:
    """Read ``path`` on Ray; return utterances, their tokens, rejection reasons and stats.

    Stats: ``actors`` and ``actor_peak_rss_mib`` (the largest resident size an actor reached).
    """
    from textsynth.engine.ray_pii import plan_chunks

    if not Path(path).exists() and "://" not in path:
        from textsynth.errors import InputError

        raise InputError(f"{path}: no such file", hint="check the --synthetic path")
    ray = connect(address)
    n = actors or max(int(ray.cluster_resources().get("CPU", 1)), 1)
    rows = [
        {"source": path, "start": s, "offset": o, "length": ln}
        for s, o, ln in plan_chunks(path, chunk)
    ]
    ds = ray.data.from_items(rows, override_num_blocks=max(1, len(rows))).map_batches(
        EvalWorker, batch_size=1, concurrency=n, num_cpus=1
    )
    utts: list[Any] = []
    tokens: list[list[str]] = []
    rejected: list[str] = []
    peak = 0
    for row in ds.iter_rows():
        u, t = pickle.loads(row["utts"])
        utts += u
        tokens += t
        rejected += json.loads(row["rejected"])
        peak = max(peak, int(row["maxrss_kib"]))
    return utts, tokens, rejected, {"actors": n, "actor_peak_rss_mib": round(peak / 1024, 1)}
