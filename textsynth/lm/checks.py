"""Assemble the verification filters of the sampling chain from a :class:`SampleConfig`.

Order in the chain: typed value checks right after the label check (cheap, no model); intent
relabelling in place of the plain label-fidelity filter; then the slot tagger's verification
(after relabelling, so that it checks against the final intent's labels) and the fluency filter
(a forward pass of the reference LM, the costliest, last). Also the seed checks that refuse bad
input before any model is loaded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from textsynth.errors import InputError
from textsynth.lm.calibrate import Calibration
from textsynth.lm.config import SampleConfig
from textsynth.lm.filters import Candidate, FidelityFilter, Filter
from textsynth.types import Utterance

__all__ = [
    "FluencyFilter",
    "check_labels",
    "fidelity_filter",
    "verification_filters",
]

logger = logging.getLogger(__name__)


def check_labels(seeds: Sequence[Utterance], wanted: Sequence[str]) -> None:
    """Refuse slot labels that no seed uses, naming them.

    Args:
        seeds: the seeds.
        wanted: labels the user asked for (``SampleConfig.slot_labels``).

    Raises:
        InputError: naming each label no seed carries.
    """
    seen = {s.label for u in seeds for s in u.spans}
    missing = sorted(set(wanted) - seen)
    if missing:
        raise InputError(
            f"slot label(s) {', '.join(map(repr, missing))} appear in no seed",
            hint="the generator learns a label only from seeds that carry it: add seeds "
            "with these labels, or drop them from slot_labels"
            + (f" (seed labels: {', '.join(sorted(seen))})" if seen else ""),
        )


class FluencyFilter(Filter):
    """Keep utterances whose mean token log-likelihood is within the seeds' range.

    The threshold is the seeds' ``percentile``-th percentile under the reference model (by
    default the embedded base model): an utterance less likely than 95 % of the seeds (at 5) is
    rejected. The score is recorded as ``fluency`` on every candidate.

    Args:
        seeds: the seeds whose scores set the threshold.
        percentile: the seeds' percentile below which utterances are rejected.
        scorer: a fitted object with ``score(texts) -> np.ndarray``; ``None`` builds a
            :class:`textsynth.metrics.fluency.FluencyScorer` on ``model``.
        model: the reference LM of the default scorer (``None``: the embedded default).
    """

    name = "fluency"

    def __init__(
        self,
        seeds: Sequence[Utterance],
        percentile: float = 5.0,
        scorer: Any = None,
        model: str | None = None,
    ) -> None:
        if scorer is None:
            from textsynth.metrics.fluency import FluencyScorer

            scorer = FluencyScorer(model=model)
        self.scorer = scorer
        seed_scores = np.asarray(scorer.score([u.text for u in seeds]), dtype=float)
        self.threshold = float(np.percentile(seed_scores, percentile))
        self.percentile = percentile

    def keep(self, candidates: Sequence[Candidate]) -> list[bool]:  # noqa: D102
        if not candidates:
            return []
        scores = np.asarray(self.scorer.score([c.text for c in candidates]), dtype=float)
        out = []
        for c, sc in zip(candidates, scores, strict=True):
            c.scores["fluency"] = round(float(sc), 4)
            ok = bool(sc >= self.threshold)
            if not ok:
                c.note(
                    self.name,
                    "rejected",
                    f"below seeds' p{self.percentile:g}: {sc:.2f} < {self.threshold:.2f}",
                )
            out.append(ok)
        return out


def _labels_by_intent(seeds: Sequence[Utterance], config: SampleConfig) -> dict[str, list[str]]:
    from textsynth.lm.constrain import labels_for

    intents = sorted({u.intent for u in seeds})
    by = labels_for(seeds, intents, config.label_scope)
    if config.slot_labels:
        keep = set(config.slot_labels)
        by = {i: [lab for lab in v if lab in keep] for i, v in by.items()}
    return by


def fidelity_filter(
    seeds: Sequence[Utterance],
    config: SampleConfig,
    classifier: Any,
    intents: Sequence[str] | None,
    calibration: Calibration | None = None,
) -> Filter:
    """Return the label-fidelity filter: relabelling when enabled and the classifier allows.

    ``calibration`` carries the threshold set from the seeds (:mod:`textsynth.lm.calibrate`);
    without it the filter uses ``config.fidelity_threshold``.
    """
    tau = calibration.threshold if calibration is not None else config.fidelity_threshold
    f: FidelityFilter
    if config.intent_relabel_threshold > 0 and hasattr(classifier, "predict_proba"):
        from textsynth.lm.relabel import IntentRelabelFilter

        f = IntentRelabelFilter(
            classifier,
            tau,
            config.intent_relabel_threshold,
            _labels_by_intent(seeds, config),
            targets=intents,
        )
    else:
        f = FidelityFilter(classifier, tau)
    if calibration is not None:
        f.details = calibration.to_dict()
    return f


def verification_filters(
    seeds: Sequence[Utterance],
    config: SampleConfig,
    *,
    intents: Sequence[str] | None = None,
    base_model: str | None = None,
    tagger: Any = None,
    scorer: Any = None,
) -> tuple[list[Filter], Callable[[list[str]], list[Filter]]]:
    """Return the early filters, and a function building the late ones.

    The late filters (slot tagger, fluency) are built only when called, after the cheap ones,
    and append the names of those they had to disable to the list they are given.
    """
    if config.slot_labels:
        check_labels(seeds, config.slot_labels)
    pre: list[Filter] = []
    if config.typed_values:
        from textsynth.lm.verify import TypedValueFilter

        pre.append(TypedValueFilter(seeds, config.typed_min_share))

    def late(disabled: list[str]) -> list[Filter]:
        from textsynth.lm.verify import SlotVerifyFilter

        out: list[Filter] = []
        rules = None
        if config.slot_rules and any(u.spans for u in seeds):
            from textsynth.lm.slot_rules import SlotRulesFilter

            rules = SlotRulesFilter(seeds, config.slot_range_factor)
            out.append(rules)
        elif not config.slot_rules:
            disabled.append("slot-rules")
        t, why = tagger, ""
        if t is None and (config.slot_verify or config.slot_unmarked != "off"):
            t, why = _train_tagger(seeds, config.seed)
        recheck = rules.recheck if rules is not None else None
        if config.slot_verify:
            if t is None:
                logger.warning("slot verification disabled: %s", why)
                disabled.append(SlotVerifyFilter.name)
            else:
                out.append(
                    SlotVerifyFilter(
                        t,
                        _labels_by_intent(seeds, config),
                        config.slot_relabel_threshold,
                        config.slot_keep_threshold,
                        recheck=recheck,
                        seed_values=_seed_values(seeds) if config.slot_confirm_new else None,
                    )
                )
        else:
            disabled.append(SlotVerifyFilter.name)
        if config.slot_unmarked != "off" and any(u.spans for u in seeds):
            if t is None:
                logger.warning(
                    "slot recall check without the seed tagger (%s): seed values and numbers only",
                    why,
                )
            from textsynth.lm.unmarked import (
                UnmarkedValueFilter,
                number_intents,
                unambiguous_values,
            )

            out.append(
                UnmarkedValueFilter(
                    t,
                    _labels_by_intent(seeds, config),
                    unambiguous_values(seeds),
                    config.slot_unmarked_threshold,
                    config.slot_unmarked,
                    recheck=recheck,
                    numbers=number_intents(seeds),
                )
            )
        else:
            disabled.append("slot-unmarked")
        if config.slot_context is not False and any(u.spans for u in seeds):  # None: on
            from textsynth.lm.slot_context import SlotContextFilter

            out.append(SlotContextFilter(seeds, config.slot_context_max_unseen))
        else:
            disabled.append("slot-context")
        if config.fluency_percentile > 0:
            try:
                out.append(
                    FluencyFilter(
                        seeds,
                        config.fluency_percentile,
                        scorer=scorer,
                        model=config.fluency_model or _reference(base_model),
                    )
                )
            except ImportError as exc:
                logger.warning("fluency filter disabled: no fluency scorer (%s)", exc)
                disabled.append(FluencyFilter.name)
        else:
            disabled.append(FluencyFilter.name)
        return out

    return pre, late


def _seed_values(seeds: Sequence[Utterance]) -> dict[str, set[str]]:
    """Return label -> the values the seeds give it, case-folded."""
    out: dict[str, set[str]] = {}
    for u in seeds:
        for s in u.spans:
            out.setdefault(s.label, set()).add(u.text[s.start : s.end].strip().casefold())
    return out


def _reference(base_model: str | None) -> str | None:
    """Return the fluency reference model: the generator's own base model (None: the default)."""
    return base_model or None


def _train_tagger(seeds: Sequence[Utterance], seed: int) -> tuple[Any, str]:
    """Return a seed-trained slot tagger and ``""``, or ``None`` and why it cannot be had."""
    if not any(u.spans for u in seeds):
        return None, "the seeds carry no slot"
    try:
        from textsynth.slots.tagger import SlotTagger, SlotTaggerError
    except ImportError as exc:
        return None, f"no slot tagger ({exc})"
    try:
        return SlotTagger.train(list(seeds), seed=seed), ""
    except (SlotTaggerError, ImportError) as exc:
        return None, str(exc)
