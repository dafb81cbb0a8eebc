"""``focus='intents'``: free text for intent classifiers, without value plans or slot checks."""

from __future__ import annotations

import dataclasses
import logging

import pytest

from textsynth import pipeline
from textsynth.errors import ConfigError
from textsynth.lm import FinetuneConfig, SampleConfig, finetune, sample
from textsynth.lm.chain import build_filters

from .conftest import make_seeds

SLOT_FILTERS = {"value-plan", "typed-value", "slot-rules", "slot-verify", "slot-unmarked"}


def test_intents_focus_turns_off_plans_and_every_slot_check():
    cfg = SampleConfig(focus="intents", slot_verify=True, slot_context=True, propose_values=5)
    assert cfg.value_plans == 0.0 and cfg.propose_values == 0
    assert not (cfg.slot_rules or cfg.slot_verify or cfg.typed_values or cfg.slot_context)
    assert cfg.slot_unmarked == "off"
    # the label-fidelity, copy and junk checks stay
    assert cfg.fidelity_threshold == 0.5 and cfg.repeated_words
    again = dataclasses.replace(cfg, temperature=0.7)  # replace() checks it again
    assert again.focus == "intents" and again.value_plans == 0.0
    slots = SampleConfig()
    assert slots.focus == "slots" and slots.slot_verify and slots.value_plans is None


def test_intents_focus_builds_a_chain_without_slot_filters(seeds):
    names = [f.name for f in build_filters(seeds, SampleConfig(
        focus="intents", fidelity_features="tfidf", fluency_percentile=0
    ))[0]]  # fmt: skip
    assert "label-fidelity" in names and "repeated-words" in names
    assert not SLOT_FILTERS & set(names) and "slot-context" not in names
    slot_names = [f.name for f in build_filters(seeds, SampleConfig(
        fidelity_features="tfidf", fluency_percentile=0, slot_verify=False, value_plans=1.0
    ))[0]]  # fmt: skip
    assert {"value-plan", "slot-rules"} <= set(slot_names)


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"focus": "intent"}, "focus='intent'; use 'slots' or 'intents'"),
        ({"focus": "intents", "value_plans": 0.5}, "asks for value plans"),
    ],
)
def test_bad_focus_settings_are_refused(kw, match):
    with pytest.raises(ConfigError, match=match):
        SampleConfig(**kw)


def test_intents_focus_marks_provenance_and_warns_of_a_run_trained_with_plans(
    tiny_model, tmp_path, caplog
):
    base = {"base_model": tiny_model, "method": "full", "learning_rate": 3e-3, "epochs": 8}
    cfg = SampleConfig(
        focus="intents", per_intent=3, fidelity_features="tfidf", max_new_tokens=24,
        max_rounds=2, fluency_percentile=0,
    )  # fmt: skip
    free = tmp_path / "free"
    finetune(make_seeds(), free, FinetuneConfig(value_plans=False, **base))
    with caplog.at_level(logging.WARNING, logger="textsynth.lm.sample"):
        utts, summary = sample(free, cfg)
    assert "fine-tuned with them" not in caplog.text
    assert not SLOT_FILTERS & set(summary.seen)
    assert utts and all(u.meta["focus"] == "intents (slot spans unchecked)" for u in utts)
    assert summary.seen["markup"] == summary.generated  # the model's markup is still parsed
    planned = tmp_path / "planned"
    finetune(make_seeds(), planned, FinetuneConfig(value_plans=True, **base))
    with caplog.at_level(logging.WARNING, logger="textsynth.lm.sample"):
        sample(planned, dataclasses.replace(cfg, per_intent=1, max_rounds=1))
    assert "fine-tuned with them" in caplog.text and "--no-value-plans" in caplog.text
    # the default focus records nothing
    slots = SampleConfig(**{**dataclasses.asdict(cfg), "focus": "slots", "slot_verify": False})
    kept, _ = sample(planned, slots)
    assert kept and all("focus" not in u.meta for u in kept)
    assert any(u.spans for u in kept)  # spans are written with the default focus


def test_the_pipeline_fine_tunes_without_plans_for_intents(tmp_path):
    (tmp_path / "p.yaml").write_text(
        "name: t\nseeds: {path: s.jsonl}\nlm:\n  sample: {focus: intents}\n"
    )
    cfg = pipeline.load(tmp_path / "p.yaml")
    assert cfg.lm.sample.focus == "intents" and cfg.lm.finetune.value_plans is False
    (tmp_path / "q.yaml").write_text("name: t\nseeds: {path: s.jsonl}\n")
    assert pipeline.load(tmp_path / "q.yaml").lm.finetune.value_plans is True
