"""Memorisation in embedding space: distance to the closest seed, DCR share and NNDR.

Distances are cosine distances between unit sentence embeddings (0 = same meaning and wording
as far as the model can tell, up to 2). Each synthetic figure sits next to the same figure for
a real holdout, which shows how close unseen real utterances come to the seeds.
"""

from __future__ import annotations

import numpy as np

from textsynth.metrics.base import Goal, Metric, MetricResult
from textsynth.metrics.context import EvalContext, nearest_distances
from textsynth.registry import metrics as registry

__all__ = ["Dcr", "DcrShare", "Nndr", "dcr_share", "nndr"]

HIST_EDGES = [round(0.025 * i, 3) for i in range(41)]  # 0 .. 1 in 40 bins (larger values: last)
TIE = 1e-6


def _quantiles(x: np.ndarray) -> dict[str, float]:
    q = np.quantile(x, [0.01, 0.05, 0.25, 0.5, 0.75])
    return {k: float(v) for k, v in zip(("p01", "p05", "p25", "p50", "p75"), q, strict=True)}


def _hist(x: np.ndarray) -> list[int]:
    return np.histogram(np.clip(x, 0.0, HIST_EDGES[-1]), bins=HIST_EDGES)[0].tolist()


@registry.register()
class Dcr(Metric):
    """Median distance from each synthetic utterance to its closest seed (DCR)."""

    name = "dcr"
    category = "memorisation"
    goal = Goal.MAXIMIZE
    min_value = 0.0
    max_value = 2.0
    needs = ("embeddings",)
    description = "Median cosine distance from each synthetic utterance to its closest seed."
    good = "Not below the holdout's median (unseen real utterances); 0 means copies of seeds."

    def compute(self, ctx: EvalContext) -> MetricResult:  # noqa: D102
        d = ctx.neighbours("synthetic", "seeds", k=2)[:, 0]
        breakdown: dict = {
            "quantiles": {"synthetic": _quantiles(d)},
            "share_identical": {"synthetic": float(np.mean(d < TIE))},
            "histogram": {"edges": HIST_EDGES, "synthetic": _hist(d)},
        }
        ref = None
        if ctx.has("holdout"):
            h = ctx.neighbours("holdout", "seeds", k=2)[:, 0]
            ref = float(np.median(h))
            breakdown["quantiles"]["holdout"] = _quantiles(h)
            breakdown["share_identical"]["holdout"] = float(np.mean(h < TIE))
            breakdown["histogram"]["holdout"] = _hist(h)
        return self.result(
            float(np.median(d)),
            reference=ref,
            reference_label="holdout" if ref is not None else "",
            breakdown=breakdown,
        )


def dcr_share(d_seeds: np.ndarray, d_holdout: np.ndarray) -> float:
    """Return P(closer to the seeds than to the holdout), ties counting one half."""
    closer = d_seeds < d_holdout - TIE
    tie = np.abs(d_seeds - d_holdout) <= TIE
    return float(np.mean(closer) + 0.5 * np.mean(tie))


@registry.register()
class DcrShare(Metric):
    """Share of synthetic utterances closer to the seeds than to an equally large holdout."""

    name = "dcr-share"
    category = "memorisation"
    goal = Goal.TARGET
    target = 0.5
    min_value = 0.0
    max_value = 1.0
    needs = ("embeddings", "holdout")
    description = (
        "Share of synthetic utterances whose closest seed is closer than their closest holdout "
        "utterance (seeds and holdout sampled to the same size; ties count one half)."
    )
    good = (
        "Near 0.5: the synthetic data is no closer to the seeds than to unseen real data; "
        "near 1.0 means it reproduces the seeds."
    )

    def compute(self, ctx: EvalContext) -> MetricResult:  # noqa: D102
        seeds, holdout = ctx.embed("seeds"), ctx.embed("holdout")
        m = min(len(seeds), len(holdout))
        s_idx = ctx.sample_indices(len(seeds), m, "dcr-share-seeds")
        h_idx = ctx.sample_indices(len(holdout), m, "dcr-share-holdout")
        syn = ctx.embed("synthetic")
        d_s = nearest_distances(syn, seeds[s_idx], 1)[:, 0]
        d_h = nearest_distances(syn, holdout[h_idx], 1)[:, 0]
        value = dcr_share(d_s, d_h)
        return self.result(
            value,
            breakdown={
                "n_per_side": m,
                "closer_to_seeds": float(np.mean(d_s < d_h - TIE)),
                "ties": float(np.mean(np.abs(d_s - d_h) <= TIE)),
                "histogram": {
                    "edges": HIST_EDGES,
                    "to_seeds": _hist(d_s),
                    "to_holdout": _hist(d_h),
                },
            },
        )


def nndr(d: np.ndarray) -> np.ndarray:
    """Return nearest / second-nearest distance per row of ``(n, 2)`` distances (1 when both 0)."""
    d1, d2 = d[:, 0], d[:, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(d2 > 0, d1 / np.where(d2 > 0, d2, 1.0), 1.0)
    return np.clip(r, 0.0, 1.0)


@registry.register()
class Nndr(Metric):
    """Median nearest-neighbour distance ratio of synthetic utterances to the seeds."""

    name = "nndr"
    category = "memorisation"
    goal = Goal.MAXIMIZE
    min_value = 0.0
    max_value = 1.0
    needs = ("embeddings",)
    description = (
        "Median of (distance to the closest seed) / (distance to the second closest seed); "
        "1 when both are 0 (a duplicated seed)."
    )
    good = (
        "Not below the holdout's median; near 0 means utterances sit on one particular seed "
        "far from the others (an outlier being reproduced)."
    )

    def compute(self, ctx: EvalContext) -> MetricResult:  # noqa: D102
        if len(ctx.seeds) < 2:
            from textsynth.metrics.base import IncomputableMetricError

            raise IncomputableMetricError("NNDR needs at least 2 seeds")
        r = nndr(ctx.neighbours("synthetic", "seeds", k=2))
        breakdown: dict = {"quantiles": {"synthetic": _quantiles(r)}}
        ref = None
        if ctx.has("holdout"):
            h = nndr(ctx.neighbours("holdout", "seeds", k=2))
            ref = float(np.median(h))
            breakdown["quantiles"]["holdout"] = _quantiles(h)
        return self.result(
            float(np.median(r)),
            reference=ref,
            reference_label="holdout" if ref is not None else "",
            breakdown=breakdown,
        )
