"""FinetuneConfig and SampleConfig: defaults, validation, round trip."""

from __future__ import annotations

import pytest

from textsynth.errors import ConfigError
from textsynth.lm.config import AUTO_BASE_MODEL, FinetuneConfig, SampleConfig


def test_finetune_defaults_are_lora_on_the_embedded_model():
    c = FinetuneConfig()
    # 'auto': SmolLM2 for English seeds, Gemma 3 for other languages (tests/lm/test_embedded_gemma)
    assert (c.base_model, c.method) == (AUTO_BASE_MODEL, "lora")
    assert c.lr == 2e-3
    assert FinetuneConfig(method="full").lr == 5e-5
    assert FinetuneConfig(learning_rate=1e-4).lr == 1e-4


@pytest.mark.parametrize("cls", [FinetuneConfig, SampleConfig])
def test_configs_round_trip_through_dicts(cls):
    c = cls(seed=7)
    assert cls.from_dict(c.to_dict()) == c


def test_tuples_become_lists_in_dicts():
    assert isinstance(FinetuneConfig().to_dict()["lora_target_modules"], list)


def test_unknown_fields_are_named():
    with pytest.raises(ConfigError, match="unknown SampleConfig field.*bogus"):
        SampleConfig.from_dict({"bogus": 1})


# fmt: off
BAD = [
    (FinetuneConfig, {"method": "qlora"}, "method='qlora'"),
    (FinetuneConfig, {"epochs": 0}, "epochs=0"),
    (FinetuneConfig, {"dtype": "fp16"}, "dtype='fp16'"),
    (FinetuneConfig, {"learning_rate": -1.0}, "learning_rate=-1.0"),
    (SampleConfig, {"temperature": 0.0}, "temperature=0.0"),
    (SampleConfig, {"top_p": 1.5}, "top_p=1.5"),
    (SampleConfig, {"oversample": 0.5}, "oversample=0.5"),
    (SampleConfig, {"fidelity_threshold": 2.0}, "fidelity_threshold=2.0"),
    (SampleConfig, {"near_copy_threshold": 0.0}, "near_copy_threshold=0.0"),
    (SampleConfig, {"label_scope": "any"}, "label_scope='any'"),
    (SampleConfig, {"per_intent": 0}, "per_intent=0"),
]
# fmt: on


@pytest.mark.parametrize(("cls", "kwargs", "message"), BAD)
def test_bad_values_are_quoted(cls, kwargs, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        cls(**kwargs)


def test_fields_carry_help():
    assert "peft" in FinetuneConfig.help("method")
    assert "tau" in SampleConfig.help("fidelity_threshold")
