from __future__ import annotations

import pytest

from textsynth import markup
from textsynth.errors import MarkupError
from textsynth.types import Span, Utterance


def test_parse_builds_spans_at_character_offsets():
    u = markup.parse("book a table in [Paris](city) for [two](party_size)", "book")
    assert u.text == "book a table in Paris for two"
    assert [(u.span_text(s), s.label) for s in u.spans] == [
        ("Paris", "city"),
        ("two", "party_size"),
    ]


def test_synonym_value_round_trips():
    u = Utterance("fly to NYC (fast)", "b", (Span(7, 10, "city", "New York"),))
    s = markup.render(u)
    assert s == "fly to [NYC](city:New York) \\(fast\\)"
    assert markup.parse(s, "b") == u


# fmt: off
@pytest.mark.parametrize("bad, message", [
    ("book [Paris", "unclosed '\\['"),
    ("book Paris](city)", "without '\\['"),
    ("book [Paris] now", "not followed by"),
    ("book [Paris](city", "unclosed '\\('"),
    ("book [](city)", "empty value"),
    ("book [Paris](2city)", "bad slot label"),
    ("book [[Paris]](city)", "nested"),
    ("book [ Paris](city)", "outer whitespace"),
])
# fmt: on
def test_malformed_markup_is_reported(bad, message):
    with pytest.raises(MarkupError, match=message):
        markup.parse(bad, "x")
