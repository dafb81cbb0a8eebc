"""Pseudonymisation: find PII and replace it with consistent, realistic surrogates.

Example::

    from textsynth.pii import Pseudonymiser
    ps = Pseudonymiser(lang="en", key=b"a secret key of 16+ bytes")
    ps.scrub_text("Hi, I'm Margaret Okonkwo, card 4111 1111 1111 1111")
"""

from __future__ import annotations

from textsynth.pii.detector import Detector
from textsynth.pii.entities import COARSE, Finding
from textsynth.pii.ner import FakeNer, NerBackend, SpacyNer
from textsynth.pii.pseudonymiser import Pseudonymiser, ScrubbedText, scrub
from textsynth.pii.surrogates import SurrogateMap
from textsynth.pii.vault import Vault

__all__ = [
    "COARSE",
    "Detector",
    "FakeNer",
    "Finding",
    "NerBackend",
    "Pseudonymiser",
    "ScrubbedText",
    "SpacyNer",
    "SurrogateMap",
    "Vault",
    "scrub",
]
