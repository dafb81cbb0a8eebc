"""The compiled form of a grammar: a DAG of small nodes that know how many strings they make.

``count`` is the exact number of combinations (a Python int, so 10**40 is fine). ``vcount``
is the size of the *virtual* index space used for weighted sampling: a :class:`Choice` with
declared probabilities gives branch ``i`` a block of ``mult[i] * vcount(child_i)`` indices, so
a uniform draw over the virtual space picks branches by the declared weights while every
combination still owns at least one virtual index. Without weights ``vcount == count``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Case", "Choice", "Lit", "Node", "Seq", "Slot", "Syn", "can_be_empty", "nullable"]

#: resolution of declared probabilities in the virtual space (relative error ~ 1/SCALE)
SCALE = 1 << 16


class Node:
    """Base class: ``count`` (real combinations) and ``vcount`` (virtual index space)."""

    count: int = 1
    vcount: int = 1
    weighted: bool = False  # True when this node or a descendant has declared probabilities


@dataclass(eq=False)
class Lit(Node):
    """Literal text (one combination)."""

    text: str
    count: int = 1
    vcount: int = 1


@dataclass(eq=False)
class Seq(Node):
    """Items rendered in order; the index is a mixed-radix number (first item least significant)."""

    items: list[Node]
    count: int = field(init=False)
    vcount: int = field(init=False)
    weighted: bool = field(init=False)

    def __post_init__(self) -> None:
        self.count = self.vcount = 1
        for it in self.items:
            self.count *= it.count
            self.vcount *= it.vcount
        self.weighted = any(it.weighted for it in self.items)


@dataclass(eq=False)
class Choice(Node):
    """One of several branches.

    Attributes:
        branches: the alternatives (branches with probability 0 are dropped at build time).
        probs: declared probabilities (sum 1) or ``None`` for uniform over combinations.
        mult: per-branch virtual multiplier (all 1 without ``probs``).
        tags: optional labels per branch, used by coverage (e.g. rule locations).
    """

    branches: list[Node]
    probs: list[float] | None = None
    count: int = field(init=False)
    vcount: int = field(init=False)
    mult: list[int] = field(init=False)
    weighted: bool = field(init=False)

    def __post_init__(self) -> None:
        if self.probs is not None:
            kept = [(b, p) for b, p in zip(self.branches, self.probs, strict=True) if p > 0]
            self.branches = [b for b, _ in kept]
            total = sum(p for _, p in kept) or 1.0
            self.probs = [p / total for _, p in kept]
        self.count = sum(b.count for b in self.branches)
        self.weighted = any(b.weighted for b in self.branches)
        if self.probs is None:
            self.mult = [1] * len(self.branches)
            self.vcount = sum(b.vcount for b in self.branches)
            return
        self.weighted = True
        # virtual block of branch i ~ probs[i] * target, and at least its own size
        target = max(
            _ceil_div(b.vcount * SCALE, max(int(p * SCALE), 1))
            for b, p in zip(self.branches, self.probs, strict=True)
        )
        self.mult = [
            max(1, round(p * target / b.vcount))
            for b, p in zip(self.branches, self.probs, strict=True)
        ]
        self.vcount = sum(m * b.vcount for m, b in zip(self.mult, self.branches, strict=True))


@dataclass(eq=False)
class Slot(Node):
    """A labelled span around ``child``; ``child`` may set a synonym through :class:`Syn`."""

    child: Node
    label: str
    count: int = field(init=False)
    vcount: int = field(init=False)
    weighted: bool = field(init=False)

    def __post_init__(self) -> None:
        self.count, self.vcount, self.weighted = (
            self.child.count,
            self.child.vcount,
            self.child.weighted,
        )


@dataclass(eq=False)
class Syn(Node):
    """A slot rule ``text = value``: renders ``child`` and sets the span's value."""

    child: Node
    value: str
    count: int = field(init=False)
    vcount: int = field(init=False)
    weighted: bool = field(init=False)

    def __post_init__(self) -> None:
        self.count, self.vcount, self.weighted = (
            self.child.count,
            self.child.vcount,
            self.child.weighted,
        )


@dataclass(eq=False)
class Case(Node):
    """Case generation ``&``: the first letter of ``child``'s text lower-case (0) or upper (1)."""

    child: Node
    count: int = field(init=False)
    vcount: int = field(init=False)
    weighted: bool = field(init=False)

    def __post_init__(self) -> None:
        self.count, self.vcount, self.weighted = (
            2 * self.child.count,
            2 * self.child.vcount,
            self.child.weighted,
        )


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def nullable(node: Node) -> bool:
    """Return whether ``node`` is an optional: a choice with an empty literal branch."""
    return isinstance(node, Choice) and any(
        isinstance(b, Lit) and b.text == "" for b in node.branches
    )


def can_be_empty(node: Node, memo: dict[int, bool] | None = None) -> bool:
    """Return whether ``node`` can render text that is empty or only spaces."""
    memo = {} if memo is None else memo
    key = id(node)
    if key not in memo:
        if isinstance(node, Lit):
            r = not node.text.strip()
        elif isinstance(node, Seq):
            r = all(can_be_empty(it, memo) for it in node.items)
        elif isinstance(node, Choice):
            r = any(can_be_empty(b, memo) for b in node.branches)
        elif isinstance(node, (Slot, Syn, Case)):
            r = can_be_empty(node.child, memo)
        else:
            r = False
        memo[key] = r
    return memo[key]


def lit_values(node: Node) -> list[tuple[str, str | None]] | None:
    """Return ``[(text, synonym)]`` when ``node`` is a choice of literals (or one literal)."""
    if isinstance(node, Lit):
        return [(node.text, None)]
    if isinstance(node, Syn) and isinstance(node.child, Lit):
        return [(node.child.text, node.value)]
    if isinstance(node, Choice) and node.probs is None:
        out: list[tuple[str, str | None]] = []
        for b in node.branches:
            sub = lit_values(b)
            if sub is None:
                return None
            out.extend(sub)
        return out
    return None
