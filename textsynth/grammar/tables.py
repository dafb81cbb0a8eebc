"""String tables and node properties shared by the interpreter and the emitter.

A *plain* node holds no slot, synonym or declared weight: everything it can render is a string,
so a small one becomes a tuple of all its strings in index order, and rendering it is one
look-up. :class:`TableCache` builds those tuples once per intent, within a memory budget.
:func:`recase` and :func:`recase_str` are the one definition of case generation (``&``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textsynth.grammar.nodes import Case, Choice, Lit, Node, Seq, Slot, Syn

__all__ = ["TABLE_BUDGET", "TABLE_LIMIT", "TableCache", "edge_clean", "recase", "recase_str"]

TABLE_LIMIT = 50_000  # plain parts with at most this many strings become one look-up table
TABLE_BUDGET = 400_000  # total table entries per intent (bounds memory)


def recase_str(s: str, up: int) -> str:
    """Upper- (``up``) or lower-case the first non-space character of ``s``."""
    t = s.lstrip()
    if not t:
        return s
    c = t[0].upper() if up else t[0].lower()
    return s[: len(s) - len(t)] + c + t[1:] if len(c) == 1 else s


def recase(out: list[str], k: int, up: int) -> None:
    """Upper- or lower-case the first letter appended to ``out`` since fragment ``k``."""
    for j in range(k, len(out)):
        s = out[j]
        if s.strip():
            out[j] = recase_str(s, up)
            return


def edge_clean(node: Node) -> bool:
    """Return whether ``node``'s text is never empty and never starts or ends with a space."""
    if isinstance(node, Lit):
        return bool(node.text) and node.text == node.text.strip()
    if isinstance(node, Choice):
        return bool(node.branches) and all(edge_clean(b) for b in node.branches)
    if isinstance(node, Seq):
        return edge_clean(node.items[0]) and edge_clean(node.items[-1])
    if isinstance(node, (Case, Syn, Slot)):
        return edge_clean(node.child)
    return False


@dataclass
class TableCache:
    """String tables shared by the rules of one intent (built once, used by every variant).

    Attributes:
        budget: table entries that may still be built.
        plain_memo: :meth:`plain` per node id.
        strings_memo: every string of a plain node, per node id.
        runs: the table of a run of nodes (``None``: too big or not plain), per id tuple.
    """

    budget: int = TABLE_BUDGET
    plain_memo: dict[int, bool] = field(default_factory=dict)
    strings_memo: dict[int, tuple[str, ...]] = field(default_factory=dict)
    runs: dict[tuple[int, ...], tuple[str, ...] | None] = field(default_factory=dict)

    def plain(self, node: Node) -> bool:
        """Return whether ``node`` holds no slot, synonym or declared weight."""
        key = id(node)
        memo = self.plain_memo
        if key not in memo:
            if isinstance(node, Lit):
                r = True
            elif isinstance(node, (Slot, Syn)) or node.weighted:
                r = False
            elif isinstance(node, Choice):
                r = all(self.plain(b) for b in node.branches)
            elif isinstance(node, Seq):
                r = all(self.plain(it) for it in node.items)
            elif isinstance(node, Case):
                r = self.plain(node.child)
            else:
                r = False
            memo[key] = r
        return memo[key]

    def table(self, nodes: list[Node]) -> tuple[str, ...] | None:
        """Return every string of the sequence ``nodes`` in index order, if plain and small."""
        key = tuple(id(n) for n in nodes)
        if key in self.runs:
            return self.runs[key]
        total = 1
        for n in nodes:
            total *= n.count
        if total > TABLE_LIMIT or total > self.budget or not all(self.plain(n) for n in nodes):
            self.runs[key] = None
            return None
        self.budget -= total
        result: list[str] = [""]
        for n in nodes:  # first item varies fastest
            result = [x + y for y in self.strings(n) for x in result]
        self.runs[key] = tuple(result)
        return self.runs[key]

    def strings(self, node: Node) -> tuple[str, ...]:
        """Return every string of a plain ``node`` in index order (built from sub-tables)."""
        key = id(node)
        if key not in self.strings_memo:
            if isinstance(node, Lit):
                out: list[str] = [node.text]
            elif isinstance(node, Choice):
                out = [x for b in node.branches for x in self.strings(b)]
            elif isinstance(node, Seq):
                out = [""]
                for it in node.items:  # first item varies fastest
                    sub = self.strings(it)
                    out = [x + y for y in sub for x in out]
            elif isinstance(node, Case):
                out = [recase_str(x, up) for x in self.strings(node.child) for up in (0, 1)]
            else:  # pragma: no cover - plain nodes are only the kinds above
                raise TypeError(node)
            self.strings_memo[key] = tuple(out)
        return self.strings_memo[key]
