"""Seeds to prompt/completion pairs and back (pure: no torch).

Fine-tuning pairs are ``intent: <intent> | slots: <labels> | lang: <lang>\\n`` followed by the
utterance in inline slot markup (``play [jazz](genre) now``) and the end-of-sequence token; only
the completion is scored. Prompt mode shows a few seeds of one intent as a list and lets the
model write the next item (the recipe of Sahu et al. 2022). Completions are parsed back with
:func:`textsynth.markup.parse`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from textsynth import markup
from textsynth.types import Utterance

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


def finetune_prompt(intent: str, language: str = "en", slots: Sequence[str] | None = None) -> str:
    """Return the conditioning prefix for ``intent`` in ``language``.

    With ``slots`` (the slot labels the seeds of the intent use) the prefix names them, so the
    model keeps to the intent's own labels instead of borrowing another intent's.
    """
    if slots is None:
        return f"intent: {intent} | lang: {language}\n"
    return f"intent: {intent} | slots: {', '.join(slots) or '-'} | lang: {language}\n"


def slots_by_intent(seeds: Sequence[Utterance]) -> dict[str, list[str]]:
    """Return the sorted slot labels of each intent's seeds (the slot hints of the prompts)."""
    out: dict[str, set[str]] = {}
    for u in seeds:
        out.setdefault(u.intent, set()).update(s.label for s in u.spans)
    return {i: sorted(v) for i, v in out.items()}


def to_example(utt: Utterance, slots: Sequence[str] | None = None) -> Example:
    """Return the fine-tuning pair of a seed (newlines in text are flattened to spaces)."""
    flat = Utterance(
        text=utt.text.replace("\n", " "), intent=utt.intent, spans=utt.spans, language=utt.language
    )
    return Example(finetune_prompt(utt.intent, utt.language, slots), markup.render(flat))


def few_shot_prompt(intent: str, shots: Sequence[Utterance], language: str = "en") -> str:
    """Return a list-continuation prompt showing ``shots`` of ``intent``; the model adds one item.

    The list form suits small models better than a chat instruction: the model only has to
    continue a pattern, and the first line of its continuation is the new utterance.
    """
    labels = sorted({s.label for u in shots for s in u.spans})
    slot_note = (
        f" Slot values are marked [value](slot), with slots such as {', '.join(labels)}."
        if labels
        else ""
    )
    lines = [
        f"Requests a user might say to a voice assistant (language: {language}), "
        f"all with the intent {intent}.{slot_note}"
    ]
    lines += [f"- {markup.render(u).replace(chr(10), ' ')}" for u in shots]
    return "\n".join(lines) + "\n-"


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
