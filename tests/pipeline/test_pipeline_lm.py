"""The pipeline's LM and evaluation stages wired end to end, on the tiny random Llama model."""

from __future__ import annotations

import json

import pytest

from textsynth import pipeline
from textsynth.io import read_utterances

from ..lm.conftest import build_tiny_model, make_seeds

GRAMMAR = """\
%[GetWeather]
    what is the weather in @[city] ~[when?]
%[PlayMusic]
    play some @[genre] ~[please?]
%[BookRestaurant]
    book a table at @[restaurant] ~[please?]
~[when]
    today
    tomorrow
~[please]
    please
@[city]
    Paris
    Rome
@[genre]
    jazz
    rock
@[restaurant]
    Nobu
    Luigi's
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    import torch

    torch.set_num_threads(1)
    return build_tiny_model(tmp_path_factory.mktemp("tiny"))


@pytest.mark.parametrize("mode", ["finetune", "prompt"])
def test_lm_stages_run_and_evaluation_report_is_written(tmp_path, tiny, mode):
    (tmp_path / "seeds.jsonl").write_text(
        "".join(json.dumps(u.to_dict()) + "\n" for u in make_seeds())
    )
    (tmp_path / "g.tsg").write_text(GRAMMAR)
    cfg_file = tmp_path / "p.yaml"
    cfg_file.write_text(f"""\
name: lm-test
seed: 1
seeds: {{path: seeds.jsonl}}
scrub: {{ner: none}}
grammar: {{path: g.tsg, n: 12}}
lm:
  mode: {mode}
  finetune: {{base_model: {tiny}, epochs: 1, batch_size: 4, max_length: 48}}
  sample:
    per_intent: 2
    fidelity_features: tfidf
    max_new_tokens: 12
    batch_size: 8
    max_rounds: 1
evaluate: {{embeddings: false}}
export: {{formats: [jsonl, rasa-yaml]}}
""")
    results = pipeline.run(pipeline.load(cfg_file), tmp_path / "run")
    names = [r.name for r in results]
    expected = [
        "seeds",
        "grammar",
        *(["finetune"] if mode == "finetune" else []),
        "sample",
        "merge",
        "evaluate",
        "export",
    ]
    assert names == expected
    by = {r.name: r for r in results}
    filters = json.loads((by["sample"].path / "filters.json").read_text())
    assert filters  # every filter's counts are kept next to the generations
    generated = list(read_utterances(by["sample"].path / "generated.jsonl"))
    assert all(u.source.startswith("lm") for u in generated)
    report = by["evaluate"].path / "report"
    metrics = json.loads((report / "metrics.json").read_text())
    assert metrics and (report / "report.html").read_text().lstrip().lower().startswith(
        "<!doctype html"
    )
    merged = list(read_utterances(by["merge"].path / "train.jsonl"))
    parts = [
        *read_utterances(by["seeds"].path / "seeds.jsonl"),
        *read_utterances(by["grammar"].path / "grammar.jsonl"),
        *generated,
    ]
    assert len(merged) == len(
        {(u.text.casefold(), u.intent) for u in parts}
    )  # union, no duplicates
