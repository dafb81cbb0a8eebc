"""People named by an initial (court rulings, case notes): taken where the words say so, and
never a letter that names a thing (``Plan B``) or the article ``A``. Our own sentences."""

from __future__ import annotations

import pytest

from textsynth.pii import FakeNer, Pseudonymiser
from textsynth.pii.initials import find_initials

PERSONS = [
    ("The court disregarded Q’s statement entirely.", ["Q"]),  # a possessive
    ("the co-accused D and T were released", ["D", "T"]),  # a role before a list
    ("Z.P lodged an appeal on 3 May.", ["Z.P"]),  # a verb people do after it
    ("After that, V. told the officers everything.", ["V."]),
    ("the hearing of [F, L and E] was adjourned", ["F", "L", "E"]),  # enclosed, a list
    ("a dispute between Mrs Okafor and G.", ["G."]),  # coordinated with a titled person
    ("the seventeen-year-old J., who said that", ["J."]),  # a relative clause
    ("the witness (P.) described the car", ["P."]),
    ("Le requérant et B. avaient signé", ["B."]),  # French role word
    # an initial taken once is a person where it recurs alone in the same text
    ("U’s lawyer wrote to the bank; the bank paid U for the flat.", ["U", "U"]),
]

NOT_PERSONS = [
    "Plan B was approved by the board.",
    "Vitamin D is good for you.",
    "I was there all day.",
    "A man was seen near the station.",
    "Section A was amended in 2019.",
    "The options A, B and C were considered.",
    "Terminal B is closed today.",
    "The U.S. has agreed to the terms.",
    "Press “A” to continue.",
    "Which cinema is playing A Is for Atom?",
    "Is F.I.S.T. showing at the Odeon?",  # an acronym, not initials
    "She got an A in maths.",
    "Size M is out of stock.",
    "A judge was appointed; A claimant appealed.",
]


@pytest.mark.parametrize(("text", "initials"), PERSONS)
def test_initials_that_name_a_person(text: str, initials: list[str]) -> None:
    found = find_initials([text])[0]
    assert [text[f.start : f.end] for f in sorted(found, key=lambda f: f.start)] == initials


@pytest.mark.parametrize("text", NOT_PERSONS)
def test_letters_that_name_things_stay(text: str) -> None:
    assert find_initials([text]) == [[]]


def test_an_initial_is_replaced_by_another_letter_and_every_mention_follows() -> None:
    ps = Pseudonymiser(lang="en", key=b"initials-test-key-0123456789", ner=FakeNer({}))
    turns = ["X’s evidence was heard first.", "The defence later said that X had lied."]
    out = [r.text for r in ps.scrub_documents([turns], languages=["en"])[0]]
    new = out[0].split("’s")[0]
    assert len(new) == 1 and new.isupper() and new != "X", out
    assert out[1] == f"The defence later said that {new} had lied.", out


def test_a_one_letter_unit_alone_is_no_unit() -> None:
    # "M." is an initial here; "5 m" is still a length that stays
    ps = Pseudonymiser(lang="en", key=b"initials-test-key-0123456789", ner=FakeNer({}))
    out = ps.scrub_documents([["When M. gave evidence, the wall was 5 m high."]], languages=["en"])[
        0
    ][0]
    assert not out.text.startswith("When M. ") and out.text.endswith("the wall was 5 m high.")


def test_an_initials_surrogate_never_reads_as_a_word() -> None:
    # "K had left" must not become "I had left": initials are replaced by consonants only
    from textsynth.pii.surrogates import SurrogateMap

    smap = SurrogateMap(b"initials-test-key-0123456789")
    letters = {smap.surrogate("PERSON", c) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
    letters |= {smap.surrogate("PERSON", f"{c}.") for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
    assert not {x.rstrip(".") for x in letters} & set("AEIOUY"), letters


def test_consonant_initials_keep_apart() -> None:
    # "A, B, H, N and R were charged": five co-accused must stay five people, so no two consonant
    # initials share a surrogate and none keeps its letter
    from textsynth.pii.surrogates import SurrogateMap

    for key in (b"initials-test-key-0123456789", b"another-initials-key-98765"):
        smap = SurrogateMap(key)
        consonants = "BCDFGHJKLMNPQRSTVWXZ"
        out = {c: smap.surrogate("PERSON", c) for c in consonants}
        assert len(set(out.values())) == len(consonants), out
        assert all(c != s for c, s in out.items()), out
        assert {smap.surrogate("PERSON", f"{c}.") for c in consonants} == {
            f"{s}." for s in out.values()
        }
