"""Context words: cue words near a finding raise its score; negative ones lower it."""

from __future__ import annotations

import re
from collections.abc import Iterable

from textsynth.pii.entities import Finding
from textsynth.pii.recognizers.base import Recognizer

__all__ = ["ContextScorer"]

_WORD = re.compile(r"[^\W_]+(?:['’#-][^\W_]+)*")


class ContextScorer:
    """Adjust finding scores by the words in a window around them.

    Args:
        recognizers: the recognizers whose ``context``/``negative_context`` apply, by name.
        before: characters looked at before a finding.
        after: characters looked at after it.
        boost: added when a context word is present (Presidio uses 0.35).
        penalty: subtracted when a negative context word is present.
    """

    def __init__(
        self,
        recognizers: Iterable[Recognizer],
        *,
        before: int = 48,
        after: int = 16,
        boost: float = 0.35,
        penalty: float = 0.3,
    ) -> None:
        self.before, self.after, self.boost, self.penalty = before, after, boost, penalty
        self._words: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {}
        self._neg: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {}
        for r in recognizers:
            self._words[r.name] = _split(r.context)
            self._neg[r.name] = _split(r.negative_context)

    def apply(self, text: str, findings: list[Finding], lead: str = "") -> list[Finding]:
        """Return ``findings`` with context-adjusted scores.

        ``lead`` is the text said just before ``text`` (the previous turn of a conversation):
        a finding near the start of ``text`` also sees its end, so that the answer "50008063"
        to "And a phone number we can reach you on?" gets the phone cue of the question.
        """
        out = []
        lowered: str | None = None
        for f in findings:
            pos = self._words.get(f.recognizer)
            neg = self._neg.get(f.recognizer)
            if not (pos and (pos[0] or pos[1])) and not (neg and (neg[0] or neg[1])):
                out.append(f)
                continue
            if lowered is None:
                lowered = text.lower()
            head = lowered[max(0, f.start - self.before) : f.start]
            if lead and f.start < self.before:
                head = lead[-(self.before - f.start) :].lower() + "\n" + head
            window = head + " " + lowered[f.end : f.end + self.after]
            words = set(_WORD.findall(window))
            score = f.score
            if pos and _hit(words, window, pos):
                score += self.boost
            if neg and _hit(words, window, neg):
                score -= self.penalty
            out.append(f if score == f.score else f.with_score(score))
        return out


def _split(words: Iterable[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    singles = frozenset(w.lower() for w in words if " " not in w)
    phrases = tuple(w.lower() for w in words if " " in w)
    return singles, phrases


def _hit(words: set[str], window: str, ctx: tuple[frozenset[str], tuple[str, ...]]) -> bool:
    return bool(words & ctx[0]) or any(p in window for p in ctx[1])
