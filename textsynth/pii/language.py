"""A cheap language guess for ``--lang auto`` (function words; English when unsure)."""

from __future__ import annotations

import re

__all__ = ["guess_language"]

_WORDS = {
    "en": frozenset(
        "the and is are you your to of my for it this that with have be not on in "
        "was i we can please hi hello thanks".split()
    ),
    "fr": frozenset(
        "le la les et est sont vous votre de des du mon ma mes pour ce cette avec "
        "pas sur dans je nous bonjour merci une un au aux".split()
    ),
    "de": frozenset(
        "der die das und ist sind sie ihr zu von mein für es nicht mit ich wir "
        "bitte danke ein eine".split()
    ),
    "es": frozenset(
        "el la los las y es son usted su de del mi para con no en yo hola gracias "
        "un una por".split()
    ),
}
_TOKEN = re.compile(r"[^\W\d_]+")


def guess_language(text: str, default: str = "en") -> str:
    """Return the language whose function words are most frequent (``default`` on ties)."""
    counts = dict.fromkeys(_WORDS, 0)
    for w in _TOKEN.findall(text[:2000].lower()):
        for lang, words in _WORDS.items():
            if w in words:
                counts[lang] += 1
    best = max(counts, key=lambda k: (counts[k], k == default))
    return best if counts[best] > counts.get(default, 0) else default
