from __future__ import annotations

import pytest

from textsynth.errors import RecordError, SpanError
from textsynth.types import Span, Utterance


def test_valid_utterance_round_trips_through_dict():
    u = Utterance("fly to NYC now", "book", (Span(7, 10, "city", "New York"),), source="t")
    d = u.to_dict()
    assert d["entities"] == [{"start": 7, "end": 10, "label": "city", "value": "New York"}]
    assert Utterance.from_dict(d) == u


def test_value_defaults_to_surface_text():
    u = Utterance("fly to Paris", "book", (Span(7, 12, "city"),))
    assert u.to_dict()["entities"][0]["value"] == "Paris"


def test_spans_are_sorted():
    u = Utterance("a b c", "x", (Span(4, 5, "c"), Span(0, 1, "a")))
    assert [s.label for s in u.spans] == ["a", "c"]


# fmt: off
@pytest.mark.parametrize("spans, message", [
    # out of bounds
    ((Span(0, 9, "x"),), "past the end"),
    # overlapping
    ((Span(0, 3, "x"), Span(2, 4, "y")), "overlaps"),
])
# fmt: on
def test_invalid_spans_cannot_be_constructed(spans, message):
    with pytest.raises(SpanError, match=message):
        Utterance("abcdefg", "i", spans)


@pytest.mark.parametrize("start, end", [(3, 3), (4, 2), (-1, 2)])
def test_empty_or_negative_span_is_rejected(start, end):
    with pytest.raises(SpanError, match="empty or negative"):
        Span(start, end, "x")


def test_from_dict_rejects_missing_text():
    with pytest.raises(RecordError, match="'text'"):
        Utterance.from_dict({"intent": "x"})


def test_from_dict_rejects_entity_past_end():
    with pytest.raises(SpanError, match="past the end"):
        Utterance.from_dict({"text": "hi", "intent": "x",
                             "entities": [{"start": 0, "end": 5, "label": "a"}]})
