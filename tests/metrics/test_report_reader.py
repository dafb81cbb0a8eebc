"""The HTML report as a person reads it (issue 19, item 21) and the grammar's own schema
(item 20): sample by source, verdicts, header, details as tables, synonyms."""

from __future__ import annotations

import dataclasses
import re

import pytest

from textsynth import __version__
from textsynth.metrics import evaluate
from textsynth.metrics.verdict import verdict
from textsynth.types import Span, Utterance

from ..slots.helpers import slot_set


def sourced(utts, source):
    return [dataclasses.replace(u, source=source) for u in utts]


@pytest.fixture(scope="module")
def report():
    seeds = sourced(slot_set(40), "seed:seeds.jsonl")
    synthetic = sourced(slot_set(50, seed=3), "grammar:g.chatette:1") + sourced(
        slot_set(50, seed=4), "lm:run-1"
    )
    return evaluate(
        synthetic,
        seeds,
        embeddings=False,
        inputs={"synthetic": "out/generated.jsonl", "seeds": "data/seeds.jsonl"},
    )


def test_a_sample_is_shown_per_source_with_highlighted_spans(report):
    html = report.to_html()
    assert "Read a sample" in html
    for source in ("grammar", "lm"):
        table = re.search(rf'<table class="sample" data-source="{source}">(.*?)</table>', html)
        assert table, source
        assert table.group(1).count("<tr") == 31  # 30 utterances + the head
        assert "<mark" in table.group(1) and "<sub>" in table.group(1)
    assert set(report.sample["per_source"]) == {"grammar", "lm"}
    # the same seed draws the same sample
    assert [x["text"] for x in report.sample["per_source"]["lm"]][:3] == [
        x["text"] for x in report.sample["per_source"]["lm"]
    ][:3]


def test_disagreements_with_the_tagger_are_flagged_in_the_sample():
    seeds = slot_set(80)
    bad = [
        Utterance(
            u.text, u.intent, tuple(Span(s.start, s.end, "artist") for s in u.spans), "en", "lm:x"
        )
        for u in slot_set(30, seed=9)
        if u.intent == "weather"
    ]
    r = evaluate(bad, seeds, embeddings=False, metrics=["slot-fidelity"])
    items = r.sample["per_source"]["lm"]
    assert items and all(it["flags"] for it in items if it["spans"])
    assert any("the tagger says" in f for it in items for f in it["flags"])
    html = r.to_html()
    assert '<tr class="flag">' in html and '<mark class="bad"' in html


def test_every_metric_has_a_verdict_with_its_rule(report):
    html = report.to_html()
    rows = re.findall(r'<tr data-metric="([^"]+)" data-verdict="([^"]+)">', html)
    assert {m for m, _ in rows} == set(report.results)
    assert all(v in ("pass", "warn", "fail", "info") for _, v in rows)
    assert "pass ≥" in html or "pass ≤" in html
    d = report.to_dict()["metrics"]
    assert d["span-validity"]["verdict"]["status"] == "pass"


def test_verdicts_follow_the_stated_thresholds():
    from textsynth.metrics.base import Goal, MetricResult

    def res(name, value, ref=None):
        return MetricResult(name, value, Goal.MAXIMIZE, 0, 1, reference=ref)

    assert verdict(res("span-validity", 0.99)).status == "pass"
    assert verdict(res("span-validity", 0.95)).status == "warn"
    assert verdict(res("span-validity", 0.5)).status == "fail"
    assert verdict(res("exact-match", 0.5, 0.0)).status == "fail"
    assert verdict(res("intent-fidelity", 0.92, 0.95)).status == "pass"  # 0.97 of reference
    assert verdict(res("intent-fidelity", 0.5, 0.95)).status == "fail"
    assert verdict(res("slot-fidelity", 0.7)).status == "warn"  # no reference: fixed line
    assert verdict(res("some-plugin-metric", 0.7)).status == "info"


def test_the_unexplained_score_column_is_gone(report):
    html = report.to_html()
    assert "<th>score</th>" not in html and "data-score" not in html


def test_the_header_names_the_input_files_the_date_and_the_version(report):
    html = report.to_html()
    head = html[: html.index("<h2>Summary")]
    assert "out/generated.jsonl" in head and "data/seeds.jsonl" in head
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", head)
    assert __version__ in head
    assert '{"seed"' not in html and "&quot;seed&quot;" not in html  # no raw JSON header


def test_details_are_tables_not_json_dumps(report):
    html = report.to_html()
    details = html[html.index("<h2>Details") :]
    assert "<pre>" not in details
    assert details.count("<details") == len(report.results)
    block = re.search(r'<details data-metric="slot-fidelity">(.*?)</details>', details, re.S)
    assert block and '<table class="inner' in block.group(1)
    assert "precision" in block.group(1) and "{" not in re.sub(r"<[^>]+>", "", block.group(1))


def test_span_validity_counts_the_grammars_synonyms_and_labels_and_says_so():
    seeds = [
        Utterance(
            "move 20 from checking", "transfer", (Span(5, 7, "amount"), Span(13, 21, "account"))
        )
    ]
    grammar = [
        # a synonym declared by the grammar ("current" = checking) and a label the seeds lack
        Utterance(
            "move 30 from current account",
            "transfer",
            (Span(5, 7, "amount"), Span(13, 20, "account", "checking")),
            source="grammar:bank.chatette:3",
        ),
        Utterance(
            "update my mobile number",
            "update_contact",
            (Span(10, 23, "contact_field", "phone"),),
            source="grammar:bank.chatette:9",
        ),
    ]
    lm = [  # an LM utterance with a synonym nobody declared is still a mismatch
        Utterance(
            "move 40 from savings",
            "transfer",
            (Span(5, 7, "amount"), Span(13, 20, "account", "gold")),
            source="lm:r",
        )
    ]
    r = evaluate(grammar + lm, seeds, embeddings=False, metrics=["span-validity"])
    res = r["span-validity"]
    assert res.value == pytest.approx(2 / 3)
    assert res.breakdown["errors"] == {"value-mismatch": 1}
    assert res.breakdown["labels_only_in_grammar"] == {"contact_field": ["update_contact"]}
    notes = " ".join(res.breakdown["notes"])
    assert "'contact_field'" in notes and "grammar" in notes
    html = r.to_html()
    notes_html = html[html.index("<h2>Notes") : html.index("<h2>", html.index("<h2>Notes") + 4)]
    assert "contact_field" in notes_html and "comes from the grammar only" in notes_html
    assert "[savings](account=gold)" in res.breakdown["examples"]["value-mismatch"][0]
