"""Prompt formatting and completion parsing (pure, no torch)."""

from __future__ import annotations

import random

import pytest

from textsynth.errors import MarkupError
from textsynth.lm.prompt import (
    clean_completion,
    few_shot_prompt,
    finetune_prompt,
    parse_completion,
    pick_shots,
    slots_by_intent,
    to_example,
)
from textsynth.markup import parse
from textsynth.types import Span, Utterance


def test_finetune_prompt_names_intent_and_language():
    assert finetune_prompt("GetWeather", "fr") == "intent: GetWeather | lang: fr\n"


def test_slot_hints_name_the_labels_of_the_intents_seeds(seeds):
    hints = slots_by_intent(seeds)
    assert hints["GetWeather"] == ["city", "date"]
    ex = to_example(seeds[0], hints["GetWeather"])
    assert ex.prompt == "intent: GetWeather | slots: city, date | lang: en\n"
    assert finetune_prompt("Greet", "en", []) == "intent: Greet | slots: - | lang: en\n"


def test_training_examples_carry_the_slot_hints(seeds):
    from textsynth.lm.train import encode_examples

    class CharTok:  # a stand-in tokenizer: one id per character
        eos_token_id = 0

        def __call__(self, text, add_special_tokens=True):
            return {"input_ids": [ord(c) for c in text]}

    with_hints = encode_examples(seeds[:1], CharTok(), 200)
    without = encode_examples(seeds[:1], CharTok(), 200, slot_hints=False)
    prompt = "".join(
        chr(i)
        for i, lab in zip(with_hints[0]["input_ids"], with_hints[0]["labels"], strict=True)
        if lab == -100
    )
    assert prompt == "intent: GetWeather | slots: city, date | lang: en\n"
    assert len(without[0]["input_ids"]) < len(with_hints[0]["input_ids"])


def test_example_completion_is_inline_markup(seeds):
    ex = to_example(seeds[0])
    assert ex.prompt == "intent: GetWeather | lang: en\n"
    assert ex.completion == "what is the weather in [Paris](city) [tomorrow](date)"


def test_completion_round_trips_to_the_same_utterance(seeds):
    for u in seeds:
        back = parse_completion(to_example(u).completion, u.intent)
        assert (back.text, back.spans) == (u.text, u.spans)


def test_newlines_in_seed_text_are_flattened():
    u = Utterance("two\nlines [x]", "I", spans=(Span(0, 3, "n"),))
    ex = to_example(u)
    assert "\n" not in ex.completion
    assert ex.completion.startswith("[two](n) lines \\[x\\]")


def test_synonym_values_survive_the_round_trip():
    u = parse("fly to [NYC](city:New York)", "Book")
    back = parse_completion(to_example(u).completion, "Book")
    assert back.spans[0].value == "New York"


# fmt: off
CLEAN_CASES = [
    ("  play [jazz](genre)\n- another item", "play [jazz](genre)"),  # model ran past the item
    ("play jazz", "play jazz"),
    ("\n\n", ""),
    ("", ""),
]
# fmt: on


@pytest.mark.parametrize(("raw", "expected"), CLEAN_CASES)
def test_clean_completion_keeps_the_first_line(raw, expected):
    assert clean_completion(raw) == expected


@pytest.mark.parametrize(
    "raw", ["play [jazz(genre)", "play [jazz]", "[a [b](x)](y)", "play [jazz](bad label)"]
)
def test_malformed_completions_raise_markup_error(raw):
    with pytest.raises(MarkupError):
        parse_completion(raw, "PlayMusic")


def test_parse_completion_sets_provenance_fields():
    u = parse_completion(
        " play [jazz](genre)\nrest", "PlayMusic", "en", source="lm:x", meta={"seed": 3}
    )
    assert (u.text, u.intent, u.source, u.meta["seed"]) == ("play jazz", "PlayMusic", "lm:x", 3)


def test_few_shot_prompt_lists_shots_and_ends_with_an_open_item(seeds):
    shots = [u for u in seeds if u.intent == "PlayMusic"][:3]
    p = few_shot_prompt("PlayMusic", shots)
    assert p.endswith("\n-")
    assert "intent PlayMusic" in p
    assert "- play [jazz](genre) by [Miles Davis](artist)" in p
    assert "artist, genre" in p  # the slot labels are named


def test_pick_shots_is_seeded_and_without_replacement(seeds):
    a = pick_shots(seeds, 5, random.Random(1))
    b = pick_shots(seeds, 5, random.Random(1))
    assert a == b and len(set(u.text for u in a)) == 5
    assert len(pick_shots(seeds[:3], 5, random.Random(0))) == 3
