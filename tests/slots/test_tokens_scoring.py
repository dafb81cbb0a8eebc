"""Tokens, BIO tags and span-exact scoring: the arithmetic slot fidelity stands on."""

from __future__ import annotations

import pytest

from textsynth.slots import score_spans, tokenise
from textsynth.slots.tokens import bio_tags, decode_bio
from textsynth.types import Span


def test_tokens_keep_character_offsets():
    text = "book it for 7 p.m., o'hare-bound"
    toks = tokenise(text)
    assert all(text[t.start : t.end] == t.text for t in toks)
    assert [t.text for t in toks][:4] == ["book", "it", "for", "7"]
    assert "o'hare-bound" in [t.text for t in toks]


def test_bio_round_trip_gives_back_word_aligned_spans():
    text = "fly from new york to rome"
    spans = (Span(9, 17, "from"), Span(21, 25, "to"))
    toks = tokenise(text)
    tags, dropped = bio_tags(toks, spans)
    assert tags == ["O", "O", "B-from", "I-from", "O", "B-to"]
    assert not dropped
    assert decode_bio(toks, tags) == spans


def test_two_slots_in_one_word_drop_the_second():
    text = "wake me at 10am"
    toks = tokenise(text)
    tags, dropped = bio_tags(toks, (Span(11, 13, "hour"), Span(13, 15, "ampm")))
    assert tags[-1] == "B-hour"
    assert [s.label for s in dropped] == ["ampm"]


def test_stray_inside_tag_starts_a_span():
    toks = tokenise("a b c")
    assert decode_bio(toks, ["O", "I-x", "I-y"]) == (Span(2, 3, "x"), Span(4, 5, "y"))


def test_identical_spans_score_one():
    texts = ["fly to rome on monday"]
    s = [(Span(7, 11, "city"), Span(15, 21, "day"))]
    sc = score_spans(texts, s, s)
    assert sc.micro()["f1"] == 1.0
    assert sc.confusion_table()["matrix"] == [[1, 0], [0, 1]]


def test_a_trailing_space_or_cut_word_is_the_same_span_but_a_shifted_one_is_not():
    text = "fly to new york today"
    ref = [(Span(7, 15, "city"),)]
    assert score_spans([text], ref, [(Span(7, 14, "city"),)]).f1 == 1.0  # "new yor"
    shifted = score_spans([text], ref, [(Span(11, 21, "city"),)])  # "york today"
    assert shifted.f1 == 0.0
    # the confusion still pairs the overlapping spans: city against city
    assert shifted.confusion[("city", "city")] == 1


def test_swapped_labels_show_in_the_confusion():
    text = "from paris to rome"
    ref = [(Span(5, 10, "from"), Span(14, 18, "to"))]
    pred = [(Span(5, 10, "to"), Span(14, 18, "from"))]
    sc = score_spans([text], ref, pred)
    assert sc.f1 == 0.0
    assert sc.confusion[("to", "from")] == 1 and sc.confusion[("from", "to")] == 1
    per = sc.per_label()
    assert per["to"]["precision"] == 0.0 and per["to"]["recall"] == 0.0


def test_missing_and_extra_spans_pair_with_no_slot():
    text = "play jolene by adele"
    ref = [(Span(5, 11, "song"), Span(15, 20, "artist"))]
    pred = [(Span(5, 11, "song"), Span(12, 14, "artist"))]  # "by" instead of "adele"
    sc = score_spans([text], ref, pred)
    m = sc.micro()
    assert (m["tp"], m["fp"], m["fn"]) == (1, 1, 1)
    assert sc.confusion[("artist", "O")] == 1 and sc.confusion[("O", "artist")] == 1


def test_lengths_must_agree():
    with pytest.raises(ValueError, match="2 texts"):
        score_spans(["a", "b"], [()], [()])
