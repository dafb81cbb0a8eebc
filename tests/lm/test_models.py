"""Base-model resolution, cache location, devices, dtypes and thread control."""

from __future__ import annotations

import pytest

from textsynth.errors import ConfigError
from textsynth.lm.models import (
    EMBEDDED_MODELS,
    cache_dir,
    pick_device,
    pick_dtype,
    resolve_base_model,
    torch_threads,
)


def test_cache_dir_follows_textsynth_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("TEXTSYNTH_CACHE", str(tmp_path))
    assert cache_dir() == tmp_path / "models"


def test_hub_ids_and_paths_pass_through():
    assert resolve_base_model("HuggingFaceTB/SmolLM2-135M") == "HuggingFaceTB/SmolLM2-135M"
    assert resolve_base_model("/some/local/model") == "/some/local/model"


def test_unknown_embedded_alias_lists_the_known_ones():
    with pytest.raises(ConfigError, match="embedded:smollm2-135m"):
        resolve_base_model("embedded:nope")


def test_embedded_alias_uses_an_existing_cache_without_converting(monkeypatch, tmp_path):
    monkeypatch.setenv("TEXTSYNTH_CACHE", str(tmp_path))
    alias = next(iter(EMBEDDED_MODELS))
    target = tmp_path / "models" / alias.split(":", 1)[1]
    target.mkdir(parents=True)
    (target / "config.json").write_text("{}")
    assert resolve_base_model(alias) == str(target)


def test_device_and_dtype_selection():
    import torch

    assert pick_device("cpu") == "cpu"
    assert pick_device(None) in ("cpu", "cuda")
    assert pick_dtype("auto", "cpu") is torch.float32
    assert pick_dtype("auto", "cuda") is torch.bfloat16
    assert pick_dtype("bfloat16", "cpu") is torch.bfloat16


def test_torch_threads_sets_and_restores():
    import torch

    before = torch.get_num_threads()
    with torch_threads(before + 1):
        assert torch.get_num_threads() == before + 1
    assert torch.get_num_threads() == before
    with torch_threads(None):
        assert torch.get_num_threads() == before
