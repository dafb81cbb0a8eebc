"""Diversity: distinct-n, embedding spread and the length distribution.

distinct-n is the type-token ratio of n-grams: distinct n-grams / n-gram occurrences, over the
whole set and per intent (lower-cased whitespace tokens). Like self-BLEU it falls as a set grows,
so the real reference is computed on the same number of utterances as a synthetic sample.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from textsynth.metrics.base import Goal, Metric, MetricResult
from textsynth.metrics.context import EvalContext
from textsynth.metrics.text import NgramIndex
from textsynth.registry import metrics as registry

__all__ = [
    "Distinct1",
    "Distinct2",
    "Distinct3",
    "EmbeddingDiversity",
    "LengthDistribution",
    "distinct_n",
    "ks_statistic",
    "mean_pairwise_cosine_distance",
]


def distinct_n(
    corpus: Sequence[Sequence[str]],
    n: int,
    groups: Sequence[str] | None = None,
    index: NgramIndex | None = None,
) -> tuple[float, dict[str, tuple[float, int, int]]]:
    """Return distinct-n of a tokenised corpus, and per group when ``groups`` is given.

    Args:
        corpus: tokenised utterances.
        n: the n-gram order.
        groups: a label per utterance (e.g. its intent).
        index: a prebuilt index of exactly ``corpus`` (saves rebuilding it).

    Returns:
        ``(overall, {group: (ratio, distinct, total)})``; a ratio is ``nan`` without n-grams.
    """
    index = index if index is not None else NgramIndex([corpus])
    utt, gid = index.ngrams(n)
    # ids are compact (0..k-1), so counting the distinct ones is a bincount, not a sort
    overall = np.count_nonzero(np.bincount(gid)) / len(gid) if len(gid) else float("nan")
    per: dict[str, tuple[float, int, int]] = {}
    if groups is not None and len(corpus):
        names, codes = np.unique(np.asarray(groups, dtype=object).astype(str), return_inverse=True)
        g = codes.reshape(-1)[utt]
        total = np.bincount(g, minlength=len(names))
        pairs = np.unique(g * (int(gid.max(initial=0)) + 1) + gid)
        distinct = np.bincount(pairs // (int(gid.max(initial=0)) + 1), minlength=len(names))
        for i, name in enumerate(names):
            t, d = int(total[i]), int(distinct[i])
            per[str(name)] = (d / t if t else float("nan"), d, t)
    return overall, per


class _DistinctN(Metric):
    category = "diversity"
    n = 1
    goal = Goal.MAXIMIZE
    min_value = 0.0
    max_value = 1.0
    good = (
        "Higher means more varied wording. It falls as a set grows: compare with the real "
        "reference, computed on the same number of utterances (breakdown 'matched')."
    )

    def compute(self, ctx: EvalContext) -> MetricResult:  # noqa: D102
        toks = ctx.tokens("synthetic")
        overall, per = distinct_n(
            toks, self.n, [u.intent for u in ctx.synthetic], index=ctx.ngram_index("synthetic")
        )
        breakdown: dict = {
            "per_intent": {
                k: {"distinct": v[0], "types": v[1], "tokens": v[2]} for k, v in per.items()
            },
        }
        real_name = ctx.real_name()
        real = ctx.tokens(real_name)
        ref, label = None, ""
        if real:
            m = min(len(toks), len(real))
            syn_m, _ = distinct_n(
                [toks[i] for i in ctx.sample_indices(len(toks), m, "distinct-s")], self.n
            )
            ref, _ = distinct_n(
                [real[i] for i in ctx.sample_indices(len(real), m, "distinct-r")], self.n
            )
            label = f"{real_name} n={m}; synthetic n={m}: {syn_m:.4f}"
            breakdown["matched"] = {"n": m, "synthetic": syn_m, real_name: ref}
        return self.result(overall, reference=ref, reference_label=label, breakdown=breakdown)


@registry.register()
class Distinct1(_DistinctN):
    """distinct-1: distinct unigrams / unigram occurrences."""

    name = "distinct-1"
    category = "diversity"
    n = 1
    description = "Distinct unigrams / unigram occurrences (type-token ratio of words)."


@registry.register()
class Distinct2(_DistinctN):
    """distinct-2: distinct bigrams / bigram occurrences."""

    name = "distinct-2"
    category = "diversity"
    n = 2
    description = "Distinct bigrams / bigram occurrences (type-token ratio of bigrams)."


@registry.register()
class Distinct3(_DistinctN):
    """distinct-3: distinct trigrams / trigram occurrences."""

    name = "distinct-3"
    category = "diversity"
    n = 3
    description = "Distinct trigrams / trigram occurrences (type-token ratio of trigrams)."


def mean_pairwise_cosine_distance(vectors: np.ndarray) -> float:
    """Return the mean of ``1 - cos(u, v)`` over all ordered pairs of distinct rows.

    Exact in O(N·d) for unit vectors: the sum of all pairwise dot products is
    ``|Σv|² - Σ|v|²``.
    """
    n = len(vectors)
    if n < 2:
        return float("nan")
    v = vectors.astype(np.float64)
    total = float(np.square(v.sum(axis=0)).sum())
    self_dots = float(np.square(v).sum())
    return 1.0 - (total - self_dots) / (n * (n - 1))


@registry.register()
class EmbeddingDiversity(Metric):
    """Mean pairwise cosine distance of sentence embeddings (exact, no sampling needed)."""

    name = "embedding-diversity"
    category = "diversity"
    goal = Goal.MAXIMIZE
    min_value = 0.0
    max_value = 2.0
    needs = ("embeddings",)
    description = "Mean pairwise cosine distance of the sentence embeddings (all-MiniLM-L6-v2)."
    good = "Higher means the utterances spread over more meanings; near the real reference is good."

    def compute(self, ctx: EvalContext) -> MetricResult:  # noqa: D102
        emb = ctx.embed("synthetic")
        value = mean_pairwise_cosine_distance(emb)
        intents = np.asarray([u.intent for u in ctx.model_set("synthetic")], dtype=object)
        per = {
            str(it): mean_pairwise_cosine_distance(emb[intents == it])
            for it in sorted(set(intents.tolist()))
        }
        real_name = ctx.real_name()
        ref = mean_pairwise_cosine_distance(ctx.embed(real_name)) if ctx.has(real_name) else None
        return self.result(
            value,
            reference=ref,
            reference_label=real_name if ref is not None else "",
            breakdown={"per_intent": per, "n": len(emb)},
        )


def ks_statistic(a: Sequence[int] | np.ndarray, b: Sequence[int] | np.ndarray) -> float:
    """Return the two-sample Kolmogorov-Smirnov statistic (max CDF gap) of ``a`` and ``b``."""
    a, b = np.sort(np.asarray(a)), np.sort(np.asarray(b))
    if len(a) == 0 or len(b) == 0:
        return float("nan")
    grid = np.union1d(a, b)
    cdf_a = np.searchsorted(a, grid, side="right") / len(a)
    cdf_b = np.searchsorted(b, grid, side="right") / len(b)
    return float(np.abs(cdf_a - cdf_b).max())


MAX_HIST_LENGTH = 60


def _length_stats(lengths: np.ndarray) -> dict[str, float]:
    if len(lengths) == 0:
        return {"n": 0}
    q = np.quantile(lengths, [0.05, 0.5, 0.95])
    return {
        "n": int(len(lengths)),
        "mean": float(lengths.mean()),
        "std": float(lengths.std()),
        "min": int(lengths.min()),
        "p05": float(q[0]),
        "median": float(q[1]),
        "p95": float(q[2]),
        "max": int(lengths.max()),
    }


@registry.register()
class LengthDistribution(Metric):
    """How far the synthetic token-length distribution is from the seeds' (KS statistic)."""

    name = "length-distribution"
    category = "diversity"
    goal = Goal.MINIMIZE
    min_value = 0.0
    max_value = 1.0
    description = "Kolmogorov-Smirnov distance between synthetic and seed lengths (tokens)."
    good = "0 means the same length distribution as the seeds; near the holdout's value is good."

    def compute(self, ctx: EvalContext) -> MetricResult:  # noqa: D102
        lens = {
            name: np.asarray([len(t) for t in ctx.tokens(name)], dtype=np.int64)
            for name in ("synthetic", "seeds", "holdout")
            if ctx.has(name)
        }
        value = ks_statistic(lens["synthetic"], lens["seeds"]) if "seeds" in lens else None
        ref = None
        if "holdout" in lens and "seeds" in lens:
            ref = ks_statistic(lens["holdout"], lens["seeds"])
        top = int(max(int(v.max()) for v in lens.values() if len(v))) if lens else 0
        top = min(top, MAX_HIST_LENGTH)  # longer utterances fall in the last bin
        edges = list(range(0, top + 2))
        hist = {
            name: np.histogram(np.minimum(v, top), bins=edges)[0].tolist()
            for name, v in lens.items()
        }
        breakdown = {
            "stats": {k: _length_stats(v) for k, v in lens.items()},
            "histogram": {"edges": edges, **hist},
        }
        return self.result(
            value,
            reference=ref,
            reference_label="holdout" if ref is not None else "",
            breakdown=breakdown,
        )
