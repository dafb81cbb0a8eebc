"""The fluency metric: mean per-token log-likelihood under a reference LM (see likelihood.py)."""

from __future__ import annotations

import numpy as np

from textsynth.metrics.base import Goal, Metric, MetricResult
from textsynth.metrics.context import EvalContext
from textsynth.metrics.likelihood import DEFAULT_FLUENCY_MODEL, FluencyScorer
from textsynth.metrics.sources import source_group
from textsynth.registry import metrics as _registry

__all__ = ["DEFAULT_FLUENCY_MODEL", "FluencyScorer"]

QUANTILES = (5, 25, 50, 75, 95)
MAX_LOWEST = 10


def _quantiles(x: np.ndarray) -> dict[str, float]:
    x = x[np.isfinite(x)]
    if not len(x):
        return {}
    return {f"p{q}": float(np.percentile(x, q)) for q in QUANTILES} | {"mean": float(x.mean())}


@_registry.register()
class Fluency(Metric):
    """Share of synthetic utterances less fluent than the seeds' 5th percentile."""

    name = "fluency"
    category = "fidelity"
    goal = Goal.MINIMIZE
    min_value = 0.0
    max_value = 1.0
    needs = ("fluency",)
    description = (
        "Mean per-token log-likelihood of each utterance under a reference causal LM (the "
        "embedded SmolLM2-135M by default); the value is the share of synthetic utterances "
        "below the seeds' 5th percentile (a seeded sample of at most max_fluency per set)."
    )
    good = (
        "Near 0.05 (5 % of the seeds themselves fall below their 5th percentile, by "
        "definition); well above it means broken or nonsensical sentences. Rare slot values "
        "(names, titles) lower the log-likelihood too: read the lowest examples."
    )

    def compute(self, ctx: EvalContext) -> MetricResult:  # noqa: D102
        syn_idx = ctx.fluency_indices("synthetic")
        syn = ctx.fluency_scores("synthetic")
        seeds = ctx.fluency_scores("seeds")
        ok_seeds = seeds[np.isfinite(seeds)]
        if not len(ok_seeds):
            from textsynth.metrics.base import IncomputableMetricError

            raise IncomputableMetricError("no seed utterance could be scored (all empty)")
        p5 = float(np.percentile(ok_seeds, 5))
        finite = np.isfinite(syn)
        below = (syn < p5) & finite
        share = float(below[finite].mean()) if finite.any() else None
        ref, ref_label = 0.05, "the seeds' own share (5 % by definition)"
        quant = {"synthetic": _quantiles(syn), "seeds": _quantiles(seeds)}
        if ctx.has("holdout"):
            hold = ctx.fluency_scores("holdout")
            ok = hold[np.isfinite(hold)]
            if len(ok):
                ref, ref_label = float((ok < p5).mean()), "holdout's share below the same line"
                quant["holdout"] = _quantiles(hold)
        every = np.concatenate([syn[finite], ok_seeds])
        lo, hi = float(np.floor(every.min())), float(np.ceil(every.max()))
        edges = np.linspace(lo, hi, 31)
        hist = {
            "edges": edges.tolist(),
            "synthetic": np.histogram(syn[finite], edges)[0].tolist(),
            "seeds": np.histogram(ok_seeds, edges)[0].tolist(),
        }
        items = ctx.get("synthetic")
        groups: dict[str, list[int]] = {}
        for j, i in enumerate(syn_idx):
            groups.setdefault(source_group(items[i]), []).append(j)
        per_source = {
            g: {
                "n": len(js),
                "below_seed_p5": float(np.mean([below[j] for j in js])),
                "mean": float(np.nanmean(syn[js])) if np.isfinite(syn[js]).any() else None,
            }
            for g, js in sorted(groups.items())
        }
        order = [j for j in np.argsort(np.where(finite, syn, np.inf)) if finite[j]][:MAX_LOWEST]
        lowest = [
            {"text": items[syn_idx[j]].text, "intent": items[syn_idx[j]].intent,
             "fluency": float(syn[j])}
            for j in order
        ]  # fmt: skip
        scorer = ctx.get_fluency_scorer()
        return self.result(
            share,
            reference=ref,
            reference_label=ref_label,
            breakdown={
                "seed_p5": p5,
                "quantiles": quant,
                "histogram": hist,
                "per_source": per_source if len(per_source) > 1 else {},
                "lowest": lowest,
                "model": scorer.model_name,
                "n_scored": {"synthetic": int(finite.sum()), "seeds": len(ok_seeds)},
                "unit": "mean log-likelihood per token (nats); higher = more fluent",
            },
        )
