"""A templated two-intent slot set for the tagger tests (deterministic, no files)."""

from __future__ import annotations

import random

from textsynth.types import Span, Utterance

CITIES = ["paris", "rome", "oslo", "lima", "cairo", "tokyo", "delhi", "quito", "berlin", "madrid"]
DAYS = ["monday", "tuesday", "friday", "sunday", "tomorrow", "today"]
SONGS = ["yesterday", "imagine", "hurt", "creep", "angie", "roxanne", "jolene", "zombie"]
ARTISTS = ["adele", "prince", "madonna", "bowie", "shakira", "drake"]

FORMS = [
    ("weather", "what is the weather in {city} on {day}"),
    ("weather", "will it rain in {city} {day}"),
    ("weather", "forecast for {city} for {day} please"),
    ("weather", "is it cold in {city}"),
    ("play", "play {song} by {artist}"),
    ("play", "put on {song} from {artist} now"),
    ("play", "i want to hear {artist}"),
    ("play", "play the song {song}"),
]


def make(text_form: str, intent: str, **values: str) -> Utterance:
    """Fill ``text_form`` and return the utterance with a span per filled slot."""
    text, spans = "", []
    rest = text_form
    while "{" in rest:
        pre, _, tail = rest.partition("{")
        name, _, rest = tail.partition("}")
        text += pre
        spans.append(Span(len(text), len(text) + len(values[name]), name))
        text += values[name]
    text += rest
    return Utterance(text, intent, tuple(spans))


def slot_set(n: int, seed: int = 0) -> list[Utterance]:
    """Return ``n`` templated utterances with city/day/song/artist slots."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        intent, form = FORMS[i % len(FORMS)]
        out.append(
            make(
                form,
                intent,
                city=rng.choice(CITIES),
                day=rng.choice(DAYS),
                song=rng.choice(SONGS),
                artist=rng.choice(ARTISTS),
            )
        )
    return out
