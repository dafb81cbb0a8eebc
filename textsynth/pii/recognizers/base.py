"""Recognizer base classes: a :class:`Recognizer` finds spans; a :class:`PatternRecognizer`
is data (patterns, context words, an entity type) plus one ``validate`` hook."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from textsynth.errors import ConfigError
from textsynth.pii.entities import Finding

__all__ = ["Pattern", "PatternRecognizer", "Recognizer"]


# an upper-case letter that is a literal or in a class: not an escape (\D, \W), not (?P<...>)
_UPPER_OUTSIDE_ESCAPE = re.compile(r"(?<!\\)(?<!\(\?)[A-Z]")


def lower_form(rx: re.Pattern[str]) -> re.Pattern[str] | None:
    """The case-sensitive lower-case form of a case-insensitive regex, to run on lower-cased
    text; ``None`` where case matters in it (``(?-i:...)``) or it is not case-insensitive."""
    if not rx.flags & re.IGNORECASE or "(?-i" in rx.pattern or "\\\\" in rx.pattern:
        return None
    src = _UPPER_OUTSIDE_ESCAPE.sub(lambda m: m.group().lower(), rx.pattern)
    try:
        return re.compile(src, rx.flags & ~re.IGNORECASE)
    except re.error:
        return None


@dataclass(frozen=True)
class Pattern:
    """A named regular expression with a base score.

    Attributes:
        name: pattern name (reported nowhere but in errors and debugging).
        regex: the expression; if it has a group named ``pii`` only that group is the finding.
        score: base score in [0, 1] before validation and context.
        flags: ``re`` flags.
        trigger: a cheap regex that must occur in the text for the pattern to be tried
            (``"@"`` for e-mails): skips a costly scan of most texts.
        hints: lower-case substrings one of which every match contains: the pattern is tried
            only if one occurs in the lower-cased text (plain substring tests are much cheaper
            than a case-insensitive alternation scanned at every position).
    """

    name: str
    regex: str
    score: float
    flags: int = 0
    trigger: str = ""
    hints: tuple[str, ...] = ()
    compiled: re.Pattern[str] = field(init=False, repr=False, compare=False)
    compiled_trigger: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    trigger_on_lower: bool = field(init=False, repr=False, compare=False, default=False)
    has_pii_group: bool = field(init=False, repr=False, compare=False, default=False)
    compiled_lower: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 1.0:
            raise ConfigError(f"pattern {self.name!r}: score must be in [0, 1], got {self.score!r}")
        try:
            compiled = re.compile(self.regex, self.flags)
        except re.error as exc:
            raise ConfigError(
                f"pattern {self.name!r}: invalid regular expression {self.regex!r}: {exc}"
            ) from None
        object.__setattr__(self, "compiled", compiled)
        object.__setattr__(self, "compiled_lower", lower_form(compiled))
        object.__setattr__(self, "has_pii_group", "pii" in compiled.groupindex)
        trigger, lower = self.trigger, False
        if trigger.startswith("(?i)") and not _UPPER_OUTSIDE_ESCAPE.search(trigger[4:]):
            # a case-insensitive regex is slow in Python (every position, every case): the same
            # lower-case regex on the lower-cased text answers the same yes/no much faster
            trigger, lower = trigger[4:], True
        object.__setattr__(self, "compiled_trigger", re.compile(trigger) if trigger else None)
        object.__setattr__(self, "trigger_on_lower", lower)

    def finditer(self, text: str, low: str) -> Iterator[re.Match[str]]:
        """The matches in ``text`` (``low``: ``text.lower()``): a case-insensitive pattern runs
        as its lower-case form on ``low`` when lower-casing kept every offset (same spans,
        several times faster); read matched text by span from ``text``."""
        if self.compiled_lower is not None and len(low) == len(text):
            return self.compiled_lower.finditer(low)
        return self.compiled.finditer(text)

    def triggered(self, text: str, low: str) -> bool:
        """Whether the pattern is worth trying on ``text`` (``low``: ``text.lower()``)."""
        if self.hints and not any(map(low.__contains__, self.hints)):
            return False
        rx = self.compiled_trigger
        return rx is None or rx.search(low if self.trigger_on_lower else text) is not None

    def to_dict(self) -> dict[str, Any]:
        """Return the declarative form used in YAML/TOML recognizer files."""
        return {"name": self.name, "regex": self.regex, "score": self.score}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Pattern:
        """Build a pattern from ``{"name", "regex", "score"}`` (``ConfigError`` if incomplete)."""
        try:
            return cls(str(d.get("name", "pattern")), str(d["regex"]), float(d.get("score", 0.6)))
        except KeyError as exc:
            raise ConfigError(f"pattern {d!r} needs a {exc.args[0]!r} field") from None


class Recognizer(ABC):
    """Finds one or more entity types in a text.

    Subclasses set the class attributes and implement :meth:`analyze`. Context words (lower-case)
    near a finding raise its score; negative context words lower it (see ``pii.context``).
    """

    # class defaults that an instance may override (a pattern recognizer built from a config)
    name: str = ""
    entities: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    negative_context: tuple[str, ...] = ()
    languages: tuple[str, ...] | None = None  # None: every language
    default: ClassVar[bool] = True  # part of the default recognizer set
    # every pattern needs a digit: the detector skips the recognizer on a text without one
    needs_digit: ClassVar[bool] = False

    def supports(self, language: str) -> bool:
        """Return whether this recognizer runs on texts in ``language``."""
        return self.languages is None or language in self.languages

    @abstractmethod
    def analyze(self, text: str, language: str) -> list[Finding]:
        """Return the findings in ``text`` (scores before context)."""


class PatternRecognizer(Recognizer):
    """A recognizer made of data: ``patterns``, ``entity``, context words, one ``validate`` hook.

    ``validate(match_text)`` returns ``True`` (a checksum passed: score 1.0), ``False`` (drop the
    match) or ``None`` (keep the pattern's score). Subclasses override only the data and the hook.

    Args:
        name: recognizer name (defaults to the class attribute).
        entity: entity type (defaults to the class attribute).
        patterns: patterns (default: the class attribute ``PATTERNS``).
        context: context words (default: the class attribute).
    """

    PATTERNS: ClassVar[Sequence[Pattern]] = ()
    entity: str = ""

    def __init__(
        self,
        *,
        name: str | None = None,
        entity: str | None = None,
        patterns: Sequence[Pattern] | None = None,
        context: Sequence[str] | None = None,
        negative_context: Sequence[str] | None = None,
        languages: Sequence[str] | None = None,
    ) -> None:
        if name is not None:
            self.name = name
        if entity is not None:
            self.entity = entity
        if not self.entity:
            raise ConfigError(f"recognizer {self.name!r} has no entity type")
        self.entities = (self.entity,)
        self.patterns = tuple(patterns if patterns is not None else self.PATTERNS)
        if not self.patterns:
            raise ConfigError(f"recognizer {self.name!r} has no patterns")
        if context is not None:
            self.context = tuple(w.lower() for w in context)
        if negative_context is not None:
            self.negative_context = tuple(w.lower() for w in negative_context)
        if languages is not None:
            self.languages = tuple(languages)

    def validate(self, match: str) -> bool | float | None:
        """Return ``True`` to accept with full confidence, ``False`` to drop, ``None`` to keep
        the pattern's score, or a float: the score to give (context may still raise it)."""
        return None

    def analyze(self, text: str, language: str) -> list[Finding]:  # noqa: D102
        out: list[Finding] = []
        low = text.lower()
        for pat in self.patterns:
            if not pat.triggered(text, low):
                continue
            for m in pat.finditer(text, low):
                start, end = m.span("pii") if pat.has_pii_group else m.span()
                if start < 0 or end <= start:
                    continue
                verdict = self.validate(text[start:end])
                if verdict is False:
                    continue
                if isinstance(verdict, float):
                    score = verdict
                else:
                    score = 1.0 if verdict else pat.score
                out.append(Finding(start, end, self.entity, score, self.name))
        return out
