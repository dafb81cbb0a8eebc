"""Golden tests: the exhaustive expansion of each small grammar, text, intent AND spans.

Each ``golden/X.{tsg,chatette,chatito}`` sits beside ``X.expected.jsonl``. The expected files
were generated once and reviewed by hand against the Chatette and Chatito specifications; to
regenerate after an intended change, run with ``TEXTSYNTH_REGEN_GOLDEN=1`` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from textsynth.grammar import count_report, expand, load_grammar

GOLDEN = Path(__file__).parent / "golden"
GRAMMARS = sorted(
    p
    for p in GOLDEN.iterdir()
    if p.suffix in (".tsg", ".chatette", ".chatito") and p.stem != "common"
)


def _records(path: Path) -> list[dict]:
    g = load_grammar(path)
    return [
        {"text": u.text, "intent": u.intent, "entities": [s.to_dict(u.text) for s in u.spans]}
        for u in expand(g)
    ]


@pytest.mark.parametrize("path", GRAMMARS, ids=[p.name for p in GRAMMARS])
def test_exhaustive_expansion_matches_golden(path):
    expected_path = path.with_suffix(".expected.jsonl")
    got = _records(path)
    if os.environ.get("TEXTSYNTH_REGEN_GOLDEN") == "1":
        expected_path.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in got), encoding="utf-8"
        )
    expected = [json.loads(line) for line in expected_path.read_text(encoding="utf-8").splitlines()]
    assert got == expected


@pytest.mark.parametrize("path", GRAMMARS, ids=[p.name for p in GRAMMARS])
def test_golden_spans_cover_their_values_exactly(path):
    for r in _records(path):
        for e in r["entities"]:
            surface = r["text"][e["start"] : e["end"]]
            assert surface and surface == surface.strip()
        assert "  " not in r["text"] and r["text"] == r["text"].strip()


@pytest.mark.parametrize("path", GRAMMARS, ids=[p.name for p in GRAMMARS])
def test_counts_equal_the_number_of_distinct_texts(path):
    g = load_grammar(path)
    rep = count_report(g)
    for intent, r in rep.items():
        assert r["exact"]
        assert r["distinct"] == len({(u.text) for u in expand(g, intents=[intent])})
