"""Schema-leak filter: reject generated text that writes a slot label or intent name as words.

Without value plans or slot checks (``focus='intents'``), a small generator sometimes writes the
name of a slot or intent it saw in its prompt or training format where a value belongs:
``please lower the lights in house_place``, ``switch on radio_name``, ``please add
music_likeness to my favorites``, ``find the movie_type``. In the kept sets of the
augmentation benchmark that was up to 0.4 % of HWU64's and 1.4 % of SNIPS's free-text
utterances (none with value plans and the slot checks on). No real request says it, and a
classifier trained on it learns the identifier as a cue. Checked against the schema of each of
three seed draws, the filter rejects none of the 25,792 real utterances of SNIPS, HWU64 and
CLINC150 (20 intents).

Only names that cannot be ordinary words are checked: those with an underscore or a
lower-to-upper case change (``house_place``, ``PlayMusic``); ``date``, ``city`` or ``check-in``
are left alone. The match is a whole word, casefolded, anywhere in the text
(slot values included), and a name that some seed's text contains is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from textsynth.lm.filters import Candidate, Filter
from textsynth.types import Utterance

__all__ = ["SchemaLeakFilter", "identifier_like"]

_IDENTIFIER = re.compile(r"_|[a-z][A-Z]")


def identifier_like(name: str) -> bool:
    """Return whether ``name`` reads as a schema identifier rather than an ordinary word."""
    return bool(_IDENTIFIER.search(name))


class SchemaLeakFilter(Filter):
    """Reject utterances that write a slot label or intent name as words (see module)."""

    name = "schema-leak"

    def __init__(self, seeds: Iterable[Utterance], intents: Iterable[str] = ()) -> None:
        seeds = list(seeds)
        named = [(u.intent, "an intent name") for u in seeds]
        named += [(s.label, "a slot label") for u in seeds for s in u.spans]
        named += [(i, "an intent name") for i in intents]
        seen = [u.text.casefold() for u in seeds]
        self.kinds: dict[str, str] = {}
        for original, kind in named:
            n = original.casefold()
            if identifier_like(original) and not any(n in t for t in seen):
                self.kinds.setdefault(n, kind)
        names = sorted(self.kinds, key=len, reverse=True)
        self.pattern = (
            re.compile(r"(?<!\w)(" + "|".join(map(re.escape, names)) + r")(?!\w)")
            if names
            else None
        )

    def keep(self, candidates: Sequence[Candidate]) -> list[bool]:  # noqa: D102
        out = []
        for c in candidates:
            assert c.utterance is not None, "MarkupFilter must run first"
            text = c.utterance.text.casefold()  # the words, not the markup's labels
            m = self.pattern.search(text) if self.pattern is not None else None
            if m is not None:
                name = m.group(1)
                c.note(self.name, "rejected", f"{self.kinds[name]} in the text: {name!r}")
            out.append(m is None)
        return out
