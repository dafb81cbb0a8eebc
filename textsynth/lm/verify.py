"""Slot verification: typed value checks and a seed-trained slot tagger's second opinion.

Two filters, run after the markup has parsed:

- :class:`TypedValueFilter`: each slot label gets a *type* from its seeds' values: the first of
  ``email``, ``phone``, ``number``, ``amount``, ``date`` that a kept parser accepts for at least
  ``min_share`` of the label's seed values (email-validator, phonenumbers, text2num, price-parser,
  dateparser). A generated value of a typed label must parse as that type, or the utterance is
  rejected with the reason (``rating_value='a' is not a number``). Labels whose seeds are mixed
  stay untyped. Types are learnt, not guessed from label names, so any schema and language work.
- :class:`SlotVerifyFilter`: a slot tagger trained on the seeds
  (:class:`textsynth.slots.tagger.SlotTagger`) scores each kept span's label. When it is
  confident (``relabel_threshold``) of another label of the same intent, the span is relabelled;
  when it gives the written label less than ``keep_threshold``, the utterance is rejected. Every
  relabel and rejection is recorded, with its reason, in the filter summary.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from textsynth.lm.filters import Candidate, Filter
from textsynth.types import Span, Utterance

__all__ = ["TYPES", "SlotVerifyFilter", "TypedValueFilter", "infer_types", "value_type_ok"]

logger = logging.getLogger(__name__)

# digits, with thousands grouped by a comma, dot, space or narrow no-break space (1,500.00,
# 10 000, 1.000.000,50), in lakhs (1,50,000) or not grouped, an optional decimal part and an
# optional ordinal suffix
_DIGITS_RE = re.compile(
    r"^[+-]?(?:\d{1,3}(?:([,. \u00a0\u202f])\d{3})(?:\1\d{3})*|\d{1,2}(?:,\d{2})+,\d{3}|\d+)"
    r"(?:[.,]\d+)?"
    r"(?:st|nd|rd|th|er|e|ème)?$",
    re.IGNORECASE,
)


def _is_email(value: str, lang: str) -> bool:
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def _is_phone(value: str, lang: str) -> bool:
    import phonenumbers

    digits = sum(ch.isdigit() for ch in value)
    if digits < 6:
        return False
    region = {"en": "US", "fr": "FR", "de": "DE", "es": "ES", "it": "IT"}.get(lang, "US")
    try:
        return phonenumbers.is_possible_number(phonenumbers.parse(value, region))
    except phonenumbers.NumberParseException:
        return False


def _is_number(value: str, lang: str) -> bool:
    v = value.strip()
    if _DIGITS_RE.match(v):
        return True
    from text_to_num import text2num

    try:
        text2num(v.lower(), lang if lang in _TEXT2NUM_LANGS else "en")
    except ValueError:
        return False
    return True


_TEXT2NUM_LANGS = {"en", "fr", "es", "pt", "de", "nl", "da", "it"}


def _is_amount(value: str, lang: str) -> bool:
    from price_parser import Price

    if Price.fromstring(value).amount is not None:
        return True
    # "five dollars": a number word followed by a currency word
    words = value.split()
    return len(words) > 1 and _is_number(" ".join(words[:-1]), lang)


def _is_date(value: str, lang: str) -> bool:
    import dateparser

    v = value.strip()
    if len(v) < 2 or v.isdigit():  # dateparser reads "a" or "5" as dates
        return False
    try:
        return dateparser.parse(v, languages=[lang]) is not None
    except (ValueError, LookupError):
        return False


TYPES: dict[str, Callable[[str, str], bool]] = {
    "email": _is_email,
    "phone": _is_phone,
    "number": _is_number,
    "amount": _is_amount,
    "date": _is_date,
}
"""Value types, in the order they are tried (most specific first)."""


def _is_currency(ch: str) -> bool:
    return unicodedata.category(ch) == "Sc"


def value_type_ok(kind: str, value: str, language: str = "en") -> bool:
    """Return whether ``value`` parses as type ``kind`` in ``language``."""
    return TYPES[kind](value, (language or "en").split("-")[0].lower())


def infer_types(
    seeds: Iterable[Utterance], *, min_share: float = 0.9, min_values: int = 3
) -> dict[str, str]:
    """Return ``label -> type`` for the labels whose seed values mostly parse as one type.

    Args:
        seeds: labelled seeds.
        min_share: the share of a label's distinct seed values a type must accept.
        min_values: labels with fewer distinct seed values stay untyped.
    """
    values: dict[str, set[tuple[str, str]]] = {}
    for u in seeds:
        for s in u.spans:
            values.setdefault(s.label, set()).add((u.text[s.start : s.end], u.language))
    out: dict[str, str] = {}
    for label, vals in values.items():
        if len(vals) < min_values:
            continue
        for kind in TYPES:
            ok = sum(value_type_ok(kind, v, lang) for v, lang in vals)
            if ok >= min_share * len(vals):
                out[label] = kind
                break
    return out


class TypedValueFilter(Filter):
    """Reject utterances whose value of a typed slot label does not parse as its type.

    Args:
        seeds: the seeds the types are learnt from (:func:`infer_types`).
        min_share: see :func:`infer_types`.
        types: explicit ``label -> type`` to use instead of (or on top of) the learnt ones.
    """

    name = "typed-value"

    def __init__(
        self,
        seeds: Sequence[Utterance],
        min_share: float = 0.9,
        types: dict[str, str] | None = None,
    ) -> None:
        self.types = {**infer_types(seeds, min_share=min_share), **(types or {})}
        if self.types:
            logger.info("typed slot labels: %s", self.types)

    def keep(self, candidates: Sequence[Candidate]) -> list[bool]:  # noqa: D102
        out = []
        for c in candidates:
            assert c.utterance is not None, "MarkupFilter must run first"
            ok = True
            spans = list(c.utterance.spans)
            for i, s in enumerate(spans):
                kind = self.types.get(s.label)
                value = c.utterance.text[s.start : s.end]
                if not kind or value_type_ok(kind, value, c.language):
                    continue
                trimmed = self._trim_currency(c, s) if kind == "number" else None
                if trimmed is None:
                    c.note(self.name, "rejected", f"not a {kind}: {s.label}={value!r}")
                    ok = False
                    break
                spans[i] = trimmed
            if ok and tuple(spans) != c.utterance.spans:
                u = c.utterance
                c.utterance = Utterance(
                    u.text, u.intent, tuple(spans), u.language, u.source, dict(u.meta)
                )
            out.append(ok)
        return out

    def _trim_currency(self, c: Candidate, s: Span) -> Span | None:
        """Return ``s`` without the currency symbols at its edges if what is left is a number.

        A number-typed label's seeds give bare numbers (``transfer [500](amount) dollars``), so
        ``[$500](amount)`` has the right value and a span one symbol too wide: the symbol moves
        out of the span (recorded) instead of the utterance being rejected.
        """
        assert c.utterance is not None
        text = c.utterance.text
        start, end = s.start, s.end
        while start < end and (_is_currency(text[start]) or text[start].isspace()):
            start += 1
        while end > start and (_is_currency(text[end - 1]) or text[end - 1].isspace()):
            end -= 1
        value = text[start:end]
        if (start, end) == (s.start, s.end) or not value_type_ok("number", value, c.language):
            return None
        return c.trim(self.name, s, start, end, "currency symbol moved out of a number span")


class SlotVerifyFilter(Filter):
    """Check each span's label against a slot tagger trained on the seeds; relabel or reject.

    For each span the tagger gives a distribution over labels (``"O"``: no slot). Among the
    intent's own labels, the most likely one ``b`` with probability ``p(b)``:

    - ``b`` differs from the written label, ``p(b) >= relabel_threshold`` and ``p(b)`` beats the
      written label's probability: the span is relabelled to ``b`` (recorded);
    - otherwise, the written label's probability below ``keep_threshold``: the utterance is
      rejected, with the tagger's view as the reason;
    - otherwise the span is kept as written.

    Args:
        tagger: a fitted object with ``span_label_probs(text, spans) -> list[dict[str, float]]``.
        labels_by_intent: the labels each intent may use.
        relabel_threshold: tagger confidence needed to move a span to another label.
        keep_threshold: the written label's least tagger probability.
        recheck: called on a candidate whose spans were relabelled; a non-empty answer (the
            slot rules' reason) rejects it, so that a relabel cannot undo the rules (two
            ``object_name`` where the seeds have one).
        seed_values: label -> the values the seeds give it (any case). When given, a value
            the seeds never gave its label (a name the generator invented) must also be the
            tagger's most likely reading of its span, ``"O"`` included: its words and context
            have to look like that label's, not merely not unlike it.
    """

    name = "slot-verify"

    def __init__(
        self,
        tagger: Any,
        labels_by_intent: Mapping[str, Sequence[str]],
        relabel_threshold: float = 0.7,
        keep_threshold: float = 0.05,
        recheck: Callable[[Candidate], str] | None = None,
        seed_values: Mapping[str, set[str]] | None = None,
    ) -> None:
        self.recheck = recheck
        self.seed_values = seed_values
        self.tagger = tagger
        self.labels = {i: set(v) for i, v in labels_by_intent.items()}
        self.relabel_threshold = relabel_threshold
        self.keep_threshold = keep_threshold

    def keep(self, candidates: Sequence[Candidate]) -> list[bool]:  # noqa: D102
        out = []
        for c in candidates:
            assert c.utterance is not None, "MarkupFilter must run first"
            u = c.utterance
            if not u.spans:
                out.append(True)
                continue
            probs = self.tagger.span_label_probs(u.text, list(u.spans))
            allowed = self.labels.get(c.intent, set())
            new_spans: list[Span] = []
            ok = True
            for s, p in zip(u.spans, probs, strict=True):
                value = u.text[s.start : s.end]
                own = float(p.get(s.label, 0.0))
                best, pb = max(
                    ((lab, float(p.get(lab, 0.0))) for lab in allowed),
                    key=lambda t: t[1],
                    default=(s.label, own),
                )
                if best != s.label and pb >= self.relabel_threshold and pb > own:
                    c.note(
                        self.name,
                        "relabelled",
                        f"{value!r}: {s.label} -> {best} (tagger p={pb:.2f} vs {own:.2f})",
                        span=value,
                        old=s.label,
                        new=best,
                    )
                    new_spans.append(Span(s.start, s.end, best, s.value))
                    continue
                top = max(p.items(), key=lambda t: t[1]) if p else ("O", 1.0)
                if own < self.keep_threshold:
                    c.note(
                        self.name,
                        "rejected",
                        f"unconfirmed label: {s.label}={value!r} (tagger p={own:.2f}; "
                        f"most likely {top[0]} p={top[1]:.2f})",
                    )
                    ok = False
                    break
                if self._new_value(s.label, value) and top[0] != s.label:
                    c.note(
                        self.name,
                        "rejected",
                        f"unconfirmed new value: {s.label}={value!r} (tagger p={own:.2f}; "
                        f"most likely {top[0]} p={top[1]:.2f})",
                    )
                    ok = False
                    break
                new_spans.append(s)
            if ok and new_spans != list(u.spans):
                c.utterance = Utterance(
                    u.text, u.intent, tuple(new_spans), u.language, u.source, dict(u.meta)
                )
                why = self.recheck(c) if self.recheck is not None else ""
                if why:
                    c.note(self.name, "rejected", f"after relabelling, {why}")
                    ok = False
            c.scores["slot_verified"] = 1.0 if ok else 0.0
            out.append(ok)
        return out

    def _new_value(self, label: str, value: str) -> bool:
        """Whether the seeds never gave ``label`` this value (``False`` when not checked)."""
        if self.seed_values is None:
            return False
        return value.strip().casefold() not in self.seed_values.get(label, ())
