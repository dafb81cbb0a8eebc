"""``lm sample --engine ray`` with the tiny random LM: intents sharded over actors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.lm.conftest import build_tiny_model, make_seeds
from textsynth.cli import main
from textsynth.engine.ray_lm import merge_summaries, shard
from textsynth.io import write_utterances_jsonl


def test_intents_are_dealt_round_robin_into_non_empty_shards() -> None:
    assert shard(["a", "b", "c", "d", "e"], 2) == [["a", "c", "e"], ["b", "d"]]
    assert shard(["a"], 4) == [["a"]]
    parts = [
        {"generated": 3, "filters": {"markup": {"seen": 3, "rejected": 1}}, "passed_all": 2,
         "surplus_dropped": 0, "kept": 2, "kept_by_intent": {"b": 2}, "disabled": ["x"]},
        {"generated": 4, "filters": {"markup": {"seen": 4, "rejected": 0}}, "passed_all": 4,
         "surplus_dropped": 1, "kept": 3, "kept_by_intent": {"a": 3}, "disabled": []},
    ]  # fmt: skip
    total = merge_summaries(parts, ["a", "b"])
    assert (total.generated, total.kept, total.surplus) == (7, 5, 1)
    assert total.seen == {"markup": 7} and total.rejected == {"markup": 1}
    assert list(total.kept_by_intent.items()) == [("a", 3), ("b", 2)]


@pytest.mark.slow
def test_prompt_sampling_on_ray_shards_intents_and_matches_one_actor(
    ray_cluster, tmp_path: Path
) -> None:
    model = build_tiny_model(tmp_path / "tiny")
    seeds = tmp_path / "seeds.jsonl"
    write_utterances_jsonl(make_seeds(), seeds)
    base = ["lm", "sample", "--mode", "prompt", "--seeds", str(seeds), "--base-model", str(model)]
    base += ["--per-intent", "2", "--tau", "0", "--max-new-tokens", "12", "--seed", "3"]
    out, summary = tmp_path / "ray.jsonl", tmp_path / "ray.json"
    rc = main(base + ["--engine", "ray", "-o", str(out), "--summary", str(summary)])
    assert rc == 0
    s = json.loads(summary.read_text())
    intents = sorted({u.intent for u in make_seeds()})
    assert list(s["kept_by_intent"]) == intents  # every intent, in order, from both actors
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == s["kept"] and s["generated"] >= 2 * len(intents)
    order = [d["intent"] for d in lines]
    assert order == sorted(order, key=intents.index)  # grouped in intent order
    # a shard is sampled as in-process: the in-process run of the first shard's intents agrees
    first = ",".join(shard(intents, 2)[0])
    local = tmp_path / "local.jsonl"
    assert main(base + ["--intents", first, "-o", str(local)]) == 0
    want = [json.loads(x) for x in local.read_text().splitlines()]
    got = [d for d in lines if d["intent"] in first.split(",")]
    assert [d["text"] for d in got] == [d["text"] for d in want]
