"""Integration: the real embedded SmolLM2-135M (GGUF -> safetensors cache), tuned and sampled."""

from __future__ import annotations

import pytest

from textsynth.lm import FinetuneConfig, SampleConfig, finetune, sample


@pytest.mark.slow
def test_embedded_model_finetunes_and_generates_slot_markup(seeds, tmp_path):
    # one torch thread (the autouse fixture): on shared cores it beats two by a wide margin
    info = finetune(seeds, tmp_path / "run", FinetuneConfig(epochs=2, batch_size=18))
    assert info.steps == 2 and info.losses[-1] < info.losses[0]
    utts, summary = sample(
        tmp_path / "run",
        SampleConfig(
            per_intent=2, oversample=2.0, max_rounds=1, max_new_tokens=24, fidelity_features="tfidf"
        ),
    )
    assert summary.generated == 3 * 4
    valid = summary.seen["value-plan"]  # what passed the empty-value and markup filters
    assert valid >= summary.generated // 2, summary.format()
    assert all(u.source.startswith("lm:") for u in utts)
