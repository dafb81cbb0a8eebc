"""The report: goal-aware normalisation, stable JSON, the text table, HTML and saving."""

from __future__ import annotations

import json
import math

import pytest

from textsynth.metrics import Report, evaluate
from textsynth.metrics.base import Goal, MetricResult, score_to_unit
from textsynth.registry import metrics as registry


@pytest.mark.parametrize(
    "value, goal, lo, hi, target, expected",
    [
        # fmt: off
        (0.25, Goal.MAXIMIZE, 0.0, 1.0, None, 0.25),
        (0.25, Goal.MINIMIZE, 0.0, 1.0, None, 0.75),
        (0.5, Goal.TARGET, 0.0, 1.0, 0.5, 1.0),
        (1.0, Goal.TARGET, 0.0, 1.0, 0.5, 0.0),
        (0.0, Goal.MAXIMIZE, -1.0, 1.0, None, 0.5),
        (3.0, Goal.MAXIMIZE, 0.0, math.inf, None, None),  # unbounded: no score
        (None, Goal.MAXIMIZE, 0.0, 1.0, None, None),
        # fmt: on
    ],
)
def test_normalise(value, goal, lo, hi, target, expected):
    got = score_to_unit(value, goal, lo, hi, target)
    assert got == (pytest.approx(expected) if expected is not None else None)


def test_every_registered_metric_declares_goal_range_and_what_good_means():
    for name in registry.names():
        cls = registry.get(name)
        assert cls.name == name
        assert isinstance(cls.goal, Goal)
        assert cls.min_value < cls.max_value
        assert cls.description and cls.good, name
        assert cls.category in ("diversity", "fidelity", "utility", "memorisation"), name
        if cls.goal == Goal.TARGET:
            assert cls.min_value <= cls.target <= cls.max_value


@pytest.fixture
def report(toy_sets):
    return evaluate(
        toy_sets["seeds"][:10], toy_sets["seeds"], holdout=toy_sets["holdout"], embeddings=False
    )


def test_json_has_stable_keys_and_round_trips(report, tmp_path):
    d = json.loads(report.to_json())
    assert set(d) == {"schema", "summary", "metrics", "skipped", "sample"}
    assert d["summary"]["sizes"] == {"synthetic": 10, "seeds": 24, "holdout": 24}
    m = d["metrics"]["exact-match"]
    assert set(m) == {
        "category",
        "value",
        "score",
        "goal",
        "target",
        "min_value",
        "max_value",
        "reference",
        "reference_label",
        "description",
        "good",
        "verdict",
        "breakdown",
    }
    assert m["value"] == 1.0 and m["goal"] == "minimize" and m["score"] == 0.0
    again = Report.from_dict(d)
    assert again.to_dict() == d
    paths = report.save(tmp_path / "rep")
    assert Report.load(tmp_path / "rep").to_dict() == d
    assert paths["html"].read_text().startswith("<!DOCTYPE html>")


def test_nan_values_become_null_in_json():
    r = Report()
    r.add(
        MetricResult(
            "x",
            float("nan"),
            Goal.MAXIMIZE,
            0.0,
            1.0,
            breakdown={"a": float("nan"), "b": float("inf")},
        )
    )
    d = json.loads(r.to_json())
    assert d["metrics"]["x"]["value"] is None
    assert d["metrics"]["x"]["breakdown"] == {"a": None, "b": "Infinity"}


def test_table_and_markdown_list_every_metric_and_skip(report):
    table = report.to_table()
    assert table.splitlines()[0] == "textsynth evaluation: 10 synthetic, 24 seeds, 24 holdout"
    for name in report.results:
        assert name in table
        assert name in report.to_markdown()
    assert "skipped dcr: embeddings are turned off" in table


def test_html_is_self_contained_with_plots(toy_sets, fake_embedder):
    rep = evaluate(
        toy_sets["holdout"],
        toy_sets["seeds"],
        holdout=toy_sets["holdout"],
        test=toy_sets["holdout"],
        embedder=fake_embedder,
    )
    html = rep.to_html()
    assert html.count("<svg") >= 6  # intents, lengths, fidelity, confusion, 2 DCR histograms
    for external in ("src=", 'href="http', "<link", "@import", "url(http", "url('http"):
        assert external not in html  # no external script, style, font or image
    assert "window.onerror" in html
    for title in (
        "Intent distribution",
        "Length distribution",
        "Intent fidelity per intent",
        "Confusion",
        "Distance to closest seed",
    ):
        assert title in html


def test_same_inputs_and_seed_give_the_same_report(toy_sets, fake_embedder):
    a = evaluate(
        toy_sets["holdout"],
        toy_sets["seeds"],
        holdout=toy_sets["holdout"],
        embedder=fake_embedder,
        seed=7,
    )
    b = evaluate(
        toy_sets["holdout"],
        toy_sets["seeds"],
        holdout=toy_sets["holdout"],
        embedder=fake_embedder,
        seed=7,
    )
    da, db = a.to_dict(), b.to_dict()
    for d in (da, db):
        (
            d["summary"].pop("timings_s"),
            d["summary"].pop("step_timings_s"),
            d["summary"].pop("created"),
        )
    assert da == db


def test_empty_inputs_are_input_errors(toy_sets):
    from textsynth.errors import InputError

    with pytest.raises(InputError, match="no synthetic utterances"):
        evaluate([], toy_sets["seeds"])
    with pytest.raises(InputError, match="no seed utterances"):
        evaluate(toy_sets["seeds"], [])


def test_any_integer_seed_works(toy_sets):
    report = evaluate(
        toy_sets["holdout"],
        toy_sets["seeds"],
        embeddings=False,
        seed=-3,
        metrics=["distinct-1", "self-bleu"],
    )
    assert report.summary["seed"] == -3 and report.value("self-bleu") is not None
