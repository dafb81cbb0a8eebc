"""The augmentation benchmark's bookkeeping: the real-data reference and per-condition resume."""

from __future__ import annotations

import argparse
import json
from collections import Counter

import pytest

from eval import augment, baselines
from eval import augment_ablation as ablation
from textsynth.types import Utterance


def _train() -> list[Utterance]:
    return [
        Utterance(f"{intent} utterance number {i}", intent)
        for intent in ("book", "play", "rate")
        for i in range(40)
    ]


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

    def fake_synth(cond, seeds, k, seed, workdir, stats, epochs=4, train=None, **kw):
        calls.append(cond)
        return [] if cond == "seed" else baselines.upsample(seeds, k, seed)

    def fake_score(tr, test, features, embedder, seed, weights=None):
        assert weights is None  # no --seed-weight: every utterance weighs 1
        return {"accuracy": 0.5 + 0.01 * len(tr) / len(test), "macro_f1": 0.5}

    class Oracle:
        def predict(self, texts):
            return ["book"] * len(texts)

    monkeypatch.setattr(augment, "synthesise", fake_synth)
    monkeypatch.setattr(augment, "score", fake_score)
    state = {
        "train": train,
        "test": train[:30],
        "oracle": Oracle(),
        "res": {"intents": 3, "test": 30, "draws": []},
    }
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


def test_seed_weight_weighs_the_seeds_in_every_condition_and_names_the_run(monkeypatch):
    train = _train()
    seen: dict[str, list[float] | None] = {}

    def fake_synth(cond, seeds, k, seed, workdir, stats, epochs=4, train=None, **kw):
        return [] if cond == "seed" else baselines.upsample(seeds, k, seed)

    def fake_score(tr, test, features, embedder, seed, weights=None):
        seen[f"{len(tr)}"] = weights
        return {"accuracy": 0.5, "macro_f1": 0.5}

    class Oracle:
        def predict(self, texts):
            return ["book"] * len(texts)

    monkeypatch.setattr(augment, "synthesise", fake_synth)
    monkeypatch.setattr(augment, "score", fake_score)
    state = {"train": train, "test": train[:30], "oracle": Oracle(), "res": {"draws": []}}
    args = argparse.Namespace(
        shots=5, per_intent=10, epochs=4, conditions=["seed", "upsample"], seed_weight="balanced"
    )
    augment.run_draw("toy", state, 0, args, embedder=None)
    seeds_only, with_added = seen["15"], seen["45"]  # 3 intents x 5 seeds; + 10 per intent
    assert seeds_only == [1.0] * 15  # nothing added: the seeds weigh 1
    assert with_added == [2.0] * 15 + [1.0] * 30  # 10 added per 5 seeds
    assert "seeds weighted (balanced)" in augment.variant({"seed_weight": "balanced"})
    assert augment.variant({}) == ""


def test_a_condition_in_fewer_draws_is_summed_over_its_own_draws_and_says_so():
    def row(acc):
        r = {"accuracy": acc, "macro_f1": acc}
        return {"added": 0, "quality": {}, "tfidf": r, "embeddings": r}

    res = {
        "intents": 2,
        "draws": [
            {"conditions": {"seed": row(0.90), "real": row(0.95)}},
            {"conditions": {"seed": row(0.70)}},
        ],
    }
    args = argparse.Namespace(conditions=["seed", "real"])
    summary = augment.summarise(res, args)
    assert summary["seed"]["draws"] == 2
    real = summary["real"]
    assert (real["draws"], real["of_draws"]) == (1, 2)
    # against seed-only of the same draw (0.90), not of both draws (0.80)
    assert abs(real["tfidf"]["gain_points"]["mean"] - 5.0) < 1e-9
    assert abs(real["tfidf"]["seed_accuracy"] - 0.90) < 1e-9
    results = {
        "datasets": {"toy": {**res, "summary": summary}},
        "conditions": ["seed", "real"],
        "shots": 10,
        "per_intent": 20,
    }
    table = augment.summary_markdown(results)
    assert "+5.0 (1 of 2 draws)" in table and "±" not in table.split("+ real")[1].split("|")[1]
    rows = [r for r in augment.readme_rows(results) if "seed + real" in r["measure"]]
    assert rows[0]["peer_value"] == 0.9 and "mean of 1 draws" in rows[0]["measure"]


def _u(text: str, intent: str = "a", p: float | None = None) -> Utterance:
    meta = {"scores": {"intent_prob": p}} if p is not None else {}
    return Utterance(text, intent, meta=meta)


def test_take_sorts_each_intent_by_the_key_and_keeps_k():
    pool = [_u("a1", "a", 0.6), _u("a2", "a", 0.9), _u("a3", "a", 0.7), _u("b1", "b", 0.8)]
    top = ablation.take(pool, 2, key=lambda u: -ablation.prob(u))
    assert [u.text for u in top] == ["a2", "a3", "b1"]
    assert [u.text for u in ablation.take(pool, 2)] == ["a1", "a2", "b1"]


class _Embedder:
    """Fixed unit vectors: texts name their direction."""

    vecs = {
        "seed": (1.0, 0.0, 0.0),
        "near": (0.99, 0.141, 0.0),
        "mid": (0.7, 0.714, 0.0),
        "far": (0.0, 0.0, 1.0),
        "far2": (0.0, 0.141, 0.99),
    }

    def encode(self, texts):
        return [self.vecs[t] for t in texts]


def test_diverse_picks_farthest_from_seeds_then_from_its_own_picks():
    pool = [_u(t) for t in ("near", "mid", "far", "far2")]
    picked = ablation.diverse(pool, [_u("seed")], 2, _Embedder())
    assert [u.text for u in picked] == ["far", "mid"]  # far2 is close to far, mid is not


def test_resume_keeps_matching_settings_and_drops_redone_conditions(tmp_path):
    row = {"added": 0, "quality": {}}
    old = {
        "shots": 10,
        "per_intent": 20,
        "clinc_intents": 10,
        "epochs": 4,
        "conditions": ["seed", "lm", "prompt"],
        "datasets": {"snips": {"draws": [{"conditions": {"seed": row, "lm": row, "prompt": row}}]}},
    }
    out = tmp_path / "augment.json"
    out.write_text(json.dumps(old))
    new = {**old, "conditions": ["seed", "lm", "real"]}
    kept = augment.resumable(out, new, redo=("lm",))
    assert set(kept["snips"][0]["conditions"]) == {"seed"}  # prompt not asked for, lm redone
    assert augment.resumable(out, {**new, "per_intent": 50}) == {}  # other settings: start over


def test_gain_cell_shows_a_spread_only_where_there_is_one():
    g = {"mean": 1.23, "std": 0.44}
    assert augment.gain_cell({"draws": 3, "of_draws": 3}, g) == "+1.2 ± 0.4"
    assert augment.gain_cell({"draws": 2, "of_draws": 3}, g) == "+1.2 ± 0.4 (2 of 3 draws)"
    assert augment.gain_cell({"draws": 1, "of_draws": 3}, g) == "+1.2 (1 of 3 draws)"
    assert augment.gain_cell({}, g) == "+1.2 ± 0.4"  # a summary made before draws were counted


def test_sample_settings_parse_to_the_fields_type_and_reach_the_lm_conditions(
    monkeypatch, tmp_path
):
    assert augment.setting("slot_unmarked_threshold=0.3") == ("slot_unmarked_threshold", 0.3)
    assert augment.setting("slot_unmarked=off") == ("slot_unmarked", "off")
    assert augment.setting("slot_verify=false") == ("slot_verify", False)
    assert augment.setting("slot_context=false") == ("slot_context", False)  # an optional flag
    assert augment.setting("max_rounds=4") == ("max_rounds", 4)
    for bad in (
        "no_such_field=1",
        "max_rounds",
        "max_rounds=x",
        "slot_verify=maybe",
        "slot_unmarked=fix",
        "max_rounds=0",
    ):
        with pytest.raises(argparse.ArgumentTypeError):
            augment.setting(bad)
    import textsynth.lm as lm

    seen = {}

    def fake_prompt_sample(seeds, cfg, options=None):
        seen["cfg"], seen["cache"] = cfg, options.cache
        return [], {}

    monkeypatch.setattr(lm, "prompt_sample", fake_prompt_sample)
    augment.synthesise(
        "prompt", _train()[:6], 2, 7, tmp_path, {}, cache=tmp_path / "c.sqlite",
        overrides={"slot_unmarked": "off"},
    )  # fmt: skip
    assert seen["cfg"].slot_unmarked == "off" and seen["cfg"].seed == 7
    assert (tmp_path / "c.sqlite").exists()


def test_resume_refuses_results_made_with_other_sample_settings(tmp_path):
    out = tmp_path / "r.json"
    base = {
        "shots": 10,
        "per_intent": 20,
        "clinc_intents": 20,
        "epochs": 4,
        "conditions": ["seed"],
        "datasets": {"toy": {"draws": [{"conditions": {}}]}},
    }
    out.write_text(json.dumps({**base, "sample_settings": {"slot_unmarked": "off"}}))
    assert augment.resumable(out, {**base, "sample_settings": {}}) == {}
    assert augment.resumable(out, {**base, "sample_settings": {"slot_unmarked": "off"}})


def test_run_cache_fine_tunes_once_per_seeds_and_settings_and_redoes_a_half_written_run(
    monkeypatch, tmp_path
):
    import textsynth.lm as lm

    runs = []

    def fake_finetune(seeds, out, cfg):
        runs.append(out)
        out.mkdir(parents=True)
        (out / "config.json").write_text("{}")

    monkeypatch.setattr(lm, "finetune", fake_finetune)
    monkeypatch.setattr(lm, "sample", lambda run, cfg, options=None: ([], {}))
    cache, seeds = tmp_path / "runs", _train()[:6]

    def synth(seeds, **kw):
        stats = {}
        augment.synthesise("lm", seeds, 2, 7, tmp_path / "w", stats, run_cache=cache, **kw)
        return stats

    assert "finetune_s" in synth(seeds)
    assert runs[0].name == "lm" and runs[0].parent.parent == cache  # the run's name is its id
    assert synth(seeds)["finetune_cached"] == str(runs[0].parent) and len(runs) == 1
    start = tmp_path / "start"
    start.mkdir()
    (start / "config.json").write_text('{"run": 1}')
    synth(seeds, init_from=str(start))  # another fine-tune setting: another run
    synth(seeds, init_from=str(start))
    (start / "config.json").write_text('{"run": 2}')  # the start rebuilt at the same path
    synth(seeds, init_from=str(start))
    synth(seeds[:4])  # other seeds: another run
    assert len(runs) == 4 and len({r.parent for r in runs}) == 4
    (runs[0] / "config.json").unlink()  # config.json is written last: this run was cut short
    assert "finetune_s" in synth(seeds) and len(runs) == 5
