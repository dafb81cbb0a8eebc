"""Replacement operators: surrogate (default), tag, mask, redact, keyed hash.

Each operator is a small class with a class attribute ``name`` and one method. Per-document state
(tag numbers) lives in an :class:`OperatorContext` the pseudonymiser creates for each document.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar

from textsynth.errors import ConfigError
from textsynth.pii.surrogates import SurrogateMap, identity_form
from textsynth.registry import did_you_mean

__all__ = ["OPERATORS", "Operator", "OperatorContext", "make_operator"]


@dataclass
class OperatorContext:
    """Per-document state: the language and the tag numbers given so far."""

    language: str = "en"
    tags: dict[tuple[str, str], int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


class Operator(ABC):
    """Turns one PII value into its replacement."""

    name: ClassVar[str] = ""
    reversible: ClassVar[bool] = False  # whether a vault can map the output back

    def __init__(self, smap: SurrogateMap) -> None:
        self.smap = smap

    @abstractmethod
    def replace(self, value: str, entity: str, ctx: OperatorContext) -> str:
        """Return the replacement of ``value`` (an ``entity``) in the document of ``ctx``."""


class SurrogateOperator(Operator):
    """A realistic, consistent, format-preserving surrogate."""

    name = "surrogate"
    reversible = True

    def replace(self, value: str, entity: str, ctx: OperatorContext) -> str:  # noqa: D102
        return self.smap.surrogate(entity, value, ctx.language)


class TagOperator(Operator):
    """``<PERSON_1>``: numbered per document, by first appearance of each distinct value."""

    name = "tag"
    reversible = True

    def replace(self, value: str, entity: str, ctx: OperatorContext) -> str:  # noqa: D102
        key = (entity, identity_form(entity, value))
        n = ctx.tags.get(key)
        if n is None:
            n = ctx.counts.get(entity, 0) + 1
            ctx.counts[entity] = n
            ctx.tags[key] = n
        return f"<{entity}_{n}>"


class MaskOperator(Operator):
    """Every non-space character becomes ``*`` (the length is kept)."""

    name = "mask"

    def replace(self, value: str, entity: str, ctx: OperatorContext) -> str:  # noqa: D102
        return "".join(c if c.isspace() else "*" for c in value)


class RedactOperator(Operator):
    """The value is removed."""

    name = "redact"

    def replace(self, value: str, entity: str, ctx: OperatorContext) -> str:  # noqa: D102
        return ""


class HashOperator(Operator):
    """A keyed hash (HMAC-SHA256, 16 hex digits) of the normalised value."""

    name = "hash"
    reversible = True

    def replace(self, value: str, entity: str, ctx: OperatorContext) -> str:  # noqa: D102
        return self.smap.hash(entity, value)


OPERATORS: dict[str, type[Operator]] = {
    c.name: c for c in (SurrogateOperator, TagOperator, MaskOperator, RedactOperator, HashOperator)
}


def make_operator(name: str, smap: SurrogateMap) -> Operator:
    """Return the operator called ``name`` (``ConfigError`` listing the choices otherwise)."""
    try:
        return OPERATORS[name](smap)
    except KeyError:
        raise ConfigError(
            f"unknown operator {name!r}{did_you_mean(name, list(OPERATORS))}; "
            f"choose one of: {', '.join(OPERATORS)}"
        ) from None
