"""Repeated-words filter: stutters outside slot values are rejected, with the words."""

from __future__ import annotations

import pytest

from tests.lm.conftest import parsed
from textsynth import markup
from textsynth.lm.chain import build_filters
from textsynth.lm.config import SampleConfig
from textsynth.lm.filters import FilterChain
from textsynth.lm.repeats import RepeatFilter, find_repeat, repeats_of

SEEDS = [
    markup.parse("add what i'm listening to to my [gym](playlist) playlist", "AddToPlaylist"),
    markup.parse("add [queen](artist) to [road trip](playlist)", "AddToPlaylist"),
    markup.parse("what is the weather in [paris](city)", "GetWeather"),
    markup.parse("will it rain in [oslo](city) [tomorrow](date)", "GetWeather"),
]


@pytest.mark.parametrize(
    ("raw", "intent", "found"),
    [
        ("what's the weather in in [rome](city)", "GetWeather", "in in"),
        ("give the [The Wire](object_name) a five", "RateBook", "the the"),
        ("turn off the lamp socket Socket", "Lights", "socket socket"),
        ("is it cold in the in the [north](city)", "GetWeather", "in the in the"),
        ("play [jazz](genre) [jazz](genre) now", "PlayMusic", "jazz jazz"),  # two values
        ("add this to my [Dance Dance Dance](playlist) playlist", "AddToPlaylist", None),
        ("add [bunty bunty](artist) to [chill](playlist)", "AddToPlaylist", None),
        ("add what i'm listening to to [chill](playlist)", "AddToPlaylist", None),  # a seed's
        ("what is the weather in [rome](city) today", "GetWeather", None),
        # words are the slot tagger's tokens: a hyphen or an apostrophe inside a word joins it
        ("what restrictions are there for carry-on on delta", "Travel", None),
        ("bye-bye", "Goodbye", None),
        ("add it to my mum's mum's [chill](playlist)", "AddToPlaylist", "mum's mum's"),
    ],
)
def test_words_repeated_outside_one_value_are_found_unless_a_seed_repeats_them(raw, intent, found):
    u = markup.parse(raw, intent)
    assert find_repeat(u.text, u.spans, repeats_of(s.text for s in SEEDS)) == found


@pytest.mark.parametrize(
    ("raw", "found"),
    [
        ("je veux ma cartecartecarte", "cartecartecarte"),
        ("block my [cartecartecarte](card_type)", "cartecartecarte"),  # inside a value too
        ("blahblahblah [queen](artist)", "blahblahblah"),
        ("nooooooooo not [queen](artist)", None),  # one letter stretched
        ("add [Mississippi](playlist) to [nanana](playlist)", None),  # a unit twice, or of two
        ("that was hahahahahaha funny", None),  # a seed has this very word
    ],
)
def test_a_word_that_repeats_itself_is_found_unless_a_seed_has_it(raw, found):
    u = markup.parse(raw, "AddToPlaylist")
    allowed = repeats_of([*(s.text for s in SEEDS), "lol hahahahahaha"])
    assert find_repeat(u.text, u.spans, allowed) == found


def test_the_filter_rejects_with_the_repeated_words_in_the_summary():
    chain = FilterChain([RepeatFilter(SEEDS)])
    kept = chain.run(
        [
            parsed("will it snow in in [bergen](city)", "GetWeather"),
            parsed("will it snow in [bergen](city)", "GetWeather"),
        ]
    )
    assert [c.text for c in kept] == ["will it snow in bergen"]
    assert chain.summary.rejected == {"repeated-words": 1}
    assert chain.summary.reasons() == {"repeated-words": {"rejected: repeated words": 1}}
    assert "'in in'" in chain.summary.events[0]["reason"]


def test_the_filter_is_in_the_default_chain_and_can_be_turned_off():
    def names(config: SampleConfig) -> list[str]:
        filters, _ = build_filters(SEEDS, config, None, intents=["GetWeather"])
        return [f.name for f in filters]

    off = {"fidelity_threshold": 0.0, "fluency_percentile": 0, "slot_verify": False}
    assert "repeated-words" in names(SampleConfig(**off))
    assert "repeated-words" not in names(SampleConfig(**off, repeated_words=False))
