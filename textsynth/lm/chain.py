"""Build the filter chain a sampling run passes its candidates through, in order.

Cheap structural checks come first (empty values, markup, value plans, unknown labels, typed
values), then the copy and duplicate checks, the label-fidelity classifier, and last the slot
checks and the fluency filter of :mod:`textsynth.lm.checks`, which cost a tagger or a model.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from textsynth.lm.config import SampleConfig
from textsynth.lm.filters import (
    DuplicateFilter,
    EmptyValueFilter,
    ExactCopyFilter,
    FidelityFilter,
    Filter,
    MarkupFilter,
    NearCopyFilter,
    UnknownLabelFilter,
)
from textsynth.lm.leaks import SchemaLeakFilter
from textsynth.types import Utterance

if TYPE_CHECKING:
    from textsynth.classifier import IntentClassifier
    from textsynth.lm.calibrate import Calibration

__all__ = ["build_filters"]

logger = logging.getLogger(__name__)


def build_filters(
    seeds: Sequence[Utterance],
    config: SampleConfig,
    classifier: Any = None,
    *,
    intents: Sequence[str] | None = None,
    base_model: str | None = None,
) -> tuple[list[Filter], list[str]]:
    """Return the filter chain for ``seeds`` and the names of filters that had to be disabled.

    Args:
        seeds: the seed utterances (slot labels, copies and the fidelity classifier come from them).
        config: thresholds.
        classifier: a fitted object with ``prob_of(texts, intents)``; ``None`` trains an
            :class:`~textsynth.classifier.IntentClassifier` on the seeds.
        intents: the intents being generated (intent relabelling moves utterances among them).
        base_model: the reference model of the fluency filter (``None``: the embedded default).
    """
    from textsynth.lm.checks import verification_filters

    filters: list[Filter] = [EmptyValueFilter(), MarkupFilter()]
    if config.value_plans:
        from textsynth.lm.plan_filter import PlanFilter

        filters.append(PlanFilter())
    filters.append(UnknownLabelFilter(seeds, config.label_scope))
    filters.append(SchemaLeakFilter(seeds, intents or ()))
    if config.repeated_words:
        from textsynth.lm.repeats import RepeatFilter

        filters.append(RepeatFilter(seeds))
    disabled: list[str] = []
    pre, post = verification_filters(seeds, config, intents=intents, base_model=base_model)
    filters += pre
    filters += [
        ExactCopyFilter(seeds),
        NearCopyFilter(seeds, config.near_copy_ngram, config.near_copy_threshold),
        DuplicateFilter(),
    ]
    if config.fidelity_threshold > 0:
        if classifier is None and len({u.intent for u in seeds}) < 2:
            logger.warning("label-fidelity filter disabled: the seeds have a single intent")
            disabled.append(FidelityFilter.name)
        else:
            from textsynth.lm.calibrate import Calibration
            from textsynth.lm.checks import fidelity_filter

            tau = config.fidelity_threshold
            calibration = Calibration(tau, tau, 0.0, reason="a fitted classifier was given")
            if classifier is None:
                classifier, calibration = _seed_classifier(seeds, config)
            filters.append(fidelity_filter(seeds, config, classifier, intents, calibration))
    else:
        disabled.append(FidelityFilter.name)
    filters += post(disabled)
    return filters, disabled


def _seed_classifier(
    seeds: Sequence[Utterance], config: SampleConfig
) -> tuple[IntentClassifier, Calibration]:
    """Return the label-fidelity classifier fitted on the seeds, and its calibrated threshold."""
    from textsynth.classifier import Embedder, IntentClassifier
    from textsynth.lm.calibrate import calibrate_threshold

    features: Literal["embeddings", "tfidf"] = (
        "embeddings" if config.fidelity_features == "embeddings" else "tfidf"
    )
    embedder = Embedder(config.embedding_model) if features == "embeddings" else None

    def make() -> IntentClassifier:
        return IntentClassifier(features, embedder=embedder, seed=config.seed)

    texts, intents = [u.text for u in seeds], [u.intent for u in seeds]
    calibration = calibrate_threshold(
        texts,
        intents,
        make,
        quantile=config.fidelity_quantile,
        ceiling=config.fidelity_threshold,
        seed=config.seed,
    )
    return make().fit(texts, intents), calibration
