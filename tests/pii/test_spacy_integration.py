"""The real spaCy models (slow: run with --slow or TEXTSYNTH_SLOW=1)."""

from __future__ import annotations

import pytest

from textsynth.pii import Pseudonymiser, SpacyNer

from .conftest import KEY


@pytest.mark.slow
def test_english_transcript_with_the_real_model() -> None:
    ps = Pseudonymiser(lang="en", key=KEY, ner=SpacyNer())
    doc = [
        "Hello, my name is Margaret Okonkwo and I live in Manchester.",
        "Thank you Ms. Okonkwo. I see you worked for Google until 3 March 2019.",
    ]
    out = ps.scrub_documents([doc])[0]
    text = " ".join(r.text for r in out)
    for value in ("Margaret", "Okonkwo", "Manchester", "Google"):
        assert value not in text
    assert {e.entity for r in out for e in r.edits} >= {"PERSON", "LOCATION", "ORG", "DATE"}


@pytest.mark.slow
def test_ner_only_pipeline_and_french() -> None:
    ner = SpacyNer()
    assert ner.load("en").pipe_names == ["ner"]
    ps = Pseudonymiser(lang="fr", key=KEY, ner=ner)
    out = ps.scrub_text("Bonjour, je suis Jean Dupont et j'habite à Lyon.")
    assert "Dupont" not in out and "Lyon" not in out and out.startswith("Bonjour, je suis ")
