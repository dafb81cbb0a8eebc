"""Choose which filtered utterances to keep when the sampler gathered more than it needs.

With ``select="diverse"`` or ``"hard"`` the sampler collects ``pool`` times ``per_intent``
utterances that pass every filter, then keeps ``per_intent`` of them per intent:

- ``diverse``: farthest-first traversal (greedy k-centre) in sentence-embedding space: each pick
  is the utterance least similar to the intent's seeds and to the picks before it. Near-paraphrases
  of the seeds add little a classifier does not already know; the ablation in
  ``eval/augment_ablation.py`` measured the diverse pick above the first-generated one with the
  embeddings classifier.
- ``hard``: the utterances the label-fidelity classifier (trained on the seeds) is least sure of,
  among those that passed it: least-confidence selection, as in active learning. What that
  classifier already reads with confidence is, by construction, near what it learnt from; the
  utterances near its boundary are the ones that can move it. ``docs/generation.md`` section 15
  measures where that helps (HWU64's 52 close intents) and where it does not (SNIPS: the least
  certain are more often off-intent). Their score is the ``intent_prob`` the filter recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from textsynth.lm.config import SELECTIONS
from textsynth.types import Utterance

__all__ = ["SELECTIONS", "farthest_first", "select_diverse", "select_hard"]


def farthest_first(x: np.ndarray, anchors: np.ndarray, k: int) -> tuple[list[int], list[float]]:
    """Pick ``k`` rows of ``x`` (L2-normalised), each farthest from ``anchors`` and earlier picks.

    Distance is cosine distance (``1 - x @ y``). Ties go to the earlier row, so the result is
    deterministic and, with no anchors, starts from the first row.

    Returns:
        The picked row indices in pick order, and each pick's distance when it was picked.
    """
    n = len(x)
    k = min(k, n)
    if k <= 0:
        return [], []
    dist = 1.0 - (x @ anchors.T).max(axis=1) if len(anchors) else np.full(n, np.inf)
    picked: list[int] = []
    at: list[float] = []
    for _ in range(k):
        j = int(np.argmax(dist))
        picked.append(j)
        at.append(float(dist[j]))
        dist = np.minimum(dist, 1.0 - x @ x[j])
        dist[picked] = -np.inf
    return picked, at


def select_diverse(
    pool: Sequence[Utterance], seeds: Sequence[str], k: int, embedder: Any
) -> list[Utterance]:
    """Return the ``k`` of one intent's ``pool`` most diverse from the seeds and each other.

    Args:
        pool: the candidates (one intent), in generation order.
        seeds: the intent's seed texts (the anchors).
        k: how many to keep.
        embedder: an object with ``encode(texts) -> ndarray`` of L2-normalised rows
            (:class:`textsynth.classifier.Embedder`).

    Returns:
        The chosen utterances in generation order, each with ``meta['scores']['novelty']``: its
        cosine distance to the nearest seed or earlier pick when it was chosen.
    """
    if len(pool) <= k:
        return list(pool)
    x = np.asarray(embedder.encode([u.text for u in pool]), dtype=np.float32)
    a = np.asarray(embedder.encode(list(seeds)), dtype=np.float32) if seeds else x[:0]
    picked, at = farthest_first(x, a, k)
    novelty = dict(zip(picked, at, strict=True))
    out = []
    for j in sorted(picked):
        u = pool[j]
        scores = {**u.meta.get("scores", {}), "novelty": round(novelty[j], 4)}
        out.append(replace(u, meta={**u.meta, "scores": scores}))
    return out


def select_hard(pool: Sequence[Utterance], k: int) -> list[Utterance]:
    """Return the ``k`` of one intent's ``pool`` the label-fidelity classifier is least sure of.

    Args:
        pool: the candidates (one intent), in generation order, each with
            ``meta['scores']['intent_prob']`` (recorded by the label-fidelity filter).
        k: how many to keep.

    Returns:
        The chosen utterances in generation order. Ties go to the earlier one.

    Raises:
        ValueError: a candidate carries no ``intent_prob`` (the fidelity filter was off).
    """
    if len(pool) <= k:
        return list(pool)
    probs = []
    for j, u in enumerate(pool):
        p = u.meta.get("scores", {}).get("intent_prob")
        if p is None:
            raise ValueError(
                f"candidate {j} ({u.text!r}) has no intent_prob score: select='hard' needs the "
                "label-fidelity filter"
            )
        probs.append(float(p))
    order = sorted(range(len(pool)), key=lambda j: (probs[j], j))
    return [pool[j] for j in sorted(order[:k])]
