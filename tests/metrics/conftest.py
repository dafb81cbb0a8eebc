"""Fixtures for the metric tests: tiny utterance sets and a fake embedder (no model)."""

from __future__ import annotations

import pytest

from .metrics_helpers import FakeEmbedder, utt


@pytest.fixture
def fake_embedder():
    return FakeEmbedder()


@pytest.fixture
def toy_sets():
    """Two intents of templated utterances: seeds, holdout, synthetic, test."""
    cities = ["paris", "rome", "oslo", "lima", "cairo", "tokyo", "delhi", "quito"]
    songs = ["yesterday", "imagine", "hurt", "creep", "angie", "roxanne", "jolene", "zombie"]

    def book(c, form):
        return utt(form.format(c), "book", (c, "city"))

    def play(s, form):
        return utt(form.format(s), "play", (s, "song"))

    bforms = ["book a flight to {}", "i need a ticket to {}", "fly me to {} please"]
    pforms = ["play {} now", "put on the song {}", "i want to hear {}"]
    seeds = [book(c, f) for c in cities[:4] for f in bforms] + [
        play(s, f) for s in songs[:4] for f in pforms
    ]
    holdout = [book(c, f) for c in cities[4:] for f in bforms] + [
        play(s, f) for s in songs[4:] for f in pforms
    ]
    return {"seeds": seeds, "holdout": holdout}


@pytest.fixture(autouse=True)
def _no_fluency_model(request, monkeypatch):
    """Unit tests run without the reference LM (fluency loads SmolLM2); slow tests keep it."""
    if "slow" not in request.keywords:
        import textsynth.metrics as m

        monkeypatch.setattr(
            m, "DEFAULT_METRICS", tuple(x for x in m.DEFAULT_METRICS if x != "fluency")
        )
