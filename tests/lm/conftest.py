"""Fixtures for the LM generator: labelled seeds and a tiny randomly initialised Llama model.

The tiny model (hidden size 32, 2 layers) and its byte-level BPE tokenizer are built offline from
the seed texts, saved to a temporary folder and used as ``base_model`` like any local model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from textsynth import markup
from textsynth.lm.filters import Candidate
from textsynth.lm.prompt import few_shot_prompt, finetune_prompt
from textsynth.types import Utterance

SEED_MARKUP = {
    "GetWeather": [
        "what is the weather in [Paris](city) [tomorrow](date)",
        "will it rain in [Berlin](city)",
        "weather forecast for [Lyon](city) on [monday](date)",
        "is it sunny in [Madrid](city) [today](date)",
        "how cold will it be in [Oslo](city)",
        "tell me the weather [tonight](date)",
    ],
    "PlayMusic": [
        "play [jazz](genre) by [Miles Davis](artist)",
        "put on some [rock](genre) music",
        "play the latest song by [Adele](artist)",
        "i want to hear [Queen](artist)",
        "play some [classical](genre) for me",
        "start playing [pop](genre) hits",
    ],
    "BookRestaurant": [
        "book a table for [two](party_size) at [Nobu](restaurant)",
        "reserve [Chez Marie](restaurant) for [four](party_size) people",
        "i need a table at an [italian](cuisine) place",
        "book a [sushi](cuisine) restaurant for [six](party_size)",
        "get me a reservation at [Luigi's](restaurant)",
        "find a table for [three](party_size) tonight",
    ],
}


def make_seeds() -> list[Utterance]:
    """Return the labelled seed utterances (3 intents x 6)."""
    return [
        markup.parse(m, intent, source="test") for intent, ms in SEED_MARKUP.items() for m in ms
    ]


@pytest.fixture
def seeds() -> list[Utterance]:
    return make_seeds()


def parsed(raw: str, intent: str) -> Candidate:
    """Return a candidate whose markup is already parsed (as the markup filter leaves it)."""
    c = Candidate(raw, intent)
    c.utterance = markup.parse(raw, intent)
    return c


def build_tiny_model(path: Path, seed: int = 0) -> Path:
    """Save a tiny random LlamaForCausalLM and a BPE tokenizer trained on the seeds to ``path``."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    seeds = make_seeds()
    corpus = [markup.render(u) for u in seeds]
    corpus += [finetune_prompt(i) for i in SEED_MARKUP]
    corpus += [few_shot_prompt(i, [u for u in seeds if u.intent == i]) for i in SEED_MARKUP]
    bpe = Tokenizer(models.BPE(unk_token=None))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        special_tokens=["<pad>", "<eos>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    bpe.train_from_iterator(corpus, trainer)
    tok = PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<eos>", pad_token="<pad>")
    cfg = LlamaConfig(
        vocab_size=bpe.get_vocab_size(),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id,
        bos_token_id=None,
        tie_word_embeddings=True,
    )
    torch.manual_seed(seed)
    model = LlamaForCausalLM(cfg)
    model.save_pretrained(str(path))
    tok.save_pretrained(str(path))
    return path


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Return the path of the tiny model (built once per session)."""
    return str(build_tiny_model(tmp_path_factory.mktemp("tiny-llama")))


@pytest.fixture(autouse=True)
def one_torch_thread():
    """Run the tiny model on one thread: its ops are too small to gain from more, and the
    test machine's cores are shared (threads fighting over them slow everything down)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def hf_asked(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Record ``(model, prompt)`` of every request the in-process ``hf`` backend generates."""
    from textsynth.lm.backends.hf import HfBackend

    asked: list[tuple[str, str]] = []
    real = HfBackend._generate

    def spy(self, requests, params, on_result):  # type: ignore[no-untyped-def]
        asked.extend((self.model, r.prompt) for r in requests)
        return real(self, requests, params, on_result)

    monkeypatch.setattr(HfBackend, "_generate", spy)
    return asked


class FixedProbs:
    """A fitted-classifier stand-in: ``predict_proba`` returns the row given per text."""

    labels = ["GetWeather", "PlayMusic", "BookRestaurant"]

    def __init__(self, rows: dict[str, list[float]]) -> None:
        self.rows = rows

    def predict_proba(self, texts: list[str]) -> Any:
        import numpy as np

        return np.array([self.rows[t] for t in texts])
