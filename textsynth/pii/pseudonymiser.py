"""The pseudonymiser: detect -> resolve -> replace -> remap slot spans, over texts or utterances.

A plain object over plain data: the same code scrubs seed utterances before fine-tuning, model
outputs after generation, support transcripts, and ``datasets.Dataset.map`` batches.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from textsynth.pii.detector import Detector
from textsynth.pii.entities import Finding, check_entity_names
from textsynth.pii.keys import load_key
from textsynth.pii.language import guess_language
from textsynth.pii.ner import NerBackend
from textsynth.pii.operators import OperatorContext, make_operator
from textsynth.pii.replace import Edit, apply_replacements, widen_to_slots
from textsynth.pii.slots import SLOT_POLICIES, keep_for_slots
from textsynth.pii.surrogates import SurrogateMap
from textsynth.pii.vault import Vault
from textsynth.types import Span, Utterance

__all__ = ["Pseudonymiser", "ScrubbedText", "scrub"]


@dataclass(frozen=True, slots=True)
class ScrubbedText:
    """One rewritten text: the new text, its edits (no original values) and remapped slots."""

    text: str
    edits: list[Edit] = field(default_factory=list)
    slots: list[Span] = field(default_factory=list)


class Pseudonymiser:
    """Replace PII with consistent surrogates (or tags, masks, hashes) in texts and utterances.

    Args:
        lang: language of the texts (``en``, ``fr``...) or ``auto`` to guess per document
            (an utterance's own ``language`` is used when ``auto``).
        operator: ``surrogate`` (default), ``tag``, ``mask``, ``redact`` or ``hash``.
        key: the secret key (bytes/str); default: ``$TEXTSYNTH_PII_KEY`` or a random key.
        ner: a :class:`NerBackend`, a spaCy pipeline name, a language -> name map, ``None`` for
            the default models, or ``False`` for patterns only.
        vault: keep the replacement -> original mapping (see :meth:`save_vault`).
        batch_size: documents per NER batch.
        slots: ``pii`` (default): in labelled utterances, replace a slot's value only when its
            label names personal data (:mod:`textsynth.pii.slots`); ``all``: every finding.
        pii_slot_labels: further slot labels that hold personal data.
        **detector_options: passed to :class:`Detector` (``threshold``, ``custom``,
            ``allow_list``, ``deny_list``, ``entities``, ``recognizers``, ``names``).
    """

    def __init__(
        self,
        lang: str = "en",
        operator: str = "surrogate",
        key: bytes | str | None = None,
        ner: NerBackend | str | Mapping[str, str] | bool | None = None,
        *,
        vault: bool = False,
        batch_size: int = 64,
        detector: Detector | None = None,
        slots: str = "pii",
        pii_slot_labels: Iterable[str] = (),
        **detector_options: Any,
    ) -> None:
        if slots not in SLOT_POLICIES:
            from textsynth.errors import ConfigError

            raise ConfigError(f"slots={slots!r}; use one of: {', '.join(SLOT_POLICIES)}")
        self.slot_policy = slots
        self.pii_slot_labels = tuple(pii_slot_labels)
        self.lang = lang
        key_bytes = key.encode() if isinstance(key, str) else key
        self._key = key_bytes if key_bytes is not None else load_key()
        self.smap = SurrogateMap(self._key)
        self.operator = make_operator(operator, self.smap)
        default_lang = "en" if lang == "auto" else lang
        self.detector = detector or Detector(default_lang, ner=ner, **detector_options)
        if self.detector.entities is not None:  # a typo would silently scrub nothing
            check_entity_names(
                sorted(self.detector.entities),
                extra=[e for r in self.detector.recognizers for e in r.entities]
                + list(self.detector.deny),
            )
        self.vault = Vault(self._key) if vault else None
        self.batch_size = batch_size

    def __repr__(self) -> str:
        return f"Pseudonymiser(lang={self.lang!r}, operator={self.operator.name!r})"

    # -- core ----------------------------------------------------------------------------------

    def language_of(self, texts: Sequence[str], declared: str | None = None) -> str:
        """Return the language used for a document."""
        if self.lang != "auto":
            return self.lang
        return declared or guess_language(" ".join(texts))

    def detect_documents(
        self, docs: Sequence[Sequence[str]], languages: Sequence[str | None] | None = None
    ) -> list[list[list[Finding]]]:
        """Return the findings of each text of each document."""
        langs = [
            self.language_of(d, (languages or [None] * len(docs))[i]) for i, d in enumerate(docs)
        ]
        return self.detector.detect_documents(docs, langs)

    def scrub_documents(
        self,
        docs: Sequence[Sequence[str]],
        slots: Sequence[Sequence[Sequence[Span]]] | None = None,
        languages: Sequence[str | None] | None = None,
        *,
        vault: Vault | None = None,
    ) -> list[list[ScrubbedText]]:
        """Scrub documents (each a list of texts sharing names and tag numbers) in one batch.

        A reversible operator records each replacement in ``vault`` when one is given, else in
        this pseudonymiser's own vault (``vault=True`` at construction), else nowhere.
        """
        sink = vault if vault is not None else self.vault
        langs = [
            self.language_of(d, (languages or [None] * len(docs))[i]) for i, d in enumerate(docs)
        ]
        found = self.detector.detect_documents(docs, langs)
        out = []
        for di, (texts, lang) in enumerate(zip(docs, langs, strict=False)):
            ctx = OperatorContext(language=lang)
            doc_out = []
            for ti, text in enumerate(texts):
                sl = list(slots[di][ti]) if slots is not None else []
                hits = found[di][ti]
                if sl:
                    hits = keep_for_slots(hits, sl, self.slot_policy, self.pii_slot_labels)
                    hits = widen_to_slots(hits, sl, text)
                reps = []
                for f in hits:
                    value = text[f.start : f.end]
                    rep = self.operator.replace(value, f.entity, ctx)
                    if sink is not None and self.operator.reversible:
                        sink.add(f.entity, rep, value)
                    reps.append(rep)
                new, edits, new_slots = apply_replacements(text, hits, reps, sl)
                doc_out.append(ScrubbedText(new, edits, new_slots))
            out.append(doc_out)
        return out

    # -- conveniences --------------------------------------------------------------------------

    def scrub_text(self, text: str, language: str | None = None) -> str:
        """Return ``text`` with its PII replaced."""
        return self.scrub_documents([[text]], languages=[language])[0][0].text

    def scrub_texts(self, texts: Iterable[str]) -> Iterator[str]:
        """Scrub independent texts, batched for NER; yields in order."""
        for chunk in _chunks(texts, self.batch_size):
            for (res,) in self.scrub_documents([[t] for t in chunk]):
                yield res.text

    def scrub_utterances(self, utterances: Iterable[Utterance]) -> Iterator[Utterance]:
        """Scrub utterances; slot spans stay aligned and ``meta["pii"]`` lists the edits."""
        for chunk in _chunks(utterances, self.batch_size):
            results = self.scrub_documents(
                [[u.text] for u in chunk], [[u.spans] for u in chunk], [u.language for u in chunk]
            )
            for u, (res,) in zip(chunk, results, strict=False):
                yield scrubbed_utterance(u, res)

    def map_batch(
        self, batch: Mapping[str, list[Any]], text_field: str = "text"
    ) -> dict[str, list[Any]]:
        """A ``datasets.Dataset.map(batched=True)`` function: rewrites ``batch[text_field]``."""
        texts = batch[text_field]
        results = self.scrub_documents([[t] for t in texts])
        return {**batch, text_field: [r[0].text for r in results]}

    def batch_function(self, text_field: str = "text") -> Callable[[Mapping[str, list[Any]]], dict]:
        """Return :meth:`map_batch` bound to ``text_field`` (picklable, for ``num_proc``)."""
        import functools

        return functools.partial(self.map_batch, text_field=text_field)

    def new_vault(self) -> Vault:
        """Return an empty vault under this pseudonymiser's key."""
        return Vault(self._key)

    def save_vault(self, path: str) -> None:
        """Write the encrypted replacement -> original mapping (needs ``vault=True``)."""
        if self.vault is None:
            from textsynth.errors import ConfigError

            raise ConfigError("this Pseudonymiser keeps no vault", hint="create it with vault=True")
        self.vault.save(path)


def scrubbed_utterance(u: Utterance, res: ScrubbedText) -> Utterance:
    """Return ``u`` rewritten by ``res``; its edits go to ``meta["pii"]`` (no original values)."""
    if not res.edits:
        return u
    meta = dict(u.meta)
    meta["pii"] = [e.to_dict() for e in res.edits]
    return dataclasses.replace(u, text=res.text, spans=tuple(res.slots), meta=meta)


def scrub(utterances: Iterable[Utterance], **kw: Any) -> Iterator[Utterance]:
    """Scrub utterances with a :class:`Pseudonymiser` built from ``kw``."""
    return Pseudonymiser(**kw).scrub_utterances(utterances)


def _chunks(items: Iterable[Any], n: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(itertools.islice(it, n)):
        yield chunk
