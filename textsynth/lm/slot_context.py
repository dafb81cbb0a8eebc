"""Slot-context filter: reject generated text whose slot values sit in contexts no seed has.

When a small generator is asked for several slot values at once (a value plan), it often writes
each value in a frame that does not fit it: ``Book a table for [88th St-Boyd Av](poi) at a
[close](spatial_relation) party of [9](party_size_number)``. Every span is a valid value with the
right label, so the label checks pass it, and the base model's likelihood does not single it out
either (short commands full of names score low whether they read well or not).

What does single it out is the words next to the values. The filter writes each utterance as a
template, each value replaced by its label (``book a table for <poi> at a <spatial_relation>
party of <party_size_number>``), and counts the *slot contexts*, the word pairs with a label on
one side (``for <poi>``, ``<poi> at``, ``a <spatial_relation>``...) that no seed of the intent
has. Text the generator learnt from the seeds reuses their contexts around most values; a value
forced into a frame shows several new ones. An utterance with more than ``max_unseen`` of them
is rejected, and the reason lists them. The start and the end of the text count as words, so
``<timeRange> and`` at the end is a context too; sentence-final punctuation does not.

Measured on 210 kept SNIPS utterances read by hand (``eval/junk_read.py``; ``docs/generation.md``,
section 12): with ``max_unseen=2`` it rejects 39 % of the unnatural ones and 2 % of the natural
ones, and 22 % of real SNIPS test requests, which word things the ten seeds do not. That is why
it is on for fine-tuned runs, whose generator learnt the seeds' wording, and off in prompt mode.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textsynth.lm.filters import Candidate, Filter
from textsynth.slots.tokens import tokenise
from textsynth.types import Utterance

__all__ = ["SlotContextFilter", "slot_contexts", "template"]

_FINAL = frozenset(".?!。？！")
START, END = "<s>", "</s>"


def _words(text: str) -> list[str]:
    return [t.text for t in tokenise(text.casefold())]


def template(utt: Utterance) -> list[str]:
    """Return the utterance's words (casefolded), each slot value replaced by ``<label>``.

    Sentence-final punctuation is left out; the start and the end are ``<s>`` and ``</s>``.
    """
    out, pos = [START], 0
    for s in sorted(utt.spans, key=lambda s: s.start):
        out += _words(utt.text[pos : s.start])
        out.append(f"<{s.label}>")
        pos = s.end
    out += _words(utt.text[pos:])
    return [w for w in out if w not in _FINAL] + [END]


def _is_slot(word: str) -> bool:
    return word not in (START, END) and word.startswith("<") and word.endswith(">")


def slot_contexts(utt: Utterance) -> list[tuple[str, str]]:
    """Return the utterance's word pairs with a slot label on at least one side, in order."""
    words = template(utt)
    pairs = zip(words, words[1:], strict=False)
    return [(a, b) for a, b in pairs if _is_slot(a) or _is_slot(b)]


class SlotContextFilter(Filter):
    """Reject utterances with more than ``max_unseen`` slot contexts no seed of the intent has.

    Args:
        seeds: the seeds whose slot contexts are allowed, per intent.
        max_unseen: the most new slot contexts an utterance may have.
    """

    name = "slot-context"

    def __init__(self, seeds: Iterable[Utterance], max_unseen: int = 2) -> None:
        self.max_unseen = max_unseen
        self.seen: dict[str, set[tuple[str, str]]] = {}
        for u in seeds:
            self.seen.setdefault(u.intent, set()).update(slot_contexts(u))

    def unseen(self, utt: Utterance) -> list[tuple[str, str]]:
        """Return the utterance's slot contexts that no seed of its intent has."""
        seen = self.seen.get(utt.intent, set())
        return [pair for pair in slot_contexts(utt) if pair not in seen]

    def keep(self, candidates: Sequence[Candidate]) -> list[bool]:  # noqa: D102
        out = []
        for c in candidates:
            assert c.utterance is not None, "MarkupFilter must run first"
            new = self.unseen(c.utterance)
            c.scores["unseen_slot_contexts"] = len(new)
            ok = len(new) <= self.max_unseen
            if not ok:
                shown = ", ".join(repr(" ".join(p)) for p in new)
                c.note(
                    self.name,
                    "rejected",
                    f"new slot contexts: {len(new)} (at most {self.max_unseen}) that no seed "
                    f"of {c.utterance.intent!r} has, {shown}",
                )
            out.append(ok)
        return out
