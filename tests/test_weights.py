"""Seed weights: real seeds weigh as much as the text added to them, per intent."""

from __future__ import annotations

import pytest

from textsynth.classifier import IntentClassifier
from textsynth.errors import ConfigError, InputError
from textsynth.types import Utterance
from textsynth.weights import seed_weights, training_weights


def _u(intent: str, n: int, word: str = "x") -> list[Utterance]:
    return [Utterance(f"{word} {intent} {i}", intent) for i in range(n)]


def test_each_intents_seeds_weigh_as_much_as_its_added_text():
    seeds = _u("a", 10) + _u("b", 4)
    added = _u("a", 20, "gen") + _u("b", 2, "gen")  # b has fewer added than seeds: weight 1
    w = seed_weights(seeds, added)
    assert w[:10] == [2.0] * 10 and w[10:] == [1.0] * 4
    assert sum(w[:10]) == len([u for u in added if u.intent == "a"])
    assert seed_weights(seeds, added, "none") == [1.0] * 14
    assert seed_weights(seeds, []) == [1.0] * 14


def test_an_unknown_mode_is_refused_with_the_choices():
    with pytest.raises(ConfigError, match="use one of balanced, none"):
        seed_weights(_u("a", 2), [], "double")


def test_a_weighted_example_pulls_the_classifier_towards_its_intent():
    # the same ambiguous text under two intents: the heavier one wins
    texts = ["book a table", "book a flight", "reserve", "reserve"]
    intents = ["food", "travel", "food", "travel"]
    clf = IntentClassifier("tfidf", c=1.0)
    p_food = clf.fit(texts, intents, sample_weight=[1, 1, 5, 1]).prob_of(["reserve"], ["food"])
    p_travel = clf.fit(texts, intents, sample_weight=[1, 1, 1, 5]).prob_of(["reserve"], ["food"])
    assert p_food[0] > 0.5 > p_travel[0]
    with pytest.raises(InputError, match="3 sample weights for 4 texts"):
        clf.fit(texts, intents, sample_weight=[1, 1, 1])


def test_training_weights_cover_seeds_then_added_text():
    seeds, added = _u("a", 2), _u("a", 6, "gen")
    assert training_weights(seeds, added) == [3.0, 3.0] + [1.0] * 6
    assert training_weights(seeds, added, "none") == [1.0] * 8
