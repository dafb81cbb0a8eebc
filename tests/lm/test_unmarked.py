"""Slot recall: values a generation left unmarked are found, then rejected or marked."""

from __future__ import annotations

import pytest

from tests.slots.helpers import slot_set
from textsynth import markup
from textsynth.lm.checks import verification_filters
from textsynth.lm.config import SampleConfig
from textsynth.lm.filters import Candidate, FilterChain
from textsynth.lm.unmarked import UnmarkedValueFilter, number_intents, unambiguous_values
from textsynth.types import Span

LABELS = {"weather": ["city", "day"], "play": ["song", "artist"]}


def parsed(raw: str, intent: str) -> Candidate:
    c = Candidate(raw, intent)
    c.utterance = markup.parse(raw, intent)
    return c


@pytest.fixture(scope="module")
def tagger():
    from textsynth.slots.tagger import SlotTagger

    return SlotTagger.train(slot_set(160), seed=0)


def test_unambiguous_values_skip_values_the_seeds_also_leave_unmarked():
    seeds = [
        markup.parse("weather in [paris](city) on [monday](day)", "weather"),
        markup.parse("is it cold in [new york](city)", "weather"),
        markup.parse("will it rain [today](day)", "weather"),
        markup.parse("what is the weather today", "weather"),  # 'today' also as plain text
        markup.parse("play [yesterday](song)", "play"),
    ]
    values = unambiguous_values(seeds)
    assert values["weather"] == {("paris",): "city", ("monday",): "day", ("new", "york"): "city"}
    assert values["play"] == {("yesterday",): "song"}


def test_a_seed_value_left_unmarked_is_rejected_with_the_reason():
    seeds = slot_set(40)
    f = UnmarkedValueFilter(None, LABELS, unambiguous_values(seeds), threshold=0)
    cands = [
        parsed("is it cold in [paris](city) on monday", "weather"),  # day left unmarked
        parsed("is it cold in rome", "weather"),
        parsed("is it cold in [paris](city) on [monday](day)", "weather"),
        parsed("play [roxanne](song) in the kitchen", "play"),
        parsed("what about paris", "play"),  # a weather value, but not of this intent
    ]
    assert f.keep(cands) == [False, False, True, True, True]
    assert "unmarked value: 'monday' looks like day" in cands[0].reason
    assert "'rome' looks like city" in cands[1].reason


def test_the_tagger_finds_unmarked_values_no_seed_gave(tagger):
    f = UnmarkedValueFilter(tagger, LABELS, {}, threshold=0.5)
    # 'lisbon' is no seed value: only the tagger can see the city slot in its context
    c = parsed("what is the weather in lisbon on [friday](day)", "weather")
    ok = parsed("what is the weather in [lisbon](city) on [friday](day)", "weather")
    assert f.keep([c, ok]) == [False, True]
    assert "'lisbon' looks like city (seed tagger p=" in c.reason
    off = UnmarkedValueFilter(tagger, LABELS, {}, threshold=0)
    assert off.keep([parsed("what is the weather in lisbon on [friday](day)", "weather")]) == [True]


def test_mark_mode_adds_the_span_and_records_it(tagger):
    seeds = slot_set(40)
    f = UnmarkedValueFilter(tagger, LABELS, unambiguous_values(seeds), 0.5, mode="mark")
    chain = FilterChain([f])
    c = parsed("what is the weather in lisbon on monday", "weather")
    (kept,) = chain.run([c])
    text = kept.utterance.text
    assert [(text[s.start : s.end], s.label) for s in kept.utterance.spans] == [
        ("lisbon", "city"),
        ("monday", "day"),
    ]
    assert [e["action"] for e in chain.summary.events] == ["marked", "marked"]


def test_mark_mode_rejects_what_the_recheck_refuses(tagger):
    f = UnmarkedValueFilter(
        tagger, LABELS, {}, 0.5, mode="mark", recheck=lambda c: "two city spans"
    )
    c = parsed("what is the weather in lisbon on [friday](day)", "weather")
    assert f.keep([c]) == [False]
    assert c.reason == "after marking, two city spans"


def test_spans_on_their_own_and_punctuation_are_never_flagged(tagger):
    f = UnmarkedValueFilter(tagger, LABELS, {}, threshold=0.01)
    found = f.unmarked(markup.parse("[paris](city) , [monday](day) ?", "weather"), "weather")
    assert found == []


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="unknown mode"):
        UnmarkedValueFilter(None, LABELS, {}, mode="fix")


def test_token_probs_sum_to_one_per_token(tagger):
    toks, probs = tagger.token_probs("what is the weather in oslo")
    assert [t.text for t in toks][-1] == "oslo"
    assert all(abs(sum(p.values()) - 1) < 1e-6 for p in probs)
    assert max(probs[-1], key=probs[-1].get) == "city"
    assert tagger.span_label_probs("what is the weather in oslo", [Span(23, 27, "city")])[0][
        "city"
    ] == pytest.approx(probs[-1]["city"])


def test_the_filter_is_off_by_default_and_joins_the_late_chain_when_asked():
    seeds = slot_set(40)
    _pre, late = verification_filters(seeds, SampleConfig())
    assert not [f for f in late([]) if isinstance(f, UnmarkedValueFilter)]
    for mode, present in (("reject", True), ("mark", True), ("off", False)):
        _pre, late = verification_filters(seeds, SampleConfig(slot_unmarked=mode))
        disabled: list[str] = []
        found = [f for f in late(disabled) if isinstance(f, UnmarkedValueFilter)]
        assert bool(found) is present
        assert ("slot-unmarked" in disabled) is (not present)
        if found:
            assert found[0].mode == mode and found[0].tagger is not None


def test_a_number_outside_every_span_is_rejected_where_the_seeds_mark_every_number():
    seeds = [
        markup.parse("book a table for [4](party_size) at [8pm](time)", "book"),
        markup.parse("a table for [two](party_size) please", "book"),
        markup.parse("play [track 5](song)", "play"),
        markup.parse("play the top 10", "play"),  # a number left plain: no signal for 'play'
    ]
    assert number_intents(seeds) == {"book"}
    f = UnmarkedValueFilter(None, {"book": ["party_size", "time"]}, {}, 0, numbers={"book"})
    cands = [
        parsed("book a table for a family of 4 at [9pm](time)", "book"),
        parsed("book a table for [six](party_size) at 7:30pm", "book"),
        parsed("book a table for three", "book"),
        parsed("book a table for [six](party_size) at [7:30pm](time)", "book"),
        parsed("play the top 40", "play"),
    ]
    assert f.keep(cands) == [False, False, False, True, True]
    assert "unmarked value: '4' looks like a slot (a number; the seeds mark every one)" in (
        cands[0].reason
    )
    assert "'three'" in cands[2].reason
    marker = UnmarkedValueFilter(None, {"book": ["party_size"]}, {}, 0, "mark", numbers={"book"})
    c = parsed("book a table for a family of 4", "book")
    assert marker.keep([c]) == [False] and "'4' looks like a slot" in c.reason


def test_a_tagger_that_fails_to_train_disables_slot_verify_once_and_keeps_the_recall_check(
    monkeypatch, caplog
):
    from textsynth.slots.tagger import SlotTagger, SlotTaggerError

    def refuse(*_a, **_k):
        raise SlotTaggerError("label 'city': too few tokens")

    monkeypatch.setattr(SlotTagger, "train", refuse)
    _pre, late = verification_filters(slot_set(40), SampleConfig(slot_unmarked="reject"))
    disabled: list[str] = []
    with caplog.at_level("WARNING"):
        found = [f for f in late(disabled) if isinstance(f, UnmarkedValueFilter)]
    assert disabled.count("slot-verify") == 1 and "slot-unmarked" not in disabled
    assert found and found[0].tagger is None
    assert "label 'city': too few tokens" in caplog.text
    assert "seed values and numbers only" in caplog.text
