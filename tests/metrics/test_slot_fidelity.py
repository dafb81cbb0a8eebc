"""Slot fidelity falls by the expected amount when labels are wrong (acceptance 2 and 5)."""

from __future__ import annotations

import dataclasses

import pytest

from textsynth.metrics import evaluate
from textsynth.slots import SlotTagger
from textsynth.types import Span, Utterance

from ..slots.helpers import CITIES, DAYS, make, slot_set


@pytest.fixture(scope="module")
def oracle():
    return SlotTagger.train(slot_set(240))


@pytest.fixture(scope="module")
def clean():
    """40 utterances with exactly two slots each: 'what is the weather in {city} on {day}'."""
    form = "what is the weather in {city} on {day}"
    return [
        make(form, "weather", city=CITIES[i % len(CITIES)], day=DAYS[i % len(DAYS)])
        for i in range(40)
    ]


def fidelity(synthetic, oracle, seeds=None):
    r = evaluate(
        synthetic,
        seeds or slot_set(24),
        embeddings=False,
        metrics=["slot-fidelity"],
        slot_tagger=oracle,
    )
    return r["slot-fidelity"]


def with_spans(u: Utterance, spans) -> Utterance:
    return dataclasses.replace(u, spans=tuple(spans))


def test_clean_spans_agree_fully(oracle, clean):
    res = fidelity(clean, oracle)
    assert res.value == 1.0
    assert res.breakdown["micro"]["tp"] == 80


@pytest.mark.parametrize("k", [4, 10])
def test_swapped_labels_lower_f1_by_two_spans_each(oracle, clean, k):
    bad = [
        with_spans(u, [Span(a.start, a.end, b.label), Span(b.start, b.end, a.label)])
        if i < k
        else u
        for i, u in enumerate(clean)
        for a, b in [u.spans]
    ]
    res = fidelity(bad, oracle)
    total = 80
    assert res.value == pytest.approx((total - 2 * k) / total)
    per = res.breakdown["per_label"]
    assert per["city"]["precision"] == pytest.approx((40 - k) / 40)
    conf = res.breakdown["confusion"]
    row, col = conf["rows"].index("city"), conf["columns"].index("day")
    assert conf["matrix"][row][col] == k  # generated 'city' where the tagger sees a day
    kinds = res.breakdown["disagreements"]
    assert kinds["utterances_read"] == 40 and kinds["utterances_disagreeing"] == k
    assert kinds["wrong label"] == 2 * k and "boundary" not in kinds


def test_spans_shifted_by_one_token_count_as_wrong(oracle, clean):
    k = 8
    bad = []
    for i, u in enumerate(clean):
        city, day = u.spans
        if i < k:  # "in [paris] on" -> "in paris [on]"
            on = u.text.index(" on ", city.end) + 1
            city = Span(on, on + 2, "city")
        bad.append(with_spans(u, [city, day]))
    res = fidelity(bad, oracle)
    assert res.value == pytest.approx((80 - k) / 80)  # one false positive + one miss each
    assert res.breakdown["micro"]["fp"] == k and res.breakdown["micro"]["fn"] == k
    kinds = res.breakdown["disagreements"]
    assert kinds["no slot there"] == k and kinds["slot not labelled"] == k
    assert kinds["utterances_disagreeing"] == k


def test_a_span_one_word_too_long_is_counted_as_a_boundary_disagreement(oracle, clean):
    k = 6
    bad = []
    for i, u in enumerate(clean):
        city, day = u.spans
        if i < k:  # "in [paris] on" -> "in [paris on]"
            city = Span(city.start, city.end + 3, "city")
        bad.append(with_spans(u, [city, day]))
    kinds = fidelity(bad, oracle).breakdown["disagreements"]
    assert kinds["boundary"] == k and kinds["utterances_disagreeing"] == k
    assert "wrong label" not in kinds and "no slot there" not in kinds


def test_a_span_over_a_stop_word_lowers_precision_only(oracle, clean):
    k = 10
    bad = []
    for i, u in enumerate(clean):
        extra = [Span(8, 11, "city")] if i < k else []  # "the" in "what is the weather"
        bad.append(with_spans(u, [*extra, *u.spans]))
    res = fidelity(bad, oracle)
    m = res.breakdown["micro"]
    assert m["precision"] == pytest.approx(80 / (80 + k))
    assert m["recall"] == 1.0
    assert res.value == pytest.approx(2 * 80 / (2 * 80 + k))
    assert any("'the' is labelled city" in x for x in res.breakdown["examples"]["no slot there"])


def test_the_default_seed_tagger_runs_and_says_it_is_weak(clean):
    r = evaluate(clean, slot_set(60), embeddings=False, metrics=["slot-fidelity"])
    res = r["slot-fidelity"]
    assert res.breakdown["tagger"]["kind"] == "seeds"
    assert res.breakdown["tagger"]["trust"].startswith("weak")
    assert 0.0 <= res.value <= 1.0


def test_oracle_tagger_is_trained_on_the_reference_and_scored_on_test(clean):
    r = evaluate(
        clean,
        slot_set(10),
        reference=slot_set(200, seed=1),
        test=slot_set(40, seed=2),
        embeddings=False,
        metrics=["slot-fidelity"],
        slot_tagger="reference",
    )
    res = r["slot-fidelity"]
    assert res.breakdown["tagger"]["kind"] == "reference"
    assert res.breakdown["tagger"]["trust"].startswith("strong")
    assert res.reference is not None and res.reference > 0.9  # its own F1 on the test set


def test_seeds_without_any_slot_give_a_note_not_a_zero(clean):
    seeds = [Utterance("hello there", "greet"), Utterance("good morning", "greet")]
    r = evaluate(clean, seeds, embeddings=False, metrics=["slot-fidelity", "distinct-1"])
    assert "slot-fidelity" not in r
    assert r.value("slot-fidelity") is None
    why = r.skipped["slot-fidelity"]
    assert "not computable" in why and "none of the 2 seed utterances has a slot span" in why
    assert "slot-fidelity" in r.to_html() and "not computable" in r.to_html()
    assert "distinct-1" in r  # the other metrics still run


def test_a_tagger_that_cannot_train_names_the_label_and_the_reason(clean):
    seeds = [
        Utterance("wake me at 10am", "alarm", (Span(11, 13, "hour"), Span(13, 15, "ampm"))),
        *slot_set(8),
    ]
    r = evaluate(clean, seeds, embeddings=False, metrics=["slot-fidelity"])
    why = r.skipped["slot-fidelity"]
    assert "'ampm'" in why and "aligned to a word" in why
