"""``evaluate --engine ray``: per-utterance work on actors, the same report as in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from textsynth.cli import main

pytestmark = pytest.mark.slow

GRAMMAR = Path(__file__).resolve().parents[2] / "grammars" / "bench" / "bench.chatette"


def _generate(n: int, seed: int, out: Path) -> None:
    args = ["grammar", "generate", str(GRAMMAR), "--n", str(n), "--seed", str(seed), "-o", str(out)]
    assert main(args + ["--dedupe", "none"]) == 0


def test_ray_report_equals_the_in_process_report(ray_cluster, tmp_path: Path) -> None:
    syn, seeds = tmp_path / "syn.jsonl", tmp_path / "seeds.jsonl"
    _generate(30_000, 1, syn)
    _generate(2_000, 2, seeds)
    with open(syn, "a", encoding="utf-8") as fh:  # one bad record: counted, not fatal
        fh.write('{"text": "hi", "intent": "x", "spans": [{"start": 0, "end": 9, "slot": "a"}]}\n')
    reports = {}
    for engine in ("local", "ray"):
        out = tmp_path / engine
        args = ["evaluate", "-s", str(syn), "--seeds", str(seeds), "-o", str(out)]
        assert main(args + ["--no-embeddings", "--no-html", "--engine", engine]) == 0
        reports[engine] = json.loads((out / "metrics.json").read_text())
    local, ray = reports["local"], reports["ray"]
    assert ray["metrics"] == local["metrics"]
    assert ray["skipped"] == local["skipped"]
    assert (
        ray["summary"]["sizes"]
        == local["summary"]["sizes"]
        == {"synthetic": 30_000, "seeds": 2_000}
    )
    assert ray["summary"]["rejected_records"] == local["summary"]["rejected_records"] == 1
    assert ray["summary"]["intents"] == local["summary"]["intents"]
