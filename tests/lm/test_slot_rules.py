"""Slot rules learnt from the seeds: each rule rejects or fixes its class, and keeps good text."""

from __future__ import annotations

import pytest

from textsynth import markup
from textsynth.lm.checks import verification_filters
from textsynth.lm.config import SampleConfig
from textsynth.lm.filters import Candidate
from textsynth.lm.slot_rules import SlotProfile, SlotRulesFilter, label_phrase, parse_number

# our own seeds, written for these tests: two intents, a numeric pair, a place and a time
SEEDS = [
    ("score_film", "score [Night Train](title) [3](score) out of [5](max_score)"),
    ("score_film", "give [Blue Hour](title) a [four](score) out of [10](max_score)"),
    ("score_film", "i'd give [The Long Road](title) [2](score) of [4](max_score) stars"),
    ("score_film", "score [Dust](title) [eight](score)"),
    ("score_film", "[Harbour Lights](title) deserves [9](score) out of [10](max_score)"),
    ("forecast", "will it snow in [Oslo](town) [tomorrow](when)"),
    ("forecast", "what is the forecast [near me](where_i_am) for [next week](when)"),
    ("forecast", "is it sunny in [Lyon](town) [this weekend](when)"),
    ("forecast", "forecast for [my area](where_i_am) [at 5 pm](when)"),
    ("forecast", "how cold is [Quito](town) [tonight](when)"),
]


def seeds():
    return [markup.parse(m, i) for i, m in SEEDS]


def run(raw: str, intent: str, f: SlotRulesFilter | None = None) -> Candidate:
    f = f or SlotRulesFilter(seeds())
    c = Candidate(raw, intent)
    c.utterance = markup.parse(raw, intent)
    c.keep = f.keep([c])[0]  # type: ignore[attr-defined]
    return c


def test_label_phrase_and_numbers():
    assert label_phrase("party_size_number") == "party size number"
    assert label_phrase("timeRange") == "time range"
    assert [parse_number(v) for v in ("7", "3rd", "five", "1,000", "2.5")] == [
        7,
        3,
        5,
        1000,
        2.5,
    ]
    assert parse_number("at 5 pm") is None and parse_number("Oslo") is None
    assert parse_number("quatre", "fr") == 4


def test_profile_learns_shapes_order_and_counts():
    p = SlotProfile.learn(seeds())
    assert p.order["score_film"] == {("score", "max_score")}
    assert {"town", "when", "title"} <= p.never_number
    assert p.numeric["score"] == (2, 9) and "max_score" in p.numeric
    assert p.max_count["forecast"]["when"] == 1
    assert "max score" in p.phrases.values() and "where i am" in p.phrases.values()


@pytest.mark.parametrize(
    ("raw", "intent", "reason"),
    [
        # a number above its partner, though every seed has score <= max_score
        (
            "score [Dust](title) [7](score) out of [3](max_score)",
            "score_film",
            "number order: score=7 > max",
        ),
        # a bare number where the seeds never write one
        ("will it rain in [Oslo](town) [4](when)", "forecast", "bare number: when='4'"),
        # a label written twice where no seed has it twice
        (
            "forecast [tomorrow](when) in [Oslo](town) [tonight](when)",
            "forecast",
            "label repeated: when 2 times",
        ),
        # a number far outside the seeds' range
        ("score [Dust](title) [2](score) out of [500](max_score)", "score_film", "out of range"),
        # the label's own name as text
        ("what is the max score for [Dust](title)", "score_film", "label name written as text"),
        # ... also as the schema writes it, with its underscore
        ("give [Dust](title) the max_score of [5](score)", "score_film", "label name written"),
    ],
)
def test_rejections_name_their_reason(raw, intent, reason):
    c = run(raw, intent)
    assert not c.keep and reason in c.reason


@pytest.mark.parametrize(
    "raw,intent",
    [
        ("score [Dust](title) [6](score) out of [10](max_score)", "score_film"),
        ("give [Quiet Days](title) [one](score) of [5](max_score)", "score_film"),
        ("will it snow in [Bergen](town) [on Monday](when)", "forecast"),
        ("what's the forecast [near me](where_i_am)", "forecast"),
    ],
)
def test_good_utterances_pass_unchanged(raw, intent):
    c = run(raw, intent)
    assert c.keep and c.changes == [] and c.reason == ""


def test_edge_punctuation_leaves_the_span():
    c = run("is it windy in [Oslo?](town)", "forecast")
    assert c.keep and c.utterance is not None
    (s,) = c.utterance.spans
    assert c.utterance.text[s.start : s.end] == "Oslo"
    assert c.changes[0]["action"] == "trimmed"


def test_edge_punctuation_a_seed_value_has_is_kept():
    extra = [markup.parse("forecast for [St.](town) [tonight](when)", "forecast")]
    f = SlotRulesFilter(seeds() + extra)
    c = run("forecast for [Mt.](town) [tomorrow](when)", "forecast", f)
    assert c.keep and c.changes == []


def test_a_seed_value_of_another_label_is_relabelled_and_recorded():
    c = run("forecast for [near me](when)", "forecast")
    assert c.keep and c.utterance is not None
    assert [s.label for s in c.utterance.spans] == ["where_i_am"]
    assert c.changes[0]["old"] == "when" and c.changes[0]["new"] == "where_i_am"


def test_numbers_are_never_relabelled_by_value():
    # '5' is a seed max_score and '3' a seed score: the swap must not be "fixed" by value
    c = run("score [Dust](title) [5](score) out of [3](max_score)", "score_film")
    assert not c.keep and c.changes == []


def test_relations_need_support_before_they_are_enforced():
    few = seeds()[:2]  # two seeds with both numbers: below min_support=3
    f = SlotRulesFilter(few)
    assert f.profile.order.get("score_film") == set()
    c = run("score [Dust](title) [7](score) out of [3](max_score)", "score_film", f)
    assert "score=7 > max" not in c.reason


def test_range_check_can_be_turned_off():
    f = SlotRulesFilter(seeds(), range_factor=0)
    c = run("score [Dust](title) [2](score) out of [500](max_score)", "score_film", f)
    assert c.keep


def test_chain_includes_slot_rules_and_the_switch_turns_them_off():
    cfg = SampleConfig(
        slot_verify=False, slot_context=False, fluency_percentile=0, typed_values=False
    )
    _, late = verification_filters(seeds(), cfg)
    assert [f.name for f in late([])] == ["slot-rules"]
    cfg = SampleConfig(
        slot_verify=False,
        slot_context=False,
        fluency_percentile=0,
        slot_rules=False,
        slot_unmarked="off",
    )
    disabled: list[str] = []
    _, late = verification_filters(seeds(), cfg)
    assert late(disabled) == [] and "slot-rules" in disabled


def test_closed_labels_take_only_their_seed_values():
    extra = [
        markup.parse(f"score [{t}](title) [{n}](score) out of [6](max_score) [stars](unit)", "r")
        for t, n in (("Ash", 2), ("Birch", 3), ("Cedar", 4), ("Dogwood", 1))
    ]
    f = SlotRulesFilter(extra)
    assert f.profile.closed == {"max_score": {"6"}, "unit": {"stars"}}
    bad = run("score [Elm](title) [2](score) out of [6](max_score) [best](unit)", "r", f)
    assert not bad.keep and "closed label: unit='best'" in bad.reason
    ok = run("score [Elm](title) [5](score) out of [6](max_score) [Stars](unit)", "r", f)
    assert ok.keep


def test_spans_of_stop_words_only_are_rejected_unless_seeds_have_such_values():
    c = run("will it rain in [Oslo](town) [over](when)", "forecast")
    assert not c.keep and "function words: when='over'" in c.reason
    extra = [
        markup.parse(f"rate [{p}](pick) [{t}](title) [3](score)", "pick")
        for p, t in (("this", "Ash"), ("the current", "Birch"), ("my", "Cedar"))
    ]
    c = run("rate [that](pick) [Dune](title) [3](score)", "pick", SlotRulesFilter(extra))
    assert c.keep


PLACES = [
    ("trip", "fly to [Portugal](land) via [Oregon](area)"),
    ("trip", "a week in [Chile](land)"),
    ("trip", "drive through [Bavaria](area) to [Kenya](land)"),
    ("trip", "hotels in [Ohio](area)"),
]


def test_place_labels_take_only_their_kind_and_move_to_the_other_kind():
    f = SlotRulesFilter([markup.parse(m, i) for i, m in PLACES])
    assert f.profile.place == {"land": "country", "area": "region"}
    assert run("a week in [Peru](land)", "trip", f).keep
    c = run("a week in [Texas](land)", "trip", f)
    assert c.keep and c.utterance is not None and c.utterance.spans[0].label == "area"
    c = run("a week in [Springfield](land)", "trip", f)
    assert not c.keep and "not a country: land='Springfield'" in c.reason


def test_place_names_in_the_seeds_language():
    from textsynth.lm.places import place_kinds

    assert place_kinds("Allemagne", "fr") == {"country"} and not place_kinds("Allemagne", "en")
    assert place_kinds("Bavière", "fr") == {"region"}
    assert "region" in place_kinds("ND") and not place_kinds("in") and not place_kinds("A")
    assert place_kinds("the Netherlands") == {"country"} and place_kinds("Burkina") == {"country"}


class _Tagger:
    """A scripted slot tagger: every span gets the label it is given, with p=0.99."""

    def __init__(self, label: str) -> None:
        self.label = label

    def span_label_probs(self, text, spans):
        return [{s.label: 0.0, self.label: 0.99} for s in spans]


def test_a_tagger_relabel_that_breaks_a_rule_is_rejected():
    from textsynth.lm.verify import SlotVerifyFilter

    rules = SlotRulesFilter(seeds())
    labels = {"score_film": ["title", "score", "max_score"]}
    # the tagger moves max_score onto title: two titles where every seed has one
    verify = SlotVerifyFilter(_Tagger("title"), labels, recheck=rules.recheck)
    c = Candidate("x", "score_film")
    c.utterance = markup.parse("score [Dust](title) [3](score) of [Mist](max_score)", "score_film")
    assert rules.keep([c]) == [True]
    assert verify.keep([c]) == [False]
    assert c.reason.startswith("after relabelling, ") and "title=" in c.reason
    # without the recheck the same relabel is kept
    c2 = Candidate("x", "score_film")
    c2.utterance = markup.parse("score [Dust](title) [3](score) of [Mist](max_score)", "score_film")
    assert SlotVerifyFilter(_Tagger("title"), labels).keep([c2]) == [True]
