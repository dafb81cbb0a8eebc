"""Fixtures for the pii tests: a fake NER backend and a pseudonymiser with a fixed key."""

from __future__ import annotations

import pytest

from textsynth.pii import FakeNer, Pseudonymiser

KEY = b"test-key-0123456789abcdef"
LEXICON = {
    "Margaret Okonkwo": "PERSON",
    "John Smith": "PERSON",
    "Jean Dupont": "PERSON",
    "Acme Bank": "ORG",
    "Paris": "LOCATION",
    "London": "LOCATION",
    "21 March 2005": "DATE",
}


@pytest.fixture
def fake_ner() -> FakeNer:
    return FakeNer(LEXICON)


@pytest.fixture
def ps(fake_ner: FakeNer) -> Pseudonymiser:
    return Pseudonymiser(lang="en", key=KEY, ner=fake_ner)
