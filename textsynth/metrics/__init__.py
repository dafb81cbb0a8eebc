"""Evaluate synthetic utterances against their seeds: diversity, label fidelity, memorisation.

Usage::

    from textsynth.metrics import evaluate
    report = evaluate(synthetic, seeds, holdout=holdout, test=test)
    report["self-bleu"].value, report.to_table(), report.save("report/")

Each metric is a class with a declared goal and range, registered by name in
``textsynth.registry.metrics`` (third parties add theirs through the ``textsynth_metrics``
entry-point group). ``evaluate`` computes the requested ones on a shared
:class:`~textsynth.metrics.context.EvalContext` and skips, with a reason, those whose inputs
are missing (no holdout, embeddings turned off...).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from textsynth.classifier import Embedder
from textsynth.errors import InputError
from textsynth.metrics.base import Goal, IncomputableMetricError, Metric, MetricResult
from textsynth.metrics.context import EvalContext
from textsynth.metrics.report import Report
from textsynth.metrics.sample import reading_sample
from textsynth.progress import progress
from textsynth.registry import metrics as registry
from textsynth.types import Utterance

# importing the modules registers the built-in metrics
from textsynth.metrics import diversity as _diversity  # noqa: F401,E402  isort: skip
from textsynth.metrics import selfbleu as _selfbleu  # noqa: F401,E402  isort: skip
from textsynth.metrics import fidelity as _fidelity  # noqa: F401,E402  isort: skip
from textsynth.metrics import utility as _utility  # noqa: F401,E402  isort: skip
from textsynth.metrics import memorisation as _memorisation  # noqa: F401,E402  isort: skip
from textsynth.metrics import neighbours as _neighbours  # noqa: F401,E402  isort: skip
from textsynth.metrics import canary as _canary  # noqa: F401,E402  isort: skip
from textsynth.metrics import slots as _slots  # noqa: F401,E402  isort: skip
from textsynth.metrics import fluency as _fluency  # noqa: F401,E402  isort: skip
from textsynth.metrics.canary import CanaryConfig, CanaryExposure  # noqa: E402

__all__ = [
    "DEFAULT_METRICS",
    "CanaryConfig",
    "CanaryExposure",
    "EvalContext",
    "Goal",
    "IncomputableMetricError",
    "Metric",
    "MetricResult",
    "Report",
    "evaluate",
]

logger = logging.getLogger(__name__)

DEFAULT_METRICS: tuple[str, ...] = (
    # diversity
    "distinct-1",
    "distinct-2",
    "distinct-3",
    "self-bleu",
    "embedding-diversity",
    "length-distribution",
    # label fidelity and downstream utility
    "intent-fidelity",
    "span-validity",
    "slot-fidelity",
    "fluency",
    "tstr-accuracy",
    "augmentation-gain",
    # memorisation
    "exact-match",
    "ngram-overlap",
    "dcr",
    "dcr-share",
    "nndr",
)


def evaluate(
    synthetic: Iterable[Utterance],
    seeds: Iterable[Utterance],
    holdout: Iterable[Utterance] | None = None,
    reference: Iterable[Utterance] | None = None,
    test: Iterable[Utterance] | None = None,
    *,
    embeddings: bool = True,
    metrics: Sequence[str | Metric] | None = None,
    seed: int = 0,
    classifier_features: str = "auto",
    embedder: Embedder | None = None,
    rejected: Sequence[str] = (),
    show_progress: bool = False,
    max_embed: int | None = 10_000,
    precomputed: dict | None = None,
    slot_tagger: Any = "seeds",
    fluency: bool | None = None,
    fluency_model: str | None = None,
    fluency_scorer: Any = None,
    max_fluency: int | None = 1000,
    sample_size: int = 30,
    inputs: Mapping[str, str] | None = None,
) -> Report:
    """Evaluate synthetic utterances against the seeds they were made from.

    Args:
        synthetic: the utterances to evaluate.
        seeds: the real utterances the generator saw.
        holdout: real utterances the generator did not see (reference for memorisation).
        reference: real labelled data to train the oracle on (default: seeds + holdout).
        test: real labelled test data (oracle accuracy, TSTR, augmentation gain).
        embeddings: compute embedding-based metrics (sentence embeddings, slower).
        metrics: metric names or :class:`Metric` instances; default :data:`DEFAULT_METRICS`.
        seed: seed of every sample drawn (same inputs and seed, same report).
        classifier_features: ``"auto"``, ``"embeddings"``, ``"tfidf"`` or ``"none"`` for the
            oracle and the downstream classifiers (auto: embeddings when allowed, else none).
        embedder: an :class:`~textsynth.classifier.Embedder` to share (and its cache).
        rejected: reasons for synthetic records that could not be read (count as invalid).
        show_progress: show progress bars on a terminal.
        max_embed: embedding, oracle and classifier metrics use a seeded sample of at most this
            many synthetic utterances (``None``: all); text metrics always use every one.
        precomputed: per-utterance results computed elsewhere (e.g. ``{("tokens",
            "synthetic"): [...]}`` from the Ray engine), put in the context's cache.
        slot_tagger: what slot fidelity compares the spans with: ``"seeds"`` (a CRF trained on
            the seeds plus the grammar's utterances: weak), ``"reference"`` (an oracle CRF
            trained on ``reference``: strong), a saved tagger's path or a
            :class:`~textsynth.slots.SlotTagger`.
        fluency: score fluency under a reference LM (``None``: when embeddings are on).
        fluency_model: that LM (``None``: the embedded SmolLM2-135M).
        fluency_scorer: a :class:`~textsynth.metrics.fluency.FluencyScorer` to share.
        max_fluency: fluency scores a seeded sample of at most this many utterances per set.
        sample_size: utterances per source in the reading sample of the report (0: none).
        inputs: the file each set was read from (shown in the report).

    Returns:
        a :class:`Report`.

    Raises:
        InputError: no synthetic utterances or no seeds.
        UnknownNameError: an unknown metric name.
    """
    ctx = EvalContext(
        synthetic=list(synthetic),
        seeds=list(seeds),
        holdout=list(holdout) if holdout is not None else None,
        reference=list(reference) if reference is not None else None,
        test=list(test) if test is not None else None,
        embeddings=embeddings,
        classifier_features=classifier_features,
        seed=seed,
        embedder=embedder,
        rejected=list(rejected),
        show_progress=show_progress,
        max_embed=max_embed,
        slot_tagger=slot_tagger,
        fluency=fluency,
        fluency_model=fluency_model,
        fluency_scorer=fluency_scorer,
        max_fluency=max_fluency,
    )
    ctx._cache.update(precomputed or {})
    if not ctx.synthetic:
        raise InputError(
            "there are no synthetic utterances to evaluate", hint="check the --synthetic file"
        )
    if not ctx.seeds:
        raise InputError("there are no seed utterances to compare with", hint="check --seeds")
    chosen = [
        registry.get(m)() if isinstance(m, str) else m
        for m in (metrics if metrics is not None else DEFAULT_METRICS)
    ]
    report = Report(summary=_summary(ctx, inputs))
    timings: dict[str, float] = {}
    for metric in progress(chosen, desc="evaluating", unit="metric"):
        t0 = time.perf_counter()
        try:
            ctx.check(metric.needs)
            report.add(metric.compute(ctx))
        except IncomputableMetricError as exc:
            logger.info("skipped %s: %s", metric.name, exc)
            report.skipped[metric.name] = str(exc)
        timings[metric.name] = round(time.perf_counter() - t0, 3)
    if sample_size:
        t0 = time.perf_counter()
        report.sample = reading_sample(ctx, sample_size)
        timings["reading-sample"] = round(time.perf_counter() - t0, 3)
    report.summary["timings_s"] = timings
    report.summary["step_timings_s"] = ctx.step_times()
    if ctx.embedder is not None:
        report.summary["embedding_model"] = _model_name(ctx.embedder.model_name)
    return report


def _summary(ctx: EvalContext, inputs: Mapping[str, str] | None) -> dict:
    from datetime import datetime, timezone

    from textsynth import __version__

    names = ("synthetic", "seeds", "holdout", "reference", "test")
    return {
        "textsynth_version": __version__,
        "created": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "inputs": {k: str(v) for k, v in (inputs or {}).items() if v},
        "sizes": {n: len(ctx.get(n)) for n in names if ctx.get(n) or n in ("synthetic", "seeds")},
        "rejected_records": len(ctx.rejected),
        "intents": {
            n: dict(sorted(Counter(u.intent for u in ctx.get(n)).items()))
            for n in names
            if ctx.get(n)
        },
        "seed": ctx.seed,
        "embeddings": ctx.embeddings,
        "classifier_features": ctx.classifier_features,
        "tokenisation": "lower-cased, split on whitespace",
        "max_embed": ctx.max_embed,
        "n_synthetic_modelled": len(ctx.model_indices("synthetic")),
        "slot_tagger": ctx.slot_tagger if isinstance(ctx.slot_tagger, str) else "given",
        "fluency": bool(ctx.fluency),
    }


def _model_name(path: str) -> str:
    """Return a printable model name (not the local path of the embedded model)."""
    from textsynth.classifier import DEFAULT_EMBEDDING_MODEL, resolve_embedding_model

    try:
        if path == resolve_embedding_model(None):
            return DEFAULT_EMBEDDING_MODEL
    except ImportError:
        pass
    return path
