"""The slot recall comparison pairs draws and refuses runs made on other seeds."""

from __future__ import annotations

import pytest

from eval import slot_recall


def _res(seed_f1: list[float], prompt_f1: list[float], seeds: list[int] | None = None) -> dict:
    def row(f1: float) -> dict:
        return {"slots": {"f1": f1}, "tfidf": {"accuracy": 0.9}, "embeddings": {"accuracy": 0.9}}

    draws = [
        {"seed": s, "conditions": {"seed": row(a), "prompt": row(b)}}
        for s, a, b in zip(seeds or range(len(seed_f1)), seed_f1, prompt_f1, strict=True)
    ]
    return {"datasets": {"snips": {"draws": draws}}}


def test_paired_difference_per_draw():
    on = _res([0.40, 0.50], [0.43, 0.52])
    off = _res([0.40, 0.50], [0.41, 0.51])
    res = slot_recall.compare(on, off)
    (f1,) = [r for r in res["rows"] if r["measure"] == "slots"]
    assert f1["per_draw_on"] == [3.0, 2.0] and f1["per_draw_off"] == [1.0, 1.0]
    assert f1["paired_difference"]["mean"] == pytest.approx(1.5)
    assert (
        "| snips | prompt | slot F1 | +2.5 ± 0.7 | +1.0 ± 0.0 | +1.5 ± 0.7 | 2 |"
        in (res["markdown"])
    )


def test_runs_on_other_seeds_are_refused():
    with pytest.raises(SystemExit, match="different seeds"):
        slot_recall.compare(_res([0.4], [0.4], [1000]), _res([0.4], [0.4], [1001]))
