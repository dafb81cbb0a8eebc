"""Slot rules learnt from the seeds: what a label's values look like and how labels relate.

A small LM writes spans that parse and carry a known label, yet say nothing a person would
write: ``rate it 6 out of 1`` (``rating_value`` above ``best_rating``), a bare ``4`` as a
``timeRange``, ``current location`` under ``timeRange`` when the seeds only ever label it
``current_location``, ``here?`` with the question mark inside the span, or the label's own name
as text (``What is the party size number?``). None of these needs a model to catch: the seeds
already say how each label behaves. :class:`SlotProfile` learns it, :class:`SlotRulesFilter`
applies it to each parsed candidate and records every change and rejection with its reason:

- **label names as text**: a label name of two or more words (``party_size_number`` ->
  ``party size number``) written in an utterance, when no seed writes it, rejects it;
- **edge punctuation**: ``?!.,;:`` at the edge of a span is moved out of it, unless a seed value
  of that label has it there (``St.``);
- **seed values**: a value (not a number: a number's label comes from its context) that the
  seeds of the intent (else of any intent, among this intent's labels) give to one other label
  only, and never to the written one, is relabelled to that label;
- **bare numbers**: a label none of whose (at least ``min_values``) seed values is a number does
  not take a bare number;
- **numeric range**: a label whose seed values are all numbers takes values within
  ``[min / range_factor, max * range_factor]`` of its seeds';
- **order**: two number labels that appear together in at least ``min_support`` seeds of an
  intent, always in the same order of size (``rating_value <= best_rating``), keep it;
- **how many**: a label appears in one utterance at most as often as in any seed (once, unless
  a seed has it more often);
- **closed classes**: a label whose seeds keep repeating a few values (``best_rating`` always
  ``6``, a size ``small``/``large``) is categorical and takes only those values (any case).
  "Keep repeating": at least ``min_support`` occurrences, and at most ``closed_mass`` of them
  are values seen once, Good-Turing's estimate of the chance that the next value is new;
- **places**: a label whose seed values are countries, or first-level regions
  (:mod:`textsynth.lm.places`), takes only values of that kind; another kind moves the span to
  the intent's label of that kind when there is one (``San Francisco`` is neither: rejected as a
  ``state``);
- **function words**: a span made only of stop-words (``over``, ``in the``) is rejected unless a
  seed value of that label is too (``this`` as an ``object_select``).

Everything is learnt per data set, so any schema and language work; no label name is special.
"""

from __future__ import annotations

import importlib
import logging
import re
from collections import Counter
from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from textsynth.lm.filters import Candidate, Filter
from textsynth.types import Span, Utterance

__all__ = ["SlotProfile", "SlotRulesFilter", "label_phrase", "parse_number"]

logger = logging.getLogger(__name__)

_EDGE_END = ".,;:!?"
_EDGE_START = ",;:!?"
_NUM_RE = re.compile(r"^[+-]?\d+(?:[.,]\d+)?(?:st|nd|rd|th|er|e|ème)?$", re.IGNORECASE)
_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])")
_TEXT2NUM_LANGS = {"en", "fr", "es", "pt", "de", "nl", "da", "it"}


def label_phrase(label: str) -> str:
    """Return a label name's words, lower-case: ``party_size_number`` -> ``party size number``."""
    return " ".join(re.split(r"[_\-\s.]+", _CAMEL_RE.sub(" ", label))).lower().strip()


def parse_number(value: str, language: str = "en") -> float | None:
    """Return the number ``value`` writes (digits or words, ``7``, ``3rd``, ``five``), else None."""
    v = value.strip()
    if _NUM_RE.match(v):
        digits = re.sub(r"[^\d.,+-]", "", v)
        digits = digits.replace(",", "") if re.search(r",\d{3}$", digits) else digits
        digits = digits.replace(",", ".")
        try:
            return float(digits)
        except ValueError:
            return None
    if not v or any(ch.isdigit() for ch in v):
        return None
    from text_to_num import text2num

    lang = (language or "en").split("-")[0].lower()
    try:
        return float(text2num(v.lower(), lang if lang in _TEXT2NUM_LANGS else "en"))
    except ValueError:
        return None


def _place_kind(values: set[tuple[str, str]], min_values: int = 2) -> str | None:
    """Return the place kind at least 80 % of a label's distinct seed values share, if any."""
    if len(values) < min_values:
        return None
    try:
        from textsynth.lm.places import KINDS, place_kinds
    except ImportError:  # pycountry not installed: no place check
        return None
    kinds = [place_kinds(v, lang) for v, lang in values]
    for kind in KINDS:
        if sum(kind in k for k in kinds) >= 0.8 * len(values):
            return kind
    return None


def _function_words_only(value: str, language: str) -> bool:
    """Return whether ``value`` is made only of the language's stop-words (spaCy's lists)."""
    words = re.findall(r"\w+", value.lower())
    return bool(words) and all(w in _stop_words(language) for w in words)


@lru_cache(maxsize=16)
def _stop_words(language: str) -> frozenset[str]:
    lang = (language or "en").split("-")[0].lower()
    try:
        module = importlib.import_module(f"spacy.lang.{lang}.stop_words")
    except ImportError:
        return frozenset()
    return frozenset(module.STOP_WORDS)


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[^\W_]+", text.lower())) + " "


@dataclass
class SlotProfile:
    """What the seeds say about each slot label (see the module docstring).

    Attributes:
        numeric: number labels with ``min_values`` distinct seed values, and their (min, max).
        number_labels: labels all of whose seed values are numbers.
        never_number: labels none of whose seed values is a number.
        order: per intent, pairs ``(a, b)`` of number labels with ``a <= b`` in every seed.
        max_count: per intent, the most times a label appears in one seed.
        values: per intent, a lower-cased seed value -> the labels it was given.
        edge: per label, the punctuation its seed values start or end with.
        phrases: label phrases of two or more words that no seed text contains.
        closed: categorical labels and their values (lower-case).
        function_ok: labels with a seed value made only of stop-words.
        place: place labels and their kind (``country``, ``region``).
        labels: per intent, the labels its seeds use.
    """

    numeric: dict[str, tuple[float, float]] = field(default_factory=dict)
    number_labels: set[str] = field(default_factory=set)
    never_number: set[str] = field(default_factory=set)
    order: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    max_count: dict[str, dict[str, int]] = field(default_factory=dict)
    values: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    edge: dict[str, set[str]] = field(default_factory=dict)
    phrases: dict[str, str] = field(default_factory=dict)
    closed: dict[str, set[str]] = field(default_factory=dict)
    place: dict[str, str] = field(default_factory=dict)
    labels: dict[str, set[str]] = field(default_factory=dict)
    function_ok: set[str] = field(default_factory=set)

    @classmethod
    def learn(
        cls,
        seeds: Sequence[Utterance],
        *,
        min_values: int = 3,
        min_support: int = 3,
        closed_mass: float = 0.2,
    ) -> SlotProfile:
        """Learn the profile of ``seeds``.

        Args:
            seeds: labelled seeds.
            min_values: distinct seed values a label needs before its value shape is trusted.
            min_support: seeds of an intent that must show an order before it is enforced,
                and the least occurrences of a closed label.
            closed_mass: a label is closed when the share of its occurrences whose value is
                seen once (Good-Turing's estimate of the chance of an unseen value) is at most
                this.
        """
        prof = cls()
        singletons: Counter[str] = Counter()
        vals: dict[str, set[tuple[str, str]]] = {}
        occurrences: Counter[str] = Counter()
        per_value: Counter[tuple[str, str]] = Counter()
        for u in seeds:
            for s in u.spans:
                v = u.text[s.start : s.end]
                vals.setdefault(s.label, set()).add((v, u.language))
                occurrences[s.label] += 1
                prof.labels.setdefault(u.intent, set()).add(s.label)
                per_value[(s.label, v.lower().strip())] += 1
                if _function_words_only(v, u.language):
                    prof.function_ok.add(s.label)
                prof.values.setdefault(u.intent, {}).setdefault(v.lower().strip(), set()).add(
                    s.label
                )
                ed = prof.edge.setdefault(s.label, set())
                if v and v[-1] in _EDGE_END:
                    ed.add(v[-1])
                if v and v[0] in _EDGE_START:
                    ed.add(v[0])
        for (label, _), k in per_value.items():
            singletons[label] += k == 1
        for label, vs in vals.items():
            n = occurrences[label]
            if n >= min_support and singletons[label] <= closed_mass * n:
                prof.closed[label] = {v.lower().strip() for v, _ in vs}
            kind = _place_kind(vs)
            if kind:
                prof.place[label] = kind
            nums = [parse_number(v, lang) for v, lang in vs]
            known = [n for n in nums if n is not None]
            if len(vs) >= min_values and not known:
                prof.never_number.add(label)
            if known and len(known) == len(nums):
                prof.number_labels.add(label)
                if len(vs) >= min_values:
                    prof.numeric[label] = (min(known), max(known))
        seed_text = " ".join(_words(u.text) for u in seeds)
        for label in vals:
            phrase = label_phrase(label)
            if len(phrase.split()) >= 2 and f" {phrase} " not in seed_text:
                prof.phrases[label] = phrase
        prof._relations(seeds, min_support)
        return prof

    def _relations(self, seeds: Sequence[Utterance], min_support: int) -> None:
        by_intent: dict[str, list[Utterance]] = {}
        for u in seeds:
            by_intent.setdefault(u.intent, []).append(u)
        for intent, us in by_intent.items():
            most: dict[str, int] = {}
            pairs: dict[tuple[str, str], list[float]] = {}
            for u in us:
                counts = Counter(s.label for s in u.spans)
                for lab, n in counts.items():
                    most[lab] = max(most.get(lab, 0), n)
                nums = _numbers(u, self.number_labels)
                for a, va in nums.items():
                    for b, vb in nums.items():
                        if a < b:
                            pairs.setdefault((a, b), []).append(vb - va)
            self.max_count[intent] = most
            order: set[tuple[str, str]] = set()
            for (a, b), diffs in pairs.items():
                if len(diffs) < min_support:
                    continue
                if all(d >= 0 for d in diffs) and any(d > 0 for d in diffs):
                    order.add((a, b))
                elif all(d <= 0 for d in diffs) and any(d < 0 for d in diffs):
                    order.add((b, a))
            self.order[intent] = order

    def describe(self) -> dict[str, object]:
        """Return the learnt rules, for the log and the run's summary."""
        return {
            "numeric": {k: list(v) for k, v in sorted(self.numeric.items())},
            "never_number": sorted(self.never_number),
            "order": {i: sorted(f"{a} <= {b}" for a, b in o) for i, o in self.order.items() if o},
            "label_phrases": sorted(self.phrases.values()),
            "closed": {k: sorted(v) for k, v in sorted(self.closed.items())},
            "place": dict(sorted(self.place.items())),
            "max_count": {
                i: {k: v for k, v in m.items() if v > 1} for i, m in self.max_count.items()
            },
        }


def _numbers(u: Utterance, numeric: Container[str]) -> dict[str, float]:
    """Return ``label -> number`` for the number labels that appear exactly once in ``u``."""
    counts = Counter(s.label for s in u.spans)
    out = {}
    for s in u.spans:
        if s.label in numeric and counts[s.label] == 1:
            n = parse_number(u.text[s.start : s.end], u.language)
            if n is not None:
                out[s.label] = n
    return out


class SlotRulesFilter(Filter):
    """Apply a :class:`SlotProfile` to parsed candidates: fix what is safe, reject the rest.

    Args:
        seeds: the seeds the profile is learnt from.
        range_factor: the numeric range's slack (values within ``[min / f, max * f]``);
            0 turns the range check off.
        min_values: see :meth:`SlotProfile.learn`.
        min_support: see :meth:`SlotProfile.learn`.
    """

    name = "slot-rules"

    def __init__(
        self,
        seeds: Sequence[Utterance],
        range_factor: float = 2.0,
        *,
        min_values: int = 3,
        min_support: int = 3,
    ) -> None:
        self.profile = SlotProfile.learn(seeds, min_values=min_values, min_support=min_support)
        self.range_factor = range_factor
        logger.info("slot rules learnt from the seeds: %s", self.profile.describe())

    def keep(self, candidates: Sequence[Candidate]) -> list[bool]:  # noqa: D102
        out = []
        for c in candidates:
            assert c.utterance is not None, "MarkupFilter must run first"
            reason = self._check_text(c)
            if not reason and c.utterance.spans:
                reason = self._check_spans(c)
            if reason:
                c.note(self.name, "rejected", reason)
            out.append(not reason)
        return out

    def recheck(self, c: Candidate) -> str:
        """Return why ``c`` (relabelled by a later filter) now breaks a rule; ``""`` if not.

        Only checks: the span fixes (trim, relabel) are not applied again.
        """
        assert c.utterance is not None
        probe = Candidate(c.raw, c.intent, c.language, c.utterance)
        return self._check_text(probe) or self._check_spans(probe)

    def _check_text(self, c: Candidate) -> str:
        assert c.utterance is not None
        words = _words(c.utterance.text)
        for phrase in self.profile.phrases.values():
            if f" {phrase} " in words:
                return f"label name written as text: {phrase!r}"
        return ""

    def _check_spans(self, c: Candidate) -> str:
        u = c.utterance
        assert u is not None
        prof = self.profile
        spans = [self._trim(c, s) for s in u.spans]
        spans = [self._relabel(c, s) for s in spans]
        placed = [self._place(c, s) for s in spans]
        bad = next((why for _, why in placed if why), "")
        if bad:
            return bad
        spans = [s for s, _ in placed]
        for s in spans:
            value = u.text[s.start : s.end]
            closed = prof.closed.get(s.label)
            if closed is not None and value.lower().strip() not in closed:
                return (
                    f"not a value of a closed label: {s.label}={value!r}; the seeds only give "
                    + ", ".join(map(repr, sorted(closed)))
                )
            if s.label not in prof.function_ok and _function_words_only(value, c.language):
                return f"function words: {s.label}={value!r} is only stop-words"
            n = parse_number(value, c.language)
            if s.label in prof.never_number and n is not None:
                return f"bare number: {s.label}={value!r}; no seed value of {s.label} is a number"
            if s.label in prof.numeric and n is not None and self.range_factor > 0:
                lo, hi = prof.numeric[s.label]
                lo_ok = lo / self.range_factor if lo > 0 else lo * self.range_factor
                hi_ok = hi * self.range_factor if hi > 0 else hi / self.range_factor
                if not lo_ok <= n <= hi_ok:
                    return (
                        f"out of range: {s.label}={value!r}; the seeds' values are "
                        f"{lo:g}..{hi:g} (allowed {lo_ok:g}..{hi_ok:g})"
                    )
        counts = Counter(s.label for s in spans)
        most = prof.max_count.get(c.intent, {})
        for lab, n in counts.items():
            k = most.get(lab, 1)
            if n > k:
                return (
                    f"label repeated: {lab} {n} times; never more than {k} in a seed of {c.intent}"
                )
        fixed = Utterance(u.text, u.intent, tuple(spans), u.language, u.source, dict(u.meta))
        nums = _numbers(fixed, prof.number_labels)
        for a, b in prof.order.get(c.intent, ()):
            if a in nums and b in nums and nums[a] > nums[b]:
                return (
                    f"number order: {a}={nums[a]:g} > {b}={nums[b]:g}; in every seed of {c.intent} "
                    f"with both, {a} <= {b}"
                )
        if tuple(spans) != u.spans:
            c.utterance = fixed
        return ""

    def _trim(self, c: Candidate, s: Span) -> Span:
        assert c.utterance is not None
        text = c.utterance.text
        keep = self.profile.edge.get(s.label, set())
        start, end = s.start, s.end
        while end > start and (text[end - 1] in _EDGE_END and text[end - 1] not in keep):
            end -= 1
        while end > start and text[end - 1].isspace():
            end -= 1
        while start < end and (text[start] in _EDGE_START and text[start] not in keep):
            start += 1
        while start < end and text[start].isspace():
            start += 1
        if (start, end) == (s.start, s.end) or start >= end:
            return s
        return c.trim(self.name, s, start, end, "edge punctuation moved out of a span")

    def _place(self, c: Candidate, s: Span) -> tuple[Span, str]:
        """Return the span (moved to the intent's label of its place kind), or a rejection."""
        kind = self.profile.place.get(s.label)
        if kind is None:
            return s, ""
        assert c.utterance is not None
        from textsynth.lm.places import place_kinds

        value = c.utterance.text[s.start : s.end]
        kinds = place_kinds(value, c.language)
        if kind in kinds:
            return s, ""
        targets = [
            lab
            for lab in sorted(self.profile.labels.get(c.intent, ()))
            if self.profile.place.get(lab) in kinds
        ]
        if len(targets) == 1:
            c.note(
                self.name,
                "relabelled",
                f"{value!r}: {s.label} -> {targets[0]} (a {self.profile.place[targets[0]]})",
                span=value,
                old=s.label,
                new=targets[0],
                kind="a place of another label's kind",
            )
            return Span(s.start, s.end, targets[0], s.value), ""
        return s, f"not a {kind}: {s.label}={value!r}; every seed value of {s.label} is one"

    def _relabel(self, c: Candidate, s: Span) -> Span:
        assert c.utterance is not None
        value = c.utterance.text[s.start : s.end]
        key = value.lower().strip()
        seen = self.profile.values.get(c.intent, {}).get(key)
        if not seen:  # a seed value of another intent, among this intent's labels
            own = self.profile.labels.get(c.intent, set())
            seen = {
                lab for by in self.profile.values.values() for lab in by.get(key, ()) if lab in own
            }
        if not seen or s.label in seen or len(seen) != 1:
            return s
        if parse_number(value, c.language) is not None:
            return s  # a number's label is given by its context, not by its value
        (new,) = seen
        c.note(
            self.name,
            "relabelled",
            f"{value!r}: {s.label} -> {new} (a seed value of {new} only)",
            span=value,
            old=s.label,
            new=new,
            kind="a seed value of another label",
        )
        return Span(s.start, s.end, new, s.value)
