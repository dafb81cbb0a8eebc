"""Value plans: requests name the slot values, and a kept utterance carries exactly those spans."""

from __future__ import annotations

import dataclasses
import random
import re

import pytest

from textsynth import markup
from textsynth.errors import ConfigError
from textsynth.lm import backends
from textsynth.lm.config import SampleConfig
from textsynth.lm.filters import Candidate
from textsynth.lm.plan_filter import PlanFilter
from textsynth.lm.plans import ValuePlan, ValuePlanner, plan_of
from textsynth.lm.prompt import few_shot_prompt, finetune_prompt, to_example

SEEDS = [
    markup.parse("add [adele](artist) to [chill vibes](playlist)", "Add"),
    markup.parse("put [jazz classics](playlist) on", "Add"),
    markup.parse("add [u2](artist) to my [road trip](playlist) list", "Add"),
    markup.parse("hello there", "Greet"),
]
PLAN = ValuePlan((("artist", "u2"), ("playlist", "chill vibes")))


def candidate(raw: str, plan: ValuePlan | None = PLAN) -> Candidate:
    c = Candidate(raw, "Add", plan=plan)
    c.utterance = markup.parse(raw, "Add")
    return c


def unchecked(**settings: object) -> SampleConfig:
    """Return a SampleConfig with the checks that need a trained model or tagger turned off.

    The slot-context check is off too: the fake writers here put every plan in one fixed frame.
    """
    off: dict[str, object] = {
        "slot_context": False,
        "fidelity_threshold": 0.0,
        "fluency_percentile": 0,
        "slot_verify": False,
        "slot_rules": False,
        "typed_values": False,
    }
    return SampleConfig(**{**off, **settings})


def spans_of(c: Candidate) -> list[tuple[str, str]]:
    assert c.utterance is not None
    return [(s.label, c.utterance.text[s.start : s.end]) for s in c.utterance.spans]


def test_plan_of_a_seed_is_its_spans_in_text_order():
    assert plan_of(SEEDS[2]).render() == "artist: u2; playlist: road trip"
    assert plan_of(SEEDS[3]).slots == ()


def test_planner_takes_one_seeds_labels_and_any_seeds_values():
    planner = ValuePlanner(SEEDS)
    rng = random.Random(0)
    plans = [planner.draw("Add", rng) for _ in range(200)]
    assert planner.draw("Greet", rng) is None  # no slot in the intent's seeds
    sigs = {tuple(lab for lab, _ in p.slots) for p in plans if p}
    assert sigs == {("artist", "playlist"), ("playlist",)}
    values = {v for p in plans if p for _, v in p.slots}
    assert values == {"adele", "u2", "chill vibes", "jazz classics", "road trip"}
    # values from different seeds meet, and a seed's own plan is avoided when another exists
    seen = {tuple(sorted(plan_of(u).slots)) for u in SEEDS}
    two = [p for p in plans if p and len(p.slots) == 2]
    assert two and not [p for p in two if tuple(sorted(p.slots)) in seen]


def test_prompts_show_each_shot_after_its_plan_and_end_with_the_requested_plan():
    prompt = few_shot_prompt("Add", SEEDS[:3], "en", PLAN)
    lines = prompt.split("\n")
    assert lines[1] == "- artist: adele; playlist: chill vibes => add [adele](artist) to " + (
        "[chill vibes](playlist)"
    )
    assert lines[-1] == "- artist: u2; playlist: chill vibes =>"
    assert few_shot_prompt("Add", SEEDS[:3], "en").endswith("\n-")  # no plan: as before
    assert "| values: artist: u2; playlist: chill vibes |" in finetune_prompt(
        "Add", "en", ["artist", "playlist"], PLAN
    )
    ex = to_example(SEEDS[0], ["artist", "playlist"], planned=True)
    assert "values: artist: adele; playlist: chill vibes" in ex.prompt
    assert "values" not in to_example(SEEDS[3], [], planned=True).prompt


@pytest.mark.parametrize(
    ("raw", "kept", "spans", "reason"),
    [
        # as planned
        ("add [u2](artist) to [chill vibes](playlist)", True, None, ""),
        # a planned value written but not marked: marked, with its planned label
        ("add [u2](artist) to chill vibes please", True, None, "written unmarked"),
        # a planned value under another label, and a span too long: the plan's span and label
        ("add [U2](playlist) to [chill vibes list](playlist)", True, None, "plan's label"),
        # a planned value missing
        ("add [u2](artist) to my gym mix", False, None, "planned value missing: 'chill vibes'"),
        # a span outside the plan
        ("add [u2](artist) to [chill vibes](playlist) [now](time)", False, None, "outside"),
    ],
)
def test_plan_filter_holds_a_candidate_to_its_plan(raw, kept, spans, reason):
    c = candidate(raw)
    assert PlanFilter().keep([c]) == [kept]
    if kept:
        got = [(lab, v.casefold()) for lab, v in spans_of(c)]
        assert got == [("artist", "u2"), ("playlist", "chill vibes")]
        notes = " ".join(ch["reason"] for ch in c.changes)
        assert reason in notes
    else:
        assert reason in c.reason


@pytest.mark.parametrize(
    ("raw", "slots", "kept"),
    [
        # a marked planned value inside another planned value: never two overlapping spans
        ("fly to new [york](city)", (("city", "new york"), ("city", "york")), False),
        ("fly to [york](city) then new york", (("city", "york"), ("city", "new york")), True),
        # the same span written twice: the second one is outside a one-value plan
        ("add [u2](artist) and [u2](artist)", (("artist", "u2"),), False),
    ],
)
def test_plan_filter_never_makes_overlapping_spans(raw, slots, kept):
    c = candidate(raw, ValuePlan(slots))
    assert PlanFilter().keep([c]) == [kept]
    if kept:
        got = sorted((s.start, s.end) for s in c.utterance.spans)
        assert all(a[1] <= b[0] for a, b in zip(got, got[1:], strict=False))
        assert [(lab, v.casefold()) for lab, v in spans_of(c)] == list(slots)


def test_plan_filter_lets_unplanned_candidates_through_untouched():
    c = candidate("add [me](artist) somewhere", plan=None)
    before = c.utterance
    assert PlanFilter().keep([c]) == [True] and c.utterance is before


@dataclasses.dataclass
class PlanWriter(backends.Backend):
    """Writes a request around the plan on its prompt's last line; the 'u2' value unmarked."""

    name = "plan-writer"

    def _generate(self, requests, params, on_result):
        out = []
        for i, r in enumerate(requests):
            plan = re.search(r"- ([^\n]*) =>$", r.prompt)
            assert plan, r.prompt
            parts = [p.split(": ", 1) for p in plan.group(1).split("; ")]
            words = [v if v == "u2" else f"[{v}]({lab})" for lab, v in parts]
            c = backends.Completion(f" please add {' and '.join(words)} #{r.seed % 997}", 5)
            out.append(c)
            on_result(i, c)
        return out


def test_prompt_sampling_with_plans_keeps_exactly_the_planned_spans():
    from textsynth.lm import prompt_sample
    from textsynth.lm.sample import RunOptions

    seeds = [u for u in SEEDS if u.intent == "Add"] + [
        markup.parse("add [queen](artist) to [workout](playlist)", "Add"),
        markup.parse("add [abba](artist) to [party](playlist)", "Add"),
    ]
    cfg = unchecked(per_intent=6, value_plans=1.0, completions_per_prompt=1, seed=1)
    utts, summary = prompt_sample(seeds, cfg, options=RunOptions(backend=PlanWriter(model="w")))
    assert len(utts) == 6
    for u in utts:
        plan = u.meta["plan"]
        got = "; ".join(f"{s.label}: {u.text[s.start : s.end]}" for s in u.spans)
        assert got == plan  # labels and values are the plan's, in its order
    assert summary.seen["value-plan"] >= 6
    marked = summary.reasons().get("value-plan", {})
    assert any("artist: u2" in u.meta["plan"] for u in utts)  # this seed draws it
    assert any("written unmarked" in k for k in marked)


def test_a_run_fine_tuned_without_plans_refuses_planned_sampling():
    from textsynth.lm.sample import _planner

    with pytest.raises(ConfigError, match="fine-tuned without value plans"):
        _planner(SEEDS, SampleConfig(value_plans=0.5), trained=False)
    assert _planner(SEEDS, SampleConfig(), trained=False) is None


def test_a_run_fine_tuned_with_plans_is_asked_with_plans(tiny_model, seeds, tmp_path, hf_asked):
    from textsynth.lm import FinetuneConfig, SampleConfig, finetune, sample

    cfg = FinetuneConfig(base_model=tiny_model, epochs=1, batch_size=6, value_plans=True)
    finetune(seeds, tmp_path / "run", cfg)
    sample(
        tmp_path / "run",
        SampleConfig(
            per_intent=1,
            value_plans=1.0,
            fidelity_threshold=0.0,
            max_rounds=1,
            max_new_tokens=8,
            slot_verify=False,
            fluency_percentile=0,
        ),
    )
    slotted = {u.intent for u in seeds if u.spans}
    planned = [p for _, p in hf_asked if "| values: " in p]
    assert planned and {p.split(" |")[0].removeprefix("intent: ") for p in planned} == slotted


def test_runs_saved_before_value_plans_are_read_as_trained_without_them(tmp_path, seeds):
    import json

    from textsynth.io import write_utterances_jsonl
    from textsynth.lm import FinetuneConfig, SampleConfig
    from textsynth.lm.sample import read_run

    assert FinetuneConfig().value_plans is True and SampleConfig().value_plans is None
    old = {k: v for k, v in FinetuneConfig().to_dict().items() if k != "value_plans"}
    run = {
        **dict.fromkeys(["run_dir", "run_id", "base_model", "method", "seeds_hash", "device"], "x"),
        **{"n_seeds": 1, "intents": [], "seed": 0},
    }
    (tmp_path / "config.json").write_text(json.dumps({"finetune": old, "run": run}))
    write_utterances_jsonl(seeds, tmp_path / "seeds.jsonl")
    assert read_run(tmp_path).config.value_plans is False


def test_a_model_that_does_not_follow_plans_is_asked_without_them_after_a_round(
    tiny_model, seeds, tmp_path, caplog
):
    from textsynth.lm import FinetuneConfig, finetune, sample
    from textsynth.lm.sample import RunOptions

    finetune(seeds, tmp_path / "run", FinetuneConfig(base_model=tiny_model, epochs=1))

    @dataclasses.dataclass
    class Stubborn(backends.Backend):
        """A served model that writes well-formed markup but never the planned values."""

        name = "stubborn"
        rounds: list = dataclasses.field(default_factory=list)

        def _generate(self, requests, params, on_result):
            self.rounds.append([r.prompt for r in requests])
            out = []
            for i, r in enumerate(requests):
                c = backends.Completion(f"weather in [Zzyzx {r.seed % 9973}](city)", 5)
                out.append(c)
                on_result(i, c)
            return out

    b = Stubborn(model="served")
    # per_intent 30: round 1 asks more than PLAN_CHECK_AFTER planned outputs
    cfg = unchecked(per_intent=30, max_rounds=2)
    with caplog.at_level("WARNING"):
        _utts, summary = sample(
            tmp_path / "run", cfg, intents=["GetWeather"], options=RunOptions(backend=b)
        )
    assert len(b.rounds) == 2
    assert all("| values: " in p for p in b.rounds[0])
    assert not any("| values: " in p for p in b.rounds[1])  # asked without plans now
    assert "value-plans (not followed)" in summary.disabled
    assert "the remaining rounds ask without plans" in caplog.text
