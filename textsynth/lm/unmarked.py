"""Slot recall: find slot values a generation left unmarked, and reject or mark them.

A slot tagger trained on generated text learns from what is *not* marked as much as from what
is: ``book a table for [4](party_size_number) at 8pm`` teaches it that ``8pm`` is no slot. The
kept set's span precision is checked by the slot rules and :class:`~textsynth.lm.verify.
SlotVerifyFilter`; this filter checks its recall. Two signals, on the words outside every span:

- **a seed value left unmarked**: words that are a value the intent's seeds give one of its
  labels, where the seeds never leave that value unmarked (a value the seeds also write as plain
  text, like ``this`` in some schemas, is ambiguous and not used);
- **the seed tagger's reading**: a run of words the seed-trained slot tagger gives one of the
  intent's labels with probability at least ``threshold``;
- **a number**, in digits or words, where the intent's seeds write numbers only inside spans
  (``a family of 4``, ``7:30pm``). In ``mark`` mode such an utterance is rejected: the number
  alone does not say where its span ends.

``mode="reject"`` rejects such an utterance (the sampler draws another); ``mode="mark"`` adds
the span instead, with the signal's label, and records it as a change; a candidate whose new
span breaks the slot rules (``recheck``) is rejected.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from functools import lru_cache
from typing import Any

from textsynth.lm.filters import Candidate, Filter
from textsynth.slots.tokens import Token, tokenise
from textsynth.types import Span, Utterance

__all__ = ["UnmarkedValueFilter", "number_intents", "unambiguous_values"]

MODES = ("reject", "mark")
_NUMBER = "\x00number"  # the label of the number signal's spans: never marked, only rejected


def _key(tokens: Sequence[Token]) -> tuple[str, ...]:
    return tuple(t.text.casefold() for t in tokens)


def _covered(tokens: Sequence[Token], spans: Sequence[Span]) -> list[bool]:
    return [any(t.start < s.end and s.start < t.end for s in spans) for t in tokens]


@lru_cache(maxsize=65536)
def _is_number(word: str, language: str) -> bool:
    if any(ch.isdigit() for ch in word):
        return True
    from textsynth.lm.slot_rules import parse_number

    return word.isalpha() and parse_number(word, language) is not None


def number_intents(seeds: Sequence[Utterance]) -> set[str]:
    """Return the intents whose seeds hold numbers, every one of them inside a span."""
    inside: set[str] = set()
    outside: set[str] = set()
    for u in seeds:
        toks = tokenise(u.text)
        for t, cov in zip(toks, _covered(toks, u.spans), strict=True):
            if _is_number(t.text, u.language):
                (inside if cov else outside).add(u.intent)
    return inside - outside


def unambiguous_values(seeds: Sequence[Utterance]) -> dict[str, dict[tuple[str, ...], str]]:
    """Return intent -> {value's word tuple: label} for the values its seeds always mark.

    A value is kept when it has one label across the intent's seeds and never occurs as plain
    (unmarked) words in any seed of any intent, and holds at least one word character.
    """
    labels: dict[str, dict[tuple[str, ...], set[str]]] = {}
    for u in seeds:
        for s in u.spans:
            key = _key(tokenise(u.text[s.start : s.end]))
            if key and any(any(ch.isalnum() for ch in w) for w in key):
                labels.setdefault(u.intent, {}).setdefault(key, set()).add(s.label)
    lengths = {len(k) for by in labels.values() for k in by}
    plain: set[tuple[str, ...]] = set()
    for u in seeds:
        toks = tokenise(u.text)
        cov = _covered(toks, u.spans)
        for n in lengths:
            for i in range(len(toks) - n + 1):
                if not any(cov[i : i + n]):
                    plain.add(_key(toks[i : i + n]))
    return {
        intent: {k: next(iter(v)) for k, v in by.items() if len(v) == 1 and k not in plain}
        for intent, by in labels.items()
    }


class UnmarkedValueFilter(Filter):
    """Reject (or mark) utterances holding a slot value outside every span.

    Args:
        tagger: a fitted object with ``token_probs(text) -> (tokens, per-token label probs)``,
            or ``None`` to use the seed values only.
        labels_by_intent: the labels each intent may use.
        values: :func:`unambiguous_values` of the seeds.
        threshold: the tagger's least probability of one of the intent's labels on a word
            outside every span for it to count as an unmarked value; 0 turns the tagger
            signal off.
        mode: ``"reject"`` or ``"mark"``.
        recheck: called on a candidate given new spans; a non-empty answer rejects it.
        numbers: :func:`number_intents` of the seeds (empty: no number signal).
    """

    name = "slot-unmarked"

    def __init__(
        self,
        tagger: Any,
        labels_by_intent: Mapping[str, Sequence[str]],
        values: Mapping[str, Mapping[tuple[str, ...], str]],
        threshold: float = 0.3,
        mode: str = "reject",
        recheck: Callable[[Candidate], str] | None = None,
        numbers: Collection[str] = (),
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
        self.tagger = tagger
        self.labels = {i: set(v) for i, v in labels_by_intent.items()}
        self.values = values
        self.threshold = threshold
        self.mode = mode
        self.recheck = recheck
        self.numbers = set(numbers)
        self._lengths = sorted({len(k) for by in values.values() for k in by}, reverse=True)

    def keep(self, candidates: Sequence[Candidate]) -> list[bool]:  # noqa: D102
        out = []
        for c in candidates:
            assert c.utterance is not None, "MarkupFilter must run first"
            found = self.unmarked(c.utterance, c.intent)
            if not found:
                out.append(True)
                continue
            u = c.utterance
            if self.mode == "reject" or any(s.label == _NUMBER for s, _ in found):
                span, why = next(((s, w) for s, w in found if s.label == _NUMBER), found[0])
                label = "a slot" if span.label == _NUMBER else span.label
                c.note(
                    self.name,
                    "rejected",
                    f"unmarked value: {u.text[span.start : span.end]!r} looks like {label} ({why})",
                )
                out.append(False)
                continue
            for span, why in found:
                value = u.text[span.start : span.end]
                c.note(self.name, "marked", f"{value!r} -> {span.label} ({why})", span=value,
                       new=span.label)  # fmt: skip
            spans = tuple(sorted((*u.spans, *(s for s, _ in found)), key=lambda s: s.start))
            c.utterance = Utterance(u.text, u.intent, spans, u.language, u.source, dict(u.meta))
            why_not = self.recheck(c) if self.recheck is not None else ""
            if why_not:
                c.note(self.name, "rejected", f"after marking, {why_not}")
                out.append(False)
                continue
            out.append(True)
        return out

    def unmarked(self, u: Utterance, intent: str) -> list[tuple[Span, str]]:
        """Return each unmarked value found in ``u`` as a labelled span, with the reason."""
        allowed = self.labels.get(intent, set())
        use_tagger = self.tagger is not None and self.threshold > 0 and bool(allowed)
        probs: list[dict[str, float]] = []
        if use_tagger:
            toks, probs = self.tagger.token_probs(u.text)
        else:
            toks = tokenise(u.text)
        if not toks:
            return []
        cov = _covered(toks, u.spans)
        found: list[tuple[int, int, str, str]] = []
        taken = [False] * len(toks)

        def add(i: int, j: int, label: str, why: str) -> None:
            found.append((i, j, label, why))
            for k in range(i, j):
                taken[k] = True

        values = self.values.get(intent, {})
        for n in self._lengths:
            for i in range(len(toks) - n + 1):
                if any(cov[i : i + n]) or any(taken[i : i + n]):
                    continue
                label = values.get(_key(toks[i : i + n]))
                if label is not None:
                    add(i, i + n, label, "a seed value of that label")
        run: tuple[int, int, str, float] | None = None
        for i, p in enumerate(probs):
            best, pb = max(((lab, p.get(lab, 0.0)) for lab in allowed), key=lambda t: t[1])
            hit = (
                not cov[i]
                and not taken[i]
                and pb >= self.threshold
                and any(ch.isalnum() for ch in toks[i].text)
            )
            if hit and run is not None and run[2] == best and run[1] == i:
                run = (run[0], i + 1, best, max(run[3], pb))
                continue
            if run is not None:
                add(run[0], run[1], run[2], f"seed tagger p={run[3]:.2f}")
                run = None
            if hit:
                run = (i, i + 1, best, pb)
        if run is not None:
            add(run[0], run[1], run[2], f"seed tagger p={run[3]:.2f}")
        if intent in self.numbers:
            for i, t in enumerate(toks):
                if not cov[i] and not taken[i] and _is_number(t.text, u.language):
                    add(i, i + 1, _NUMBER, "a number; the seeds mark every one")
        found.sort()
        return [(Span(toks[i].start, toks[j - 1].end, label), why) for i, j, label, why in found]
