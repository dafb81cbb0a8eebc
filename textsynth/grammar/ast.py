"""The grammar's syntax tree: frozen dataclasses, each with the location it came from."""

from __future__ import annotations

from dataclasses import dataclass, field

from textsynth.errors import Location

__all__ = [
    "ArgRef",
    "Definition",
    "FakerSpec",
    "FileAST",
    "Group",
    "Item",
    "OptionalMod",
    "Ref",
    "Rule",
    "Seq",
    "Text",
    "Weight",
]

KINDS = {"~": "alias", "@": "slot", "%": "intent"}


@dataclass(frozen=True, slots=True)
class OptionalMod:
    """A random-generation modifier ``?name/percent``: the item may be left out.

    Attributes:
        name: named optionals in one rule are all present or all absent.
        percent: probability (0-100) of being present; ``None`` means undeclared (uniform).
        opposite: ``?!name``: present exactly when the items named ``?name`` are absent.
    """

    name: str | None = None
    percent: float | None = None
    opposite: bool = False


@dataclass(frozen=True, slots=True)
class Text:
    """Literal text."""

    value: str
    loc: Location


@dataclass(frozen=True, slots=True)
class ArgRef:
    """``$NAME`` inside a rule of a definition that takes an argument."""

    name: str
    loc: Location


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference ``~[name#variation$arg?opt/60]`` to an alias, slot or intent."""

    kind: str
    name: str
    loc: Location
    variation: str | None = None
    arg: str | None = None
    casegen: bool = False
    optional: OptionalMod | None = None


@dataclass(frozen=True, slots=True)
class Seq:
    """A sequence of items, rendered one after another."""

    items: tuple[Item, ...]
    loc: Location


@dataclass(frozen=True, slots=True)
class Group:
    """A word group or inline choice: ``[a|b]``, ``{a/b}``, ``[&text?/30]``."""

    alternatives: tuple[Seq, ...]
    loc: Location
    casegen: bool = False
    optional: OptionalMod | None = None


Item = Text | ArgRef | Ref | Group


@dataclass(frozen=True, slots=True)
class Weight:
    """A rule weight ``*[20%]`` (percent) or ``*[2]`` (relative)."""

    value: float
    percent: bool
    loc: Location


@dataclass(frozen=True, slots=True)
class FakerSpec:
    """A slot rule ``faker:provider`` or ``faker:provider(K)``: K values drawn with Faker."""

    provider: str
    k: int | None
    loc: Location


@dataclass(frozen=True, slots=True)
class Rule:
    """One indented line of a definition.

    Attributes:
        body: what the rule generates.
        loc: where the rule starts.
        synonym: for slot rules ``text = value``, the canonical value.
        weight: the ``*[..]`` prefix, if any.
        faker: for slot rules ``faker:provider``.
        alias_only: the rule is a single alias reference (Chatito makes it a synonym).
    """

    body: Seq
    loc: Location
    synonym: str | None = None
    weight: Weight | None = None
    faker: FakerSpec | None = None


@dataclass(frozen=True, slots=True)
class Definition:
    """A declaration and its rules: ``%[intent](args)``, ``@[slot]``, ``~[alias#var$ARG]``."""

    kind: str
    name: str
    loc: Location
    rules: tuple[Rule, ...] = ()
    variation: str | None = None
    arg: str | None = None
    casegen: bool = False
    args: tuple[tuple[str, str], ...] = ()
    dialect: str = "tsg"
    nlines: int = 0  # rule lines written, including any that failed to parse

    @property
    def sigil(self) -> str:
        """Return ``~``, ``@`` or ``%``."""
        return {v: k for k, v in KINDS.items()}[self.kind]

    def display(self) -> str:
        """Return the declaration as written, e.g. ``~[city#plural]``."""
        var = f"#{self.variation}" if self.variation else ""
        return f"{self.sigil}[{self.name}{var}]"


@dataclass(frozen=True, slots=True)
class FileAST:
    """Everything one file declares, includes and sets in its header."""

    path: str
    definitions: tuple[Definition, ...] = ()
    includes: tuple[tuple[str, Location], ...] = ()
    headers: dict[str, tuple[str, Location]] = field(default_factory=dict)
    dialect: str = "tsg"
