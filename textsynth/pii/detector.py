"""The detector (analyzer): NER + pattern recognizers + context + names, overlaps resolved."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from textsynth.pii.context import ContextScorer
from textsynth.pii.entities import Finding
from textsynth.pii.initials import find_initials
from textsynth.pii.name_shapes import SHADOWED_NAMES
from textsynth.pii.names import NAME_QUESTION_FOLDED, TITLE_BEFORE, NameFinder, name_words
from textsynth.pii.ner import NerBackend, make_ner
from textsynth.pii.ner_spans import EDGE, NER_SCORE, clean_ner, trim_names
from textsynth.pii.not_pii import absolute_date, not_pii_word
from textsynth.pii.recognizers import CustomConfig, Recognizer, build_recognizers, load_custom
from textsynth.pii.recognizers.address import postcodes_after_places
from textsynth.pii.resolve import resolve

__all__ = ["NER_SCORE", "Detector"]


# the end of a turn and the start of the next one that may be two halves of a phone number
_PHONE_TAIL = re.compile(r"(?<![\w.,/-])(\+?\(?\d[\d ().-]{1,14}\d)[ \t]*[.,]?[ \t]*$")
_PHONE_HEAD = re.compile(r"^[ \t]*(\d[\d ().-]{1,14}\d)(?![\w.,/-]|[.,]\d)[ \t]*[.,!]?[ \t]*$")

_DIGIT = re.compile(r"\d")

# NER labels that a recurring person's name overrides
_RETYPABLE = frozenset({"ORG", "LOCATION", "NORP", "FAC", "PRODUCT", "WORK_OF_ART", "MISC"})


class Detector:
    """Find PII spans in texts; documents (lists of texts) share recurring names.

    Args:
        language: default language of the texts (``en``, ``fr``...).
        ner: a :class:`NerBackend`, a spaCy pipeline name, a language -> name map, or ``None``
            for the default models; ``False`` turns NER off (patterns only).
        recognizers: recognizer instances or registered names (default: the built-in set).
        threshold: findings scoring below this after context are dropped.
        custom: a :class:`CustomConfig` or the path of a YAML/TOML recognizer file.
        allow_list: values never reported (case-insensitive).
        deny_list: entity type -> values always reported.
        entities: report only these entity types (default: all).
        names: find titled, introduced and recurring names.
    """

    def __init__(
        self,
        language: str = "en",
        *,
        ner: NerBackend | str | Mapping[str, str] | bool | None = None,
        recognizers: Sequence[Recognizer | str] | None = None,
        threshold: float = 0.4,
        custom: CustomConfig | str | None = None,
        allow_list: Iterable[str] = (),
        deny_list: Mapping[str, Iterable[str]] | None = None,
        entities: Iterable[str] | None = None,
        names: bool = True,
    ) -> None:
        self.language = language
        self.ner = None if ner is False else make_ner(None if ner is True else ner)
        names_ = [r for r in recognizers or () if isinstance(r, str)]
        recs = [r for r in recognizers or () if not isinstance(r, str)]
        self.recognizers: list[Recognizer] = (
            build_recognizers(None) if recognizers is None else recs + build_recognizers(names_)
        )
        if isinstance(custom, str):
            custom = load_custom(custom)
        allow = set(allow_list)
        deny = {k: list(v) for k, v in (deny_list or {}).items()}
        if custom is not None:
            self.recognizers += custom.recognizers
            allow |= set(custom.allow_list)
            for k, v in custom.deny_list.items():
                deny.setdefault(k, []).extend(v)
        self.allow = frozenset(a.casefold() for a in allow)
        self.deny = {
            k: re.compile(
                r"(?<!\w)(?:{})(?!\w)".format("|".join(map(re.escape, vs))), re.IGNORECASE
            )
            for k, vs in deny.items()
            if vs
        }
        self.threshold = threshold
        self.entities = frozenset(entities) if entities is not None else None
        self.context = ContextScorer(self.recognizers)
        self.use_names = names
        self._names: dict[str, NameFinder] = {}

    def __getstate__(self) -> dict[str, object]:
        return {**self.__dict__, "_names": {}}

    def detect(self, text: str, language: str | None = None) -> list[Finding]:
        """Return the findings in one text."""
        return self.detect_documents([[text]], [language or self.language])[0][0]

    def detect_documents(
        self, docs: Sequence[Sequence[str]], languages: Sequence[str] | None = None
    ) -> list[list[list[Finding]]]:
        """Return findings for each text of each document (one NER batch for all of them)."""
        langs = list(languages) if languages is not None else [self.language] * len(docs)
        ner_hits = self._ner(docs, langs)
        out = []
        for di, (texts, lang) in enumerate(zip(docs, langs, strict=False)):
            per_text = [
                self._patterns(t, lang, texts[ti - 1] if ti else "") + ner_hits[di][ti]
                for ti, t in enumerate(texts)
            ]
            per_text = [
                fs + postcodes_after_places(t, fs) for t, fs in zip(texts, per_text, strict=True)
            ]
            self._split_phones(texts, lang, per_text)
            if self.use_names:
                nf = self._name_finder(lang)
                per_text = [
                    fs
                    + initials
                    + nf.local(t)
                    + nf.lines(t)
                    + nf.known(t)
                    + nf.shapes(t)
                    + nf.alone(t, ti > 0 and NAME_QUESTION_FOLDED.search(texts[ti - 1]) is not None)
                    for ti, (fs, t, initials) in enumerate(
                        zip(per_text, texts, find_initials(texts), strict=True)
                    )
                ]
            per_text = [trim_names(t, fs) for t, fs in zip(texts, per_text, strict=True)]
            if self.use_names:
                first = [resolve(fs, self.threshold) for fs in per_text]
                people = {
                    t[f.start : f.end]
                    for fs, t in zip(first, texts, strict=False)
                    for f in fs
                    if f.entity == "PERSON"
                }
                # a name shape that lost to NER's organisation or place ("Edi Živković's" ORG)
                # still names someone where the word stands alone ("early Živković")
                people |= {
                    t[f.start : f.end]
                    for fs, kept, t in zip(per_text, first, texts, strict=False)
                    for f in fs
                    if f.recognizer in SHADOWED_NAMES and f not in kept
                }
                if people:
                    again = nf.recurring(texts, sorted(people))
                    folded = {p.casefold() for p in people}
                    per_text = [
                        _as_person(fs, more, t, folded) + more
                        for fs, more, t in zip(per_text, again, texts, strict=False)
                    ]
            out.append([self._finish(t, fs) for t, fs in zip(texts, per_text, strict=False)])
        return out

    # -- steps -------------------------------------------------------------------------------

    def _split_phones(self, texts: Sequence[str], lang: str, per_text: list[list[Finding]]) -> None:
        """A phone number typed over two turns ("415 555" then "0173"): both parts are PHONE."""
        phone = next((r for r in self.recognizers if r.name == "phone"), None)
        if phone is None or len(texts) < 2:
            return
        for ti in range(len(texts) - 1):
            a = _PHONE_TAIL.search(texts[ti])
            b = _PHONE_HEAD.match(texts[ti + 1]) if a else None
            if not (a and b):
                continue
            joined = a.group(1) + " " + b.group(1)
            if not 7 <= sum(c.isdigit() for c in joined) <= 15:
                continue
            if phone.score(joined, lang) > 0:  # type: ignore[attr-defined]
                per_text[ti].append(Finding(*a.span(1), "PHONE", 0.7, "phone-split"))
                per_text[ti + 1].append(Finding(*b.span(1), "PHONE", 0.7, "phone-split"))

    def _name_finder(self, lang: str) -> NameFinder:
        if lang not in self._names:
            self._names[lang] = NameFinder(lang)
        return self._names[lang]

    def _ner(
        self, docs: Sequence[Sequence[str]], langs: Sequence[str]
    ) -> list[list[list[Finding]]]:
        result: list[list[list[Finding]]] = [[[] for _ in texts] for texts in docs]
        if self.ner is None:
            return result
        by_lang: dict[str, list[tuple[int, int]]] = {}
        for di, (texts, lang) in enumerate(zip(docs, langs, strict=False)):
            for ti in range(len(texts)):
                by_lang.setdefault(lang, []).append((di, ti))
        for lang, where in by_lang.items():
            texts = [docs[di][ti] for di, ti in where]
            foreign = _borrowed_model(self.ner, lang)
            for (di, ti), ents, text in zip(
                where, self.ner.entities(texts, lang), texts, strict=False
            ):
                result[di][ti] = [
                    f
                    for s, e, lab in ents
                    if (f := clean_ner(text, s, e, lab, self.ner.name)) is not None
                    and (not foreign or _plausible_abroad(text, f))
                ]
        return result

    def _patterns(self, text: str, lang: str, lead: str = "") -> list[Finding]:
        """Pattern findings in ``text``, scored with the context words around them (the end of
        the previous turn, ``lead``, counts as context for the start of this one)."""
        found: list[Finding] = []
        digits = _DIGIT.search(text) is not None
        for r in self.recognizers:
            if r.supports(lang) and (digits or not r.needs_digit):
                found.extend(r.analyze(text, lang))
        found = self.context.apply(text, found, lead)
        for entity, rx in self.deny.items():
            found.extend(
                Finding(m.start(), m.end(), entity, 1.0, "deny-list") for m in rx.finditer(text)
            )
        return found

    def _finish(self, text: str, findings: list[Finding]) -> list[Finding]:
        findings = [f for f in findings if _meaningful(text, f)]
        kept = resolve([_with_title(text, f) for f in findings], self.threshold)
        if self.allow:
            kept = [
                f for f in kept if text[f.start : f.end].strip(EDGE).casefold() not in self.allow
            ]
        if self.entities is not None:
            kept = [f for f in kept if f.entity in self.entities]
        return kept


def _borrowed_model(ner: NerBackend, lang: str) -> bool:
    """Whether the NER model for ``lang`` was made for another language (German text read by
    an English model tags capitalised nouns as names)."""
    models = getattr(ner, "models", None)
    return isinstance(models, dict) and lang not in models and "*" not in models


def _plausible_abroad(text: str, f: Finding) -> bool:
    """Keep what a model of another language found only where the words back it: a person with
    a known name word, a date; organisations and places are left to the patterns."""
    if f.entity == "DATE":
        return True
    if f.entity != "PERSON":
        return False
    first, last = name_words()
    words = [w.lower() for w in re.findall(r"[^\W\d_]+", text[f.start : f.end])]
    return any(w in first or w in last for w in words)


def _meaningful(text: str, f: Finding) -> bool:
    """Whether a finding is PII at all: not a currency, unit or field label; not a duration."""
    surface = text[f.start : f.end]
    if f.entity in ("PERSON", "ORG", "LOCATION") and not_pii_word(surface):
        return False
    return not (f.entity == "DATE" and not absolute_date(surface))


def _as_person(
    findings: list[Finding],
    names: list[Finding],
    text: str = "",
    people: frozenset | set = frozenset(),
) -> list[Finding]:
    """Retype organisations and places that are a person's name elsewhere in the document.

    The document already showed the string to be (part of) a person's name ("Name: Sophie
    Martin"), so NER calling a later "Hi Sophie" an ORG, or "pulled up for Sophie Martin" a
    place, must not give it an organisation's or a place's surrogate.
    """
    out = []
    for f in findings:
        if f.entity in _RETYPABLE and (
            any(n.start <= f.start and f.end <= n.end for n in names)
            or text[f.start : f.end].strip(EDGE).casefold() in people
        ):
            f = Finding(f.start, f.end, "PERSON", f.score, f.recognizer)
        out.append(f)
    return out


def _with_title(text: str, f: Finding) -> Finding:
    """Return a PERSON finding grown to take in the title before it (``Mr`` + ``Benham``)."""
    if f.entity != "PERSON" or f.start == 0:
        return f
    m = TITLE_BEFORE.search(text, max(0, f.start - 12), f.start)
    return Finding(m.start(), f.end, f.entity, f.score, f.recognizer) if m else f
