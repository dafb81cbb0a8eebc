"""``lm sample``/``lm finetune`` refuse bad options before any model loads, stream kept
utterances to a partial file, resume after an interrupt, and show progress (issue 19: 8-10, 16).
"""

from __future__ import annotations

import json

import pytest

from textsynth.cli import main
from textsynth.io import read_utterances, write_utterances_jsonl


@pytest.fixture
def no_model_load(monkeypatch):
    """Any model load fails the test: the checks must come first."""

    def boom(*a, **k):
        raise AssertionError("a model was loaded before the options were checked")

    import textsynth.lm.models as models

    monkeypatch.setattr(models, "load_causal_lm", boom)
    monkeypatch.setattr(models, "resolve_base_model", boom)


def _torch_has_cuda() -> bool:
    import torch

    return torch.cuda.is_available()


# (args after the seeds/run, exit code, message fragment, files that must not exist)
CASES = [
    (["lm", "sample", "--mode", "prompt", "-o", "{tmp}/out.badext"], 2,
     "cannot tell the format of", ["out.badext"]),
    (["lm", "sample", "--mode", "prompt", "-o", "{tmp}/out.jsonl", "--format", "yamlish"], 2,
     "unknown format 'yamlish'", ["out.jsonl"]),
    (["lm", "sample", "--mode", "prompt", "-o", "{tmp}"], 2, "is a directory", []),
    (["lm", "sample", "--mode", "prompt", "-o", "{tmp}/seeds.jsonl/x.jsonl"], 2,
     "is not a directory", []),
    (["lm", "sample", "--mode", "prompt", "-o", "{tmp}/o.jsonl", "--summary", "{tmp}/o.jsonl"],
     2, "are the same file", ["o.jsonl"]),
    (["lm", "sample", "--mode", "prompt", "--base-model", "/nonexistent", "-o", "{tmp}/o.jsonl"],
     2, "base model path '/nonexistent' does not exist", ["o.jsonl", "o.jsonl.partial.jsonl"]),
    (["lm", "sample", "--mode", "prompt", "--base-model", "./no/such/model", "-o",
      "{tmp}/o.jsonl"], 2, "does not exist", []),
    (["lm", "sample", "--mode", "prompt", "--backend", "nope", "-o", "{tmp}/o.jsonl"], 2,
     "unknown backend 'nope'", []),
    (["lm", "sample", "--mode", "prompt", "--backend", "openai", "-o", "{tmp}/o.jsonl"], 2,
     "needs --base-model", []),
    (["lm", "sample", "--mode", "prompt", "--judge", "openai", "-o", "{tmp}/o.jsonl"], 2,
     "is not BACKEND/MODEL", []),
    (["lm", "finetune", "--out", "{tmp}/run", "--lora-r", "0"], 2, "lora_r=0 must be at least 1",
     ["run"]),
    (["lm", "finetune", "--out", "{tmp}/run", "--base-model", "/nonexistent"], 2,
     "does not exist", ["run"]),
]  # fmt: skip


@pytest.mark.parametrize("args,code,fragment,absent", CASES)
def test_checked_before_any_model_loads(
    args, code, fragment, absent, seeds, tmp_path, capsys, no_model_load
):
    seeds_path = tmp_path / "seeds.jsonl"
    write_utterances_jsonl(seeds, seeds_path)
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args] + ["--seeds", str(seeds_path)]
    rc = main(argv)
    err = capsys.readouterr().err
    assert rc == code, err
    assert fragment in err and "Traceback" not in err and "internal error" not in err
    for name in absent:
        assert not (tmp_path / name).exists()


@pytest.mark.skipif(_torch_has_cuda(), reason="this machine has a GPU")
@pytest.mark.parametrize("cmd", ["sample", "finetune"])
def test_device_cuda_without_gpu_is_an_error(cmd, seeds, tmp_path, capsys, no_model_load):
    seeds_path = tmp_path / "seeds.jsonl"
    write_utterances_jsonl(seeds, seeds_path)
    extra = (
        ["--mode", "prompt", "-o", str(tmp_path / "o.jsonl")]
        if cmd == "sample"
        else ["--out", str(tmp_path / "run")]
    )
    rc = main(["lm", cmd, "--seeds", str(seeds_path), "--device", "cuda", *extra])
    err = capsys.readouterr().err
    assert rc == 2 and "no CUDA GPU" in err


def _sample_argv(seeds_path, tiny_model, out):
    return [
        "lm", "sample", "--mode", "prompt", "--seeds", str(seeds_path), "--base-model",
        tiny_model, "--per-intent", "3", "--tau", "0", "--near-copy", "1.0",
        "--max-new-tokens", "8", "--shots", "2", "--oversample", "1.0", "-o", str(out),
    ]  # fmt: skip


def test_interrupt_keeps_kept_utterances_and_rerun_resumes(
    seeds, tiny_model, tmp_path, capsys, monkeypatch
):
    """An interrupt after the first round leaves OUTPUT.partial.jsonl with what was kept; the
    rerun asks the model only for requests that had not finished and writes the same output
    as a run that was never interrupted."""
    from textsynth.lm.backends.hf import HfBackend

    # free decoding: with constrained markup the tiny model may fill every quota in one round,
    # and this test needs a second round to interrupt
    monkeypatch.setattr("textsynth.lm.constrain.build_constraint", lambda *a, **k: None)
    seeds_path = tmp_path / "seeds.jsonl"
    write_utterances_jsonl(seeds, seeds_path)
    clean = tmp_path / "clean.jsonl"
    assert main(_sample_argv(seeds_path, tiny_model, clean)) == 0
    capsys.readouterr()

    real = HfBackend._generate
    asked: list[int] = []
    state = {"calls": 0, "interrupt": True}

    def counting(self, requests, params, on_result):
        state["calls"] += 1
        if state["interrupt"] and state["calls"] == 2:
            raise KeyboardInterrupt
        asked.extend(r.seed for r in requests)
        return real(self, requests, params, on_result)

    monkeypatch.setattr(HfBackend, "_generate", counting)
    out = tmp_path / "gen.jsonl"
    rc = main(_sample_argv(seeds_path, tiny_model, out))
    err = capsys.readouterr().err
    assert rc == 130 and "resume" in err
    partial = tmp_path / "gen.jsonl.partial.jsonl"
    kept_first = list(read_utterances(partial))
    assert not out.exists()
    first_asked = list(asked)
    # the seeded tiny model keeps some in round 0; without them the resume shows nothing
    assert kept_first, "nothing kept before the interrupt: the resume check would be vacuous"
    asked.clear()
    state.update(calls=0, interrupt=False)
    assert main(_sample_argv(seeds_path, tiny_model, out)) == 0
    assert not set(asked) & set(first_asked)  # no finished request asked again
    assert out.read_text() == clean.read_text()
    assert not partial.exists() and not (tmp_path / "gen.jsonl.requests.sqlite").exists()


def test_non_tty_progress_lines(seeds, tiny_model, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TEXTSYNTH_PROGRESS_INTERVAL", "0")
    monkeypatch.delenv("TEXTSYNTH_PROGRESS", raising=False)
    seeds_path = tmp_path / "seeds.jsonl"
    write_utterances_jsonl(seeds, seeds_path)
    assert main(_sample_argv(seeds_path, tiny_model, tmp_path / "o.jsonl")) == 0
    err = capsys.readouterr().err
    assert "kept: " in err and "/9 utt" in err and "GetWeather" in err
    assert "requests: " in err and "failed 0" in err
    run = tmp_path / "run"
    argv = [
        "lm", "finetune", "--seeds", str(seeds_path), "--out", str(run), "--base-model",
        tiny_model, "--full", "--epochs", "1", "--no-scrub",
    ]  # fmt: skip
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "fine-tuning: " in err and " step" in err and "loss" in err
    json.loads((run / "config.json").read_text())


def test_finetuned_mode_with_a_remote_backend_loads_no_model(
    seeds, tiny_model, tmp_path, monkeypatch
):
    """--mode finetuned with a server backend: the run's prompts go to the server (which serves
    the adapter); the run's weights are never loaded here."""
    import dataclasses

    from textsynth.lm import FinetuneConfig, SampleConfig, finetune
    from textsynth.lm import sample as run_sample
    from textsynth.lm.backends import Backend, Completion
    from textsynth.lm.sample import RunOptions

    run = tmp_path / "run"
    finetune(seeds, run, FinetuneConfig(base_model=tiny_model, method="full", epochs=1))

    @dataclasses.dataclass
    class Served(Backend):
        name = "served"
        prompts: list = dataclasses.field(default_factory=list)

        def _generate(self, requests, params, on_result):
            out = []
            for i, r in enumerate(requests):
                self.prompts.append(r.prompt)
                c = Completion(f"weather in [Oslo {r.seed % 1000}](city)", 5)
                out.append(c)
                on_result(i, c)
            return out

    import importlib

    sample_mod = importlib.import_module("textsynth.lm.sample")

    def boom(*a, **k):
        raise AssertionError("the run's model was loaded")

    monkeypatch.setattr(sample_mod, "load_run", boom)
    b = Served(model="textsynth-adapter")
    utts, summary = run_sample(
        run,
        SampleConfig(per_intent=2, fidelity_threshold=0, value_plans=0),  # a fake: no plan
        intents=["GetWeather"],
        options=RunOptions(backend=b),
    )
    assert len(utts) == 2 and all(u.meta["backend"]["backend"] == "served" for u in utts)
    assert b.prompts and all(
        p.startswith("intent: GetWeather | slots: city, date") for p in b.prompts
    )
