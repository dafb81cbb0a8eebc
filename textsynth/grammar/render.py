"""Compile nodes into fast closures ``f(index, out, spans)`` and finish rendered utterances.

A closure appends text fragments to ``out`` and slot records to ``spans``; offsets are
computed once at the end from the fragment lengths (no per-character work). A slot record is
``(first fragment, end fragment, label JSON, value JSON or None, synonym or None)``.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Callable
from itertools import accumulate
from typing import Any

from textsynth.grammar.nodes import Case, Choice, Lit, Node, Seq, Slot, Syn, lit_values

__all__ = ["Renderer", "finish"]

Fn = Callable[[int, list, list], None]
_dumps = json.dumps
_SYN = "="  # marker record a Syn leaves for its enclosing Slot


def _noop(i: int, out: list, spans: list) -> None:
    return None


class Renderer:
    """Build closures for nodes, in the real index space or the virtual (weighted) one."""

    def __init__(self, virtual: bool) -> None:
        self.virtual = virtual
        self._memo: dict[int, Fn] = {}

    def size(self, node: Node) -> int:
        """Return the node's index-space size in this renderer's mode."""
        return node.vcount if self.virtual else node.count

    def build(self, node: Node) -> Fn:
        """Return the closure rendering ``node`` (memoised: shared aliases compile once)."""
        fn = self._memo.get(id(node))
        if fn is None:
            fn = self._build(node)
            self._memo[id(node)] = fn
        return fn

    def _build(self, node: Node) -> Fn:  # noqa: C901 - one case per node kind
        if isinstance(node, Lit):
            text = node.text
            if not text:
                return _noop

            def lit(i: int, out: list, spans: list) -> None:
                out.append(text)

            return lit
        if isinstance(node, Seq):
            return self._seq(node)
        if isinstance(node, Choice):
            return self._choice(node)
        if isinstance(node, Slot):
            return self._slot(node)
        if isinstance(node, Syn):
            child = self.build(node.child)
            marker = (_SYN, node.value)

            def syn(i: int, out: list, spans: list) -> None:
                child(i, out, spans)
                spans.append(marker)

            return syn
        if isinstance(node, Case):
            return self._case(node)
        raise TypeError(f"unknown node {node!r}")

    def _seq(self, node: Seq) -> Fn:
        plan: list[tuple[int, Any, str | None]] = []
        for it in node.items:
            size = self.size(it)
            if isinstance(it, Lit):
                plan.append((0, None, it.text))
            else:
                plan.append((size, self.build(it), None))
        plan_t = tuple(plan)

        def seq(i: int, out: list, spans: list) -> None:
            for size, fn, text in plan_t:
                if fn is None:
                    out.append(text)
                elif size == 1:
                    fn(0, out, spans)
                else:
                    i, d = divmod(i, size)
                    fn(d, out, spans)

        return seq

    def _choice(self, node: Choice) -> Fn:
        vals = lit_values(node) if not self.virtual or not node.weighted else None
        if vals is not None and all(v is None for _, v in vals):
            texts = tuple(t for t, _ in vals)

            def lits(i: int, out: list, spans: list) -> None:
                out.append(texts[i])

            return lits
        sizes = [self.size(b) for b in node.branches]
        mults = node.mult if self.virtual else [1] * len(sizes)
        blocks = [m * s for m, s in zip(mults, sizes, strict=True)]
        fns = [self.build(b) for b in node.branches]
        if len(fns) == 2 and fns[0] is _noop and blocks[0] == 1 and mults[1] == 1:
            present = fns[1]

            def optional(i: int, out: list, spans: list) -> None:
                if i:
                    present(i - 1, out, spans)

            return optional
        starts = list(accumulate(blocks, initial=0))[:-1]
        table = tuple(zip(starts, sizes, fns, strict=True))
        if not table:
            return _noop

        def choice(i: int, out: list, spans: list) -> None:
            start, size, fn = table[bisect_right(starts, i) - 1]
            fn((i - start) % size, out, spans)

        return choice

    def _slot(self, node: Slot) -> Fn:
        label = _dumps(node.label, ensure_ascii=False)
        vals = lit_values(node.child) if not (self.virtual and node.child.weighted) else None
        if vals is not None and all(t.strip() == t and t for t, _ in vals):
            items = tuple(
                (t, (label, _dumps(v if v is not None else t, ensure_ascii=False), v))
                for t, v in vals
            )

            def lit_slot(i: int, out: list, spans: list) -> None:
                text, rec = items[i]
                n = len(out)
                spans.append((n, n + 1, *rec))
                out.append(text)

            return lit_slot
        child = self.build(node.child)

        def slot(i: int, out: list, spans: list) -> None:
            start = len(out)
            mark = len(spans)
            child(i, out, spans)
            value = None
            if len(spans) > mark:  # a synonym marker left by Syn
                value = spans[-1][1]
                del spans[mark:]
            spans.append((start, len(out), label, None, value))

        return slot

    def _case(self, node: Case) -> Fn:
        child = self.build(node.child)

        def case(i: int, out: list, spans: list) -> None:
            k = len(out)
            child(i >> 1, out, spans)
            up = i & 1
            for j in range(k, len(out)):
                s = out[j]
                t = s.lstrip()
                if t:
                    p = len(s) - len(t)
                    c = t[0].upper() if up else t[0].lower()
                    if len(c) == 1:
                        out[j] = s[:p] + c + t[1:]
                    return

        return case


def _normalise(out: list[str], spans: list) -> tuple[str, list]:
    """Collapse runs of spaces and strip the ends, moving span offsets with the text."""
    starts: list[int] = []
    buf: list[str] = []
    prev_space = True  # drops leading spaces
    n = 0
    for frag in out:
        starts.append(n)
        for c in frag:
            if c == " ":
                if prev_space:
                    continue
                prev_space = True
            else:
                prev_space = False
            buf.append(c)
            n += 1
    starts.append(n)
    text = "".join(buf)
    if text.endswith(" "):
        text = text[:-1]
    return text, [(starts[r[0]], starts[r[1]], *r[2:]) for r in spans]


def finish(out: list[str], spans: list) -> tuple[str, list[tuple[int, int, str, str]]]:
    """Return the text and ``[(start, end, label JSON, value JSON)]`` of a rendered utterance."""
    text = "".join(out)
    if "  " in text or text[:1] == " " or text[-1:] == " ":
        text, recs = _normalise(out, spans)
    elif spans:
        offs = list(accumulate(map(len, out), initial=0))
        recs = [(offs[r[0]], offs[r[1]], *r[2:]) for r in spans]
    else:
        return text, []
    ents = []
    for s, e, label, vjson, syn in recs:
        if vjson is None:
            surface = text[s:e]
            stripped = surface.strip()
            if not stripped:
                continue  # an empty slot leaves no span
            if stripped != surface:
                s += len(surface) - len(surface.lstrip())
                e = s + len(stripped)
            vjson = _dumps(syn if syn is not None else stripped, ensure_ascii=False)
        e = min(e, len(text))
        if e > s:
            ents.append((s, e, label, vjson))
    return text, ents
