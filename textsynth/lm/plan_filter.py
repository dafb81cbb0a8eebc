"""The ``value-plan`` filter: a planned utterance is kept only with exactly its planned spans.

See :mod:`textsynth.lm.plans` for what a plan is and how it is drawn.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from textsynth.errors import SpanError
from textsynth.lm.filters import Candidate, Filter
from textsynth.lm.plans import ValuePlan
from textsynth.types import Span, Utterance

__all__ = ["PlanFilter"]


def _over(span: Span | tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    """Return whether ``span`` (a span or a character range) overlaps any ``taken`` range."""
    start, end = (span.start, span.end) if isinstance(span, Span) else span
    return any(start < b and a < end for a, b in taken)


def _find(text: str, value: str, taken: list[tuple[int, int]]) -> tuple[int, int] | None:
    """Return the first whole-word, case-blind occurrence of ``value`` not overlapping ``taken``."""
    pattern = re.compile(r"(?<!\w)" + re.escape(value) + r"(?!\w)", re.IGNORECASE)
    for m in pattern.finditer(text):
        if not _over((m.start(), m.end()), taken):
            return m.start(), m.end()
    return None


class PlanFilter(Filter):
    """Hold a planned candidate to its plan: spans become exactly the planned values."""

    name = "value-plan"

    def __init__(self) -> None:
        self.planned = 0  # planned candidates seen
        self.held = 0  # of them, those that kept their plan

    def keep(self, candidates: Sequence[Candidate]) -> list[bool]:  # noqa: D102
        out = []
        for c in candidates:
            if c.plan is None or c.utterance is None:
                out.append(True)
                continue
            ok = self._hold(c, c.plan)
            self.planned += 1
            self.held += ok
            out.append(ok)
        return out

    def followed(self) -> float | None:
        """Return the share of planned candidates that kept their plan (None before any)."""
        return self.held / self.planned if self.planned else None

    def _hold(self, c: Candidate, plan: ValuePlan) -> bool:
        u = c.utterance
        assert u is not None
        pending = [
            ((s.label, u.text[s.start : s.end].strip().casefold()), s)
            for s in sorted(u.spans, key=lambda s: s.start)
        ]
        spans: list[Span] = []
        taken: list[tuple[int, int]] = []
        unmarked = []
        for label, value in plan.slots:
            key = (label, value.casefold())
            hit = next(
                (i for i, (k, s) in enumerate(pending) if k == key and not _over(s, taken)), None
            )
            if hit is not None:
                own = pending.pop(hit)[1]
                at: tuple[int, int] | None = (own.start, own.end)
            else:  # written unmarked, under another label, or with other boundaries
                at = _find(u.text, value, taken)
                if at is None:
                    c.note(self.name, "rejected", f"planned value missing: {value!r} ({label})")
                    return False
                found = at
                if not any(_over(s, [found]) for _k, s in pending):
                    unmarked.append(value)
            assert at is not None
            taken.append(at)
            spans.append(Span(at[0], at[1], label))
        for (label, value), s in pending:
            if not _over(s, taken):
                c.note(self.name, "rejected", f"span outside the plan: {value!r} ({label})")
                return False
            c.note(self.name, "relabelled", "a span over a planned value: the plan's label")
        if unmarked:
            c.note(self.name, "marked", "planned value written unmarked", values=unmarked)
        spans.sort(key=lambda s: s.start)
        try:
            c.utterance = Utterance(
                text=u.text,
                intent=u.intent,
                spans=tuple(spans),
                language=u.language,
                source=u.source,
                meta=u.meta,
            )
        except SpanError as exc:  # never expected: the planned spans are kept apart above
            c.note(self.name, "rejected", f"planned spans do not fit: {exc}")
            return False
        return True
