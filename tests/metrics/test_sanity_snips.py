"""Sanity on real data (SNIPS): real-vs-real looks unmemorised, copies look copied, noise is noise.

The embedding tests load the embedded all-MiniLM-L6-v2 (``--slow``); they share one embedder
and use seeded subsamples so each stays well under a minute on two CPU cores.
"""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest

from textsynth.io import read_utterances
from textsynth.metrics import evaluate

SNIPS = Path(__file__).resolve().parents[2] / "eval" / "data" / "snips"


@pytest.fixture(scope="module")
def snips():
    train = list(read_utterances(SNIPS / "train.jsonl"))
    test = list(read_utterances(SNIPS / "test.jsonl"))
    rng = random.Random(0)
    rng.shuffle(train)
    rng.shuffle(test)
    return {
        "seeds": train[:400],
        "holdout": train[400:800],
        "synthetic": test[:200],
        "test": test[200:400],
    }


@pytest.fixture(scope="module")
def embedder():
    from textsynth.classifier import Embedder

    return Embedder()


def test_copied_seeds_have_exact_match_one(snips):
    seeds = snips["seeds"]
    copies = [replace(u, text=u.text.upper() + " ") for u in seeds[:200]]  # normalisation
    report = evaluate(
        copies, seeds, holdout=snips["holdout"], embeddings=False, metrics=["exact-match"]
    )
    assert report.value("exact-match") == 1.0
    assert report["exact-match"].reference < 0.05  # real unseen utterances rarely are seeds


@pytest.mark.slow
def test_real_test_vs_real_seeds_has_dcr_share_near_half(snips, embedder):
    report = evaluate(
        snips["synthetic"],
        snips["seeds"],
        holdout=snips["holdout"],
        embedder=embedder,
        metrics=["dcr-share", "dcr"],
    )
    # over 30 random 400/400 splits of these 800 train utterances the share was 0.503 ± 0.040
    # (min 0.41, max 0.57): the tolerance is almost 4 standard deviations
    assert abs(report.value("dcr-share") - 0.5) < 0.15
    # unseen real utterances are as far from the seeds as the holdout is
    assert abs(report.value("dcr") - report["dcr"].reference) < 0.05


@pytest.mark.slow
def test_real_labels_have_fidelity_near_the_oracle_test_accuracy(snips, embedder):
    report = evaluate(
        snips["synthetic"],
        snips["seeds"],
        holdout=snips["holdout"],
        test=snips["test"],
        embedder=embedder,
        metrics=["intent-fidelity"],
    )
    r = report["intent-fidelity"]
    assert r.reference > 0.85  # the oracle works
    assert abs(r.value - r.reference) < 0.06


@pytest.mark.slow
def test_shuffled_labels_have_fidelity_near_chance(snips, embedder):
    rng = random.Random(1)
    intents = [u.intent for u in snips["synthetic"]]
    rng.shuffle(intents)
    shuffled = [
        replace(u, intent=i, spans=()) for u, i in zip(snips["synthetic"], intents, strict=True)
    ]
    report = evaluate(
        shuffled,
        snips["seeds"],
        holdout=snips["holdout"],
        embedder=embedder,
        metrics=["intent-fidelity"],
    )
    chance = report["intent-fidelity"].breakdown["oracle"]["chance"]
    assert chance == pytest.approx(1 / 7)
    assert report.value("intent-fidelity") < chance + 0.12
