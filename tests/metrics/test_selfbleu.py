"""Exact linear self-BLEU against hand-computed values and against nltk's sentence_bleu."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

from textsynth.metrics.base import IncomputableMetricError
from textsynth.metrics.selfbleu import closest_other_lengths, self_bleu_scores


def nltk_self_bleu(corpus, which=None):
    """Return nltk's BLEU of each utterance (or of those in ``which``) against all the others."""
    smooth = SmoothingFunction().method1
    which = range(len(corpus)) if which is None else which
    return np.array(
        [
            sentence_bleu(corpus[:i] + corpus[i + 1 :], corpus[i], smoothing_function=smooth)
            for i in which
        ]
    )


def test_hand_computed_scores():
    corpus = [["a", "b", "c", "d"], ["a", "b", "c", "e"], ["x", "y"]]
    # "a b c d" vs the others: unigrams 3/4, bigrams 2/3, trigrams 1/2, no 4-gram -> 0.1/1;
    # closest reference length 4 -> no brevity penalty
    expected = (0.75 * (2 / 3) * 0.5 * 0.1) ** 0.25
    scores = self_bleu_scores(corpus)
    assert scores[0] == pytest.approx(expected, abs=1e-12)
    assert scores[1] == pytest.approx(expected, abs=1e-12)
    assert scores[2] == 0.0  # no unigram in common: BLEU is 0


def test_hand_computed_brevity_penalty():
    corpus = [["a", "b", "c"], ["a", "b", "c", "d", "e", "f"]]
    scores = self_bleu_scores(corpus)
    # short hypothesis: all its n-grams match, no 4-gram (0.1 / 1), penalty exp(1 - 6/3)
    assert scores[0] == pytest.approx(math.exp(-1) * 0.1**0.25, abs=1e-12)
    # long one: 3/6, 2/5, 1/4, 0 of 3 4-grams -> 0.1/3; longer than its reference: no penalty
    assert scores[1] == pytest.approx((0.5 * 0.4 * 0.25 * (0.1 / 3)) ** 0.25, abs=1e-12)


def test_clipping_uses_the_largest_count_in_any_single_other_utterance():
    # "a a a a" against two references holding "a" once and twice: max count 2 -> 2/4
    corpus = [["a"] * 4, ["a"], ["a", "a", "b"]]
    expected_p1 = 2 / 4
    s = self_bleu_scores(corpus)
    assert s[0] == pytest.approx(nltk_self_bleu(corpus)[0], abs=1e-12)
    assert s[0] < expected_p1  # higher orders are smoothed down


@pytest.mark.parametrize(
    "lengths, expected",
    [
        # fmt: off
        ([3, 3, 5], [3, 3, 3]),  # a shared length is its own closest
        ([2, 4, 6], [4, 2, 4]),  # tie between 2 and 6 for 4 -> the shorter
        ([1, 10], [10, 1]),
        ([0, 0, 7], [0, 0, 0]),  # empty utterances
        ([5, 3, 8, 5], [5, 5, 5, 5]),
        # fmt: on
    ],
)
def test_closest_other_lengths(lengths, expected):
    assert closest_other_lengths(np.array(lengths)).tolist() == expected


RANDOM_SETS = [
    # fmt: off
    (0, 6, 8),  # tiny vocabulary: many repeated n-grams, clipping matters
    (1, 30, 12),  # realistic
    (2, 3, 4),  # very short utterances (< 4 tokens), empty ones included
    (3, 200, 15),  # sparse overlaps: smoothing on most orders
    (4, 10, 25),  # long utterances, heavy repetition
    # fmt: on
]


def random_corpus(seed, vocab, max_len, n=200):
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(vocab)]
    corpus = [[rng.choice(words) for _ in range(rng.randint(0, max_len))] for _ in range(n)]
    corpus[5] = list(corpus[7])  # an exact duplicate
    return corpus


@pytest.mark.parametrize("seed, vocab, max_len", RANDOM_SETS)
def test_matches_nltk_on_random_sets_of_200(seed, vocab, max_len):
    """Check 42 seeded hypotheses of a 200-utterance set (all 200 in the slow test)."""
    corpus = random_corpus(seed, vocab, max_len)
    which = sorted(random.Random(seed).sample(range(200), 40)) + [5, 7]
    ours = self_bleu_scores(corpus)[which]
    assert np.max(np.abs(ours - nltk_self_bleu(corpus, which))) <= 1e-9


@pytest.mark.slow
@pytest.mark.parametrize("seed, vocab, max_len", RANDOM_SETS)
def test_matches_nltk_on_every_utterance_of_random_sets_of_200(seed, vocab, max_len):
    corpus = random_corpus(seed, vocab, max_len)
    assert np.max(np.abs(self_bleu_scores(corpus) - nltk_self_bleu(corpus))) <= 1e-9


def test_needs_two_utterances():
    with pytest.raises(IncomputableMetricError, match="at least 2 utterances, got 1"):
        self_bleu_scores([["a"]])
