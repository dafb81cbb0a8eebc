"""Filters over raw generations, each a small class with a ``name``, counted in a summary.

A :class:`Candidate` is one raw completion for an intent. :class:`FilterChain` runs the filters in
order (cheap structural checks first, the classifier last) and counts, per filter, how many
candidates it saw and rejected. Filters record their scores on the candidate so the kept
utterances carry them in ``meta``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textsynth.errors import MarkupError
from textsynth.lm.prompt import clean_completion, parse_completion
from textsynth.text import normalise_text
from textsynth.types import Span, Utterance

__all__ = [
    "Candidate",
    "DuplicateFilter",
    "EmptyValueFilter",
    "ExactCopyFilter",
    "FidelityFilter",
    "Filter",
    "FilterChain",
    "FilterSummary",
    "MarkupFilter",
    "NearCopyFilter",
    "UnknownLabelFilter",
    "containment",
    "ngrams",
]

if TYPE_CHECKING:
    from textsynth.lm.plans import ValuePlan

logger = logging.getLogger(__name__)

_EMPTY_VALUE_RE = re.compile(r"(?<!\\)\[\s*\]\(")


def ngrams(text: str, n: int) -> set[tuple[str, ...]]:
    """Return the word ``n``-grams of normalised ``text`` (the whole text if shorter than n)."""
    words = normalise_text(text).split()
    if len(words) < n:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def containment(candidate: set[tuple[str, ...]], reference: set[tuple[str, ...]]) -> float:
    """Return the share of ``candidate``'s n-grams found in ``reference`` (0 if it has none)."""
    return len(candidate & reference) / len(candidate) if candidate else 0.0


@dataclass
class Candidate:
    """One raw generation on its way through the filters."""

    raw: str
    intent: str
    language: str = "en"
    utterance: Utterance | None = None
    scores: dict[str, float] = field(default_factory=dict)
    rejected_by: str = ""
    reason: str = ""
    origin_intent: str = ""
    changes: list[dict[str, Any]] = field(default_factory=list)
    logged: int = 0
    plan: ValuePlan | None = None  # the slot values the request asked for (value plans)

    def __post_init__(self) -> None:
        if not self.origin_intent:
            self.origin_intent = self.intent

    def note(self, filter_name: str, action: str, reason: str, **detail: Any) -> None:
        """Record a relabel (kept in provenance) or the reason of a rejection."""
        if action == "rejected":
            self.reason = reason
        else:
            self.changes.append(
                {"filter": filter_name, "action": action, "reason": reason, **detail}
            )

    def trim(self, filter_name: str, span: Span, start: int, end: int, kind: str) -> Span:
        """Record that ``span`` now covers ``[start, end)`` (a trim) and return the new span."""
        assert self.utterance is not None
        text = self.utterance.text
        self.note(
            filter_name,
            "trimmed",
            f"{text[span.start : span.end]!r} -> {text[start:end]!r} ({span.label})",
            span=text[span.start : span.end],
            kind=kind,
        )
        return Span(start, end, span.label, span.value)

    @property
    def text(self) -> str:
        """Return the parsed text, or the cleaned raw completion before parsing."""
        return self.utterance.text if self.utterance is not None else clean_completion(self.raw)


class Filter:
    """Base class: ``keep`` returns one verdict per candidate; ``name`` keys the summary."""

    name: str = ""
    # settings the run chose for this filter (e.g. a calibrated threshold), for the summary
    details: dict[str, Any] = {}  # noqa: RUF012 (never mutated: instances assign their own)

    def keep(self, candidates: Sequence[Candidate]) -> list[bool]:  # pragma: no cover
        """Return ``True`` for each candidate that passes."""
        raise NotImplementedError


class EmptyValueFilter(Filter):
    """Reject empty completions and slots with an empty or blank value: ``[](city)``."""

    name = "empty-value"

    def keep(self, candidates: Sequence[Candidate]) -> list[bool]:  # noqa: D102
        out = []
        for c in candidates:
            text = clean_completion(c.raw)
            out.append(bool(text) and not _EMPTY_VALUE_RE.search(text))
        return out


class MarkupFilter(Filter):
    """Reject completions whose ``[value](slot)`` markup does not parse; parse the rest."""

    name = "markup"

    def keep(self, candidates: Sequence[Candidate]) -> list[bool]:  # noqa: D102
        out = []
        for c in candidates:
            try:
                c.utterance = parse_completion(c.raw, c.intent, c.language)
            except MarkupError:
                out.append(False)
                continue
            out.append(bool(c.utterance.text.strip()))
        return out


class UnknownLabelFilter(Filter):
    """Reject utterances with a slot label the seeds never use (for that intent, by default)."""

    name = "unknown-label"

    def __init__(self, seeds: Iterable[Utterance], scope: str = "intent") -> None:
        self.scope = scope
        self.by_intent: dict[str, set[str]] = {}
        self.all: set[str] = set()
        for u in seeds:
            labels = {s.label for s in u.spans}
            self.by_intent.setdefault(u.intent, set()).update(labels)
            self.all |= labels

    def keep(self, candidates: Sequence[Candidate]) -> list[bool]:  # noqa: D102
        out = []
        for c in candidates:
            assert c.utterance is not None, "MarkupFilter must run first"
            allowed = self.all if self.scope == "all" else self.by_intent.get(c.intent, set())
            out.append(all(s.label in allowed for s in c.utterance.spans))
        return out


class ExactCopyFilter(Filter):
    """Reject utterances whose normalised text equals a seed's."""

    name = "seed-copy-exact"

    def __init__(self, seeds: Iterable[Utterance]) -> None:
        self.seen = {normalise_text(u.text) for u in seeds}

    def keep(self, candidates: Sequence[Candidate]) -> list[bool]:  # noqa: D102
        return [normalise_text(c.text) not in self.seen for c in candidates]


class NearCopyFilter(Filter):
    """Reject utterances whose word n-grams are mostly contained in a single seed.

    The score ``seed_containment`` is the largest share of the candidate's n-grams that one seed
    contains; a candidate at or above ``threshold`` is a near copy. Filling a seed's pattern with
    new slot values lowers the score, so such variants are kept.
    """

    name = "seed-copy-near"

    def __init__(self, seeds: Iterable[Utterance], n: int = 3, threshold: float = 0.75) -> None:
        self.n = n
        self.threshold = threshold
        self.seed_grams = [ngrams(u.text, n) for u in seeds]

    def score(self, text: str) -> float:
        """Return the largest containment of ``text``'s n-grams in one seed."""
        grams = ngrams(text, self.n)
        return max((containment(grams, s) for s in self.seed_grams), default=0.0)

    def keep(self, candidates: Sequence[Candidate]) -> list[bool]:  # noqa: D102
        out = []
        for c in candidates:
            s = self.score(c.text)
            c.scores["seed_containment"] = round(s, 4)
            out.append(s < self.threshold)
        return out


class DuplicateFilter(Filter):
    """Reject utterances whose normalised text was already kept (across calls on this object)."""

    name = "duplicate"

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def keep(self, candidates: Sequence[Candidate]) -> list[bool]:  # noqa: D102
        out = []
        for c in candidates:
            key = normalise_text(c.text)
            out.append(key not in self.seen)
            self.seen.add(key)
        return out


class FidelityFilter(Filter):
    """Keep an utterance only if a classifier trained on the seeds gives its intent p >= tau.

    Args:
        classifier: a fitted object with ``prob_of(texts, intents)`` (e.g.
            :class:`textsynth.classifier.IntentClassifier`).
        threshold: the probability tau.
    """

    name = "label-fidelity"

    def __init__(self, classifier: Any, threshold: float = 0.5) -> None:
        self.classifier = classifier
        self.threshold = threshold

    def keep(self, candidates: Sequence[Candidate]) -> list[bool]:  # noqa: D102
        if not candidates:
            return []
        if not hasattr(self.classifier, "predict_proba"):
            texts = [c.text for c in candidates]
            probs = self.classifier.prob_of(texts, [c.intent for c in candidates])
            for c, p in zip(candidates, probs, strict=True):
                c.scores["intent_prob"] = round(float(p), 4)
            return [float(p) >= self.threshold for p in probs]
        return [self.passes(own, by) for own, by in self.read(candidates)]

    def read(self, candidates: Sequence[Candidate]) -> list[tuple[float, dict[str, float]]]:
        """Return each candidate's own-intent probability and all intents' probabilities.

        Records the own-intent probability as the candidate's ``intent_prob`` score.
        """
        names = list(self.classifier.labels)
        probs = self.classifier.predict_proba([c.text for c in candidates])
        out = []
        for c, row in zip(candidates, probs, strict=True):
            by = dict(zip(names, (float(p) for p in row), strict=True))
            own = by.get(c.intent, 0.0)
            c.scores["intent_prob"] = round(own, 4)
            out.append((own, by))
        return out

    def passes(self, own: float, by: dict[str, float]) -> bool:
        """Return whether an utterance whose own intent gets ``own`` (of ``by``) keeps it.

        It needs at least tau, and no other intent above it (a tau under 0.5, as calibrated
        from the seeds, would otherwise keep an utterance the classifier reads as another).
        """
        return own >= self.threshold and own >= max(by.values(), default=0.0)


@dataclass
class FilterSummary:
    """Counts of a generation run: per filter, how many candidates it saw and rejected."""

    generated: int = 0
    seen: dict[str, int] = field(default_factory=dict)
    rejected: dict[str, int] = field(default_factory=dict)
    passed: int = 0
    surplus: int = 0
    kept: int = 0
    kept_by_intent: dict[str, int] = field(default_factory=dict)
    disabled: list[str] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    # per filter, the settings the run chose for it (Filter.details), e.g. a calibrated threshold
    details: dict[str, dict[str, Any]] = field(default_factory=dict)

    def reasons(self) -> dict[str, dict[str, int]]:
        """Return, per filter, how many relabels and rejections each reason kind caused."""
        out: dict[str, dict[str, int]] = {}
        for e in self.events:
            kind = f"{e['action']}: {e.get('kind') or e['reason']}"
            bucket = out.setdefault(e["filter"], {})
            bucket[kind] = bucket.get(kind, 0) + 1
        return out

    # other counts of the run: requests (sent, cached, failed), judge decisions (relabelled...)
    counters: dict[str, int] = field(default_factory=dict)
    # the values the base model proposed for the value plans (textsynth.lm.values), if asked
    proposed_values: dict[str, Any] = field(default_factory=dict)

    def kept_share(self, name: str) -> float:
        """Return the share of the candidates reaching filter ``name`` that it let through."""
        seen = self.seen.get(name, 0)
        return (seen - self.rejected.get(name, 0)) / seen if seen else 0.0

    def low_yield_note(self, min_generated: int = 200, min_share: float = 0.05) -> str | None:
        """Return a warning when fewer than ``min_share`` of the generations passed every filter.

        It names the three commonest rejection reasons, so that a user can tell an
        under-trained adapter (low intent probability, values outside the seeds') from a filter
        set too tight. ``None`` when the yield is fine or the run too small to judge.
        """
        if self.generated < min_generated or self.passed >= min_share * self.generated:
            return None
        reasons = self.reasons()
        counts = []
        for name, n in self.rejected.items():
            kinds = {k: v for k, v in reasons.get(name, {}).items() if k.startswith("rejected: ")}
            why = max(kinds, key=kinds.__getitem__).removeprefix("rejected: ") if kinds else ""
            counts.append((n, f"{name}{f' ({why})' if why else ''}"))
        top = ", ".join(f"{why} {n}" for n, why in sorted(counts, reverse=True)[:3] if n)
        return (
            f"only {self.passed} of {self.generated} generations "
            f"({self.passed / self.generated:.1%}) passed the filters; commonest rejections: "
            f"{top or 'none recorded'}. A fine-tuned run this low usually needs more epochs "
            "(or more seeds per intent); a prompted one, a larger model"
        )

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready summary, with each filter's kept share."""
        return {
            "generated": self.generated,
            "filters": {
                n: {
                    "seen": self.seen[n],
                    "rejected": self.rejected.get(n, 0),
                    "kept_share": round(self.kept_share(n), 4),
                    **({"settings": self.details[n]} if self.details.get(n) else {}),
                }
                for n in self.seen
            },
            "passed_all": self.passed,
            "surplus_dropped": self.surplus,
            "kept": self.kept,
            "kept_by_intent": dict(self.kept_by_intent),
            "disabled": list(self.disabled),
            "reasons": self.reasons(),
            "events": list(self.events),
            "counters": dict(self.counters),
            **({"proposed_values": self.proposed_values} if self.proposed_values else {}),
        }

    def format(self) -> str:
        """Return a short human-readable table."""
        lines = [f"generated {self.generated}"]
        for n in self.seen:
            line = f"  {n:<16} rejected {self.rejected.get(n, 0):>5} of {self.seen[n]:>5}"
            if "threshold" in self.details.get(n, {}):
                line += f"  (threshold {self.details[n]['threshold']:.2f})"
            lines.append(line)
        lines.append(
            f"passed all filters {self.passed}; surplus dropped {self.surplus}; kept {self.kept}"
        )
        lines += [f"  (filter {n} disabled)" for n in self.disabled]
        if self.counters:
            lines.append("  " + ", ".join(f"{k} {v}" for k, v in self.counters.items()))
        return "\n".join(lines)


class FilterChain:
    """Run filters in order over batches of candidates, counting into one summary."""

    def __init__(self, filters: Sequence[Filter], summary: FilterSummary | None = None) -> None:
        self.filters = list(filters)
        self.summary = summary or FilterSummary()
        for f in self.filters:
            self.summary.seen.setdefault(f.name, 0)
            self.summary.rejected.setdefault(f.name, 0)
            if f.details:
                self.summary.details[f.name] = dict(f.details)

    def run(self, candidates: Sequence[Candidate]) -> list[Candidate]:
        """Return the candidates that pass every filter; rejected ones get ``rejected_by``."""
        self.summary.generated += len(candidates)
        alive = list(candidates)
        for f in self.filters:
            verdicts = f.keep(alive)
            self.summary.seen[f.name] += len(alive)
            nxt = []
            for c, ok in zip(alive, verdicts, strict=True):
                for change in c.changes[c.logged :]:
                    self.summary.events.append({"intent": c.intent, "text": c.text, **change})
                c.logged = len(c.changes)
                if ok:
                    nxt.append(c)
                else:
                    c.rejected_by = f.name
                    self.summary.rejected[f.name] += 1
                    if c.reason:  # filters that say why are logged one by one
                        self.summary.events.append(
                            {
                                "filter": f.name,
                                "action": "rejected",
                                "reason": c.reason,
                                "kind": c.reason.split(":", 1)[0],
                                "intent": c.intent,
                                "text": c.text,
                            }
                        )
            alive = nxt
        self.summary.passed += len(alive)
        return alive
