"""The label-fidelity threshold set from the seeds, and the top-intent rule of the filter."""

from __future__ import annotations

import random

import pytest

from textsynth.classifier import IntentClassifier
from textsynth.lm.calibrate import calibrate_threshold
from textsynth.lm.chain import build_filters
from textsynth.lm.config import SampleConfig
from textsynth.lm.filters import FidelityFilter, FilterChain
from textsynth.lm.relabel import IntentRelabelFilter

from .conftest import FixedProbs, parsed

OFF = {
    "fidelity_features": "tfidf",
    "slot_rules": False,
    "slot_verify": False,
    "slot_unmarked": "off",
    "slot_context": False,
    "fluency_percentile": 0,
}


def tfidf() -> IntentClassifier:
    return IntentClassifier("tfidf")


def separable(n: int = 8) -> tuple[list[str], list[str]]:
    """Three intents whose seeds share no word with another intent's."""
    words = {
        "weather": ["rain", "snow", "sunny", "forecast", "windy", "storm", "cloudy", "humid"],
        "music": ["play", "song", "album", "jazz", "track", "playlist", "radio", "artist"],
        "booking": ["table", "reserve", "dinner", "restaurant", "seats", "booking", "lunch", "bar"],
    }
    rng = random.Random(0)
    texts, intents = [], []
    for intent, ws in words.items():
        for _ in range(n):
            texts.append(" ".join(rng.sample(ws, 4)))
            intents.append(intent)
    return texts, intents


def overlapping(n_intents: int = 12, n: int = 8) -> tuple[list[str], list[str]]:
    """Intents that share most of their words: the classifier is unsure of held-out seeds."""
    rng = random.Random(1)
    common = [f"w{i}" for i in range(40)]
    texts, intents = [], []
    for k in range(n_intents):
        for _ in range(n):
            cue = [f"cue{k}"] if rng.random() < 0.8 else []  # one in five lacks its intent's cue
            texts.append(" ".join([*rng.sample(common, 5), *cue]))
            intents.append(f"i{k}")
    return texts, intents


def test_separable_seeds_keep_the_ceiling():
    texts, intents = separable()
    cal = calibrate_threshold(texts, intents, tfidf, quantile=0.25, ceiling=0.5)
    assert cal.threshold == 0.5 and cal.folds == 5
    assert cal.held_out_pass is not None and cal.held_out_pass >= 0.75


def test_unsure_seeds_lower_tau_to_the_held_out_quantile():
    texts, intents = overlapping()
    cal = calibrate_threshold(texts, intents, tfidf, quantile=0.25, ceiling=0.5)
    assert 2 / 12 < cal.threshold < 0.4
    # the quantile is what the held-out seeds show: about three in four pass (and need the top)
    assert 0.6 <= cal.held_out_pass <= 0.8
    lower = calibrate_threshold(texts, intents, tfidf, quantile=0.1, ceiling=0.5)
    assert lower.threshold == pytest.approx(2 / 12, abs=1e-3)  # floored at twice a guess
    assert lower.held_out_pass >= cal.held_out_pass


def test_tau_never_falls_below_twice_a_guess():
    texts, intents = overlapping(n_intents=4)
    # intents drawn at random: held-out probabilities sit near a guess (1 / 4)
    rng = random.Random(2)
    intents = [rng.choice(sorted(set(intents))) for _ in intents]
    cal = calibrate_threshold(texts, intents, tfidf, quantile=0.25, ceiling=0.9)
    assert cal.threshold == 2 / 4 and cal.held_out_pass < 0.5


@pytest.mark.parametrize(
    ("texts", "intents", "quantile", "why"),
    [
        (["a b", "c d", "e f"], ["x", "x", "y"], 0.25, "an intent with a single seed"),
        (["a b", "c d"], ["x", "x"], 0.25, "fewer than 2 intents"),
        (["a b", "c d", "e f", "g h"], ["x", "x", "y", "y"], 0.0, "calibration off"),
    ],
)
def test_uncalibrated_runs_say_why(texts, intents, quantile, why):
    cal = calibrate_threshold(texts, intents, tfidf, quantile=quantile, ceiling=0.6)
    assert cal.threshold == 0.6 and cal.folds == 0 and why in cal.reason
    assert "reason" in cal.to_dict() and "held_out_pass" not in cal.to_dict()


def test_a_low_tau_still_needs_the_own_intent_on_top():
    clf = FixedProbs(
        {
            "rain in Oslo": [0.35, 0.30, 0.35],  # tied on top: kept
            "snow in Rome": [0.30, 0.45, 0.25],  # passes tau, another intent on top: rejected
            "sun in Bonn": [0.20, 0.40, 0.40],  # below tau
        }
    )
    cs = [parsed(t, "GetWeather") for t in ("rain in Oslo", "snow in Rome", "sun in Bonn")]
    assert FidelityFilter(clf, 0.3).keep(cs) == [True, False, False]
    labels = {"GetWeather": [], "PlayMusic": [], "BookRestaurant": []}
    chain = FilterChain([IntentRelabelFilter(clf, 0.3, 0.8, labels)])
    cs = [parsed(t, "GetWeather") for t in ("rain in Oslo", "snow in Rome", "sun in Bonn")]
    assert chain.run(cs) == [cs[0]]
    assert cs[1].reason.startswith("another intent on top: GetWeather p=0.30; top PlayMusic")
    assert cs[2].reason.startswith("low intent probability")


def test_the_run_records_the_calibrated_threshold(seeds):
    filters, _ = build_filters(seeds, SampleConfig(fidelity_quantile=0.25, **OFF))
    fid = filters[-1]
    assert fid.name == "label-fidelity" and fid.details["quantile"] == 0.25
    assert fid.threshold == fid.details["threshold"] <= 0.5
    summary = FilterChain(filters).summary
    assert summary.to_dict()["filters"]["label-fidelity"]["settings"] == fid.details
    assert f"(threshold {fid.threshold:.2f})" in summary.format()
    fixed, _ = build_filters(seeds, SampleConfig(**OFF))  # the default: tau fixed
    assert fixed[-1].threshold == 0.5 and "calibration off" in fixed[-1].details["reason"]


def test_a_given_classifier_keeps_the_configured_tau(seeds):
    texts, intents = [u.text for u in seeds], [u.intent for u in seeds]
    clf = IntentClassifier("tfidf").fit(texts, intents)
    filters, _ = build_filters(seeds, SampleConfig(fidelity_threshold=0.4, **OFF), clf)
    assert filters[-1].threshold == 0.4 and filters[-1].classifier is clf
    assert "given" in filters[-1].details["reason"]


def test_the_quantile_is_checked():
    from textsynth.errors import ConfigError

    with pytest.raises(ConfigError, match="fidelity_quantile"):
        SampleConfig(fidelity_quantile=1.0)
