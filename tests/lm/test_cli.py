"""``textsynth lm finetune`` and ``textsynth lm sample`` in-process with the tiny model."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from textsynth.cli import cli
from textsynth.io import write_utterances_jsonl


def invoke(args):
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def test_finetune_then_sample(tiny_model, seeds, tmp_path):
    seeds_path = tmp_path / "seeds.jsonl"
    write_utterances_jsonl(seeds, seeds_path)
    run = tmp_path / "run"
    r = invoke(
        [
            "lm",
            "finetune",
            "--seeds",
            str(seeds_path),
            "--out",
            str(run),
            "--base-model",
            tiny_model,
            "--full",
            "--epochs",
            "2",
            "--lr",
            "3e-3",
            "--no-scrub",
        ]
    )
    assert r.exit_code == 0, r.output
    assert "fine-tuned" in r.output and (run / "model").exists()
    out = tmp_path / "gen.jsonl"
    summary = tmp_path / "summary.json"
    r = invoke(
        [
            "lm",
            "sample",
            "--model",
            str(run),
            "--per-intent",
            "2",
            "--intents",
            "PlayMusic,GetWeather",
            "--tau",
            "0",
            "--slot-unmarked",
            "reject",
            "--value-plans",
            "0",  # the untrained tiny model follows no plan
            "--max-new-tokens",
            "12",
            "-o",
            str(out),
            "--summary",
            str(summary),
        ]
    )
    assert r.exit_code == 0, r.output
    s = json.loads(summary.read_text())
    assert s["generated"] == 2 * 3 and set(s["kept_by_intent"]) == {"PlayMusic", "GetWeather"}
    assert "slot-unmarked" in s["filters"] and "slot-unmarked" not in s["disabled"]
    lines = out.read_text().splitlines()
    assert len(lines) == s["kept"]
    assert f"wrote {s['kept']} utterances" in r.output


def test_prompt_mode_needs_seeds_and_finetuned_mode_needs_a_model(tmp_path):
    r = CliRunner().invoke(cli, ["lm", "sample", "--mode", "prompt", "-o", str(tmp_path / "x")])
    assert r.exit_code == 2 and "--seeds" in r.output
    r = CliRunner().invoke(cli, ["lm", "sample", "-o", str(tmp_path / "x")])
    assert r.exit_code == 2 and "--model" in r.output


def test_bad_option_values_exit_2(tmp_path, capsys):
    from textsynth.cli import main

    code = main(["lm", "sample", "--model", str(tmp_path), "--temperature", "0", "-o", "x.jsonl"])
    assert code == 2
    assert "temperature=0.0 must be > 0" in capsys.readouterr().err


def test_slot_unmarked_takes_only_its_modes(tmp_path):
    r = CliRunner().invoke(
        cli, ["lm", "sample", "--model", str(tmp_path), "--slot-unmarked", "fix", "-o", "x.jsonl"]
    )
    assert r.exit_code == 2 and "'fix' is not one of 'off', 'reject', 'mark'" in r.output


@pytest.fixture
def seen(monkeypatch):
    """Capture the SampleConfig `lm sample --mode prompt` builds (no model runs)."""
    import textsynth.lm
    from textsynth.lm.filters import FilterSummary

    got = {}

    def fake(seeds, config, **kw):
        got["config"] = config
        return [], FilterSummary()

    monkeypatch.setattr(textsynth.lm, "prompt_sample", fake)
    return got


def test_every_sampling_option_reaches_its_config_field(tiny_model, seeds, tmp_path, seen):
    """Each `lm sample` option that is a SampleConfig field sets that field, and no other."""
    from textsynth.cli.lm import _SAMPLE_FIELDS
    from textsynth.lm.config import SampleConfig

    seeds_path = tmp_path / "seeds.jsonl"
    write_utterances_jsonl(seeds, seeds_path)
    given = {
        "per_intent": "7",
        "temperature": "0.5",
        "top_p": "0.8",
        "max_new_tokens": "17",
        "batch_size": "5",
        "oversample": "2.5",
        "select": "diverse",
        "pool": "2",
        "fidelity_threshold": "0.25",
        "near_copy_threshold": "0.6",
        "slot_unmarked": "mark",
        "slot_context": "False",
        "value_plans": "0.5",
        "propose_values": "6",
        "shots": "3",
        "dtype": "float32",
        "device": "cpu",
        "seed": "9",
    }
    # focus=intents switches value plans and slot checks off: its own test below
    assert set(given) | {"focus"} == {name for name, _flag in _SAMPLE_FIELDS}
    args = ["lm", "sample", "--mode", "prompt", "--seeds", str(seeds_path)]
    args += ["--base-model", tiny_model, "-o", str(tmp_path / "out.jsonl"), "--no-cache"]
    for name, flag in _SAMPLE_FIELDS:
        if name == "focus":
            continue
        if "/" in flag:  # a switch: --name / --no-name
            on, off = flag.split("/")
            args.append(on if given[name] == "True" else off)
        else:
            args += [flag, given[name]]
    r = invoke(args)
    assert r.exit_code == 0, r.output
    config = seen["config"]
    default = SampleConfig()
    for name, value in given.items():
        got = getattr(config, name)
        assert str(got) == value or got == type(got)(value), name
        assert got != getattr(default, name), f"{name}: the test value must differ from the default"


def test_focus_intents_reaches_the_config_and_a_clash_is_a_clear_error(
    tiny_model, seeds, tmp_path, seen, capsys
):
    from textsynth.cli import main

    seeds_path = tmp_path / "seeds.jsonl"
    write_utterances_jsonl(seeds, seeds_path)
    args = ["lm", "sample", "--mode", "prompt", "--seeds", str(seeds_path)]
    args += ["--base-model", tiny_model, "-o", str(tmp_path / "out.jsonl"), "--no-cache"]
    r = invoke([*args, "--focus", "intents"])
    assert r.exit_code == 0, r.output
    assert seen["config"].focus == "intents" and not seen["config"].slot_verify
    assert main([*args, "--focus", "intents", "--value-plans", "0.5"]) != 0
    err = capsys.readouterr().err
    assert "asks for value plans" in err and "Traceback" not in err
