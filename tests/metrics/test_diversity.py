"""distinct-n, embedding diversity and the length distribution on hand-checked sets."""

from __future__ import annotations

import numpy as np
import pytest

from textsynth.metrics import evaluate
from textsynth.metrics.diversity import distinct_n, ks_statistic, mean_pairwise_cosine_distance
from textsynth.metrics.text import NgramIndex, distinct_ratio, tokenise
from textsynth.text import normalise_text

from .metrics_helpers import utt


@pytest.mark.parametrize(
    "corpus, n, expected",
    [
        # fmt: off
        ([["a", "b"], ["a", "c"]], 1, 3 / 4),  # a, b, c out of 4 tokens
        ([["a", "b"], ["a", "b"]], 2, 1 / 2),  # one distinct bigram, two occurrences
        ([["a", "b", "a", "b"]], 2, 2 / 3),  # ab, ba / ab ba ab
        ([["a"], ["b"]], 2, float("nan")),  # no bigram at all
        ([["x", "y", "z"], ["x", "y", "w"]], 3, 1.0),
        # fmt: on
    ],
)
def test_distinct_n_hand_values(corpus, n, expected):
    value, _ = distinct_n(corpus, n)
    if np.isnan(expected):
        assert np.isnan(value)
    else:
        assert value == pytest.approx(expected)
        d, t = distinct_ratio(corpus, n)
        assert value == pytest.approx(d / t)  # the numpy index agrees with plain Python


def test_distinct_n_per_intent():
    corpus = [["a", "b"], ["a", "b"], ["c", "d"], ["e", "f"]]
    overall, per = distinct_n(corpus, 1, ["x", "x", "y", "y"])
    assert overall == pytest.approx(6 / 8)
    assert per["x"] == (pytest.approx(2 / 4), 2, 4)
    assert per["y"] == (pytest.approx(1.0), 4, 4)


def test_ngram_ids_are_shared_across_corpora():
    index = NgramIndex([[["a", "b", "c"]], [["x", "a", "b"]]])
    _, ids0 = index.ngrams(2, 0)
    _, ids1 = index.ngrams(2, 1)
    assert len(set(ids0.tolist()) & set(ids1.tolist())) == 1  # "a b"


def test_tokenise_and_normalise():
    assert tokenise("Book  a FLIGHT\tto Paris?") == ["book", "a", "flight", "to", "paris?"]
    assert normalise_text("Book a flight, to  PARIS!") == "book a flight to paris"
    assert normalise_text("ﬁne") == "fine"  # NFKC


def test_mean_pairwise_cosine_distance_equals_brute_force():
    rng = np.random.default_rng(0)
    v = rng.normal(size=(30, 8))
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    sims = v @ v.T
    brute = np.mean(1 - sims[~np.eye(30, dtype=bool)])
    assert mean_pairwise_cosine_distance(v) == pytest.approx(brute, abs=1e-12)
    assert mean_pairwise_cosine_distance(np.repeat(v[:1], 5, axis=0)) == pytest.approx(0, abs=1e-12)
    assert np.isnan(mean_pairwise_cosine_distance(v[:1]))


@pytest.mark.parametrize(
    "a, b, expected",
    [
        # fmt: off
        ([1, 2, 3], [1, 2, 3], 0.0),
        ([1, 1], [5, 5], 1.0),
        ([1, 2, 3, 4], [3, 4, 5, 6], 0.5),
        # fmt: on
    ],
)
def test_ks_statistic(a, b, expected):
    assert ks_statistic(a, b) == pytest.approx(expected)


def test_self_bleu_of_short_copies_is_smoothed_like_nltk():
    # three tokens have no 4-gram: method1 gives p4 = 0.1 / 1, so a perfect copy scores 0.1**0.25
    copies = [utt("play imagine now", "play", ("imagine", "song"))] * 3
    report = evaluate(copies, copies, embeddings=False, metrics=["self-bleu"])
    assert report.value("self-bleu") == pytest.approx(0.1**0.25)


def test_diversity_metrics_through_evaluate(toy_sets, fake_embedder):
    seeds = toy_sets["seeds"]
    copies = [utt("put on the song imagine", "play", ("imagine", "song"))] * 10
    report = evaluate(
        copies,
        seeds,
        holdout=toy_sets["holdout"],
        embedder=fake_embedder,
        metrics=["distinct-1", "self-bleu", "embedding-diversity", "length-distribution"],
        classifier_features="none",
    )
    assert report.value("distinct-1") == pytest.approx(5 / 50)
    assert report.value("self-bleu") == pytest.approx(1.0)  # every utterance has a twin
    assert report.value("embedding-diversity") == pytest.approx(0.0, abs=1e-6)
    assert report["self-bleu"].reference < 1.0
    assert report["distinct-1"].breakdown["matched"]["n"] == 10
    lengths = report["length-distribution"]
    assert lengths.breakdown["stats"]["synthetic"]["mean"] == 5
    assert lengths.reference is not None and 0 <= lengths.value <= 1
