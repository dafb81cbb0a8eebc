"""Every format writes and reads back the same utterances (modulo what the format cannot hold)."""

from __future__ import annotations

from pathlib import Path

import pytest

from textsynth import formats
from textsynth.io import read_utterances
from textsynth.types import Span, Utterance

SAMPLE = Path(__file__).parent.parent / "data" / "snips_sample.jsonl"

CRAFTED = [
    Utterance(
        "fly to NYC tomorrow",
        "book_flight",
        (Span(7, 10, "city", "New York"), Span(11, 19, "date")),
    ),
    Utterance(
        "réserve une table à Montréal 🍕", "book_table", (Span(20, 28, "ville"),), language="fr"
    ),
    Utterance("hello", "greet"),
    Utterance(
        "send 20 € to Anna-Lena O'Brien",
        "transfer",
        (Span(5, 7, "amount"), Span(8, 9, "currency"), Span(13, 30, "person")),
    ),
]


def _key(u: Utterance, keep_value: bool = True, keep_lang: bool = True):
    return (
        u.text,
        u.intent,
        tuple((s.start, s.end, s.label, s.value if keep_value else None) for s in u.spans),
        u.language if keep_lang else None,
    )


def _data():
    return [*CRAFTED, *read_utterances(SAMPLE)]


# fmt: off
@pytest.mark.parametrize("fmt, suffix, keeps_value, keeps_lang", [
    ("jsonl", ".jsonl", True, True),
    ("rasa-yaml", ".yml", True, False),
    ("rasa-json", ".rasa.json", True, False),
    ("conll", ".conll", False, True),
    ("hf-dataset", ".hf", True, True),
])
# fmt: on
def test_format_round_trip(tmp_path, fmt, suffix, keeps_value, keeps_lang):
    data = _data()
    path = tmp_path / f"out{suffix}"
    assert formats.write(data, path, fmt) == len(data)
    assert formats.guess(path) == fmt
    back = list(formats.read(path))
    if fmt in ("rasa-yaml",):  # grouped by intent: compare as multisets
        assert sorted(map(lambda u: _key(u, keeps_value, False), back)) == sorted(
            map(lambda u: _key(u, keeps_value, False), data))
    else:
        assert [_key(u, keeps_value, keeps_lang) for u in back] == [
            _key(u, keeps_value, keeps_lang) for u in data]


def test_snips_json_round_trip_keeps_synonyms(tmp_path):
    data = [u for u in _data() if u.language == "en"]
    path = tmp_path / "d.snips.json"
    formats.write(data, path)
    back = list(formats.read(path))
    assert sorted(_key(u, True, False) for u in back) == sorted(_key(u, True, False) for u in data)


def test_rasa_yaml_writes_rasa3_markup_and_synonyms(tmp_path):
    path = tmp_path / "nlu.yml"
    formats.write(CRAFTED[:1], path)
    text = path.read_text()
    assert text.startswith('version: "3.1"\nnlu:\n- intent: book_flight\n')
    assert '[NYC]{"entity": "city", "value": "New York"}' in text
    assert "[tomorrow](date)" in text
    assert "- synonym: New York" in text


def test_conll_widens_misaligned_spans_to_tokens(tmp_path):
    u = Utterance("in Parisian cafes", "x", (Span(3, 8, "city"),))
    path = tmp_path / "x.conll"
    formats.write([u], path)
    assert "Parisian\tB-city" in path.read_text()
    assert [(s.start, s.end) for s in next(formats.read(path)).spans] == [(3, 11)]


def test_unknown_format_lists_choices():
    from textsynth.errors import UnknownNameError

    with pytest.raises(UnknownNameError, match="did you mean 'rasa-yaml'"):
        formats.get("rasa-yml")


def test_hf_dataset_carries_the_merge_weights_as_a_column(tmp_path):
    import datasets  # the `hf` extra, in `all` (the Makefile installs it)
    utts = [
        Utterance("hi there", "greet", meta={"weight": 2.5}),
        Utterance("bye now", "bye"),
    ]
    formats.write(utts, tmp_path / "w.hf", "hf-dataset")
    ds = datasets.load_from_disk(str(tmp_path / "w.hf"))  # the real client reads it
    assert ds["weight"] == [2.5, 1.0] and ds.features["weight"].dtype == "float32"
    back = list(formats.read(tmp_path / "w.hf", "hf-dataset"))
    assert [u.meta.get("weight") for u in back] == [2.5, 1.0]
    formats.write([Utterance("hi", "greet")], tmp_path / "plain.hf", "hf-dataset")
    assert "weight" not in datasets.load_from_disk(str(tmp_path / "plain.hf")).column_names
