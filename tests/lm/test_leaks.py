"""The schema-leak filter: slot labels and intent names written as words are rejected."""

from __future__ import annotations

import pytest

from textsynth import markup
from textsynth.lm.filters import Candidate
from textsynth.lm.leaks import SchemaLeakFilter, identifier_like

SEEDS = [
    markup.parse("lower the lights in the [kitchen](house_place)", "iot_hue_lightdim"),
    markup.parse("wake me at [7 am](time) on [monday](date)", "alarm_set"),
    markup.parse("play [jazz](music_genre) on wi_fi speakers", "PlayMusic"),
]


def candidate(text: str, intent: str) -> Candidate:
    c = Candidate(raw=text, intent=intent)
    c.utterance = markup.parse(text, intent)
    return c


@pytest.mark.parametrize(
    ("name", "expected"),
    [("house_place", True), ("PlayMusic", True), ("getWeather", True), ("date", False),
     ("city", False), ("check-in", False), ("IBAN", False)],
)  # fmt: skip
def test_identifier_like_tells_schema_names_from_words(name: str, expected: bool) -> None:
    assert identifier_like(name) is expected


def test_labels_and_intent_names_written_as_words_are_rejected_with_the_name() -> None:
    f = SchemaLeakFilter(SEEDS, intents=["alarm_query"])
    texts = [
        ("please lower the lights in house_place", "iot_hue_lightdim"),  # a label as words
        ("lower the lights in the [house_place](house_place)", "iot_hue_lightdim"),  # as a value
        ("open PLAYMUSIC now", "PlayMusic"),  # an intent name, any case
        ("what does alarm_query say", "alarm_set"),  # an intent of the run with no seed
        ("wake me at [8 am](time) on the date we said", "alarm_set"),  # 'date' is a word
        ("lower the lights in the [bedroom](house_place)", "iot_hue_lightdim"),  # the markup only
        ("play [rock](music_genre) on the wi_fi speakers", "PlayMusic"),  # not a schema name
        ("turn house_places off", "iot_hue_lightdim"),  # not the whole word
    ]
    cands = [candidate(t, i) for t, i in texts]
    assert f.keep(cands) == [False, False, False, False, True, True, True, True]
    assert cands[0].reason == "a slot label in the text: 'house_place'"
    assert cands[2].reason == "an intent name in the text: 'playmusic'"


def test_a_name_some_seed_writes_is_allowed() -> None:
    seeds = [*SEEDS, markup.parse("is the house_place sensor on", "iot_hue_lightdim")]
    f = SchemaLeakFilter(seeds)
    assert f.keep([candidate("lower the lights in house_place", "iot_hue_lightdim")]) == [True]
    assert SchemaLeakFilter([markup.parse("hello", "greet")]).pattern is None  # nothing to check


@pytest.mark.parametrize("dataset", ["snips", "hwu64", "clinc150"])
def test_no_real_utterance_of_the_benchmark_sets_is_rejected(dataset: str) -> None:
    """The schema of a seed draw never matches real requests (train and test, every intent)."""
    from eval.augment import draw_seeds, load

    train, test = load(dataset, 20 if dataset == "clinc150" else None, 0)
    seeds = draw_seeds(train, 10, 1000)
    f = SchemaLeakFilter(seeds, sorted({u.intent for u in train}))
    real = [candidate(markup.render(u), u.intent) for u in train + test]
    rejected = [c.text for c, ok in zip(real, f.keep(real), strict=True) if not ok]
    assert rejected == []
    assert len(f.kinds) >= 5  # it did look for names: snake_case labels, intents or both
