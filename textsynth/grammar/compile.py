"""Turn a checked AST into compiled nodes, one tree per intent (aliases are shared)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from textsynth.errors import GrammarError, Location
from textsynth.grammar.ast import ArgRef, Definition, Group, OptionalMod, Ref, Rule, Text
from textsynth.grammar.ast import Seq as SeqAST
from textsynth.grammar.check import Index
from textsynth.grammar.nodes import Case, Choice, Lit, Node, Seq, Slot, Syn, nullable

__all__ = ["CompiledIntent", "Compiler"]

_SPACES = re.compile(r"[ \t]+")


@dataclass
class CompiledIntent:
    """One intent: its rules (each a node with its location) and the declared counts.

    Attributes:
        name: the intent label.
        root: a :class:`Choice` over the rules (with the rules' declared probabilities).
        rule_locs: ``path:line`` of each branch of ``root``.
        count: declared number of examples ``(N)`` (training + testing if both given).
        training: declared training count, if any.
        testing: declared testing count, if any.
    """

    name: str
    root: Choice
    rule_locs: list[str]
    count: int | None = None
    training: int | None = None
    testing: int | None = None
    args: dict[str, str] = field(default_factory=dict)


class Compiler:
    """Compile definitions on demand, memoising each (definition, argument) once.

    Args:
        index: the checked definitions.
        faker_values: ``(provider, k, loc) -> list[str]`` for ``faker:`` slot rules.
    """

    def __init__(self, index: Index, faker_values) -> None:
        self.index = index
        self.faker_values = faker_values
        self.errors: list[GrammarError] = []
        self._memo: dict[tuple, Node] = {}

    # -- definitions ---------------------------------------------------------------------------
    def rule_node(self, rule: Rule, d: Definition, arg: str | None) -> Node:
        """Compile one rule of ``d`` (``arg`` replaces ``$ARG``)."""
        if rule.faker is not None:
            values = self.faker_values(rule.faker.provider, rule.faker.k, rule.faker.loc)
            return Choice([Lit(v) for v in values]) if values else Choice([])
        node = self.seq(rule.body, d, arg, top=True)
        if d.kind == "slot":
            if rule.synonym is not None:
                return Syn(node, rule.synonym)
            items = [
                i for i in rule.body.items if not (isinstance(i, Text) and not i.value.strip())
            ]
            if (
                d.dialect == "chatito"
                and len(items) == 1
                and isinstance(items[0], Ref)
                and items[0].kind == "alias"
            ):
                return Syn(node, items[0].name)  # Chatito: a lone alias is a synonym of its name
        return node

    def rules_choice(self, d: Definition, arg: str | None) -> tuple[Choice, list[str]]:
        """Return the choice over ``d``'s rules, weighted by ``*[..]`` and the distribution."""
        nodes = [self.rule_node(r, d, arg) for r in d.rules]
        probs = _rule_probs(d, nodes)
        locs = [f"{r.loc.path}:{r.loc.line}" for r in d.rules]
        if probs is not None:
            locs = [loc for loc, p in zip(locs, probs, strict=True) if p > 0]
        return Choice(nodes, probs), locs

    def definition(self, d: Definition, arg: str | None) -> Node:
        key = (id(d), arg)
        if key not in self._memo:
            node: Node = self.rules_choice(d, arg)[0]
            if d.casegen:
                node = Case(node)
            self._memo[key] = node
        return self._memo[key]

    def reference(self, ref: Ref, arg_env: str | None) -> Node:
        targets = self.index.targets(ref)
        arg = ref.arg
        if arg is not None and arg_env is not None:
            arg = arg.replace("$", "")  # nested arguments are passed literally
        if not targets:  # Chatito: undefined alias stands for its own name
            node: Node = Lit(ref.name)
        else:
            key = ("ref", ref.kind, ref.name, ref.variation, arg)
            if key not in self._memo:
                parts = [self.definition(t, arg) for t in targets]
                self._memo[key] = parts[0] if len(parts) == 1 else Choice(parts)
            node = self._memo[key]
            if ref.kind == "slot":
                node = Slot(node, ref.name)
        if ref.casegen:
            node = Case(node)
        return _optional(node, ref.optional)

    # -- rule bodies ---------------------------------------------------------------------------
    def seq(self, seq: SeqAST, d: Definition, arg: str | None, top: bool = False) -> Node:
        """Compile a sequence; named optionals become a choice over the whole sequence."""
        named: dict[str, list[int]] = {}
        for i, item in enumerate(seq.items):
            opt = getattr(item, "optional", None)
            if opt is not None and opt.name:
                named.setdefault(opt.name, []).append(i)
        if not named:
            return self._plain_seq(list(seq.items), d, arg, top)
        name, positions = next(iter(named.items()))
        items: list[Any] = list(seq.items)  # the named positions hold optional items
        percent = next(
            (items[i].optional.percent for i in positions if items[i].optional.percent is not None),
            None,
        )
        with_items = [_strip_opt(it) if i in positions else it for i, it in enumerate(seq.items)]
        without = [it for i, it in enumerate(seq.items) if i not in positions]
        present = self.seq(SeqAST(tuple(with_items), seq.loc), d, arg, top)
        absent = self.seq(SeqAST(tuple(without), seq.loc), d, arg, top)
        probs = None if percent is None else [1 - percent / 100, percent / 100]
        del name
        return Choice([absent, present], probs)

    def _plain_seq(self, items: list, d: Definition, arg: str | None, top: bool) -> Node:
        nodes: list[Node] = []
        for item in items:
            if isinstance(item, Text):
                nodes.append(Lit(item.value))
            elif isinstance(item, ArgRef):
                nodes.append(Lit(arg if arg is not None else "$" + item.name))
            elif isinstance(item, Ref):
                nodes.append(self.reference(item, arg))
            elif isinstance(item, Group):
                alts = [self.seq(a, d, arg) for a in item.alternatives]
                node: Node = alts[0] if len(alts) == 1 else Choice(alts)
                if item.casegen:
                    node = Case(node)
                nodes.append(_optional(node, item.optional))
        return _finish_seq(nodes, top)


def _strip_opt(item):
    from dataclasses import replace

    return replace(item, optional=None)


def _optional(node: Node, opt: OptionalMod | None) -> Node:
    if opt is None:
        return node
    probs = None if opt.percent is None else [1 - opt.percent / 100, opt.percent / 100]
    return Choice([Lit(""), node], probs)


def _finish_seq(nodes: list[Node], top: bool) -> Node:
    """Merge literals, collapse spaces, and move separator spaces into optional items."""
    merged: list[Node] = []
    for n in nodes:
        if isinstance(n, Lit) and merged and isinstance(merged[-1], Lit):
            merged[-1] = Lit(merged[-1].text + n.text)
        else:
            merged.append(n)
    merged = [Lit(_SPACES.sub(" ", n.text)) if isinstance(n, Lit) else n for n in merged]
    if top and merged:
        if isinstance(merged[0], Lit):
            merged[0] = Lit(merged[0].text.lstrip())
        if isinstance(merged[-1], Lit):
            merged[-1] = Lit(merged[-1].text.rstrip())
    # "a X? b": the space before an optional travels with it, so an absent X leaves "a b";
    # "X? Y? b" at the start: the space after it does
    merged = [n for n in merged if not (isinstance(n, Lit) and n.text == "")]
    i = 0
    while i < len(merged):
        n = merged[i]
        if nullable(n):
            prev = merged[i - 1] if i > 0 else None
            nxt = merged[i + 1] if i + 1 < len(merged) else None
            next_ok = nxt is None or (isinstance(nxt, Lit) and nxt.text.startswith(" "))
            if isinstance(prev, Lit) and prev.text.endswith(" ") and next_ok:
                merged[i - 1] = Lit(prev.text[:-1])
                merged[i] = _prefix_present(n, " ", before=True)
            elif (
                isinstance(nxt, Lit)
                and nxt.text.startswith(" ")
                and all(nullable(m) for m in merged[:i])
            ):
                merged[i + 1] = Lit(nxt.text[1:])
                merged[i] = _prefix_present(n, " ", before=False)
            t = merged[i]
            merged = [m for m in merged if not (isinstance(m, Lit) and m.text == "")]
            i = next(k for k, m in enumerate(merged) if m is t)
        i += 1
    merged = [n for n in merged if not (isinstance(n, Lit) and n.text == "")]
    if not merged:
        return Lit("")
    if len(merged) == 1:
        return merged[0]
    return Seq(merged)


def _prefix_present(node: Node, space: str, before: bool) -> Node:
    assert isinstance(node, Choice)
    branches = [
        b
        if isinstance(b, Lit) and b.text == ""
        else _finish_seq([Lit(space), b] if before else [b, Lit(space)], False)
        for b in node.branches
    ]
    return Choice(branches, node.probs)


def _rule_probs(d: Definition, nodes: list[Node]) -> list[float] | None:
    """Return rule probabilities from ``*[..]`` weights and the ``distribution`` argument."""
    weights = [r.weight for r in d.rules]
    even = dict((k.lower(), v.lower()) for k, v in d.args).get("distribution") == "even"
    if not even and all(w is None for w in weights):
        return None
    pct_total = sum(w.value for w in weights if w is not None and w.percent) / 100
    rest = [i for i, w in enumerate(weights) if w is None or not w.percent]
    shares = [
        ((w.value if w is not None else 1.0) * (1.0 if even else float(nodes[i].vcount)))
        for i, w in ((i, weights[i]) for i in rest)
    ]
    total_share = sum(shares)
    remainder = max(0.0, 1.0 - pct_total) if len(rest) < len(weights) else 1.0
    probs = [0.0] * len(weights)
    for i, w in enumerate(weights):
        if w is not None and w.percent:
            probs[i] = w.value / 100
    for i, s in zip(rest, shares, strict=True):
        probs[i] = remainder * s / total_share if total_share else 0.0
    if sum(probs) <= 0:
        return None
    return probs


def intent_from(compiler: Compiler, d: Definition) -> CompiledIntent:
    """Compile intent ``d`` and read its declared counts."""
    root, locs = compiler.rules_choice(d, None)
    if d.casegen:
        root = Choice([Case(b) for b in root.branches], root.probs)
    args = {k.lower(): v for k, v in d.args}
    count = training = testing = None
    if "count" in args:
        count = int(args["count"])
    for k in ("training", "train"):
        if k in args:
            training = int(args[k])
    for k in ("testing", "test"):
        if k in args:
            testing = int(args[k])
    if count is None and training is not None:
        count = training + (testing or 0)
    return CompiledIntent(d.name, root, locs, count, training, testing, args)


def location_str(loc: Location) -> str:
    """Return ``path:line``."""
    return f"{loc.path}:{loc.line}"
