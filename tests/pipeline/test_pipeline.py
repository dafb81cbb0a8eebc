"""The declarative pipeline: config validation, stage outputs, resume after a kill."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from textsynth import pipeline
from textsynth.errors import InputError
from textsynth.io import read_utterances

GRAMMAR = """\
%[check_balance]
    ~[greet?] what is my @[account] balance ~[please?]
    ~[greet?] how much is in my @[account] account

%[transfer]
    ~[greet?] send @[amount] to @[account] ~[please?]

~[greet]
    hi
    hello

~[please]
    please
    thanks

@[account]
    checking
    savings
    current = checking

@[amount]
    10 euros
    20 dollars
"""

SEEDS = [
    {
        "text": "what's in my savings, I am Anna Smith, anna.smith@example.com",
        "intent": "check_balance",
        "entities": [{"start": 13, "end": 20, "label": "account", "value": "savings"}],
    },
    {
        "text": "send 5 euros to checking",
        "intent": "transfer",
        "entities": [{"start": 5, "end": 12, "label": "amount", "value": "5 euros"}],
    },
]


def _write_example(tmp_path: Path, n: int, extra: str = "") -> Path:
    (tmp_path / "g.chatette").write_text(GRAMMAR)
    (tmp_path / "seeds.jsonl").write_text("".join(json.dumps(s) + "\n" for s in SEEDS))
    cfg = tmp_path / "pipeline.yaml"
    cfg.write_text(f"""\
name: t
seed: 3
seeds: {{path: seeds.jsonl}}
scrub: {{ner: none}}
grammar: {{path: g.chatette, n: {n}, dedupe: casefold}}
lm: {{mode: off}}
evaluate: {{enabled: false}}
export: {{formats: [jsonl, rasa-yaml]}}
{extra}""")
    return cfg


def test_pipeline_runs_stages_and_exports(tmp_path):
    cfg = pipeline.load(_write_example(tmp_path, n=0))
    results = pipeline.run(cfg, tmp_path / "run")
    assert [r.name for r in results] == ["seeds", "grammar", "merge", "export"]
    seeds = list(read_utterances(results[0].path / "seeds.jsonl"))
    assert "anna.smith@example.com" not in seeds[0].text  # scrubbed before anything else
    for u in seeds:
        for s in u.spans:
            assert u.text[s.start : s.end]  # spans still aligned
    grammar = list(read_utterances(results[1].path / "grammar.jsonl"))
    assert len({u.text for u in grammar}) == len(grammar) > 10
    assert (results[3].path / "train.yml").read_text().startswith('version: "3.1"')


def test_second_run_skips_finished_stages(tmp_path):
    cfg = pipeline.load(_write_example(tmp_path, n=0))
    pipeline.run(cfg, tmp_path / "run")
    again = pipeline.run(cfg, tmp_path / "run")
    assert all(r.skipped for r in again)


def test_changed_config_redoes_the_stage_and_its_downstream(tmp_path):
    pipeline.run(pipeline.load(_write_example(tmp_path, n=0)), tmp_path / "run")
    (tmp_path / "seeds.jsonl").write_text(json.dumps(SEEDS[1]) + "\n")
    results = pipeline.run(pipeline.load(tmp_path / "pipeline.yaml"), tmp_path / "run")
    assert {r.name: r.skipped for r in results} == {
        "seeds": False,
        "grammar": True,
        "merge": False,
        "export": False,
    }


def test_merge_weighs_the_seeds_as_much_as_the_added_text_and_none_turns_it_off(tmp_path):
    results = pipeline.run(pipeline.load(_write_example(tmp_path, n=0)), tmp_path / "run")
    by = {r.name: r for r in results}
    merged = list(read_utterances(by["merge"].path / "train.jsonl"))
    n_seeds = len(list(read_utterances(by["seeds"].path / "seeds.jsonl")))
    seeds, added = merged[:n_seeds], merged[n_seeds:]  # seeds first, then grammar output
    assert seeds and added
    for intent in {u.intent for u in merged}:
        mine = [u for u in seeds if u.intent == intent]
        n_added = sum(u.intent == intent for u in added)
        assert sum(u.meta["weight"] for u in mine) == pytest.approx(max(n_added, len(mine)))
    assert all(u.meta["weight"] == 1.0 for u in added)
    assert by["merge"].summary["seed_weight"]["mode"] == "balanced"

    cfg = _write_example(tmp_path, n=0, extra="merge: {seed_weight: none}")
    again = {r.name: r for r in pipeline.run(pipeline.load(cfg), tmp_path / "run")}
    assert not again["merge"].skipped and again["grammar"].skipped  # its own section only
    plain = list(read_utterances(again["merge"].path / "train.jsonl"))
    assert [u.text for u in plain] == [u.text for u in merged]
    assert all("weight" not in u.meta for u in plain)


@pytest.mark.parametrize(
    "bad, message",
    [
        ("merge: {seed_weight: double}", "'merge.seed_weight' must be one of balanced, none"),
        ("lm: {mode: sometimes}", "'lm.mode' must be one of finetune, prompt, off"),
        ("grammer: {path: x}", "unknown key 'grammer' \\(did you mean 'grammar'\\?\\)"),
        ("lm: {epochs: 3}", "unknown key 'lm.epochs' \\(did you mean 'lm.finetune.epochs'\\?\\)"),
        ("lm: {finetune: {epoch: 3}}", "unknown key 'lm.finetune.epoch' \\(did you mean 'epochs'"),
    ],
)
def test_bad_pipeline_file_is_named(tmp_path, bad, message):
    cfg = tmp_path / "p.yaml"
    cfg.write_text(f"seeds: {{path: s.jsonl}}\n{bad}\n")
    with pytest.raises(InputError, match=message) as exc:
        pipeline.load(cfg)
    assert str(cfg) in str(exc.value)


def test_yaml_syntax_error_has_line_and_column(tmp_path):
    cfg = tmp_path / "p.yaml"
    cfg.write_text("seeds:\n  path: [unclosed\n")
    with pytest.raises(InputError, match=r"p.yaml:\d+:\d+: invalid YAML"):
        pipeline.load(cfg)


def test_killed_run_resumes_without_redoing_finished_stages(tmp_path):
    """Kill `textsynth run` in the middle of the (long) grammar stage, then run it again."""
    cfg_path = _write_example(tmp_path, n=100_000)
    big = "\n".join(f"    w{i}" for i in range(400))
    # a grammar stage that takes a few seconds: 6.4e7 combinations, 100,000 asked for
    (tmp_path / "g.chatette").write_text(
        GRAMMAR + f"\n%[slow]\n    ~[a] ~[b] ~[c]\n~[a]\n{big}\n~[b]\n{big}\n~[c]\n{big}\n"
    )
    run_dir = tmp_path / "run"
    env = {**os.environ, "TEXTSYNTH_PROGRESS": "0"}
    cmd = [
        sys.executable,
        "-c",
        "import sys; from textsynth.cli import main; sys.exit(main())",
        "run",
        str(cfg_path),
        "--run-dir",
        str(run_dir),
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stages = run_dir / "stages"
    deadline = time.time() + 60
    while time.time() < deadline:  # wait until seeds is done and grammar is under way
        if (stages / "01-seeds" / "DONE.json").exists() and list(stages.glob(".02-grammar.tmp-*")):
            break
        time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("the grammar stage never started")
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert not (stages / "02-grammar").exists()  # no half-finished stage folder in place
    seeds_done = (stages / "01-seeds" / "DONE.json").read_text()

    cfg = pipeline.load(cfg_path)  # the same pipeline, run again
    results = pipeline.run(cfg, run_dir)
    assert results[0].name == "seeds" and results[0].skipped
    assert (stages / "01-seeds" / "DONE.json").read_text() == seeds_done
    assert not results[1].skipped and not list(stages.glob(".*.tmp-*"))
    out = list(read_utterances(results[1].path / "grammar.jsonl"))  # complete, parseable
    assert len(out) == 100_000 and len({u.text for u in out}) == 100_000
