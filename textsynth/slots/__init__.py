"""The slot tagger shared by the evaluator (slot fidelity) and the generator.

``SlotTagger`` is a linear-chain CRF (sklearn-crfsuite) over word tokens with BIO tags; spans
go in and come out as character-offset :class:`~textsynth.types.Span` records. ``score_spans``
compares two span sets (span-exact precision, recall and F1 per label, and a label confusion).

Importing this package is light; the CRF library is imported when a tagger is trained or loaded.
"""

from __future__ import annotations

from textsynth.slots.scoring import SpanScores, score_spans
from textsynth.slots.tagger import SlotTagger
from textsynth.slots.tokens import Token, tokenise

__all__ = ["SlotTagger", "SpanScores", "Token", "score_spans", "tokenise"]
