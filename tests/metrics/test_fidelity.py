"""Intent fidelity, span validity, TSTR and augmentation gain on small hand-made sets."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from textsynth.metrics import evaluate
from textsynth.metrics.fidelity import span_errors
from textsynth.types import Span, Utterance

from .metrics_helpers import utt

SCHEMA = {"book": {"city", "date"}, "play": {"song"}}
SYNONYMS = {("city", "new york")}


@pytest.mark.parametrize(
    "u, expected",
    [
        # fmt: off
        # valid
        (utt("fly to rome", "book", ("rome", "city")), []),
        (Utterance("fly to NYC", "book", (Span(7, 10, "city", "New York"),)), []),  # seed synonym
        (Utterance("fly to rome", "book", (Span(7, 11, "city", "Rome"),)), []),  # same, normalised
        # label problems
        (utt("fly to rome", "book", ("rome", "song")), ["label-not-in-intent"]),
        (utt("fly to rome", "book", ("rome", "airport")), ["unknown-label"]),
        (utt("fly to rome", "travel", ("rome", "city")), ["unknown-intent"]),
        # surface problems
        (Utterance("fly to rome", "book", (Span(4, 11, "city"),)), []),  # "to rome"
        (Utterance("fly to rome", "book", (Span(6, 11, "city"),)), ["untrimmed"]),
        (Utterance("fly to rome", "book", (Span(7, 11, "city", "paris"),)), ["value-mismatch"]),
        # fmt: on
    ],
)
def test_span_errors(u, expected):
    assert span_errors(u, SCHEMA, SYNONYMS) == expected


def test_span_validity_counts_unreadable_records_and_examples(toy_sets):
    seeds = toy_sets["seeds"]
    bad = utt("play rome now", "play", ("rome", "city"))
    report = evaluate(
        [*seeds[:3], bad],
        seeds,
        embeddings=False,
        metrics=["span-validity"],
        rejected=["syn.jsonl:9: span [4, 99) is past the end of the text"],
    )
    r = report["span-validity"]
    assert r.value == pytest.approx(3 / 5)
    assert r.breakdown["errors"] == {"label-not-in-intent": 1, "unreadable": 1}
    assert r.breakdown["examples"]["label-not-in-intent"] == ["play: play [rome](city) now"]
    assert r.breakdown["n_records"] == 5


def test_fidelity_of_correct_labels_is_high_and_shuffled_labels_near_chance(
    toy_sets, fake_embedder
):
    seeds, holdout = toy_sets["seeds"], toy_sets["holdout"]
    good = evaluate(holdout, seeds, embedder=fake_embedder, metrics=["intent-fidelity"])
    assert good.value("intent-fidelity") == 1.0
    assert good["intent-fidelity"].breakdown["oracle"]["trained_on"] == "seeds+holdout"
    # every label flipped: the oracle disagrees everywhere
    flipped = [
        replace(u, intent="play" if u.intent == "book" else "book", spans=()) for u in holdout
    ]
    bad = evaluate(
        flipped, seeds, reference=seeds, embedder=fake_embedder, metrics=["intent-fidelity"]
    )
    r = bad["intent-fidelity"]
    assert r.value == 0.0
    assert r.breakdown["per_intent"]["play"]["confused_with"] == {"book": 1.0}
    assert r.breakdown["confusion"]["matrix"] == [[0, 12], [12, 0]]


def test_fidelity_reference_is_the_oracle_accuracy_on_test(toy_sets, fake_embedder):
    seeds, holdout = toy_sets["seeds"], toy_sets["holdout"]
    report = evaluate(
        holdout,
        seeds,
        test=holdout,
        reference=seeds,
        embedder=fake_embedder,
        metrics=["intent-fidelity"],
    )
    r = report["intent-fidelity"]
    assert r.reference == r.value == 1.0
    assert r.reference_label == "oracle accuracy on test"


def test_tstr_and_augmentation_gain(toy_sets, fake_embedder):
    seeds, holdout = toy_sets["seeds"], toy_sets["holdout"]
    report = evaluate(
        holdout,
        seeds,
        test=holdout,
        embedder=fake_embedder,
        metrics=["tstr-accuracy", "augmentation-gain"],
    )
    assert report.value("tstr-accuracy") == 1.0  # trained on the test utterances themselves
    gain = report["augmentation-gain"]
    b = gain.breakdown
    assert b["runs"] == 3 and len(b["gain"]["runs"]) == 3
    assert gain.value == pytest.approx(b["augmented"]["mean"] - b["seed_only"]["mean"])
    assert b["augmented"]["mean"] == 1.0
    # random labels teach nothing: accuracy falls towards chance
    rng = random.Random(0)
    noisy = [replace(u, intent=rng.choice(["book", "play"]), spans=()) for u in holdout * 4]
    worse = evaluate(noisy, seeds, test=holdout, embedder=fake_embedder, metrics=["tstr-accuracy"])
    assert worse.value("tstr-accuracy") < 0.9


def test_classifier_metrics_are_skipped_without_embeddings_unless_tfidf(toy_sets):
    seeds, holdout = toy_sets["seeds"], toy_sets["holdout"]
    off = evaluate(
        holdout, seeds, test=holdout, embeddings=False, metrics=["intent-fidelity", "tstr-accuracy"]
    )
    assert set(off.skipped) == {"intent-fidelity", "tstr-accuracy"}
    tfidf = evaluate(
        holdout, seeds, embeddings=False, classifier_features="tfidf", metrics=["intent-fidelity"]
    )
    assert tfidf.value("intent-fidelity") == 1.0
