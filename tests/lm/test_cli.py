"""``textsynth lm finetune`` and ``textsynth lm sample`` in-process with the tiny model."""

from __future__ import annotations

import json

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
