"""Span-exact precision, recall and F1 per label, and a label-vs-label confusion.

Both span sets are first snapped to word tokens (a span covers the tokens it overlaps), so a
span that differs only by a trailing space or a cut word is the same span, while a span moved
by one word or given another label is not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from textsynth.slots.tokens import token_range, tokenise
from textsynth.types import Span

__all__ = ["NO_SLOT", "SpanScores", "score_spans"]

NO_SLOT = "O"

Key = tuple[int, int, str]  # first token, last token + 1, label


def _prf(tp: int, fp: int, fn: int) -> dict[str, float | int | None]:
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    f = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None
    return {"precision": p, "recall": r, "f1": f, "tp": tp, "fp": fp, "fn": fn}


@dataclass
class SpanScores:
    """Counts of a span comparison; the ratios are properties.

    Attributes:
        tp: per label, predicted spans equal to a reference span (same tokens, same label).
        fp: per label, predicted spans with no equal reference span.
        fn: per label, reference spans with no equal predicted span.
        confusion: ``(predicted label, reference label) -> count`` over paired spans; a span
            with no overlapping partner is paired with ``"O"`` (no slot).
        n_texts: texts compared.
    """

    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    n_texts: int = 0

    @property
    def labels(self) -> list[str]:
        """Return every label seen on either side, sorted."""
        return sorted(set(self.tp) | set(self.fp) | set(self.fn))

    def micro(self) -> dict[str, float | int | None]:
        """Return micro-averaged precision, recall, F1 and the counts."""
        return _prf(sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values()))

    @property
    def f1(self) -> float | None:
        """Return the micro F1 (``None`` when neither side has a span)."""
        f = self.micro()["f1"]
        return None if f is None else float(f)

    def per_label(self) -> dict[str, dict[str, float | int | None]]:
        """Return precision, recall, F1 and counts per label."""
        return {k: _prf(self.tp[k], self.fp[k], self.fn[k]) for k in self.labels}

    def macro_f1(self) -> float | None:
        """Return the unweighted mean of the per-label F1 scores."""
        fs = [float(v["f1"]) for v in self.per_label().values() if v["f1"] is not None]
        return sum(fs) / len(fs) if fs else None

    def confusion_table(self) -> dict[str, Any]:
        """Return the confusion as ``{"rows", "columns", "matrix"}`` (rows: predicted label)."""
        rows = sorted({a for a, _ in self.confusion})
        cols = sorted({b for _, b in self.confusion})
        return {
            "rows": rows,
            "columns": cols,
            "matrix": [[self.confusion[(r, c)] for c in cols] for r in rows],
        }

    def update(self, other: SpanScores) -> None:
        """Add the counts of ``other``."""
        self.tp.update(other.tp)
        self.fp.update(other.fp)
        self.fn.update(other.fn)
        self.confusion.update(other.confusion)
        self.n_texts += other.n_texts


def snap(text: str, spans: Sequence[Span], tokens: Sequence[Any] | None = None) -> list[Key]:
    """Return each span as ``(first token, last token + 1, label)``; spans over no token go."""
    toks = tokens if tokens is not None else tokenise(text)
    out = []
    for s in spans:
        r = token_range(toks, s)
        if r is not None:
            out.append((r[0], r[1], s.label))
    return out


def compare_one(text: str, reference: Sequence[Span], predicted: Sequence[Span]) -> SpanScores:
    """Return the comparison of ``predicted`` against ``reference`` on one text."""
    toks = tokenise(text)
    ref, pred = snap(text, reference, toks), snap(text, predicted, toks)
    sc = SpanScores(n_texts=1)
    ref_set, pred_set = Counter(ref), Counter(pred)
    for k in pred:
        if ref_set[k] > 0:
            ref_set[k] -= 1
            sc.tp[k[2]] += 1
        else:
            sc.fp[k[2]] += 1
    for k in ref:
        if pred_set[k] > 0:
            pred_set[k] -= 1
        else:
            sc.fn[k[2]] += 1
    # confusion: pair each predicted span with the reference span it overlaps most
    used: set[int] = set()
    for a, b, lab in pred:
        best, best_ov = -1, 0
        for j, (c, d, _) in enumerate(ref):
            ov = min(b, d) - max(a, c)
            if j not in used and ov > best_ov:
                best, best_ov = j, ov
        if best >= 0:
            used.add(best)
            sc.confusion[(lab, ref[best][2])] += 1
        else:
            sc.confusion[(lab, NO_SLOT)] += 1
    for j, (_, _, lab) in enumerate(ref):
        if j not in used:
            sc.confusion[(NO_SLOT, lab)] += 1
    return sc


def score_spans(
    texts: Sequence[str],
    reference: Sequence[Sequence[Span]],
    predicted: Sequence[Sequence[Span]],
) -> SpanScores:
    """Return span-exact scores of ``predicted`` against ``reference``, text by text.

    Precision is the share of predicted spans that the reference has too (same words, same
    label); recall the share of reference spans that were predicted.
    """
    if not len(texts) == len(reference) == len(predicted):
        raise ValueError(
            f"score_spans: {len(texts)} texts, {len(reference)} reference and "
            f"{len(predicted)} predicted span lists"
        )
    total = SpanScores()
    for t, r, p in zip(texts, reference, predicted, strict=True):
        total.update(compare_one(t, r, p))
    return total
