"""The slot side of the augmentation benchmark: EDA keeps spans, slot F1 is measured and summed."""

from __future__ import annotations

import argparse

from eval import augment, baselines

from ..slots.helpers import slot_set


def test_eda_keeps_every_slot_value_whole_with_its_span():
    seeds = slot_set(16)
    out = baselines.eda(seeds, 6, seed=1)
    assert len(out) == 6 * len({u.intent for u in seeds})
    values = {(u.text[s.start : s.end], s.label) for u in seeds for s in u.spans}
    n_spans = 0
    for u in out:
        for s in u.spans:
            assert (u.text[s.start : s.end], s.label) in values  # never cut or relabelled
            n_spans += 1
    assert n_spans >= len(out)  # the variants carry slots
    assert baselines.eda(seeds, 6, seed=1) == out  # seeded


def test_slot_score_is_span_f1_on_the_test_set():
    train, test = slot_set(160), slot_set(40, seed=5)
    good = augment.slot_score(train, test, seed=0)
    assert good["f1"] > 0.9
    # a tagger trained on wrong labels scores lower on the same test set
    swapped = [
        u.__class__(u.text, u.intent, tuple(s.__class__(s.start, s.end, "city") for s in u.spans))
        for u in train
    ]
    assert augment.slot_score(swapped, test, seed=0)["f1"] < good["f1"] - 0.3


def test_summary_and_table_carry_slot_f1_per_condition():
    def row(acc, f1):
        r = {"accuracy": acc, "macro_f1": acc}
        return {"added": 0, "quality": {}, "tfidf": r, "embeddings": r, "slots": {"f1": f1}}

    draws = [{"conditions": {"seed": row(0.8, 0.5), "eda": row(0.82, 0.45)}} for _ in range(3)]
    res = {"draws": draws, "intents": 7}
    summary = augment.summarise(res, argparse.Namespace(conditions=["seed", "eda"]))
    assert abs(summary["eda"]["slots"]["gain_points"]["mean"] + 5.0) < 1e-9
    results = {
        "datasets": {"snips": {**res, "summary": summary}},
        "conditions": ["seed", "eda"],
        "shots": 10,
        "per_intent": 20,
    }
    rows = augment.readme_rows(results)
    slot_rows = [r for r in rows if "slot F1" in r["measure"]]
    assert slot_rows and slot_rows[0]["textsynth"] == 0.45 and slot_rows[0]["peer_value"] == 0.5
    table = augment.summary_markdown(results)
    assert "snips slot F1" in table and "-5.0 ± 0.0" in table


def test_a_condition_run_on_one_data_set_shows_not_run_on_the_others():
    def row(acc, f1):
        r = {"accuracy": acc, "macro_f1": acc}
        return {"added": 0, "quality": {}, "tfidf": r, "embeddings": r, "slots": {"f1": f1}}

    ns = argparse.Namespace(conditions=["seed", "lm"])
    snips = {"draws": [{"conditions": {"seed": row(0.8, 0.5), "lm": row(0.81, 0.52)}}] * 3}
    hwu = {"draws": [{"conditions": {"seed": row(0.7, 0.4)}}] * 3}
    results = {
        "datasets": {
            name: {**d, "intents": 7, "summary": augment.summarise(d, ns)}
            for name, d in (("snips", snips), ("hwu64", hwu))
        },
        "conditions": ["seed", "lm"],
        "shots": 10,
        "per_intent": 20,
    }
    lm_row = next(
        x for x in augment.summary_markdown(results).splitlines() if x.startswith("| + lm")
    )
    cells = [c.strip() for c in lm_row.strip("|").split("|")]
    # snips tfidf, snips embeddings, hwu64 tfidf, hwu64 embeddings, snips slot F1, hwu64 slot F1
    assert cells[1:7] == ["+1.0 ± 0.0", "+1.0 ± 0.0", "not run", "not run", "+2.0 ± 0.0", "not run"]


def test_rows_of_a_variant_run_name_what_differs_for_the_lm_conditions_only():
    def row(acc, f1):
        r = {"accuracy": acc, "macro_f1": acc}
        return {"added": 0, "quality": {}, "tfidf": r, "embeddings": r, "slots": {"f1": f1}}

    ns = argparse.Namespace(conditions=["seed", "eda", "lm"])
    d = {
        "draws": [
            {"conditions": {"seed": row(0.8, 0.5), "eda": row(0.8, 0.5), "lm": row(0.81, 0.52)}}
        ]
        * 3
    }
    results = {
        "datasets": {"snips": {**d, "intents": 7, "summary": augment.summarise(d, ns)}},
        "conditions": ["seed", "eda", "lm"],
        "shots": 10,
        "per_intent": 20,
        "sample_settings": {"select": "diverse"},
        "init_from": "/x/pretrained/no-snips",
    }
    measures = [r["measure"] for r in augment.readme_rows(results)]
    lm = [m for m in measures if "seed + lm" in m]
    assert lm and all("seed + lm [select=diverse, from no-snips]" in m for m in lm)
    assert all("[" not in m for m in measures if "seed + eda" in m)
    assert augment.variant({"sample_settings": {}}) == ""
    gemma = {"sample_settings": {}, "base_model": "embedded:gemma3-270m"}
    assert augment.variant(gemma) == " [base embedded:gemma3-270m]"
    # another number of fine-tuning epochs is another generator
    assert augment.variant({"sample_settings": {}, "epochs": 2}) == " [epochs=2]"
    assert augment.variant({"sample_settings": {}, "epochs": 4}) == ""
    # the flags focus='intents' implies are named as that focus; a subset of them is not
    flags = {"value_plans": 0.0, "slot_verify": False, "slot_rules": False,
             "slot_unmarked": "off", "slot_context": False, "typed_values": False}  # fmt: skip
    assert augment.variant({"sample_settings": flags}) == " [focus=intents]"
    assert augment.variant({"sample_settings": {"focus": "intents"}}) == " [focus=intents]"
    part = {"value_plans": 0.0, "slot_verify": False}
    assert augment.variant({"sample_settings": part}) == " [slot_verify=False, value_plans=0.0]"
    # a setting beside the focus is still named, whichever way the focus was given
    extra = {"focus": "intents", "select": "diverse", "pool": 2.0}
    assert (
        augment.variant({"sample_settings": extra}) == " [focus=intents, pool=2.0, select=diverse]"
    )
    spelt = {**flags, "fidelity_features": "tfidf"}
    assert (
        augment.variant({"sample_settings": spelt}) == " [fidelity_features=tfidf, focus=intents]"
    )
