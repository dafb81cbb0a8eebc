"""The leak measure of eval/bench_pii.py: what counts as a surviving name."""

from __future__ import annotations

import pytest

from eval import pii_metrics

CLASSES = {"PERSON": "PERSON", "LOC": "LOCATION"}


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("Mr", False),
        ("Mrs", False),
        ("applicant’s brother", False),
        ("his two sisters", False),
        ("B", True),
        ("Mr T.", True),
        ("nina", True),  # a lower-case name is still a name
        ("frank freud", True),
        ("the applicant Ruslan Kurkaev", True),
    ],
)
def test_which_person_strings_name_someone(value: str, names: bool) -> None:
    assert pii_metrics.names_someone(value) is names


def _rec(text: str, *values: str) -> dict:
    spans = []
    for v in values:
        i = text.index(v)
        spans.append({"start": i, "end": i + len(v), "label": "PERSON"})
    return {"text": text, "spans": spans}


def test_a_made_up_surrogate_equal_to_a_gold_string_is_no_leak() -> None:
    text = "A and B were charged."
    rec = _rec(text, "A", "B")
    out = "B and K were charged."  # A -> B, B -> K
    edits = [[0, 1, "PERSON", 0, 1], [6, 7, "PERSON", 6, 7]]
    assert pii_metrics.leaks([rec], [out], CLASSES)["PERSON"]["surviving"] == 1
    res = pii_metrics.leaks([rec], [out], CLASSES, [edits])["PERSON"]
    assert res["surviving"] == 0 and res["names_surviving"] == 0


def test_words_a_surrogate_kept_from_its_original_still_leak() -> None:
    # a surrogate that keeps the surname leaks it, edits or not
    text = "Mr Ruslan Kurkaev applied."
    rec = _rec(text, "Kurkaev")
    out = "Mr Ivan Kurkaev applied."
    edits = [[0, 17, "PERSON", 0, 15]]
    assert pii_metrics.leaks([rec], [out], CLASSES, [edits])["PERSON"]["surviving"] == 1


def test_an_unreplaced_mention_still_leaks_beside_a_surrogate() -> None:
    text = "B met A. Later B left."
    rec = _rec(text, "B")
    out = "K met B. Later B left."  # the second B was missed
    edits = [[0, 1, "PERSON", 0, 1], [6, 7, "PERSON", 6, 7]]
    res = pii_metrics.leaks([rec], [out], CLASSES, [edits])["PERSON"]
    assert res["surviving"] == 1 and res["names_surviving"] == 1


def test_titles_and_descriptions_count_as_person_strings_not_names() -> None:
    text = "Mr and Mrs T. sued the applicant’s brother."
    rec = _rec(text, "Mr", "T.", "applicant’s brother")
    out = "Mr and Mrs K. sued the applicant’s brother."
    edits = [[11, 13, "PERSON", 11, 13]]
    res = pii_metrics.leaks([rec], [out], CLASSES, [edits])["PERSON"]
    assert (res["gold"], res["surviving"]) == (3, 2)
    assert (res["names"], res["names_surviving"]) == (1, 0)


def test_a_set_without_names_reports_none_not_all_person_strings() -> None:
    text = "Mr and Mrs sued."
    rec = _rec(text, "Mr", "Mrs")
    res = pii_metrics.leaks([rec], [text], CLASSES, [[]])["PERSON"]
    assert (res["gold"], res["surviving"]) == (2, 2)
    assert (res["names"], res["names_surviving"], res["names_share"]) == (0, 0, None)
