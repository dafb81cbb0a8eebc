"""Offline is the caller's choice: the library never sets ``HF_HUB_OFFLINE``, and never changes
the caller's tokenizer.

There is no internet here, so the hub-id paths are followed with the loaders mocked: the test
checks what reaches ``from_pretrained`` / ``SentenceTransformer`` (the id as given, hub lookups
allowed) and that the environment is untouched then and afterwards. Local folders (the embedded
model's converted copy) are loaded with ``local_files_only=True``, so they work offline without
the variable.
"""

from __future__ import annotations

import os
import types
from typing import Any

import pytest

HUB_VARS = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")


class _SeenError(Exception):
    """Raised by the mocks to stop after the call was recorded (no real download is tried)."""


@pytest.fixture
def online(monkeypatch):
    """An environment like a user's with internet: no offline variable set."""
    for v in HUB_VARS:
        monkeypatch.delenv(v, raising=False)
    yield
    for v in HUB_VARS:
        assert v not in os.environ, f"the library set {v}"


def _recorder(calls: list[dict[str, Any]]):
    def from_pretrained(name, *args, **kwargs):
        calls.append({"name": name, **kwargs, "env": {v: os.environ.get(v) for v in HUB_VARS}})
        raise _SeenError

    return from_pretrained


def _fake_require(monkeypatch, module: Any, fake_name: str, calls: list[dict[str, Any]]) -> None:
    """Make ``module.require(fake_name)`` return a stand-in whose loaders record their calls.

    The stand-in avoids importing transformers / sentence-transformers (seconds each) just to
    replace their loaders; every other ``require`` goes to the real one.
    """
    real = module.require
    rec = _recorder(calls)
    fake = types.SimpleNamespace(
        AutoTokenizer=types.SimpleNamespace(from_pretrained=rec),
        AutoModelForCausalLM=types.SimpleNamespace(from_pretrained=rec),
        SentenceTransformer=rec,
    )
    monkeypatch.setattr(
        module, "require", lambda name, **kw: fake if name == fake_name else real(name, **kw)
    )


def test_a_hub_id_reaches_from_pretrained_online(online, monkeypatch) -> None:
    from textsynth.lm import models

    calls: list[dict[str, Any]] = []
    _fake_require(monkeypatch, models, "transformers", calls)
    with pytest.raises(_SeenError):
        models.load_causal_lm("Qwen/Qwen2.5-0.5B-Instruct", device="cpu")
    with pytest.raises(_SeenError):
        models.load_causal_lm("Qwen/Qwen2.5-0.5B-Instruct", device="cpu", tokenizer=False)
    # the tokenizer, then the model: the id as given, hub lookups allowed, no variable set
    assert [(c["name"], c["local_files_only"], c["env"]) for c in calls] == [
        ("Qwen/Qwen2.5-0.5B-Instruct", False, dict.fromkeys(HUB_VARS)),
        ("Qwen/Qwen2.5-0.5B-Instruct", False, dict.fromkeys(HUB_VARS)),
    ]


def test_a_local_folder_never_asks_the_hub(online, monkeypatch, tmp_path) -> None:
    from textsynth.lm import models

    # the embedded alias resolves to its converted copy in the cache: a local folder
    monkeypatch.setenv("TEXTSYNTH_CACHE", str(tmp_path))
    target = tmp_path / "models" / "smollm2-135m"
    target.mkdir(parents=True)
    (target / "config.json").write_text("{}")
    calls: list[dict[str, Any]] = []
    _fake_require(monkeypatch, models, "transformers", calls)
    with pytest.raises(_SeenError):
        models.load_causal_lm("embedded:smollm2-135m", device="cpu")
    assert [(c["name"], c["local_files_only"]) for c in calls] == [(str(target), True)]


def test_an_embedding_model_id_reaches_sentence_transformers_online(online, monkeypatch) -> None:
    import textsynth.classifier as classifier

    calls: list[dict[str, Any]] = []
    _fake_require(monkeypatch, classifier, "sentence_transformers", calls)
    with pytest.raises(_SeenError):
        classifier.Embedder("sentence-transformers/all-mpnet-base-v2").dim  # noqa: B018
    assert [(c["name"], c["local_files_only"], c["env"]) for c in calls] == [
        ("sentence-transformers/all-mpnet-base-v2", False, dict.fromkeys(HUB_VARS))
    ]


def test_the_embedded_embedding_model_loads_from_its_folder(online, monkeypatch) -> None:
    import textsynth.classifier as classifier

    calls: list[dict[str, Any]] = []
    _fake_require(monkeypatch, classifier, "sentence_transformers", calls)
    with pytest.raises(_SeenError):
        classifier.Embedder().dim  # noqa: B018
    assert len(calls) == 1 and calls[0]["local_files_only"] is True
    assert os.path.isdir(calls[0]["name"])


def test_generation_leaves_the_callers_tokenizer_as_it_was(tiny_model) -> None:
    from textsynth.lm.generation import generate_batched
    from textsynth.lm.models import load_causal_lm

    model, tok = load_causal_lm(tiny_model, device="cpu", dtype="float32")
    tok.padding_side = "right"  # the caller's setting, e.g. for training
    left = generate_batched(model, tok, ["play", "book a table for"], max_new_tokens=4, seed=3)
    assert tok.padding_side == "right"
    tok.padding_side = "left"
    assert (
        generate_batched(model, tok, ["play", "book a table for"], max_new_tokens=4, seed=3) == left
    )
