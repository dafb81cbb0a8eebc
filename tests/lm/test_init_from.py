"""Warm starts: a LoRA run that begins from another run's adapter (a pre-trained generator)."""

from __future__ import annotations

import json

import pytest

from textsynth.errors import ConfigError, InputError
from textsynth.lm import FinetuneConfig, finetune


def lora_b(run) -> dict:
    """Return the run's LoRA B matrices (zero in a fresh adapter), by parameter name."""
    from safetensors.torch import load_file

    weights = load_file(str(run / "adapter" / "adapter_model.safetensors"))
    return {k: v for k, v in weights.items() if "lora_B" in k}


@pytest.fixture(scope="module")
def pretrained(tiny_model, tmp_path_factory):
    from .conftest import make_seeds

    out = tmp_path_factory.mktemp("pre") / "run"
    finetune(make_seeds(), out, FinetuneConfig(base_model=tiny_model, epochs=3, batch_size=6))
    return out


def test_a_run_goes_on_from_the_adapter_it_is_given(tiny_model, seeds, tmp_path, pretrained):
    # a learning rate too small to move the weights shows where training started
    still = {"base_model": tiny_model, "epochs": 1, "batch_size": 6, "learning_rate": 1e-12}
    warm = tmp_path / "warm"
    finetune(seeds, warm, FinetuneConfig(init_from=str(pretrained), **still))
    cold = tmp_path / "cold"
    finetune(seeds, cold, FinetuneConfig(**still))
    start, after_warm, after_cold = lora_b(pretrained), lora_b(warm), lora_b(cold)
    assert start and set(after_warm) == set(start)
    assert all(float(v.abs().max()) > 0 for v in start.values())  # trained: B left zero
    assert all(float((after_warm[k] - start[k]).abs().max()) < 1e-6 for k in start)
    assert all(float(v.abs().max()) < 1e-6 for v in after_cold.values())  # fresh: B is zero
    saved = json.loads((warm / "config.json").read_text())["finetune"]
    assert saved["init_from"] == str(pretrained)  # provenance of the start


def test_a_warm_run_trains_and_samples(tiny_model, seeds, tmp_path, pretrained):
    from textsynth.lm import SampleConfig, sample

    info = finetune(
        seeds,
        tmp_path / "run",
        FinetuneConfig(base_model=tiny_model, epochs=2, batch_size=6, init_from=str(pretrained)),
    )
    assert info.steps == 6 and info.losses[-1] < 20
    utts, summary = sample(
        tmp_path / "run",
        SampleConfig(
            per_intent=1, fidelity_threshold=0, max_rounds=1, slot_verify=False,
            fluency_percentile=0, max_new_tokens=8,
        ),
    )  # fmt: skip
    assert summary.generated > 0 and len(utts) == summary.kept


def test_what_cannot_be_continued_is_refused_with_the_reason(tiny_model, seeds, tmp_path):
    nowhere = FinetuneConfig(base_model=tiny_model, init_from=str(tmp_path))
    with pytest.raises(InputError, match="init_from .* is not a fine-tuning run"):
        finetune(seeds, tmp_path / "a", nowhere)
    full = tmp_path / "full"
    finetune(seeds, full, FinetuneConfig(base_model=tiny_model, method="full", epochs=1))
    with pytest.raises(InputError, match="not a LoRA run"):
        finetune(seeds, tmp_path / "b", FinetuneConfig(base_model=tiny_model, init_from=str(full)))
    with pytest.raises(ConfigError, match="needs method='lora'"):
        finetune(
            seeds,
            tmp_path / "c",
            FinetuneConfig(base_model=tiny_model, method="full", init_from=str(full)),
        )


def test_a_run_of_another_base_model_is_refused(tiny_model, seeds, tmp_path, pretrained):
    cfg = json.loads((pretrained / "config.json").read_text())
    cfg["run"]["base_model"] = "embedded:smollm2-135m"
    other = tmp_path / "other"
    other.mkdir()
    (other / "adapter").mkdir()
    (other / "config.json").write_text(json.dumps(cfg))
    (other / "seeds.jsonl").write_text((pretrained / "seeds.jsonl").read_text())
    with pytest.raises(ConfigError, match="was trained on 'embedded:smollm2-135m'"):
        finetune(seeds, tmp_path / "d", FinetuneConfig(base_model=tiny_model, init_from=str(other)))


def test_the_command_line_continues_a_run_or_says_why_not(
    tiny_model, seeds, tmp_path, pretrained, capsys
):
    from textsynth.cli import main
    from textsynth.io import write_utterances_jsonl

    seeds_path = tmp_path / "seeds.jsonl"
    write_utterances_jsonl(seeds, seeds_path)
    args = ["lm", "finetune", "--seeds", str(seeds_path), "--base-model", tiny_model]
    args += ["--epochs", "1", "--no-scrub"]
    assert main([*args, "--out", str(tmp_path / "ok"), "--init-from", str(pretrained)]) == 0
    saved = json.loads((tmp_path / "ok" / "config.json").read_text())["finetune"]
    assert saved["init_from"] == str(pretrained)
    capsys.readouterr()
    code = main([*args, "--out", str(tmp_path / "no"), "--init-from", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and f"init_from {tmp_path} is not a fine-tuning run" in err, err
    assert "--init-from" in err and "Traceback" not in err


def test_a_broken_config_json_is_a_located_error_for_init_from_and_for_sampling(
    tiny_model, seeds, tmp_path
):
    from textsynth.lm.sample import read_run

    run = tmp_path / "broken"
    (run / "adapter").mkdir(parents=True)
    (run / "config.json").write_text('{"finetune": {"method": "lora"', encoding="utf-8")
    with pytest.raises(InputError, match=r"broken.config\.json is not valid JSON") as warm:
        finetune(seeds, tmp_path / "w", FinetuneConfig(base_model=tiny_model, init_from=str(run)))
    with pytest.raises(InputError, match=r"broken.config\.json is not valid JSON") as cold:
        read_run(run)
    for exc in (warm.value, cold.value):
        assert "rebuild that run" in exc.format()
