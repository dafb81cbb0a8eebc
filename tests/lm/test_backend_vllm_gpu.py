"""The real ``vllm`` backend on a GPU (run with --gpu on a machine with vLLM and CUDA)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.gpu, pytest.mark.slow]


def test_vllm_prompt_mode_on_gpu(seeds):
    pytest.importorskip("vllm")
    from textsynth.lm import SampleConfig, prompt_sample
    from textsynth.lm.backends.vllm import VllmBackend
    from textsynth.lm.models import resolve_base_model
    from textsynth.lm.sample import RunOptions

    b = VllmBackend(model=resolve_base_model("embedded:smollm2-135m"), gpu_memory_utilization=0.3)
    b.check()
    utts, summary = prompt_sample(
        seeds,
        SampleConfig(per_intent=5, fidelity_threshold=0),
        options=RunOptions(backend=b, constrain=True),
    )
    assert summary.kept == 15 and summary.counters["requests_failed"] == 0
    assert summary.rejected["markup"] <= summary.counters["completions_truncated"]
