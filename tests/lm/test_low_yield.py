"""A run whose generations almost all fail the filters says so, with the commonest reasons."""

from __future__ import annotations

import dataclasses
import logging

from textsynth.lm.filters import FilterSummary


def _summary(generated: int, passed: int) -> FilterSummary:
    s = FilterSummary(generated=generated, passed=passed)
    s.rejected = {"markup": generated - passed - 10, "label-fidelity": 10, "duplicate": 0}
    s.events = [
        {"filter": "label-fidelity", "action": "rejected", "kind": "low intent probability"}
    ] * 10
    return s


def test_low_yield_note_names_the_share_and_the_commonest_rejections():
    note = _summary(1000, 12).low_yield_note()
    assert note is not None
    assert "only 12 of 1000 generations (1.2%)" in note
    assert note.index("markup 978") < note.index("label-fidelity (low intent probability) 10")
    assert "duplicate" not in note  # rejected nothing
    assert "more epochs" in note


def test_no_note_for_a_fine_yield_or_a_run_too_small_to_judge():
    assert _summary(1000, 50).low_yield_note() is None  # 5 %: not low
    assert _summary(100, 1).low_yield_note() is None  # too few generations to judge


def test_a_run_that_keeps_almost_nothing_warns(seeds, tiny_model, tmp_path, caplog):
    from textsynth.lm import FinetuneConfig, SampleConfig, finetune
    from textsynth.lm import sample as run_sample
    from textsynth.lm.backends import Backend, Completion
    from textsynth.lm.sample import RunOptions

    run = tmp_path / "run"
    finetune(seeds, run, FinetuneConfig(base_model=tiny_model, method="full", epochs=1))

    @dataclasses.dataclass
    class Mostly(Backend):
        """Broken markup, except one completion in 60."""

        name = "mostly-broken"

        def _generate(self, requests, params, on_result):
            out = []
            for i, r in enumerate(requests):
                ok = r.seed % 60 == 0
                text = f"weather in [Oslo {r.seed % 997}](city)" if ok else "weather [in"
                c = Completion(text, 5)
                out.append(c)
                on_result(i, c)
            return out

    with caplog.at_level(logging.WARNING, logger="textsynth.lm.rounds"):
        _utts, summary = run_sample(
            run,
            SampleConfig(per_intent=3, fidelity_threshold=0, value_plans=0),
            intents=["GetWeather"],
            options=RunOptions(backend=Mostly(model="textsynth-adapter")),
        )
    assert summary.generated >= 200 and summary.passed < 0.05 * summary.generated
    warned = [r.getMessage() for r in caplog.records if "passed the filters" in r.getMessage()]
    assert len(warned) == 1 and "markup" in warned[0]
