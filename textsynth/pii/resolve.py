"""Overlap resolution: keep the best findings so that no two overlap."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from textsynth.pii.entities import Finding

__all__ = ["resolve"]


def resolve(findings: Iterable[Finding], threshold: float = 0.0) -> list[Finding]:
    """Return non-overlapping findings scoring at least ``threshold``, sorted by start.

    Higher scores win, then longer spans. A finding that wholly contains every kept finding it
    overlaps replaces them (an address swallows the city NER found inside it; a card number
    swallows the "date" NER saw in it), provided it passed the threshold itself; but a finding a
    checksum validated is never swallowed by a weaker one (NER calling "iban FR76... svp" a
    person must not hide the IBAN).
    """
    cands = sorted(
        (f for f in findings if f.score >= threshold),
        key=lambda f: (-f.score, -(f.end - f.start), f.start),
    )
    # the kept findings never overlap, so sorted by start their ends are sorted too: the ones a
    # candidate overlaps are a run just before the first kept start >= its end (O(log n) each,
    # not a scan of every kept finding: a long record has tens of thousands)
    spans: list[tuple[int, int]] = []
    kept: list[Finding] = []
    for f in cands:
        hi = bisect_left(spans, (f.end, -1))
        lo = hi
        while lo > 0 and spans[lo - 1][1] > f.start:
            lo -= 1
        hits = kept[lo:hi]
        if not hits:
            spans.insert(hi, (f.start, f.end))
            kept.insert(hi, f)
        elif all(
            f.start <= k.start and k.end <= f.end and len(f) > len(k) and not _validated_over(k, f)
            for k in hits
        ):
            spans[lo:hi] = [(f.start, f.end)]
            kept[lo:hi] = [f]
    return kept


def _validated_over(inner: Finding, outer: Finding) -> bool:
    return inner.score >= VALIDATED and outer.score < inner.score


VALIDATED = 0.95
