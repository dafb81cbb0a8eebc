"""Memorisation in text space: copied utterances and copied 4-grams, next to a holdout.

A real holdout never seen by the generator shows what "not memorised" looks like: real
utterances of the same task share some wording with the seeds too, so the synthetic share is
judged against the holdout's share, not against zero.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from textsynth.metrics.base import Goal, Metric, MetricResult
from textsynth.metrics.context import EvalContext
from textsynth.metrics.text import NgramIndex
from textsynth.registry import metrics as registry
from textsynth.text import normalise_text

__all__ = ["ExactMatch", "NgramOverlap", "exact_match_share", "ngram_overlap_share"]

NGRAM = 4


def exact_match_share(texts: list[str], seed_texts: list[str]) -> tuple[float | None, list[bool]]:
    """Return the share of ``texts`` equal to a seed, and the flags (``normalise_text`` forms)."""
    seen = {normalise_text(t) for t in seed_texts}
    flags = [normalise_text(t) in seen for t in texts]
    return (sum(flags) / len(flags) if flags else None), flags


@registry.register()
class ExactMatch(Metric):
    """Share of synthetic utterances that are a seed, after normalisation."""

    name = "exact-match"
    category = "memorisation"
    goal = Goal.MINIMIZE
    min_value = 0.0
    max_value = 1.0
    description = (
        "Share of synthetic utterances identical to a seed after normalisation (NFKC, "
        "case-folded, every non-letter non-digit a word break, whitespace collapsed)."
    )
    good = (
        "Near the holdout's share (real unseen utterances that happen to equal a seed); "
        "1.0 means the generator copies."
    )

    def compute(self, ctx: EvalContext) -> MetricResult:  # noqa: D102
        seen = {normalise_text(t) for t in ctx.texts("seeds")}
        norm = [normalise_text(t) for t in ctx.texts("synthetic")]
        flags = [t in seen for t in norm]
        value = sum(flags) / len(flags) if flags else None
        copied = Counter(t for t, f in zip(norm, flags, strict=True) if f)
        ref = None
        if ctx.has("holdout"):
            ref, _ = exact_match_share(ctx.texts("holdout"), ctx.texts("seeds"))
        n_unique = len(set(norm))
        return self.result(
            value,
            reference=ref,
            reference_label="holdout" if ref is not None else "",
            breakdown={
                "n_matched": int(sum(flags)),
                "n": len(flags),
                "distinct_seeds_copied": len(copied),
                "most_copied": dict(copied.most_common(5)),
                "unique_share": n_unique / len(flags) if flags else None,
            },
        )


def ngram_overlap_share(index: NgramIndex, corpus: int, seeds: int, n: int = NGRAM) -> float | None:
    """Return the share of ``corpus``'s n-gram occurrences that occur in corpus ``seeds``.

    Args:
        index: an index over several corpora (ids comparable across them).
        corpus: the corpus number to measure.
        seeds: the corpus number of the seeds.
        n: the n-gram order.
    """
    _, ids = index.ngrams(n, corpus)
    _, seed_ids = index.ngrams(n, seeds)
    if len(ids) == 0:
        return None
    # ids are compact across the index's corpora: a lookup table replaces a set intersection
    in_seeds = np.zeros(int(max(ids.max(), seed_ids.max(initial=0))) + 1, dtype=bool)
    in_seeds[seed_ids] = True
    return float(in_seeds[ids].mean())


@registry.register()
class NgramOverlap(Metric):
    """Share of synthetic 4-gram occurrences that also occur in the seeds."""

    name = "ngram-overlap"
    category = "memorisation"
    goal = Goal.MINIMIZE
    min_value = 0.0
    max_value = 1.0
    description = (
        f"Share of synthetic {NGRAM}-gram occurrences (lower-cased whitespace tokens) found in "
        f"the seeds; utterances shorter than {NGRAM} tokens have none."
    )
    good = "Near the holdout's share; far above it means long stretches are copied from seeds."

    def compute(self, ctx: EvalContext) -> MetricResult:  # noqa: D102
        names = [n for n in ("synthetic", "seeds", "holdout") if ctx.has(n)]
        index = NgramIndex([ctx.tokens(n) for n in names])
        value = ngram_overlap_share(index, 0, 1)
        ref = ngram_overlap_share(index, 2, 1) if "holdout" in names else None
        _, ids = index.ngrams(NGRAM, 0)
        return self.result(
            value,
            reference=ref,
            reference_label="holdout" if ref is not None else "",
            breakdown={
                "n": NGRAM,
                "occurrences": int(len(ids)),
                "distinct": int(np.count_nonzero(np.bincount(ids))) if len(ids) else 0,
            },
        )
