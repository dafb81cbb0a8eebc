"""Golden tests against the real tools: each repro in ``golden/peers`` beside the output the real
Chatito 2.3.5 / Chatette 1.6.3 gave for it (``X.chatito.peer.json``), generated once with
``python -m eval.grammar_diff --write-golden`` (npm and the Chatette venv are needed only then).

textsynth must give the same examples (text, intent AND spans with their values), the same
count, the same Rasa synonym table, and reject what the tool rejects, with a ``file:line:col``
message. ``doc_*`` repros are the documented differences (docs/grammar.md): they must still
differ, so the documentation stays true.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from eval.grammar_peers import (
    chatette_synonym_view,
    normalise_synonyms,
    textsynth_view,
    tool_for,
)
from textsynth import formats
from textsynth.errors import GrammarErrors
from textsynth.grammar import count_report, expand, load_grammar

PEERS = Path(__file__).parent / "golden" / "peers"
REPROS = sorted(
    p
    for p in PEERS.iterdir()
    if p.suffix in (".chatette", ".chatito") and not p.name.startswith("_")
)
SAME = [p for p in REPROS if not p.stem.startswith("doc_")]
DOCUMENTED = [p for p in REPROS if p.stem.startswith("doc_")]


def _golden(path: Path) -> dict:
    return json.loads(path.with_name(path.name + ".peer.json").read_text(encoding="utf-8"))


def _synonyms(path: Path, ours) -> dict:
    if tool_for(path) == "chatette":
        return chatette_synonym_view(ours, ours.synonyms)
    return normalise_synonyms(ours.synonyms)


@pytest.mark.parametrize("path", SAME, ids=[p.name for p in SAME])
def test_textsynth_expands_like_the_real_tool(path):
    golden = _golden(path)
    ours = textsynth_view(path)
    if "error" in golden:
        assert ours.error is not None, f"{golden['tool']} rejects this grammar: {golden['error']}"
        assert re.match(rf"{re.escape(str(path))}:\d+:\d+: ", ours.error), ours.error
        return
    assert ours.error is None, ours.error
    assert ours.examples == golden["examples"]
    assert len(ours.examples) == golden["count"]
    if "/" in golden["synonyms"]:  # Chatette files ``= /`` rules under the value "/"
        assert "/" not in ours.synonyms  # (documented); textsynth uses the real values (B3)
    else:
        assert _synonyms(path, ours) == normalise_synonyms(golden["synonyms"])


@pytest.mark.parametrize(
    "path", [p for p in SAME if "error" not in _golden(p)], ids=lambda p: p.name
)
def test_count_matches_the_real_tool(path):
    rep = count_report(load_grammar(path))
    golden = _golden(path)
    assert sum(r["distinct"] for r in rep.values()) == golden["count"]
    for intent, r in rep.items():
        assert r["distinct"] == sum(e["intent"] == intent for e in golden["examples"])


@pytest.mark.parametrize("path", DOCUMENTED, ids=[p.name for p in DOCUMENTED])
def test_documented_differences_still_differ(path):
    golden = _golden(path)
    ours = textsynth_view(path)
    assert (ours.error, ours.examples) != (golden.get("error"), golden.get("examples", []))


@pytest.mark.parametrize(
    "path", [p for p in SAME if p.stem == "rasa_synonyms"], ids=lambda p: p.name
)
@pytest.mark.parametrize("fmt", ["rasa-json", "rasa-yaml"])
def test_rasa_files_have_the_peers_examples_values_and_synonyms(path, fmt, tmp_path):
    golden = _golden(path)
    out = tmp_path / ("out.rasa.json" if fmt == "rasa-json" else "out.yml")
    formats.write(expand(load_grammar(path)), out, fmt)
    if fmt == "rasa-json":
        data = json.loads(out.read_text(encoding="utf-8"))["rasa_nlu_data"]
        table = {s["value"]: s["synonyms"] for s in data["entity_synonyms"]}
    else:
        doc = yaml.safe_load(out.read_text(encoding="utf-8"))
        table = {
            b["synonym"]: [x[2:] for x in b["examples"].splitlines() if x.startswith("- ")]
            for b in doc["nlu"]
            if "synonym" in b
        }
    examples = sorted(
        (
            {
                "text": u.text,
                "intent": u.intent,
                "entities": [
                    {
                        "start": s.start,
                        "end": s.end,
                        "entity": s.label,
                        "value": s.value if s.value is not None else u.text[s.start : s.end],
                    }
                    for s in u.spans
                ],
            }
            for u in formats.read(out, fmt)
        ),
        key=lambda e: (e["intent"], e["text"], json.dumps(e["entities"])),
    )
    assert examples == golden["examples"]
    theirs = normalise_synonyms(golden["synonyms"])
    assert normalise_synonyms(table) == theirs and theirs  # the repro does use synonyms


def test_rejected_repros_say_where(tmp_path):
    for path in [p for p in SAME if "error" in _golden(p)]:
        with pytest.raises(GrammarErrors) as exc:
            load_grammar(path)
        assert f"{path}:" in str(exc.value) and "^" in str(exc.value)
