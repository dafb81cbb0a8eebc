"""The CRF slot tagger: trains, predicts character spans, gives label probabilities, saves."""

from __future__ import annotations

import json

import pytest

from textsynth.errors import InputError, TextsynthError
from textsynth.slots import SlotTagger, score_spans
from textsynth.types import Span, Utterance

from .helpers import make, slot_set


@pytest.fixture(scope="module")
def tagger():
    return SlotTagger.train(slot_set(160))


def test_learns_the_slots_of_unseen_utterances(tagger):
    test = slot_set(80, seed=7)
    pred = tagger.predict([u.text for u in test])
    sc = score_spans([u.text for u in test], [u.spans for u in test], pred)
    assert sc.f1 > 0.9
    assert tagger.labels == ("artist", "city", "day", "song")


def test_predict_returns_character_spans_on_the_text(tagger):
    text = "what is the weather in berlin on friday"
    (spans,) = tagger.predict([text])
    assert [(text[s.start : s.end], s.label) for s in spans] == [
        ("berlin", "city"),
        ("friday", "day"),
    ]
    assert tagger.predict([""]) == [()]


def test_span_label_probs_are_distributions_that_favour_the_right_label(tagger):
    u = make("what is the weather in {city} on {day}", "weather", city="oslo", day="monday")
    probs = tagger.span_label_probs(u.text, [*u.spans, Span(0, 4, "city")])
    for p in probs:
        assert set(p) == {"O", *tagger.labels}
        assert sum(p.values()) == pytest.approx(1.0, abs=1e-6)
    assert max(probs[0], key=probs[0].get) == "city"
    assert max(probs[1], key=probs[1].get) == "day"
    assert max(probs[2], key=probs[2].get) == "O"  # "what" is no slot


def test_save_and_load_give_the_same_predictions(tagger, tmp_path):
    path = tmp_path / "t" / "tagger.json"
    tagger.save(path)
    again = SlotTagger.load(path)
    texts = [u.text for u in slot_set(20, seed=3)]
    assert again.predict(texts) == tagger.predict(texts)
    assert again.labels == tagger.labels


def test_load_refuses_other_files(tmp_path):
    with pytest.raises(InputError, match="no slot tagger"):
        SlotTagger.load(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "something"}))
    with pytest.raises(InputError, match="not a textsynth slot tagger"):
        SlotTagger.load(bad)


def test_no_slot_at_all_is_a_clear_error():
    with pytest.raises(TextsynthError, match="none of the 2 utterances has a slot span"):
        SlotTagger.train([Utterance("hello", "greet"), Utterance("bye", "greet")])
    with pytest.raises(TextsynthError, match="no utterances"):
        SlotTagger.train([])


def test_a_label_that_cannot_be_learnt_is_named_with_the_reason():
    utts = [
        Utterance("wake me at 10am", "alarm", (Span(11, 13, "hour"), Span(13, 15, "ampm"))),
        *slot_set(10),
    ]
    with pytest.raises(TextsynthError, match=r"'ampm'.*aligned to a word"):
        SlotTagger.train(utts)
    reserved = [Utterance("go to rome", "x", (Span(6, 10, "O"),))]
    with pytest.raises(TextsynthError, match=r"'O' is reserved"):
        SlotTagger.train(reserved)
