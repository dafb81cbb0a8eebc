"""The pipeline YAML takes the same backend keys as ``lm sample`` (lm.backend, lm.base_url...)."""

from __future__ import annotations

import pytest

from textsynth.lm.backends import BackendUnavailableError
from textsynth.lm.sample import pipeline_options
from textsynth.pipeline.config import load


def test_pipeline_yaml_backend_keys_reach_the_backend(tmp_path, seeds):
    from textsynth.io import write_utterances_jsonl

    write_utterances_jsonl(seeds, tmp_path / "seeds.jsonl")
    (tmp_path / "p.yaml").write_text(
        "name: t\n"
        "seeds: {path: seeds.jsonl}\n"
        "lm:\n"
        "  mode: prompt\n"
        "  backend: openai\n"
        "  base_url: http://127.0.0.1:9/v1\n"
        "  finetune: {base_model: some-model}\n"
        "  api: chat\n"
        "  concurrency: 3\n"
        "  retries: 0\n"
        "  timeout: 5\n",
        encoding="utf-8",
    )
    cfg = load(tmp_path / "p.yaml")
    assert cfg.lm.backend == "openai" and cfg.lm.api == "chat"
    with pytest.raises(BackendUnavailableError, match=r"127\.0\.0\.1:9/v1"):
        pipeline_options(cfg.lm, None)


def test_pipeline_hf_backend_is_todays_path(tmp_path, seeds):
    from textsynth.pipeline.config import LmStage

    opts = pipeline_options(LmStage(), None)
    assert opts.backend is None and opts.judge is None
