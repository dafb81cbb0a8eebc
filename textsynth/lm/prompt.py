"""Seeds to prompt/completion pairs and back (pure: no torch).

Fine-tuning pairs are ``intent: <intent> | slots: <labels> | lang: <lang>\\n`` followed by the
utterance in inline slot markup (``play [jazz](genre) now``) and the end-of-sequence token; only
the completion is scored. A run that follows value plans also names the seed's slot values
(``| values: genre: jazz |``, :mod:`textsynth.lm.plans`). Prompt mode shows a few seeds of one
intent as a list and lets the model write the next item (the recipe of Sahu et al. 2022).
Completions are parsed back with :func:`textsynth.markup.parse`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textsynth import markup
from textsynth.types import Utterance

if TYPE_CHECKING:
    from textsynth.lm.plans import ValuePlan

__all__ = [
    "Example",
    "clean_completion",
    "few_shot_prompt",
    "finetune_prompt",
    "parse_completion",
    "slots_by_intent",
    "to_example",
]


@dataclass(frozen=True, slots=True)
class Example:
    """One fine-tuning pair: the conditioning prompt and the markup completion."""

    prompt: str
    completion: str


def finetune_prompt(
    intent: str,
    language: str = "en",
    slots: Sequence[str] | None = None,
    plan: ValuePlan | None = None,
) -> str:
    """Return the conditioning prefix for ``intent`` in ``language``.

    With ``slots`` (the slot labels the seeds of the intent use) the prefix names them, so the
    model keeps to the intent's own labels instead of borrowing another intent's. With ``plan``
    it also names the slot values the utterance must carry (see :mod:`textsynth.lm.plans`).
    """
    values = f" | values: {plan.render()}" if plan is not None else ""
    if slots is None:
        return f"intent: {intent}{values} | lang: {language}\n"
    return f"intent: {intent} | slots: {', '.join(slots) or '-'}{values} | lang: {language}\n"


def slots_by_intent(seeds: Sequence[Utterance]) -> dict[str, list[str]]:
    """Return the sorted slot labels of each intent's seeds (the slot hints of the prompts)."""
    out: dict[str, set[str]] = {}
    for u in seeds:
        out.setdefault(u.intent, set()).update(s.label for s in u.spans)
    return {i: sorted(v) for i, v in out.items()}


def to_example(
    utt: Utterance, slots: Sequence[str] | None = None, *, planned: bool = False
) -> Example:
    """Return the fine-tuning pair of a seed (newlines in text are flattened to spaces).

    ``planned``: the prompt names the seed's own slot values (a run that follows value plans).
    """
    flat = Utterance(
        text=utt.text.replace("\n", " "), intent=utt.intent, spans=utt.spans, language=utt.language
    )
    from textsynth.lm.plans import plan_of

    plan = plan_of(flat) if planned and flat.spans else None
    return Example(finetune_prompt(utt.intent, utt.language, slots, plan), markup.render(flat))


def few_shot_prompt(
    intent: str,
    shots: Sequence[Utterance],
    language: str = "en",
    plan: ValuePlan | None = None,
) -> str:
    """Return a list-continuation prompt showing ``shots`` of ``intent``; the model adds one item.

    The list form suits small models better than a chat instruction: the model only has to
    continue a pattern, and the first line of its continuation is the new utterance. With
    ``plan`` every item starts with the slot values it carries (``artist: Adele => ...``) and
    the open item with the plan's, so the model writes a request around them.
    """
    labels = sorted({s.label for u in shots for s in u.spans})
    slot_note = (
        f" Slot values are marked [value](slot), with slots such as {', '.join(labels)}."
        if labels
        else ""
    )
    from textsynth.lm.plans import plan_of

    plan_note = " Each request follows the slot values it uses." if plan is not None else ""
    lines = [
        f"Requests a user might say to a voice assistant (language: {language}), "
        f"all with the intent {intent}.{slot_note}{plan_note}"
    ]
    for u in shots:
        item = markup.render(u).replace(chr(10), " ")
        if plan is not None:
            item = f"{plan_of(u).render() or '-'} => {item}"
        lines.append(f"- {item}")
    return "\n".join(lines) + (f"\n- {plan.render()} =>" if plan is not None else "\n-")


def pick_shots(seeds: Sequence[Utterance], k: int, rng: random.Random) -> list[Utterance]:
    """Return ``k`` seeds drawn without replacement (all of them, shuffled, if fewer)."""
    pool = list(seeds)
    return rng.sample(pool, min(k, len(pool)))


def clean_completion(raw: str) -> str:
    """Return the first line of a raw completion, stripped (models run on past the item)."""
    return raw.strip().split("\n", 1)[0].strip()


def parse_completion(
    raw: str,
    intent: str,
    language: str = "en",
    *,
    source: str = "",
    meta: dict[str, Any] | None = None,
) -> Utterance:
    """Parse a raw completion into an :class:`Utterance`; raise ``MarkupError`` if malformed."""
    return markup.parse(
        clean_completion(raw), intent, language=language, source=source, meta=dict(meta or {})
    )
