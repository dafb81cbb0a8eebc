"""Pseudonymiser: operators, slot alignment, text outside replacements untouched, vault."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from textsynth.errors import ConfigError
from textsynth.pii import FakeNer, Finding, Pseudonymiser, Vault
from textsynth.pii.replace import apply_replacements, widen_to_slots
from textsynth.types import Span, Utterance

from .conftest import KEY
from .helpers import unchanged_outside

TEXT = (
    "Hi, this is Margaret Okonkwo from Acme Bank. Card 4111 1111 1111 1111, "
    "mail m.okonkwo@gmail.com, call +44 20 7946 0958. Thanks, margaret."
)


def test_scrub_text_removes_every_value(ps: Pseudonymiser) -> None:
    out = ps.scrub_text(TEXT)
    for value in ("Margaret", "Okonkwo", "margaret", "Acme", "4111", "m.okonkwo", "7946"):
        assert value not in out
    assert out.startswith("Hi, this is ") and out.endswith(".")


def test_outside_text_is_unchanged(ps: Pseudonymiser) -> None:
    (res,) = ps.scrub_documents([[TEXT]])[0]
    assert res.edits and unchanged_outside(TEXT, res.text, res.edits)
    for e in res.edits:
        assert res.text[e.new_start : e.new_end] != TEXT[e.start : e.end]


@pytest.mark.parametrize("operator", ["surrogate", "tag", "mask", "redact", "hash"])
def test_each_operator(fake_ner: FakeNer, operator: str) -> None:
    p = Pseudonymiser(key=KEY, ner=fake_ner, operator=operator)
    (res,) = p.scrub_documents([[TEXT]])[0]
    assert "Okonkwo" not in res.text and unchanged_outside(TEXT, res.text, res.edits)
    if operator == "tag":
        assert res.text.startswith("Hi, this is <PERSON_1> from <ORG_1>.")
    if operator == "mask":
        assert len(res.text) == len(TEXT)


def test_tags_are_numbered_per_document(fake_ner: FakeNer) -> None:
    p = Pseudonymiser(key=KEY, ner=fake_ner, operator="tag")
    doc = ["John Smith met Margaret Okonkwo.", "Margaret Okonkwo left."]
    a, b = p.scrub_documents([doc, ["Margaret Okonkwo again."]])
    assert [r.text for r in a] == ["<PERSON_1> met <PERSON_2>.", "<PERSON_2> left."]
    assert b[0].text == "<PERSON_1> again."


def test_unknown_operator_lists_choices() -> None:
    with pytest.raises(ConfigError, match="did you mean 'tag'"):
        Pseudonymiser(key=KEY, ner=False, operator="tags")


def test_utterance_slots_stay_aligned(ps: Pseudonymiser) -> None:
    ps.slot_policy = "all"  # every slot, PII label or not (the default keeps city and date)
    text = "book a table for Margaret Okonkwo in Paris on 21 March 2005 please"
    u = Utterance(text, "book", (Span(17, 25, "name"), Span(37, 42, "city"), Span(46, 59, "date")))
    (v,) = ps.scrub_utterances([u])
    assert v.intent == "book" and [s.label for s in v.spans] == ["name", "city", "date"]
    for s in v.spans:
        assert v.text[s.start : s.end] not in ("Margaret", "Paris", "21 March 2005")
        assert s.value is None
    # the name slot only covered "Margaret": the hit is split at the slot boundary
    name = v.spans[0]
    assert len(v.text[name.start : name.end].split()) == 1
    assert "Okonkwo" not in v.text
    assert all(set(d) >= {"start", "end", "type", "recognizer", "score"} for d in v.meta["pii"])
    assert "Margaret" not in str(v.meta)


def test_utterance_without_pii_is_returned_as_is(ps: Pseudonymiser) -> None:
    u = Utterance("what is the weather", "weather")
    assert list(ps.scrub_utterances([u])) == [u]


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_slot_remap_property(data) -> None:
    text = data.draw(st.text(alphabet="abc ", min_size=4, max_size=30))
    n = len(text)
    cuts = sorted(data.draw(st.sets(st.integers(0, n), min_size=2, max_size=6)))
    slots = [
        Span(a, b, f"s{i}")
        for i, (a, b) in enumerate(zip(cuts[::2], cuts[1::2], strict=False))
        if a < b
    ]
    hcuts = sorted(data.draw(st.sets(st.integers(0, n), min_size=2, max_size=6)))
    hits = [
        Finding(a, b, "X", 0.9, "r") for a, b in zip(hcuts[::2], hcuts[1::2], strict=False) if a < b
    ]
    hits = widen_to_slots(hits, slots, text)
    reps = [data.draw(st.text(alphabet="XYZ", min_size=1, max_size=8)) for _ in hits]
    new, edits, new_slots = apply_replacements(text, hits, reps, slots)
    assert unchanged_outside(text, new, edits)
    assert len(new_slots) == len(slots)
    for old, s in zip(slots, new_slots, strict=False):
        touched = any(e.start < old.end and old.start < e.end for e in edits)
        if not touched:
            assert new[s.start : s.end] == text[old.start : old.end]
    Utterance(new, "i", tuple(new_slots))  # valid: in bounds, sorted, non-overlapping
    for s in new_slots:  # every slot is either untouched or made of whole replacements
        for e in edits:
            assert not (e.new_start < s.end and s.start < e.new_end) or (
                s.start <= e.new_start and e.new_end <= s.end
            )


def test_a_name_over_two_slots_becomes_two_replacements(ps: Pseudonymiser) -> None:
    ps.slot_policy = "all"  # "first"/"last" are not PII labels under the default policy
    u = Utterance("for Margaret Okonkwo", "x", (Span(4, 12, "first"), Span(13, 20, "last")))
    (v,) = ps.scrub_utterances([u])
    first, last = (v.text[s.start : s.end] for s in v.spans)
    assert f"{first} {last}" == ps.smap.surrogate("PERSON", "Margaret Okonkwo")


def test_vault_round_trip(fake_ner: FakeNer, tmp_path) -> None:
    p = Pseudonymiser(key=KEY, ner=fake_ner, vault=True)
    out = p.scrub_text("Margaret Okonkwo, card 4111 1111 1111 1111")
    path = tmp_path / "v.vault"
    p.save_vault(str(path))
    assert b"Okonkwo" not in path.read_bytes()
    v = Vault.load(path, KEY)
    name = out.split(",")[0]
    assert v.lookup("PERSON", name) == "Margaret Okonkwo"
    with pytest.raises(ConfigError, match="wrong key"):
        Vault.load(path, b"another-key-0123456789")


def test_map_batch_for_datasets(ps: Pseudonymiser) -> None:
    batch = {"text": ["John Smith paid", "nothing here"], "label": [1, 2]}
    out = ps.batch_function("text")(batch)
    assert out["label"] == [1, 2] and out["text"][1] == "nothing here"
    assert "John" not in out["text"][0] and out["text"][0].endswith(" paid")


def test_vault_keeps_every_original_behind_a_shared_surrogate() -> None:
    v = Vault(KEY)
    v.add("PERSON", "Hannah", "Margaret")
    v.add("PERSON", "Hannah", "Susan")
    assert v.lookup_all("PERSON", "Hannah") == ["Margaret", "Susan"]
    assert v.lookup("PERSON", "Hannah") is None and len(v) == 2


def test_inside_datasets_map(ps: Pseudonymiser) -> None:
    import datasets

    ds = datasets.Dataset.from_dict({"text": ["John Smith paid", "Paris is nice"], "n": [1, 2]})
    out = ds.map(ps.batch_function("text"), batched=True, batch_size=1, load_from_cache_file=False)
    assert out["n"] == [1, 2] and "John" not in out["text"][0] and "Paris" not in out["text"][1]


def test_first_name_alone_gets_the_first_part_of_the_full_name_surrogate() -> None:
    ner = FakeNer({"Sophie Martin": "PERSON", "Sophie": "ORG"})
    p = Pseudonymiser(key=KEY, ner=ner)
    doc = ["Name: Sophie Martin", "Hi Sophie, I see failed attempts."]
    a, b = p.scrub_documents([doc])[0]
    full = a.text.removeprefix("Name: ")
    assert b.text == f"Hi {full.split()[0]}, I see failed attempts."
