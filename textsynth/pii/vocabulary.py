"""Common English words, to tell a name no list knows (``Yefimov``) from an ordinary word.

The words are the lemma index and exceptions of the English spaCy model's lemmatizer (WordNet's
vocabulary, about 88,000 words), read from the installed model package without loading the
pipeline. Without that package the vocabulary is empty and :func:`is_english_word` answers
``None``: the heuristics that need it stay off rather than guess.
"""

from __future__ import annotations

import functools
import logging
import re
from pathlib import Path

__all__ = ["english_words", "is_english_word"]

logger = logging.getLogger(__name__)

# inflections the lemma index does not list ("emailed", "phones", "quickly")
_SUFFIXES = (
    ("ies", "y"),
    ("ied", "y"),
    ("es", ""),
    ("s", ""),
    ("ed", ""),
    ("ed", "e"),
    ("ing", ""),
    ("ing", "e"),
    ("ly", ""),
    ("er", ""),
    ("est", ""),
    ("'s", ""),
    ("’s", ""),
)


@functools.cache
def english_words(model: str = "") -> frozenset[str]:
    """Return the lower-cased English words of the lemmatizer tables of ``model`` (default:
    the English NER model), or an empty set if the package or its tables are not installed."""
    from textsynth.pii.ner import DEFAULT_MODELS

    name = model or DEFAULT_MODELS["en"]
    try:
        import spacy.util
        from spacy.lookups import Lookups

        root = Path(spacy.util.get_package_path(name))
        found = sorted(root.glob("*/lemmatizer/lookups")) or sorted(root.glob("lemmatizer/lookups"))
        if not found:
            return frozenset()
        lookups = Lookups().from_disk(found[0])
        words: set[str] = set()
        for table in ("lemma_index", "lemma_exc"):
            if table in lookups.tables:
                for values in lookups.get_table(table).values():
                    words.update(values)
    except Exception as exc:  # noqa: BLE001 - a missing model only turns the heuristics off
        logger.info("no English vocabulary (%s): name-shape heuristics are off", exc)
        return frozenset()
    return frozenset(
        w.lower() for w in words if isinstance(w, str) and re.fullmatch(r"[a-z'-]+", w)
    )


@functools.lru_cache(maxsize=65536)
def is_english_word(word: str) -> bool | None:
    """Whether ``word`` (any case) is an English word or an inflection of one; ``None`` when no
    vocabulary is installed."""
    words = english_words()
    if not words:
        return None
    w = word.lower()
    if w in words:
        return True
    return any(
        w.endswith(suf) and len(w) - len(suf) >= 2 and w[: len(w) - len(suf)] + add in words
        for suf, add in _SUFFIXES
    )
