"""The one record type that flows between every stage: :class:`Utterance` with :class:`Span`s."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from textsynth.errors import SpanError

__all__ = ["Span", "Utterance"]


@dataclass(frozen=True, slots=True)
class Span:
    """A labelled slot: ``text[start:end]`` (character offsets, end exclusive).

    Attributes:
        start: first character of the slot in the utterance text.
        end: one past the last character.
        label: slot/entity name, e.g. ``city``.
        value: canonical value (synonym target); ``None`` means the surface text itself.
    """

    start: int
    end: int
    label: str
    value: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.start, int) or not isinstance(self.end, int):
            raise SpanError(
                f"span offsets must be integers, got start={self.start!r} end={self.end!r}"
            )
        if self.start < 0 or self.end <= self.start:
            raise SpanError(
                f"span [{self.start}, {self.end}) for {self.label!r} is empty or negative",
                hint="a span needs 0 <= start < end",
            )
        if not self.label or not isinstance(self.label, str):
            raise SpanError(f"span [{self.start}, {self.end}) has no label")

    def shifted(self, delta: int) -> Span:
        """Return the same span moved by ``delta`` characters."""
        return Span(self.start + delta, self.end + delta, self.label, self.value)

    def to_dict(self, text: str) -> dict[str, Any]:
        """Return the JSONL ``entities`` item; ``value`` defaults to the surface text."""
        value = self.value if self.value is not None else text[self.start : self.end]
        return {"start": self.start, "end": self.end, "label": self.label, "value": value}


@dataclass(frozen=True, slots=True)
class Utterance:
    """A labelled utterance: text, intent, slot spans, language and provenance.

    Invalid spans are impossible to construct: they must lie inside the text, be non-empty,
    sorted and non-overlapping (``SpanError`` otherwise).

    Attributes:
        text: the utterance.
        intent: its intent label.
        spans: slot spans, sorted by start.
        language: BCP-47-ish language code, e.g. ``en`` or ``fr``.
        source: where it came from, e.g. ``grammar:banking.chatette:12`` or ``lm:<run>``.
        meta: provenance details (seed, rule location, sampling parameters, filter scores...).
    """

    text: str
    intent: str
    spans: tuple[Span, ...] = ()
    language: str = "en"
    source: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.text, str):
            raise SpanError(f"utterance text must be a string, got {type(self.text).__name__}")
        spans = tuple(sorted(self.spans, key=lambda s: (s.start, s.end)))
        object.__setattr__(self, "spans", spans)
        n = len(self.text)
        prev_end = 0
        for s in spans:
            if s.end > n:
                raise SpanError(
                    f"span [{s.start}, {s.end}) {s.label!r} is past the end of the text "
                    f"({n} characters): {self.text!r}"
                )
            if s.start < prev_end:
                raise SpanError(
                    f"span [{s.start}, {s.end}) {s.label!r} overlaps the previous span "
                    f"in {self.text!r}"
                )
            prev_end = s.end

    def span_text(self, span: Span) -> str:
        """Return the surface text of ``span``."""
        return self.text[span.start : span.end]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSONL record (the interchange format shared by every command)."""
        d: dict[str, Any] = {
            "text": self.text,
            "intent": self.intent,
            "entities": [s.to_dict(self.text) for s in self.spans],
            "language": self.language,
            "source": self.source,
        }
        if self.meta:
            d["meta"] = dict(self.meta)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, language: str = "en") -> Utterance:
        """Build an utterance from a JSONL record; raises ``SpanError``/``RecordError``.

        ``value`` in an entity is kept only when it differs from the surface text (a synonym).
        A record whose entity ``value`` is given but the offsets are missing is rejected.
        """
        from textsynth.errors import RecordError

        if not isinstance(d, Mapping):
            raise RecordError(f"expected a JSON object, got {type(d).__name__}")
        text = d.get("text")
        if not isinstance(text, str):
            raise RecordError("record has no string field 'text'", hint='each line needs "text"')
        intent = d.get("intent", "")
        if intent is None:
            intent = ""
        if not isinstance(intent, str):
            raise RecordError(f"field 'intent' must be a string, got {intent!r}")
        raw = d.get("entities", d.get("spans", [])) or []
        if not isinstance(raw, list):
            raise RecordError("field 'entities' must be a list")
        spans = []
        for i, e in enumerate(raw):
            if not isinstance(e, Mapping) or "start" not in e or "end" not in e:
                raise RecordError(f"entity #{i + 1} needs 'start', 'end' and 'label'")
            label = e.get("label", e.get("entity", e.get("slot")))
            start, end = e["start"], e["end"]
            span = Span(start, end, str(label) if label else "", None)
            if isinstance(end, int) and end > len(text):
                raise SpanError(
                    f"entity #{i + 1} [{start}, {end}) is past the end of the text "
                    f"({len(text)} chars)"
                )
            value = e.get("value")
            surface = text[start:end]
            if value is not None and value != surface:
                span = Span(start, end, span.label, str(value))
            spans.append(span)
        meta = d.get("meta") or {}
        if not isinstance(meta, Mapping):
            raise RecordError("field 'meta' must be an object")
        return cls(
            text=text,
            intent=intent,
            spans=tuple(spans),
            language=str(d.get("language") or language),
            source=str(d.get("source") or ""),
            meta=dict(meta),
        )
