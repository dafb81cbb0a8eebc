"""Set the label-fidelity threshold from the seeds: how sure is the seed classifier of real text?

A classifier trained on ten seeds per intent is unsure of much real text of that intent. On HWU64
(52 intents), the MiniLM classifier of ten seeds gives 42 % of the real test requests less than
0.5 for their own intent. A fixed tau of 0.5 therefore keeps only generated text that sits close
to the seeds, which teaches a classifier little, and rejects the phrasings that would.

:func:`calibrate_threshold` holds out folds of the seeds, trains the same classifier on the rest,
and reads the probability it gives each held-out seed's own intent. Tau is the ``quantile`` of
these (so about ``1 - quantile`` of the intent's real text would pass), never above the
configured ceiling and never below twice what a guess gives (``2 / intents``). The filter
also asks that the utterance's own intent be the classifier's top one, which a tau of 0.5 or
more implied.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

__all__ = ["Calibration", "calibrate_threshold"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Calibration:
    """The label-fidelity threshold a run uses, and how it was set.

    Attributes:
        threshold: tau, the least probability of an utterance's own intent to keep it.
        ceiling: the configured ``fidelity_threshold`` (tau is never above it).
        quantile: the quantile of the held-out seeds' own-intent probabilities taken as tau.
        folds: the folds of the cross-validation (0: not calibrated).
        held_out_pass: share of held-out seeds that pass tau with their own intent on top.
        reason: why tau is the ceiling when it is not calibrated.
    """

    threshold: float
    ceiling: float
    quantile: float
    folds: int = 0
    held_out_pass: float | None = None
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the calibration as plain data (the filter summary's details)."""
        return {k: v for k, v in asdict(self).items() if v not in ("", None)}


def calibrate_threshold(
    texts: Sequence[str],
    intents: Sequence[str],
    make_classifier: Callable[[], Any],
    *,
    quantile: float,
    ceiling: float,
    folds: int = 5,
    seed: int = 0,
) -> Calibration:
    """Return tau from the seeds' cross-validated own-intent probabilities.

    Args:
        texts: the seed texts.
        intents: their intents.
        make_classifier: returns a fresh classifier with ``fit(texts, intents)`` and
            ``predict_proba(texts)`` / ``labels`` (the fidelity filter's kind of classifier).
        quantile: which quantile of the held-out probabilities becomes tau (0: keep ``ceiling``).
        ceiling: the most tau may be (the configured ``fidelity_threshold``).
        folds: cross-validation folds (fewer when an intent has fewer seeds).
        seed: shuffles the folds.
    """
    from sklearn.model_selection import StratifiedKFold

    counts = Counter(intents)
    if quantile <= 0:
        return Calibration(ceiling, ceiling, quantile, reason="calibration off (quantile 0)")
    k = min(folds, min(counts.values()) if counts else 0)
    if len(counts) < 2 or k < 2:
        why = "fewer than 2 intents" if len(counts) < 2 else "an intent with a single seed"
        return Calibration(ceiling, ceiling, quantile, reason=f"not calibrated: {why}")
    own: list[float] = []
    top: list[bool] = []
    splits = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    for train, test in splits.split(np.zeros(len(intents)), list(intents)):
        clf = make_classifier()
        clf.fit([texts[i] for i in train], [intents[i] for i in train])
        col = {lab: j for j, lab in enumerate(clf.labels)}
        probs = clf.predict_proba([texts[i] for i in test])
        for row, i in zip(probs, test, strict=True):
            p = float(row[col[intents[i]]])
            own.append(p)
            top.append(p >= float(np.max(row)))
    floor = min(ceiling, 2.0 / len(counts))
    tau = float(np.clip(np.quantile(own, quantile), floor, ceiling))
    tau = round(tau, 4)
    passed = float(np.mean([p >= tau and t for p, t in zip(own, top, strict=True)]))
    logger.info(
        "label-fidelity threshold %.3f (ceiling %.2f; %d-fold quantile %.2f of the seeds' own-"
        "intent probability); %.0f%% of held-out seeds pass",
        tau,
        ceiling,
        k,
        quantile,
        100 * passed,
    )
    return Calibration(tau, ceiling, quantile, k, round(passed, 4))
