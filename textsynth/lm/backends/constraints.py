"""The allowed inline markup of one intent, as a regex and a GBNF grammar.

``fallback_markup_regex`` / ``fallback_markup_gbnf`` are this package's own small builders: one
line of plain text and ``[value](label)`` slots whose label is one of the intent's labels, no
empty values, no nested brackets. If ``textsynth.lm.constrain`` (the generation work's module)
provides ``markup_regex``/``markup_gbnf``, those are used instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["fallback_markup_gbnf", "fallback_markup_regex", "markup_gbnf", "markup_regex"]

_PLAIN = r"[^\[\]()\n]"


def fallback_markup_regex(labels: Sequence[str]) -> str:
    """Return a regex matching one line of markup using only ``labels`` as slot labels."""
    if not labels:
        return f"{_PLAIN}+"
    alts = "|".join(re.escape(x) for x in sorted(labels))
    return rf"({_PLAIN}|\[{_PLAIN}+\]\(({alts})\))+"


def _gbnf_literal(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fallback_markup_gbnf(labels: Sequence[str]) -> str:
    """Return a llama.cpp GBNF grammar for one line of markup using only ``labels``."""
    plain = r"[^\[\]()\n]"
    lines = ["root ::= seg+", f"seg ::= {plain}" + (" | slot" if labels else "")]
    if labels:
        lines.append(f'slot ::= "[" {plain}+ "](" label ")"')
        lines.append("label ::= " + " | ".join(_gbnf_literal(x) for x in sorted(labels)))
    return "\n".join(lines) + "\n"


def markup_regex(labels: Sequence[str]) -> str:
    """Return the markup regex of :mod:`textsynth.lm.constrain` (one definition for all)."""
    from textsynth.lm.constrain import markup_regex as regex

    return regex(labels)


def markup_gbnf(labels: Sequence[str]) -> str:
    """Return the markup as a GBNF grammar (llama.cpp), the same language as the regex."""
    return fallback_markup_gbnf(labels)
