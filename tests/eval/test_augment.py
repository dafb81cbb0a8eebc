"""The augmentation benchmark's bookkeeping: the real-data reference and per-condition resume."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import pytest

from textsynth.types import Utterance

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "eval"))
augment = pytest.importorskip("augment")
baselines = pytest.importorskip("baselines")


def _train() -> list[Utterance]:
    return [Utterance(f"{intent} utterance number {i}", intent)
            for intent in ("book", "play", "rate") for i in range(40)]


def test_held_out_is_real_data_never_a_seed():
    train = _train()
    seeds = augment.draw_seeds(train, 5, seed=1)
    extra = baselines.held_out(train, seeds, 7, seed=2)
    assert Counter(u.intent for u in extra) == {"book": 7, "play": 7, "rate": 7}
    seed_texts = {u.text for u in seeds}
    assert not seed_texts & {u.text for u in extra}
    assert {u.text for u in extra} <= {u.text for u in train}
    assert len({u.text for u in extra}) == len(extra)
    assert baselines.held_out(train, seeds, 7, seed=2) == extra  # seeded


def test_held_out_gives_what_there_is_when_an_intent_runs_short():
    train = _train()[:12]  # 12 "book" utterances
    seeds = augment.draw_seeds(train, 5, seed=1)
    assert len(baselines.held_out(train, seeds, 20, seed=0)) == 7


def test_resume_runs_only_missing_conditions(monkeypatch):
    train = _train()
    calls: list[str] = []

    def fake_synth(cond, seeds, k, seed, workdir, stats, epochs=4, train=None):
        calls.append(cond)
        return [] if cond == "seed" else baselines.upsample(seeds, k, seed)

    def fake_score(tr, test, features, embedder, seed):
        return {"accuracy": 0.5 + 0.01 * len(tr) / len(test), "macro_f1": 0.5}

    class Oracle:
        def predict(self, texts):
            return ["book"] * len(texts)

    monkeypatch.setattr(augment, "synthesise", fake_synth)
    monkeypatch.setattr(augment, "score", fake_score)
    state = {"train": train, "test": train[:30], "oracle": Oracle(),
             "res": {"intents": 3, "test": 30, "draws": []}}
    args = argparse.Namespace(shots=5, per_intent=4, epochs=4, conditions=["seed", "upsample"])
    augment.run_draw("toy", state, 0, args, embedder=None)
    assert calls == ["seed", "upsample"]
    before = dict(state["res"]["draws"][0]["conditions"])

    calls.clear()
    args.conditions = ["seed", "upsample", "real"]
    augment.run_draw("toy", state, 0, args, embedder=None)
    assert calls == ["real"]
    draw = state["res"]["draws"][0]["conditions"]
    assert len(state["res"]["draws"]) == 1
    assert draw["seed"] == before["seed"] and draw["upsample"] == before["upsample"]
    assert set(state["res"]["summary"]) == {"seed", "upsample", "real"}


def test_summary_leaves_out_a_condition_not_in_every_draw():
    row = {"added": 0, "quality": {}, "tfidf": {"accuracy": 0.9, "macro_f1": 0.9},
           "embeddings": {"accuracy": 0.8, "macro_f1": 0.8}}
    res = {"draws": [{"conditions": {"seed": row, "real": row}}, {"conditions": {"seed": row}}]}
    args = argparse.Namespace(conditions=["seed", "real"])
    summary = augment.summarise(res, args)
    assert set(summary) == {"seed"}
    assert summary["seed"]["tfidf"]["gain_points"]["mean"] == 0.0
