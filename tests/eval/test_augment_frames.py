"""The frames/values diagnostic: slot values swapped within intent and label, spans kept right."""

from __future__ import annotations

import random

from eval import augment_frames as frames
from textsynth.types import Span, Utterance


def _u(text: str, intent: str, *slots: tuple[str, str]) -> Utterance:
    spans = []
    for value, label in slots:
        start = text.index(value)
        spans.append(Span(start, start + len(value), label))
    return Utterance(text, intent, tuple(spans))


def test_with_values_moves_spans_onto_the_new_values():
    u = _u("play jazz by miles davis now", "play", ("jazz", "genre"), ("miles davis", "artist"))
    values = {("play", "genre"): ["drum and bass"], ("play", "artist"): ["nina"]}
    (out,), share = frames.with_values([u], values, random.Random(0))
    assert out.text == "play drum and bass by nina now"
    assert [(out.text[s.start : s.end], s.label) for s in out.spans] == [
        ("drum and bass", "genre"),
        ("nina", "artist"),
    ]
    assert share == 1.0
    assert out.intent == "play"


def test_a_slot_without_a_source_value_keeps_its_own_and_counts_as_not_swapped():
    u = _u("rate dune five stars", "rate", ("dune", "title"), ("five", "rating"))
    values = {("rate", "title"): ["emma"], ("play", "rating"): ["two"]}  # rating: other intent
    (out,), share = frames.with_values([u], values, random.Random(0))
    assert out.text == "rate emma five stars"
    assert share == 0.5


def test_slot_values_are_grouped_by_intent_and_label():
    utts = [
        _u("play jazz", "play", ("jazz", "genre")),
        _u("add jazz", "add", ("jazz", "genre")),
        _u("play rock", "play", ("rock", "genre")),
    ]
    assert frames.slot_values(utts) == {
        ("play", "genre"): ["jazz", "rock"],
        ("add", "genre"): ["jazz"],
    }


def test_pairings_cover_every_frame_and_value_source():
    lm = [_u("find the book dune", "search", ("dune", "title"))]
    real = [_u("looking for a novel called emma", "search", ("emma", "title"))]
    seeds = [_u("show me ulysses", "search", ("ulysses", "title"))]
    got = frames.pairings(lm, real, seeds, random.Random(0))
    assert got["lm+own"][0] == lm and got["real+own"][0] == real
    assert got["lm+seed"][0][0].text == "find the book ulysses"
    assert got["lm+other"][0][0].text == "find the book emma"
    assert got["real+other"][0][0].text == "looking for a novel called dune"
    assert set(got) == {f"{f}+{v}" for f in frames.FRAMES for v in frames.VALUES}
