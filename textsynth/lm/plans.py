"""Value plans: ask the generator for an utterance around given slot values, then hold it to them.

A free generation picks its own slot values and marks them itself, and a small model marks them
wrongly often (the label of a neighbour, half a value, a value left unmarked). A *value plan*
instead names the slots an utterance must carry: the label set of one seed of the intent, each
label filled with a value the intent's seeds give it, drawn anew so that values from different
seeds meet (the LINGUIST recipe, Rosenbaum et al. 2022, with the seeds as the value catalogue).
The model writes the words around them; :class:`~textsynth.lm.plan_filter.PlanFilter` then
keeps an utterance only if every planned value is in it, and gives the spans exactly the
planned values and labels, so a kept utterance's labels are right by construction. A value the
model wrote but left unmarked is marked; a span outside the plan, or a planned value missing,
rejects the utterance.

Plans are recorded on the request (the prompt carries them) and on the kept utterance's
provenance (``meta["plan"]``). With ``SampleConfig.propose_values`` the base model's proposals
(:mod:`textsynth.lm.values`) join the seeds' values in the pool (:meth:`ValuePlanner.extend`).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from textsynth.types import Utterance

__all__ = ["ValuePlan", "ValuePlanner", "plan_of"]


@dataclass(frozen=True, slots=True)
class ValuePlan:
    """The ``(label, value)`` pairs one utterance must carry, in the order they are shown."""

    slots: tuple[tuple[str, str], ...]

    def render(self) -> str:
        """Return the plan as the prompts show it: ``artist: Adele; playlist: chill``."""
        return "; ".join(f"{label}: {value}" for label, value in self.slots)


def plan_of(utt: Utterance) -> ValuePlan:
    """Return the plan an utterance fulfils: its own spans, in text order."""
    spans = sorted(utt.spans, key=lambda s: s.start)
    return ValuePlan(tuple((s.label, " ".join(utt.text[s.start : s.end].split())) for s in spans))


class ValuePlanner:
    """Draw value plans for an intent from its seeds: one seed's labels, any seeds' values."""

    def __init__(self, seeds: Sequence[Utterance]) -> None:
        self.signatures: dict[str, list[tuple[str, ...]]] = {}
        self.seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
        values: dict[str, dict[str, dict[str, None]]] = {}
        for u in seeds:
            plan = plan_of(u)
            if not plan.slots:
                continue
            self.seen.add((u.intent, _folded(plan)))
            self.signatures.setdefault(u.intent, []).append(tuple(lab for lab, _ in plan.slots))
            for label, value in plan.slots:
                if value:
                    values.setdefault(u.intent, {}).setdefault(label, {})[value] = None
        self.values = {i: {lab: list(v) for lab, v in d.items()} for i, d in values.items()}

    def extend(self, values: dict[str, dict[str, list[str]]]) -> int:
        """Add values to the pool of labels the seeds already plan (``intent -> label -> values``).

        Values of a label or intent no seed plans are ignored, as are values already pooled
        (casefolded). Returns how many were added.
        """
        added = 0
        for intent, labels in values.items():
            for label, vals in labels.items():
                pool = self.values.get(intent, {}).get(label)
                if pool is None:
                    continue
                have = {v.casefold() for v in pool}
                for v in vals:
                    if v and v.casefold() not in have:
                        pool.append(v)
                        have.add(v.casefold())
                        added += 1
        return added

    def draw(self, intent: str, rng: random.Random, tries: int = 8) -> ValuePlan | None:
        """Return a plan for ``intent``, or ``None`` when its seeds carry no slot.

        A plan that repeats a seed's own values invites a copy of that seed: up to ``tries``
        draws are made to find one that does not (a seed set with one value per label has none).
        """
        if not self.signatures.get(intent):
            return None
        plan = self._draw(intent, rng)
        for _ in range(tries - 1):
            if (intent, _folded(plan)) not in self.seen:
                break
            plan = self._draw(intent, rng)
        return plan

    def _draw(self, intent: str, rng: random.Random) -> ValuePlan:
        labels = rng.choice(self.signatures[intent])
        pool = self.values[intent]
        used: dict[str, set[str]] = {}
        slots = []
        for label in labels:
            left = [v for v in pool[label] if v.casefold() not in used.get(label, set())]
            value = rng.choice(left or pool[label])
            used.setdefault(label, set()).add(value.casefold())
            slots.append((label, value))
        return ValuePlan(tuple(slots))


def _folded(plan: ValuePlan) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((label, value.casefold()) for label, value in plan.slots))
