"""Indices that put every rule, every branch and every slot value in the output at least once.

Each step builds one index top-down: at every choice it takes a branch not yet covered, else a
branch whose subtree still holds something uncovered, else the next branch in turn. Every step
covers at least one new branch, so the walk ends after at most as many steps as there are
branches in the grammar.
"""

from __future__ import annotations

from collections.abc import Iterator

from textsynth.grammar.nodes import Case, Choice, Lit, Node, Seq, Slot, Syn

__all__ = ["cover_indices"]


def _pairs(root: Node) -> set[tuple[int, int]]:
    out: set[tuple[int, int]] = set()
    seen: set[int] = set()
    todo = [root]
    while todo:
        n = todo.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n, Choice):
            out.update((id(n), i) for i in range(len(n.branches)))
            todo.extend(n.branches)
        elif isinstance(n, Case):
            out.update(((id(n), 0), (id(n), 1)))
            todo.append(n.child)
        elif isinstance(n, Seq):
            todo.extend(n.items)
        elif isinstance(n, (Slot, Syn)):
            todo.append(n.child)
    return out


def cover_indices(root: Node) -> Iterator[int]:
    """Yield real-space indices of ``root`` until every reachable branch has been used."""
    todo = _pairs(root)
    turn: dict[int, int] = {}

    def pending(n: Node, memo: dict[int, bool]) -> bool:
        key = id(n)
        if key in memo:
            return memo[key]
        memo[key] = False  # the grammar is acyclic; this only guards shared nodes
        if isinstance(n, Choice):
            r = any((key, i) in todo for i in range(len(n.branches))) or any(
                pending(b, memo) for b in n.branches
            )
        elif isinstance(n, Case):
            r = (key, 0) in todo or (key, 1) in todo or pending(n.child, memo)
        elif isinstance(n, Seq):
            r = any(pending(it, memo) for it in n.items)
        elif isinstance(n, (Slot, Syn)):
            r = pending(n.child, memo)
        else:
            r = False
        memo[key] = r
        return r

    def build(n: Node, memo: dict[int, bool]) -> int:
        if isinstance(n, Lit):
            return 0
        if isinstance(n, (Slot, Syn)):
            return build(n.child, memo)
        if isinstance(n, Seq):
            idx, radix = 0, 1
            for it in n.items:
                idx += build(it, memo) * radix
                radix *= it.count
            return idx
        if isinstance(n, Case):
            key = id(n)
            up = 0 if (key, 0) in todo else 1 if (key, 1) in todo else turn.get(key, 0) % 2
            turn[key] = up + 1
            todo.discard((key, up))
            return (build(n.child, memo) << 1) | up
        assert isinstance(n, Choice)
        key = id(n)
        k = len(n.branches)
        pick = next((i for i in range(k) if (key, i) in todo), None)
        if pick is None:
            pick = next((i for i in range(k) if pending(n.branches[i], memo)), None)
        if pick is None:
            pick = turn.get(key, 0) % k
        turn[key] = pick + 1
        todo.discard((key, pick))
        start = sum(b.count for b in n.branches[:pick])
        return start + build(n.branches[pick], memo)

    stale = 0
    while todo and stale < 64:  # a step may cover nothing when a shared node was just covered
        before = len(todo)
        yield build(root, {})
        stale = stale + 1 if len(todo) == before else 0
