"""A sample a person reads: seeded-random synthetic utterances per source, spans and flags.

People judge generated text by reading it. The report shows ``n`` utterances per source
(grammar, lm...) drawn with the evaluation's seed, each with its slot spans and, where the slot
tagger ran, the places where it disagrees; where fluency ran, utterances below the seeds' 5th
percentile are flagged too.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from textsynth.metrics.base import IncomputableMetricError
from textsynth.metrics.context import EvalContext
from textsynth.metrics.sources import source_group

__all__ = ["SAMPLE_SIZE", "reading_sample"]

SAMPLE_SIZE = 30


def reading_sample(ctx: EvalContext, n: int = SAMPLE_SIZE) -> dict[str, Any]:
    """Return ``{"per_source": {group: [item...]}, "n": n, "tagger": bool, "fluency": bool}``.

    Each item has ``text``, ``intent``, ``source``, ``spans`` (``start``, ``end``, ``label``,
    ``value``), ``tagger`` (the tagger's spans, or ``None`` when it did not run) and ``flags``
    (disagreements in words).
    """
    from textsynth.metrics.slots import disagreements

    syn = ctx.get("synthetic")
    groups: dict[str, list[int]] = defaultdict(list)
    for i, u in enumerate(syn):
        groups[source_group(u)].append(i)
    tag_pred = ctx._cache.get(("tagger-pred", "synthetic"))
    fluency: dict[int, float] = {}
    p5 = None
    if ("fluency", "synthetic") in ctx._cache and ("fluency", "seeds") in ctx._cache:
        seeds = ctx.fluency_scores("seeds")
        ok = seeds[np.isfinite(seeds)]
        if len(ok):
            p5 = float(np.percentile(ok, 5))
        fluency = dict(
            zip(
                ctx.fluency_indices("synthetic").tolist(),
                ctx.fluency_scores("synthetic"),
                strict=True,
            )
        )
    oracle = None
    if "oracle" in ctx._cache:
        oracle = ctx._cache["oracle"]
    per_source: dict[str, list[dict[str, Any]]] = {}
    for g, idx in sorted(groups.items()):
        pick = [idx[j] for j in ctx.sample_indices(len(idx), n, f"reading-{g}")]
        items = []
        intents = None
        if oracle is not None:
            try:
                intents = oracle.predict([syn[i].text for i in pick])
            except (IncomputableMetricError, ValueError):  # pragma: no cover - defensive
                intents = None
        for k, i in enumerate(pick):
            u = syn[i]
            flags: list[str] = []
            tagged = None
            if tag_pred is not None:
                tagged = [{"start": s.start, "end": s.end, "label": s.label} for s in tag_pred[i]]
                flags += disagreements(u.text, u.spans, tag_pred[i])
            score = fluency.get(i)
            if score is not None and p5 is not None and np.isfinite(score) and score < p5:
                flags.append(f"fluency {score:.2f} is below the seeds' 5th percentile ({p5:.2f})")
            if intents is not None and intents[k] != u.intent:
                flags.append(f"the intent oracle says {intents[k]}, not {u.intent}")
            items.append(
                {
                    "text": u.text,
                    "intent": u.intent,
                    "source": u.source,
                    "spans": [s.to_dict(u.text) for s in u.spans],
                    "tagger": tagged,
                    "fluency": None if score is None or not np.isfinite(score) else float(score),
                    "flags": flags,
                }
            )
        per_source[g] = items
    return {
        "n": n,
        "seed": ctx.seed,
        "tagger": tag_pred is not None,
        "fluency": bool(fluency),
        "per_source": per_source,
        "totals": {g: len(idx) for g, idx in sorted(groups.items())},
    }
