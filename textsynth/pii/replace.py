"""Rewrite a text: widen hits to the slots they cut, replace them, remap the slot spans.

Offsets are computed once from the original text; each hit's output offsets follow from the
lengths of the replacements before it (the same result as replacing from right to left).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textsynth.pii.entities import Finding
from textsynth.types import Span

__all__ = ["Edit", "apply_replacements", "widen_to_slots"]


@dataclass(frozen=True, slots=True)
class Edit:
    """One replacement: input offsets, output offsets and what was found (never the value)."""

    start: int
    end: int
    new_start: int
    new_end: int
    entity: str
    recognizer: str
    score: float

    def to_dict(self) -> dict[str, object]:
        """Return the record written to meta and to the spans file (output offsets first)."""
        return {
            "start": self.new_start,
            "end": self.new_end,
            "type": self.entity,
            "recognizer": self.recognizer,
            "score": round(self.score, 3),
            "in_start": self.start,
            "in_end": self.end,
        }


def widen_to_slots(
    findings: Sequence[Finding], slots: Sequence[Span], text: str = ""
) -> list[Finding]:
    """Make hits respect slot boundaries: no hit may cut a slot.

    A hit that partly overlaps a slot is widened to cover it (the slot is replaced as a whole);
    hits that then overlap are merged; a hit that covers one or more slots and more text besides
    is split at the slot boundaries, so each slot is exactly one replacement (a name hit
    ``Margaret Okonkwo`` over the slots ``first`` and ``last`` becomes two replacements).
    """
    out: list[Finding] = []
    for f in findings:
        start, end = f.start, f.end
        changed = True
        while changed:
            changed = False
            for s in slots:
                if s.start < end and start < s.end and not (s.start <= start and end <= s.end):
                    if s.start < start or s.end > end:
                        start, end = min(start, s.start), max(end, s.end)
                        changed = True
        out.append(
            f
            if (start, end) == (f.start, f.end)
            else Finding(start, end, f.entity, f.score, f.recognizer)
        )
    out.sort(key=lambda f: (f.start, -f.end))
    merged: list[Finding] = []
    for f in out:
        if merged and f.start < merged[-1].end:
            p = merged[-1]
            best = p if p.score >= f.score else f
            merged[-1] = Finding(
                p.start, max(p.end, f.end), best.entity, best.score, best.recognizer
            )
        else:
            merged.append(f)
    return [piece for f in merged for piece in _split(f, slots, text)]


def _split(f: Finding, slots: Sequence[Span], text: str) -> list[Finding]:
    inside = [s for s in slots if f.start <= s.start and s.end <= f.end]
    if not inside or (len(inside) == 1 and (inside[0].start, inside[0].end) == (f.start, f.end)):
        return [f]
    cuts = sorted({f.start, f.end, *(b for s in inside for b in (s.start, s.end))})
    pieces = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        if not any(s.start == a and s.end == b for s in inside):  # a gap: trim its edges
            while a < b and text and not text[a].isalnum():
                a += 1
            while b > a and text and not text[b - 1].isalnum():
                b -= 1
        if a < b:
            pieces.append(Finding(a, b, f.entity, f.score, f.recognizer))
    return pieces


def apply_replacements(
    text: str,
    hits: Sequence[Finding],
    replacements: Sequence[str],
    slots: Sequence[Span] = (),
) -> tuple[str, list[Edit], list[Span]]:
    """Return the new text, the edits and the remapped slots (a slot left empty is dropped).

    ``hits`` must be sorted, non-overlapping, and must not cut a slot (:func:`widen_to_slots`).
    """
    pieces: list[str] = []
    edits: list[Edit] = []
    pos = 0
    out_len = 0
    for f, rep in zip(hits, replacements, strict=False):
        pieces.append(text[pos : f.start])
        out_len += f.start - pos
        edits.append(
            Edit(f.start, f.end, out_len, out_len + len(rep), f.entity, f.recognizer, f.score)
        )
        pieces.append(rep)
        out_len += len(rep)
        pos = f.end
    pieces.append(text[pos:])
    new_text = "".join(pieces)
    return new_text, edits, [s for s in (_remap(s, edits) for s in slots) if s is not None]


def _remap(slot: Span, edits: Sequence[Edit]) -> Span | None:
    start: int | None = None
    end: int | None = None
    touched = False
    delta_start = delta_end = 0
    for e in edits:
        if e.start <= slot.start and slot.end <= e.end:  # the slot lies inside a replaced hit
            start, end, touched = e.new_start, e.new_end, True
            break
        d = (e.new_end - e.new_start) - (e.end - e.start)
        if e.end <= slot.start:
            delta_start += d
            delta_end += d
        elif e.start >= slot.start and e.end <= slot.end:
            delta_end += d
            touched = True
    if start is None or end is None:
        start, end = slot.start + delta_start, slot.end + delta_end
    if end <= start:
        return None
    return Span(start, end, slot.label, None if touched else slot.value)
