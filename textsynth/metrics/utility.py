"""Downstream utility: train an intent classifier on synthetic data, test it on real data.

Both metrics use the context's classifier (sentence embeddings + logistic regression, or TF-IDF
when embeddings are off) and cap the synthetic training sample for speed; the cap and every
sample are seeded and reported.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from textsynth.metrics.base import Goal, IncomputableMetricError, Metric, MetricResult
from textsynth.metrics.context import EvalContext, single_threaded_blas
from textsynth.registry import metrics as registry
from textsynth.types import Utterance

__all__ = ["AugmentationGain", "TstrAccuracy", "train_and_score"]

AUG_RUNS = 3  # bootstrap runs of the augmentation experiment


def train_and_score(
    ctx: EvalContext, train: Sequence[Utterance], test: Sequence[Utterance]
) -> float:
    """Return the accuracy on ``test`` of a fresh classifier trained on ``train``.

    Raises:
        IncomputableMetricError: fewer than two intents to learn from.
    """
    if len({u.intent for u in train}) < 2:
        raise IncomputableMetricError("the training data has fewer than 2 intents")
    t0 = time.perf_counter()
    with single_threaded_blas():
        clf = ctx.new_classifier().fit([u.text for u in train], [u.intent for u in train])
        pred = clf.predict([u.text for u in test])
    ctx.add_time("classifier-fit", time.perf_counter() - t0)
    return float(np.mean([p == u.intent for p, u in zip(pred, test, strict=True)]))


@registry.register()
class TstrAccuracy(Metric):
    """Train on synthetic, test on real: intent accuracy on the real test set."""

    name = "tstr-accuracy"
    category = "utility"
    goal = Goal.MAXIMIZE
    min_value = 0.0
    max_value = 1.0
    needs = ("test", "classifier")
    description = (
        "Intent accuracy on the real test set of a classifier trained only on synthetic data "
        "(a seeded sample of at most max_embed utterances)."
    )
    good = (
        "Near the reference (the same classifier trained on the seeds) means synthetic data "
        "teaches as much as the seeds."
    )

    def compute(self, ctx: EvalContext) -> MetricResult:  # noqa: D102
        syn = ctx.model_set("synthetic")
        acc = train_and_score(ctx, syn, ctx.get("test"))
        seeds = list(ctx.seeds)
        ref = train_and_score(ctx, seeds, ctx.get("test"))
        return self.result(
            acc,
            reference=ref,
            reference_label="trained on seeds",
            breakdown={
                "n_train": len(syn),
                "n_seeds_train": len(seeds),
                "n_test": len(ctx.get("test")),
                "features": ctx.classifier_features,
            },
        )


@registry.register()
class AugmentationGain(Metric):
    """Accuracy gained on real test data by adding synthetic data to the seeds."""

    name = "augmentation-gain"
    category = "utility"
    goal = Goal.MAXIMIZE
    min_value = -1.0
    max_value = 1.0
    needs = ("test", "classifier")
    description = (
        "Test accuracy of seeds + synthetic minus that of seeds alone, mean over "
        f"{AUG_RUNS} bootstrap resamples of seeds and synthetic (std in the breakdown)."
    )
    good = "Above 0 (by more than its std) means the synthetic data helps the classifier."

    def compute(self, ctx: EvalContext) -> MetricResult:  # noqa: D102
        test = ctx.get("test")
        seeds, syn = list(ctx.seeds), ctx.model_set("synthetic")
        base, aug = [], []
        n_syn = len(syn)
        for run in range(AUG_RUNS):
            rng = ctx.rng(f"augmentation-gain-{run}")
            boot_seeds = [seeds[i] for i in rng.integers(0, len(seeds), len(seeds))]
            boot_syn = [syn[i] for i in rng.integers(0, len(syn), n_syn)]
            base.append(train_and_score(ctx, boot_seeds, test))
            aug.append(train_and_score(ctx, boot_seeds + boot_syn, test))
        gains = np.asarray(aug) - np.asarray(base)
        return self.result(
            float(gains.mean()),
            breakdown={
                "runs": AUG_RUNS,
                "seed_only": {
                    "mean": float(np.mean(base)),
                    "std": float(np.std(base)),
                    "runs": base,
                },
                "augmented": {"mean": float(np.mean(aug)), "std": float(np.std(aug)), "runs": aug},
                "gain": {
                    "mean": float(gains.mean()),
                    "std": float(gains.std()),
                    "runs": gains.tolist(),
                },
                "n_seeds": len(seeds),
                "n_synthetic_per_run": n_syn,
                "n_test": len(test),
                "features": ctx.classifier_features,
            },
        )
