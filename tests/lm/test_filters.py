"""Every filter on crafted outputs, and the chain's counts."""

from __future__ import annotations

import numpy as np
import pytest

from textsynth.lm.chain import build_filters
from textsynth.lm.config import SampleConfig
from textsynth.lm.filters import (
    Candidate,
    DuplicateFilter,
    EmptyValueFilter,
    ExactCopyFilter,
    FidelityFilter,
    FilterChain,
    MarkupFilter,
    NearCopyFilter,
    UnknownLabelFilter,
    containment,
    ngrams,
)
from textsynth.lm.prompt import parse_completion


def cand(raw: str, intent: str = "GetWeather", parsed: bool = False) -> Candidate:
    c = Candidate(raw, intent)
    if parsed:
        c.utterance = parse_completion(raw, intent)
    return c


def test_ngrams_and_containment():
    assert ngrams("a b c d", 3) == {("a", "b", "c"), ("b", "c", "d")}
    assert ngrams("a b", 3) == {("a", "b")}  # shorter than n: the whole text
    assert ngrams("", 3) == set()
    assert containment(ngrams("a b c d", 3), ngrams("x a b c", 3)) == 0.5
    assert containment(set(), {("a",)}) == 0.0


# fmt: off
EMPTY_CASES = [
    # rejected: empty completions and empty/blank slot values
    ("", False),
    ("   \n", False),
    ("weather in [](city)", False),
    ("weather in [  ](city) today", False),
    # kept
    ("weather in [Paris](city)", True),
    ("a literal \\[\\](x) is text", True),
    ("weather today", True),
]
# fmt: on


@pytest.mark.parametrize(("raw", "ok"), EMPTY_CASES)
def test_empty_value_filter(raw, ok):
    assert EmptyValueFilter().keep([cand(raw)]) == [ok]


# fmt: off
MARKUP_CASES = [
    # malformed
    ("weather in [Paris(city)", False),     # unclosed bracket
    ("weather in [Paris]", False),          # no (slot)
    ("weather in [Paris](ci ty)", False),   # bad label
    ("weather in [Paris](city", False),     # unclosed parenthesis
    ("weather ] in Paris", False),          # stray closing bracket
    ("[ Paris](city)", False),              # outer whitespace in the value
    # well formed
    ("weather in [Paris](city)", True),
    ("weather (roughly) in [Paris](city)", True),
    ("weather in Paris", True),
]
# fmt: on


@pytest.mark.parametrize(("raw", "ok"), MARKUP_CASES)
def test_markup_filter(raw, ok):
    c = cand(raw)
    assert MarkupFilter().keep([c]) == [ok]
    assert (c.utterance is not None) == ok


def test_markup_filter_parses_spans_at_the_right_offsets():
    c = cand("rain in [Oslo](city) [today](date)\nmore")
    MarkupFilter().keep([c])
    u = c.utterance
    assert [(u.span_text(s), s.label) for s in u.spans] == [("Oslo", "city"), ("today", "date")]


def test_unknown_label_filter_scopes(seeds):
    own = cand("rain in [Oslo](city)", parsed=True)
    other = cand("rain in [Oslo](artist)", parsed=True)  # a PlayMusic label
    invented = cand("rain in [Oslo](planet)", parsed=True)
    by_intent = UnknownLabelFilter(seeds, "intent")
    assert by_intent.keep([own, other, invented]) == [True, False, False]
    assert UnknownLabelFilter(seeds, "all").keep([own, other, invented]) == [True, True, False]


def test_exact_copy_filter_normalises(seeds):
    f = ExactCopyFilter(seeds)
    copy = cand("Will it rain in [BERLIN](city)?", parsed=True)
    new = cand("will it snow in [Berlin](city)", parsed=True)
    assert f.keep([copy, new]) == [False, True]


def test_near_copy_filter_scores_and_thresholds(seeds):
    f = NearCopyFilter(seeds, n=3, threshold=0.75)
    near = cand("what is the weather in [Paris](city)", parsed=True)  # prefix of a seed
    slot_swap = cand("what is the weather in [Rome](city) [tonight](date)", parsed=True)
    fresh = cand("do i need an umbrella in [Rome](city)", parsed=True)
    assert f.keep([near, slot_swap, fresh]) == [False, True, True]
    assert near.scores["seed_containment"] == 1.0
    assert slot_swap.scores["seed_containment"] == pytest.approx(3 / 5)
    assert fresh.scores["seed_containment"] == 0.0


def test_near_copy_threshold_is_inclusive(seeds):
    c = cand("what is the weather in [Rome](city) [tonight](date)", parsed=True)
    assert NearCopyFilter(seeds, n=3, threshold=0.6).keep([c]) == [False]


def test_duplicate_filter_remembers_across_batches():
    f = DuplicateFilter()
    a, b = cand("rain in [Oslo](city)", parsed=True), cand("Rain in oslo!", parsed=True)
    assert f.keep([a, b]) == [True, False]
    assert f.keep([cand("rain in [oslo](city)", parsed=True)]) == [False]


class FakeClassifier:
    """prob_of returns the probability given per text."""

    def __init__(self, probs: dict[str, float]):
        self.probs = probs
        self.calls = 0

    def prob_of(self, texts, intents):
        self.calls += 1
        return np.array([self.probs[t] for t in texts])


def test_fidelity_filter_keeps_p_at_or_above_tau():
    clf = FakeClassifier({"a b": 0.9, "c d": 0.5, "e f": 0.49})
    cs = [cand(t, parsed=True) for t in ("a b", "c d", "e f")]
    assert FidelityFilter(clf, 0.5).keep(cs) == [True, True, False]
    assert [c.scores["intent_prob"] for c in cs] == [0.9, 0.5, 0.49]
    assert FidelityFilter(clf, 0.5).keep([]) == [] and clf.calls == 1


def test_chain_counts_each_filter(seeds):
    clf = FakeClassifier(
        {"will it snow in Rome": 0.8, "play some jazz": 0.1, "is it windy in Rome": 0.9}
    )
    chain = FilterChain(
        [
            EmptyValueFilter(),
            MarkupFilter(),
            UnknownLabelFilter(seeds),
            ExactCopyFilter(seeds),
            NearCopyFilter(seeds),
            DuplicateFilter(),
            FidelityFilter(clf, 0.5),
        ]
    )
    raws = [
        "",  # empty-value
        "weather in [Paris(city)",  # markup
        "rain in [Oslo](planet)",  # unknown-label
        "will it rain in [Berlin](city)",  # seed-copy-exact
        "what is the weather in [Paris](city)",  # seed-copy-near
        "will it snow in [Rome](city)",  # kept
        "will it snow in [rome](city)!",  # duplicate
        "play some [jazz](genre)",  # unknown-label (genre is not a GetWeather slot)
        "play some jazz",  # label-fidelity
        "is it windy in [Rome](city)",  # kept
    ]
    kept = chain.run([cand(r) for r in raws])
    assert [c.text for c in kept] == ["will it snow in Rome", "is it windy in Rome"]
    s = chain.summary
    assert s.generated == 10 and s.passed == 2
    assert s.rejected == {
        "empty-value": 1,
        "markup": 1,
        "unknown-label": 2,
        "seed-copy-exact": 1,
        "seed-copy-near": 1,
        "duplicate": 1,
        "label-fidelity": 1,
    }
    assert s.seen["markup"] == 9 and s.seen["label-fidelity"] == 3
    d = s.to_dict()
    assert d["filters"]["label-fidelity"]["kept_share"] == pytest.approx(2 / 3, abs=1e-4)
    assert "label-fidelity" in s.format()


def test_rejected_candidates_name_their_filter(seeds):
    chain = FilterChain([EmptyValueFilter(), MarkupFilter()])
    c = cand("[x](y")
    chain.run([c])
    assert c.rejected_by == "markup"


def test_build_filters_trains_a_seed_classifier(seeds):
    cfg = SampleConfig(
        fidelity_features="tfidf",
        slot_rules=False,
        slot_verify=False,
        slot_unmarked="off",
        slot_context=False,
        fluency_percentile=0,
    )
    filters, disabled = build_filters(seeds, cfg)
    assert [f.name for f in filters][-1] == "label-fidelity"
    assert disabled == ["slot-rules", "slot-verify", "slot-unmarked", "slot-context", "fluency"]
    clf = filters[-1].classifier
    assert clf.predict(["will it rain in Rome tomorrow"]) == ["GetWeather"]


def test_build_filters_disables_fidelity_for_one_intent_or_tau_zero(seeds):
    one = [u for u in seeds if u.intent == "PlayMusic"]
    off = {"slot_verify": False, "fluency_percentile": 0}
    _, disabled = build_filters(one, SampleConfig(fidelity_features="tfidf", **off))
    assert disabled[0] == "label-fidelity"
    filters, disabled = build_filters(seeds, SampleConfig(fidelity_threshold=0.0, **off))
    assert disabled[0] == "label-fidelity" and "label-fidelity" not in [f.name for f in filters]


# fmt: off
HOW_MANY = [
    # (missing, tried, passed, oversample) -> n
    (30, 0, 0, 1.5, 45),     # first round: oversample
    (10, 45, 20, 1.5, 27),   # pass rate 0.44: 10 * 1.2 / 0.444
    (10, 45, 0, 1.5, 250),   # nothing passed: capped at 25x
    (10, 300, 9, 1.5, 250),  # pass rate 0.03: 400 wanted, capped at 25x
    (4, 500, 25, 1.5, 96),   # pass rate 0.05: 4 * 1.2 / 0.05
    (1, 100, 90, 1.5, 2),
]
# fmt: on


@pytest.mark.parametrize(("missing", "tried", "passed", "over", "expected"), HOW_MANY)
def test_later_rounds_follow_the_observed_pass_rate(missing, tried, passed, over, expected):
    from textsynth.lm.rounds import how_many

    assert how_many(missing, tried, passed, over) == expected
