"""Exact self-BLEU in time linear in the corpus.

Self-BLEU scores each utterance with BLEU-4 against all the *other* utterances as references and
averages. nltk's ``sentence_bleu`` does this in O(N²) (each hypothesis walks every reference).
The same numbers come out of a few per-corpus tables, because ``sentence_bleu`` with several
references only needs, for each n-gram of the hypothesis, the **largest count in any single
reference** (its clipping bound), and for the brevity penalty the **reference length closest to
the hypothesis length** (ties go to the shorter):

* per n-gram, the largest and second-largest count it has in any one utterance: the largest
  count among the *others* is the second-largest when the hypothesis holds the largest, else the
  largest;
* the sorted distinct lengths with their multiplicities: the closest other length is the
  hypothesis' own length when another utterance shares it, else its neighbour below or above.

The arithmetic then follows nltk 3.x exactly (modified precision with ``max(1, count)``
denominators, smoothing ``method1``: ``0.1 / denominator`` for orders without a match, score 0
when no unigram matches, ``math.fsum`` of weighted logs), so the scores equal nltk's to rounding.
Tokens are lower-cased whitespace tokens (:func:`textsynth.metrics.text.tokenise`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from textsynth.metrics.base import Goal, IncomputableMetricError, Metric, MetricResult
from textsynth.metrics.context import EvalContext
from textsynth.metrics.text import NgramIndex
from textsynth.registry import metrics as registry

__all__ = ["SelfBleu", "closest_other_lengths", "clipped_counts", "self_bleu_scores"]

EPSILON = 0.1  # nltk SmoothingFunction().method1 default


def clipped_counts(index: NgramIndex, n: int) -> np.ndarray:
    """Return, per utterance, its n-grams' counts clipped by their max count in any other one.

    Args:
        index: n-gram index over one corpus.
        n: the order.

    Returns:
        an int array of length ``len(corpus)``: the modified-precision numerators.
    """
    n_utt = len(index.lengths)
    utt, gid = index.ngrams(n)
    if len(gid) == 0:
        return np.zeros(n_utt, dtype=np.int64)
    # count of each n-gram in each utterance
    keys, cnt = np.unique(gid * n_utt + utt, return_counts=True)
    g, u = keys // n_utt, keys % n_utt
    # per n-gram, the largest and second-largest count over utterances
    order = np.lexsort((-cnt, g))
    gs, cs = g[order], cnt[order]
    first = np.ones(len(gs), dtype=bool)
    first[1:] = gs[1:] != gs[:-1]
    n_ids = int(g.max()) + 1
    top1 = np.zeros(n_ids, dtype=np.int64)
    top2 = np.zeros(n_ids, dtype=np.int64)
    top1[gs[first]] = cs[first]
    nxt = np.nonzero(first)[0] + 1
    nxt = nxt[nxt < len(gs)]
    nxt = nxt[gs[nxt] == gs[nxt - 1]]
    top2[gs[nxt]] = cs[nxt]
    # the largest count among the other utterances
    other = np.where(cnt == top1[g], top2[g], top1[g])
    clipped = np.minimum(cnt, other)
    return np.bincount(u, weights=clipped, minlength=n_utt).astype(np.int64)


def closest_other_lengths(lengths: np.ndarray) -> np.ndarray:
    """Return, per utterance, the length of another utterance closest to its own (ties: shorter).

    Args:
        lengths: token counts of at least two utterances.
    """
    uniq, counts = np.unique(lengths, return_counts=True)
    pos = np.searchsorted(uniq, lengths)
    shared = counts[pos] >= 2
    big = np.iinfo(np.int64).max // 4
    lo = np.where(pos > 0, uniq[np.maximum(pos - 1, 0)], -big)
    hi = np.where(pos + 1 < len(uniq), uniq[np.minimum(pos + 1, len(uniq) - 1)], big)
    pick_lo = (lengths - lo) <= (hi - lengths)
    return np.where(shared, lengths, np.where(pick_lo, lo, hi))


def self_bleu_scores(
    corpus: Sequence[Sequence[str]], max_n: int = 4, index: NgramIndex | None = None
) -> np.ndarray:
    """Return each utterance's BLEU against all the others (nltk ``sentence_bleu``, method1).

    Args:
        corpus: tokenised utterances, at least two.
        max_n: the highest n-gram order; weights are uniform ``1 / max_n`` (BLEU-4 by default).
        index: a prebuilt index of exactly ``corpus`` (saves rebuilding it).

    Returns:
        float array of length ``len(corpus)``.

    Raises:
        IncomputableMetricError: fewer than two utterances.
    """
    n_utt = len(corpus)
    if n_utt < 2:
        raise IncomputableMetricError(f"self-BLEU needs at least 2 utterances, got {n_utt}")
    index = index if index is not None else NgramIndex([corpus])
    lengths = index.lengths
    nums = [clipped_counts(index, n).tolist() for n in range(1, max_n + 1)]
    dens = [np.maximum(1, lengths - n + 1).tolist() for n in range(1, max_n + 1)]
    refs = closest_other_lengths(lengths).tolist()
    weight = 1.0 / max_n
    out = np.zeros(n_utt, dtype=np.float64)
    for i, hyp_len in enumerate(lengths.tolist()):
        if nums[0][i] == 0:  # no unigram match: nltk returns 0
            continue
        logs = []
        for k in range(max_n):
            num, den = nums[k][i], dens[k][i]
            p = num / den if num else EPSILON / den
            logs.append(weight * math.log(p))
        ref_len = refs[i]
        bp = 1.0 if hyp_len > ref_len else math.exp(1 - ref_len / hyp_len)
        out[i] = bp * math.exp(math.fsum(logs))
    return out


@registry.register()
class SelfBleu(Metric):
    """Mean BLEU-4 of each synthetic utterance against all the others (exact, linear time)."""

    name = "self-bleu"
    category = "diversity"
    goal = Goal.MINIMIZE
    min_value = 0.0
    max_value = 1.0
    description = (
        "Mean BLEU-4 (nltk smoothing method1) of each utterance against all the others; "
        "lower-cased whitespace tokens; exact, computed in linear time."
    )
    good = (
        "Lower is more diverse. Self-BLEU grows with the number of utterances, so compare the "
        "synthetic value at the real set's size (breakdown 'matched') with the real reference."
    )

    def compute(self, ctx: EvalContext) -> MetricResult:  # noqa: D102
        toks = ctx.tokens("synthetic")
        scores = self_bleu_scores(toks, index=ctx.ngram_index("synthetic"))
        intents = [u.intent for u in ctx.synthetic]
        per_intent: dict[str, dict[str, float]] = {}
        arr = np.asarray(intents)
        for it in sorted(set(intents)):
            m = arr == it
            per_intent[it] = {"n": int(m.sum()), "mean_score": float(scores[m].mean())}
        breakdown: dict = {
            "n": len(toks),
            "quantiles": _quantiles(scores),
            "per_intent": per_intent,
        }
        ref = ref_label = None
        real_name = ctx.real_name()
        real = ctx.tokens(real_name)
        if len(real) >= 2:
            m = min(len(toks), len(real))
            syn_idx = ctx.sample_indices(len(toks), m, "self-bleu-synthetic")
            real_idx = ctx.sample_indices(len(real), m, "self-bleu-real")
            syn_m = float(self_bleu_scores([toks[i] for i in syn_idx]).mean())
            ref = float(self_bleu_scores([real[i] for i in real_idx]).mean())
            ref_label = f"{real_name} n={m}; synthetic n={m}: {syn_m:.4f}"
            breakdown["matched"] = {"n": m, "synthetic": syn_m, real_name: ref}
        return self.result(
            float(scores.mean()),
            reference=ref,
            reference_label=ref_label or "",
            breakdown=breakdown,
        )


def _quantiles(x: np.ndarray) -> dict[str, float]:
    qs = np.quantile(x, [0.05, 0.25, 0.5, 0.75, 0.95]) if len(x) else [math.nan] * 5
    return {k: float(v) for k, v in zip(("p05", "p25", "p50", "p75", "p95"), qs, strict=True)}
