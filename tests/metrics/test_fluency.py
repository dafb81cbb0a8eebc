"""Fluency under the embedded SmolLM2: word salad scores lower than the sentences it came from."""

from __future__ import annotations

import random

import numpy as np
import pytest

SENTENCES = [
    "What will the weather be like in Paris tomorrow?",
    "Book a table for two at an Italian restaurant tonight.",
    "Rate this book five out of six stars.",
    "Is it going to snow in Denver this weekend?",
    "I would like to reserve a table for four people at seven.",
    "Give the current novel a rating of three points.",
]


def salad(text: str, rng: random.Random) -> str:
    words = text.rstrip(".?").split()
    rng.shuffle(words)
    return " ".join(words)


@pytest.mark.slow
def test_word_salad_scores_lower_fluency_than_the_seeds():
    from textsynth.metrics.fluency import FluencyScorer

    rng = random.Random(0)
    scorer = FluencyScorer(batch_size=4)
    real = scorer.score(SENTENCES)
    mixed = scorer.score([salad(t, rng) for t in SENTENCES])
    assert real.shape == (len(SENTENCES),) and np.isfinite(real).all()
    # every salad below its own sentence, and on average by a wide margin (nats per token)
    assert (mixed < real).all()
    assert real.mean() - mixed.mean() > 1.0
    # batching does not change a score; an empty text is undefined, not zero
    single = scorer.score(SENTENCES[:1] + [""])
    assert single[0] == pytest.approx(real[0], abs=1e-3)
    assert np.isnan(single[1])
