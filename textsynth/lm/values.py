"""Value proposals: widen the value plans' catalogue beyond the seeds' own values.

Value plans (:mod:`textsynth.lm.plans`) draw slot values from the intent's seeds, so ten seeds
that name four kinds of creative work give generated text about those four kinds only: the
text stays near the seeds and covers little more of the intent than they do. Here the base
language model is asked, once per open-class label, to continue the list of the label's seed
values (``Examples of object type in requests to search creative work: movie, novel, book,``)
several times, each time in another order. A proposed value is kept only when

- it has the shape of the seed values: no more words than the longest seed value plus one,
  no longer than one and a half times it, no digit where no seed value has one, and no
  punctuation the seed values do not use (the first item that fails ends its list: what
  follows is prose);
- at least ``min_votes`` of the completions propose it (casefolded), which drops most
  one-off inventions;
- it is not a seed value of the label or of another label of the intent;
- it parses as the label's type when the seed values have one (numbers, dates, e-mails...).

Labels with fewer than ``min_seed_values`` distinct seed values are left alone: with one or
two examples the model has little to go on, and such labels are mostly closed classes
(``this``, ``current``, ``nearest``). Kept values join the planner's pool beside the seeds'
values; an utterance written around one still passes every filter, among them the seed slot
tagger's check of values no seed gives (``slot_confirm_new``).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from textsynth.lm.backends import Backend, Completion, GenParams, Request
from textsynth.lm.plans import plan_of
from textsynth.types import Utterance

__all__ = ["ValueProposals", "propose_values", "proposal_prompt", "split_proposals"]

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _human(name: str) -> str:
    """Return a schema name as words: ``SearchCreativeWork`` / ``object_type`` -> lower words."""
    return " ".join(_CAMEL.sub(" ", name).replace("_", " ").replace("-", " ").split()).lower()


def proposal_prompt(intent: str, label: str, values: Sequence[str]) -> str:
    """Return the list the model continues: the label's seed values, ending with a comma."""
    return f"Examples of {_human(label)} in requests to {_human(intent)}: {', '.join(values)},"


@dataclass(frozen=True)
class _Shape:
    """What a label's seed values look like; a proposal must look the same."""

    max_words: int
    max_chars: int
    digits: bool
    punct: frozenset[str]

    @classmethod
    def of(cls, values: Iterable[str]) -> _Shape:
        vals = list(values)
        return cls(
            max_words=max(len(v.split()) for v in vals),
            max_chars=max(len(v) for v in vals),
            digits=any(ch.isdigit() for v in vals for ch in v),
            punct=frozenset(ch for v in vals for ch in v if not ch.isalnum() and not ch.isspace()),
        )

    def fits(self, value: str) -> bool:
        if not value or len(value.split()) > self.max_words + 1:
            return False
        if len(value) > max(12, int(1.5 * self.max_chars)):
            return False
        if not self.digits and any(ch.isdigit() for ch in value):
            return False
        return all(ch.isalnum() or ch.isspace() or ch in self.punct for ch in value)


def split_proposals(text: str, shape: _Shape) -> list[str]:
    """Return the values of one completion: its first line's comma-separated items, in order,
    up to the first item that does not have the seed values' shape."""
    out = []
    for item in text.split("\n", 1)[0].split(","):
        value = " ".join(item.split())
        if not shape.fits(value):
            break
        out.append(value)
    return out


@dataclass
class ValueProposals:
    """The values kept for each intent's labels, and how many were asked and proposed."""

    values: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    requests: int = 0
    proposed: int = 0

    def count(self) -> int:
        """Return how many values were kept, over all intents and labels."""
        return sum(len(v) for labs in self.values.values() for v in labs.values())

    def to_dict(self) -> dict[str, Any]:
        """Return the proposals as plain data (the filter summary's ``proposed_values``)."""
        return {
            "requests": self.requests,
            "proposed": self.proposed,
            "kept": self.count(),
            "values": self.values,
        }


def _seed_values(seeds: Sequence[Utterance]) -> dict[str, dict[str, dict[str, str]]]:
    """Return ``intent -> label -> {casefolded value: value}`` of the seeds, in seed order."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for u in seeds:
        for label, value in plan_of(u).slots:
            if value:
                pool = out.setdefault(u.intent, {}).setdefault(label, {})
                pool.setdefault(value.casefold(), value)
    return out


def propose_values(
    backend: Backend,
    seeds: Sequence[Utterance],
    intents: Sequence[str],
    *,
    per_label: int = 10,
    completions: int = 8,
    min_votes: int = 2,
    min_seed_values: int = 3,
    seed: int = 0,
    run: Callable[[Backend, list[Request], GenParams], list[Completion]] | None = None,
) -> ValueProposals:
    """Ask ``backend`` for new values of each open-class label of ``intents``' seeds.

    Args:
        backend: the model that continues the lists (a base model, not a fine-tuned run).
        seeds: the labelled seeds; their values are the lists' start and the shape to match.
        intents: the intents to propose for.
        per_label: the most values kept per label (those most completions agree on first).
        completions: lists asked per label, each with the seed values in another order.
        min_votes: the least number of completions that must propose a value.
        min_seed_values: labels with fewer distinct seed values are left alone.
        seed: the sampling seed (a rerun asks the same questions).
        run: ``run(backend, requests, params) -> completions``, e.g. through a request cache
            (default: ``backend.generate``).

    Returns:
        The kept values, most agreed first.
    """
    from textsynth.lm.verify import infer_types, value_type_ok

    known = _seed_values(seeds)
    types = infer_types(seeds)
    lang = {u.intent: u.language for u in seeds}
    asks: list[tuple[str, str]] = []
    requests: list[Request] = []
    for intent in intents:
        for label, vals in sorted(known.get(intent, {}).items()):
            if len(vals) < min_seed_values:
                continue
            for k in range(completions):
                order = list(vals.values())
                random.Random(f"{seed}:{intent}:{label}:{k}").shuffle(order)
                asks.append((intent, label))
                requests.append(
                    Request(proposal_prompt(intent, label, order), seed=seed * 7919 + len(asks))
                )
    out = ValueProposals(requests=len(requests))
    if not requests:
        return out
    params = GenParams(temperature=0.9, top_p=0.95, max_new_tokens=40, stop=("\n",))
    done = run(backend, requests, params) if run else backend.generate(requests, params)
    votes: dict[tuple[str, str], dict[str, list[Any]]] = {}
    for (intent, label), comp, req in zip(asks, done, requests, strict=True):
        if comp.text is None:
            continue
        shape = _Shape.of(known[intent][label].values())
        seen_here = set()
        for value in split_proposals(comp.text, shape):
            key = value.casefold()
            if key in seen_here:
                continue
            seen_here.add(key)
            out.proposed += 1
            entry = votes.setdefault((intent, label), {}).setdefault(key, [0, value, req.seed])
            entry[0] += 1
    for (intent, label), cands in votes.items():
        taken = {v for lab_vals in known[intent].values() for v in lab_vals}
        kind = types.get(label)
        ranked = sorted(cands.values(), key=lambda e: (-e[0], e[2]))
        keep = [
            value
            for n, value, _ in ranked
            if n >= min_votes
            and value.casefold() not in taken
            and (kind is None or value_type_ok(kind, value, lang.get(intent, "en")))
        ][:per_label]
        if keep:
            out.values.setdefault(intent, {})[label] = keep
    return out
