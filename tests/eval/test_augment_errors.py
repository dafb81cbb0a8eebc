"""eval/augment_errors.py: which test errors added text fixes and breaks, by confusion pair."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from eval.augment_errors import markdown, pair_table, parse_kept, shift

ROOT = Path(__file__).resolve().parents[2]


def test_shift_counts_fixed_by_old_confusion_and_broken_by_new_one() -> None:
    gold = ["a", "a", "b", "b", "c", "c"]
    before = ["b", "a", "a", "b", "c", "a"]
    after = ["a", "c", "b", "b", "b", "a"]
    s = shift(gold, before, after)
    # fixed: item 0 (a mistaken for b), item 2 (b mistaken for a); item 5 stays wrong
    assert s["fixed"] == Counter({("a", "b"): 1, ("b", "a"): 1})
    # broken: item 1 (a now c), item 4 (c now b)
    assert s["broken"] == Counter({("a", "c"): 1, ("c", "b"): 1})


def test_net_of_shift_is_the_accuracy_change() -> None:
    gold = list("abcabcabca")
    before = list("bbcbbcaacc")  # 6 right
    after = list("accabcabcc")  # 8 right: 3 fixed, 1 broken
    s = shift(gold, before, after)
    assert (sum(s["fixed"].values()), sum(s["broken"].values())) == (3, 1)
    acc = lambda p: sum(g == x for g, x in zip(gold, p, strict=True))  # noqa: E731
    assert sum(s["fixed"].values()) - sum(s["broken"].values()) == acc(after) - acc(before)


def test_shift_refuses_lists_of_other_lengths() -> None:
    with pytest.raises(ValueError, match="lengths differ"):
        shift(["a"], ["a", "b"], ["a"])


def test_pair_table_sums_draws_and_ranks_by_total_change() -> None:
    d0 = {"fixed": Counter({("x", "y"): 3}), "broken": Counter({("y", "x"): 1})}
    d1 = {"fixed": Counter({("x", "y"): 1, ("z", "x"): 1}), "broken": Counter({("y", "x"): 2})}
    rows = pair_table([d0, d1], top=2)
    assert rows == [
        {"gold": "x", "confused_with": "y", "fixed": 4, "broken": 0},
        {"gold": "y", "confused_with": "x", "fixed": 0, "broken": 3},
    ]


def test_kept_spec_needs_a_name_and_the_draw_placeholder() -> None:
    assert parse_kept("lm=a/snips-d{d}.jsonl") == ("lm", "a/snips-d{d}.jsonl")
    for bad in ("lm", "=a{d}", "lm=a/no-draw.jsonl"):
        with pytest.raises(argparse.ArgumentTypeError, match="NAME=PATH_TEMPLATE"):
            parse_kept(bad)


def test_markdown_net_is_in_points_of_all_draws() -> None:
    results = {
        "test": 100,
        "draws": [{}, {}],
        "summary": {
            "real": {
                "embeddings": {
                    "fixed": 10,
                    "broken": 4,
                    "pairs": [{"gold": "a", "confused_with": "b", "fixed": 6, "broken": 1}],
                }
            }
        },
    }
    md = markdown(results)
    assert "| real | embeddings | 10 | 4 | +3.0 | a→b 6/1 |" in md


def test_missing_kept_file_is_a_clear_error_before_any_training(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    proc = subprocess.run(
        [sys.executable, "-m", "eval.augment_errors", "--draws", "2", "--baselines",
         "--kept", f"lm={tmp_path}/kept-d{{d}}.jsonl", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode != 0
    assert "kept-d0.jsonl" in proc.stderr and "2 missing" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "eval.augment_errors", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_malformed_kept_file_names_its_line_without_traceback(tmp_path: Path) -> None:
    kept = tmp_path / "kept-d0.jsonl"
    kept.write_text('{"text": "play jazz", "intent": "PlayMusic"}\n{"text": "oops"\n')
    out = tmp_path / "r.json"
    proc = run_cli("--draws", "1", "--baselines", "--kept", f"lm={tmp_path}/kept-d{{d}}.jsonl",
                   "--out", str(out))  # fmt: skip
    assert proc.returncode != 0
    assert f"{kept}:2" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_kept_names_must_not_shadow_a_baseline_or_repeat(tmp_path: Path) -> None:
    for names in (["real"], ["lm", "lm"]):
        specs = [f"{n}={tmp_path}/k{i}-d{{d}}.jsonl" for i, n in enumerate(names)]
        proc = run_cli("--draws", "1", "--kept", *specs, "--out", str(tmp_path / "r.json"))
        assert proc.returncode == 2
        assert "must be unique and not a baseline's" in proc.stderr
        assert names[0] in proc.stderr.splitlines()[-1]


def tfidf_correct(scored: list, *trains: list) -> list[int]:
    """Test utterances the benchmark's TF-IDF classifier (draw 0) gets right, per train set."""
    from eval.augment_errors import predict
    from textsynth.classifier import Embedder

    gold = [u.intent for u in scored]
    emb = Embedder()  # not loaded: TF-IDF only
    return [
        sum(g == p for g, p in zip(gold, predict(tr, "tfidf", emb, 1000, scored), strict=True))
        for tr in trains
    ]


@pytest.mark.slow
def test_end_to_end_counts_match_the_accuracy_gain(tmp_path: Path) -> None:
    """A real run on SNIPS: fixed - broken equals the gain of the classifier, per draw."""
    from eval.augment import draw_seeds, load
    from eval.baselines import held_out

    out = tmp_path / "r.json"
    subprocess.run(
        [sys.executable, "-m", "eval.augment_errors", "--draws", "1", "--features", "tfidf",
         "--baselines", "real", "--out", str(out)],
        cwd=ROOT, check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    res = json.loads(out.read_text())
    train, test = load("snips", None, 0)
    seeds = draw_seeds(train, 10, 1000)
    real = held_out(train, seeds, 20, 1000)
    acc = tfidf_correct(test, seeds, seeds + real)
    row = res["draws"][0]["real"]["tfidf"]
    assert row["fixed"] - row["broken"] == acc[1] - acc[0]
    assert row["fixed"] > row["broken"]  # more real data helps
    assert out.with_suffix(".png").stat().st_size > 0


def test_pool_test_leaves_out_every_text_a_condition_trains_on() -> None:
    from eval.augment_errors import pool_test
    from textsynth.types import Utterance

    train = [
        Utterance(t, i) for t, i in [("a", "X"), ("b", "X"), ("c", "Y"), ("d", "Y"), ("e", "Y")]
    ]
    seeds = [train[0]]
    real = [train[2]]
    generated = [Utterance("d", "X")]  # the same text under another intent is still left out
    assert [u.text for u in pool_test(train, seeds, [real, generated])] == ["b", "e"]
    assert len(pool_test(train, [], [])) == len(train)


def test_gain_table_applies_the_peer_rule_per_draw_sizes() -> None:
    from eval.augment_errors import gain_table, gains

    def cell(fixed: int, broken: int) -> dict:
        return {"tfidf": {"fixed": fixed, "broken": broken}}

    results = {
        "features": ["tfidf"],
        "summary": {"upsample": {}, "lm": {}, "weak": {}},
        "draws": [
            {"test": 200, "upsample": cell(1, 1), "lm": cell(6, 2), "weak": cell(3, 2)},
            {"test": 400, "upsample": cell(2, 2), "lm": cell(10, 2), "weak": cell(2, 3)},
        ],
    }
    g = gains(results)
    assert g["lm"]["tfidf"]["draws"] == [2.0, 2.0]  # (6 - 2) / 200 and (10 - 2) / 400 points
    assert g["lm"]["tfidf"]["mean"] == 2.0 and g["lm"]["tfidf"]["std"] == 0.0
    lines = gain_table(results)
    assert "| lm | tfidf | +2.00 ± 0.00 | +2.00, +2.00 | ✔ |" in lines
    assert "| weak | tfidf | +0.12 ± 0.53 | +0.50, -0.25 | ✘ |" in lines  # within its own std
    assert "| upsample | tfidf | +0.00 ± 0.00 | +0.00, +0.00 | — |" in lines


def test_end_to_end_pool_scores_the_unused_train_utterances(tmp_path: Path) -> None:
    """``--test pool`` on SNIPS: the pool is the draw's unused train text, gains match it."""
    from eval.augment import draw_seeds, load
    from eval.augment_errors import pool_test
    from eval.baselines import held_out, upsample

    out = tmp_path / "r.json"
    subprocess.run(
        [sys.executable, "-m", "eval.augment_errors", "--draws", "2", "--features", "tfidf",
         "--baselines", "upsample", "--test", "pool", "--out", str(out)],
        cwd=ROOT, check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    res = json.loads(out.read_text())
    train, test = load("snips", None, 0)
    seeds = draw_seeds(train, 10, 1000)
    extra = upsample(seeds, 20, 1000)
    pool = pool_test(train, seeds, [held_out(train, seeds, 20, 1000), extra])
    assert res["test_set"] == "pool" and res["draws"][0]["test"] == len(pool) > 5 * len(test)
    acc = tfidf_correct(pool, seeds, seeds + extra)
    row = res["draws"][0]["upsample"]["tfidf"]
    assert row["fixed"] - row["broken"] == acc[1] - acc[0]
    gain = res["gains"]["upsample"]["tfidf"]["draws"][0]
    assert gain == pytest.approx(100 * (acc[1] - acc[0]) / len(pool))
    assert "clears upsample" in res["markdown"] and "held-out" in res["markdown"]


def test_seed_weight_weighs_the_seeds_of_every_condition(tmp_path: Path) -> None:
    """``--seed-weight balanced``: each condition's classifier weighs each seed added / seeds."""
    from eval.augment import draw_seeds, load
    from eval.augment_errors import predict
    from eval.baselines import eda
    from textsynth.classifier import Embedder

    out = tmp_path / "w.json"
    subprocess.run(
        [sys.executable, "-m", "eval.augment_errors", "--draws", "1", "--features", "tfidf",
         "--baselines", "eda", "--seed-weight", "balanced", "--out", str(out)],
        cwd=ROOT, check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    res = json.loads(out.read_text())
    train, test = load("snips", None, 0)
    seeds = draw_seeds(train, 10, 1000)
    extra = eda(seeds, 20, 1000)
    gold = [u.intent for u in test]
    emb = Embedder()  # not loaded: TF-IDF only

    def right(tr: list, w: list | None = None) -> int:
        pred = predict(tr, "tfidf", emb, 1000, test, weights=w)
        return sum(g == p for g, p in zip(gold, pred, strict=True))

    weighted = right(seeds + extra, [2.0] * len(seeds) + [1.0] * len(extra))
    row = res["draws"][0]["eda"]["tfidf"]
    assert res["seed_weight"] == "balanced"
    assert row["fixed"] - row["broken"] == weighted - right(seeds)
