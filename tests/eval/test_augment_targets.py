"""eval/augment_targets.py: the best condition per cell, its peers, and the std rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.augment_targets import best, clears, main, runs, spread, table


def _draw(draw_seed: int, **acc: float) -> dict:
    """A draw of eval/augment.py: each condition's accuracy (both classifiers) in points."""
    return {
        "seed": draw_seed,
        "conditions": {
            c: {"tfidf": {"accuracy": a / 100}, "embeddings": {"accuracy": a / 100}}
            for c, a in acc.items()
        },
    }


def _write(folder: Path, name: str, draws: list[dict], per_intent: int = 20, **extra) -> None:
    res = {
        "shots": 10,
        "per_intent": per_intent,
        "datasets": {"snips": {"intents": 7, "draws": draws}},
        **extra,
    }
    (folder / name).write_text(json.dumps(res))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    # the defaults, with peers: lm +1, +2, +3 over seed (mean 2, std 1); upsample 0; eda -1..+1
    _write(
        tmp_path,
        "augment_base.json",
        [
            _draw(1000, seed=90, lm=91, upsample=90, eda=89),
            _draw(1001, seed=90, lm=92, upsample=90, eda=90),
            _draw(1002, seed=90, lm=93, upsample=90, eda=91),
        ],
    )
    # another study without peers: the base file's peers stand in for the same seeds
    _write(
        tmp_path,
        "augment_study.json",
        [
            _draw(1000, seed=90, lm=90.5),
            _draw(1001, seed=90, lm=90.5),
            _draw(1002, seed=90, lm=90.6),
        ],
        sample_settings={"value_plans": 0},
    )
    # measured in one draw of three: no spread, left out
    _write(
        tmp_path,
        "augment_partial.json",
        [_draw(1000, seed=90, prompt=99), _draw(1001, seed=90), _draw(1002, seed=90)],
    )
    # another benchmark's shape is skipped
    (tmp_path / "augment_errors_snips.json").write_text(json.dumps({"summary": {}}))
    return tmp_path


def test_spread_is_the_sample_std_the_benchmark_reports() -> None:
    assert spread([1.0, 2.0, 3.0]) == {"mean": 2.0, "std": 1.0, "draws": 3}
    assert spread([4.0]) == {"mean": 4.0, "std": 0.0, "draws": 1}


def test_clearing_needs_more_than_the_larger_std() -> None:
    assert clears({"mean": 2.0, "std": 1.0}, {"mean": 0.0, "std": 0.5})
    assert not clears({"mean": 2.0, "std": 1.0}, {"mean": 1.0, "std": 0.5})  # 1.0 is not > 1.0
    assert not clears({"mean": 2.0, "std": 0.1}, {"mean": 0.5, "std": 1.6})  # the peer's std


def test_rows_peers_and_the_best_condition(folder: Path) -> None:
    rows = table(runs(folder))
    # lm of both files x 2 classifiers; the one-draw prompt is left out
    assert sorted({(r["file"], r["condition"]) for r in rows}) == [
        ("augment_base.json", "lm"),
        ("augment_study.json", "lm [value_plans=0]"),
    ]
    study = next(r for r in rows if r["file"] == "augment_study.json")
    assert study["peers_file"] == "augment_base.json"
    assert study["peers"]["eda"] == pytest.approx({"mean": 0.0, "std": 1.0, "draws": 3})
    assert study["gain"]["mean"] == pytest.approx(0.5333, abs=1e-3)
    assert study["clears"] == {"upsample": True, "eda": False}  # 0.53 > 0.06, not > 1.0
    base = next(r for r in rows if r["file"] == "augment_base.json")
    assert base["clears"] == {"upsample": True, "eda": True}  # 2 - 0 > 1; 2 - 0 > 1
    tops = best(rows)
    assert {t["measure"] for t in tops} == {"tfidf", "embeddings"}
    assert all(t["best"]["file"] == "augment_base.json" and t["clearing"] == 1 for t in tops)


def test_the_best_is_a_clearing_condition_before_a_higher_mean(folder: Path) -> None:
    # a noisy run with a higher mean that clears nothing: +5 ± 5
    _write(
        folder,
        "augment_noisy.json",
        [
            _draw(1000, seed=90, lm=90, upsample=90, eda=89),
            _draw(1001, seed=90, lm=95, upsample=90, eda=90),
            _draw(1002, seed=90, lm=100, upsample=90, eda=91),
        ],
    )
    tops = best(table(runs(folder)))
    assert all(t["best"]["file"] == "augment_base.json" for t in tops)


def test_another_amount_added_is_another_cell_with_its_own_peers(folder: Path) -> None:
    _write(
        folder,
        "augment_fifty.json",
        [
            _draw(1000, seed=90, lm=99, upsample=90, eda=90),
            _draw(1001, seed=90, lm=99, upsample=90, eda=90),
            _draw(1002, seed=90, lm=99.5, upsample=90, eda=90),
        ],
        per_intent=50,
    )
    tops = {(t["setup"], t["measure"]): t["best"]["file"] for t in best(table(runs(folder)))}
    assert tops[("snips, 7 intents, 10 seeds +50", "tfidf")] == "augment_fifty.json"
    assert tops[("snips, 7 intents, 10 seeds +20", "tfidf")] == "augment_base.json"


def test_main_writes_json_and_tables(folder: Path, capsys) -> None:
    out = folder / "targets.json"
    res = main(["--results", str(folder), "--out", str(out)])
    assert json.loads(out.read_text())["rule"] == res["rule"]
    printed = capsys.readouterr().out
    cell = "| snips, 7 intents, 10 seeds +20 | embeddings accuracy | lm (augment_base.json"
    assert cell in printed
    assert "lm [value_plans=0]" in printed
