"""Detector: NER + patterns + context + names; overlaps; allow/deny lists; custom files."""

from __future__ import annotations

import pytest

from textsynth.errors import ConfigError
from textsynth.pii import Detector, FakeNer, Finding
from textsynth.pii.resolve import resolve


def surfaces(text: str, fs) -> list[tuple[str, str]]:
    return [(text[f.start : f.end], f.entity) for f in fs]


def test_card_typed_as_date_is_a_card(fake_ner: FakeNer) -> None:
    ner = FakeNer({"4111 1111 1111 1111": "DATE"})
    text = "my card is 4111 1111 1111 1111"
    assert surfaces(text, Detector(ner=ner).detect(text)) == [
        ("4111 1111 1111 1111", "CREDIT_CARD")
    ]


def test_recurring_and_lower_case_names_are_found(fake_ner: FakeNer) -> None:
    d = Detector(ner=fake_ner)
    doc = ["Hello, Margaret Okonkwo here.", "Thanks margaret!", "Noted, Ms. Okonkwo."]
    out = d.detect_documents([doc])[0]
    assert surfaces(doc[1], out[1]) == [("margaret", "PERSON")]
    assert surfaces(doc[2], out[2]) == [("Ms. Okonkwo", "PERSON")]


def test_introduced_lower_case_name_without_ner() -> None:
    text = "hi this is tom baker from the shop"
    assert surfaces(text, Detector(ner=False).detect(text)) == [("tom baker", "PERSON")]


def test_names_do_not_leak_across_documents(fake_ner: FakeNer) -> None:
    d = Detector(ner=fake_ner)
    # capitalised at the start of the sentence: only recurrence from the first document could
    # find it (an all-lower-case text would read it as a name by itself since issue 15)
    out = d.detect_documents([["Margaret Okonkwo called."], ["Margaret is a nice name"]])
    assert out[1] == [[]]


def test_context_word_raises_a_weak_match() -> None:
    d = Detector(ner=False)
    assert surfaces("zip 94103", d.detect("zip 94103")) == [("94103", "POSTCODE")]
    assert d.detect("it is 94103 metres") == []


def test_allow_and_deny_lists(fake_ner: FakeNer) -> None:
    d = Detector(ner=fake_ner, allow_list=["Acme Bank"], deny_list={"PERSON": ["Bobby Tables"]})
    text = "Acme Bank says bobby tables owes money"
    assert surfaces(text, d.detect(text)) == [("bobby tables", "PERSON")]


def test_custom_recognizer_file(tmp_path) -> None:
    cfg = tmp_path / "rec.yaml"
    cfg.write_text(
        "recognizers:\n"
        "  - name: employee-id\n"
        "    entity: EMPLOYEE_ID\n"
        "    patterns: [{name: emp, regex: 'EMP-\\d{6}', score: 0.9}]\n"
        "allow_list: [Acme]\n"
    )
    d = Detector(ner=False, custom=str(cfg))
    assert surfaces("badge EMP-123456", d.detect("badge EMP-123456")) == [
        ("EMP-123456", "EMPLOYEE_ID")
    ]
    toml = tmp_path / "rec.toml"
    toml.write_text(
        '[[recognizers]]\nname = "x"\nentity = "X"\npatterns = [{regex = "ZZ\\\\d+"}]\n'
    )
    assert Detector(ner=False, custom=str(toml)).detect("a ZZ12 b")[0].entity == "X"


def test_custom_recognizer_errors_name_the_file(tmp_path) -> None:
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("recognizers:\n  - name: x\n    patterns: []\n")
    with pytest.raises(ConfigError, match="bad.yaml.*'entity'"):
        Detector(ner=False, custom=str(cfg))


# fmt: off
RESOLVE_CASES = [
    # higher score wins a partial overlap
    ([(0, 10, "A", 0.9), (5, 15, "B", 0.5)], [(0, 10, "A")]),
    # a container that passed the threshold swallows what it contains
    ([(5, 10, "LOCATION", 0.85), (0, 20, "ADDRESS", 0.6)], [(0, 20, "ADDRESS")]),
    # a checksum-validated finding is not swallowed by a weaker container
    ([(5, 20, "IBAN", 1.0), (0, 24, "PERSON", 0.85)], [(5, 20, "IBAN")]),
    # below threshold: dropped
    ([(0, 4, "X", 0.2)], []),
    # disjoint: both kept, sorted
    ([(10, 12, "B", 0.5), (0, 2, "A", 0.5)], [(0, 2, "A"), (10, 12, "B")]),
]
# fmt: on


@pytest.mark.parametrize(("given", "expected"), RESOLVE_CASES)
def test_resolve(given, expected) -> None:
    fs = [Finding(s, e, t, sc, "r") for s, e, t, sc in given]
    assert [(f.start, f.end, f.entity) for f in resolve(fs, 0.4)] == expected


def test_recurring_name_stays_a_person_when_ner_calls_it_an_org() -> None:
    # seen in examples/transcripts.jsonl with the real model: "Hi Sophie" tagged ORG
    ner = FakeNer({"Sophie Martin": "PERSON", "Sophie": "ORG"})
    doc = ["My login fails. Name: Sophie Martin", "Hi Sophie, I see failed attempts."]
    out = Detector(ner=ner).detect_documents([doc])[0]
    assert surfaces(doc[0], out[0]) == [("Sophie Martin", "PERSON")]
    assert surfaces(doc[1], out[1]) == [("Sophie", "PERSON")]
    # without the earlier mention, NER's label stands
    alone = Detector(ner=ner).detect("Hi Sophie, I see failed attempts.")
    assert [f.entity for f in alone] == ["ORG"]


def test_an_org_containing_a_known_name_stays_an_org() -> None:
    ner = FakeNer({"Sophie Martin": "PERSON", "Martin & Co": "ORG"})
    doc = ["Name: Sophie Martin", "I work at Martin & Co."]
    out = Detector(ner=ner).detect_documents([doc])[0]
    assert surfaces(doc[1], out[1]) == [("Martin & Co", "ORG")]


def test_previous_turn_is_context_for_a_bare_number() -> None:
    d = Detector(ner=False)
    question = "And a phone number we can reach you on?"
    out = d.detect_documents([[question, "50008063"]])[0]
    assert surfaces("50008063", out[1]) == [("50008063", "PHONE")]
    # the same digits with no cue are more likely an id than a phone
    assert d.detect("50008063") == []
    assert d.detect_documents([["What is your order number?", "50008063"]])[0][1] == []
