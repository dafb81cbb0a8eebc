"""The one definition of "the same text": what the seed-copy filter and exact-match metrics compare.

Two utterances are the same text when their :func:`normalise_text` forms are equal. Words are
runs of letters and digits; everything else (punctuation, symbols, the underscore, apostrophes)
separates words, so ``play rock_n_roll`` copies ``play rock n roll`` and ``what's on`` copies
``what s on``. Case and Unicode compatibility forms are folded (NFKC, then ``casefold``), so
``Ｐａｒｉｓ`` and ``PARIS`` copy ``paris``. Accents are kept: ``café`` is not ``cafe``.

The LM generator's seed-copy and duplicate filters (:mod:`textsynth.lm.filters`) and the
evaluator's memorisation and fidelity metrics (:mod:`textsynth.metrics`) all use this function,
so an utterance the generator lets through as new is never counted as a seed copy by the report.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalise_text"]

# \w is letters, digits and "_"; the underscore is a separator here like any other symbol
_SEPARATORS = re.compile(r"[\W_]+")


def normalise_text(text: str) -> str:
    """Return the comparison form of ``text``: NFKC, case-folded, words joined by one space.

    ``"Book a flight, to  PARIS!"`` -> ``"book a flight to paris"``;
    ``"play rock_n_roll"`` -> ``"play rock n roll"``.
    """
    return " ".join(_SEPARATORS.sub(" ", unicodedata.normalize("NFKC", text).casefold()).split())
