"""Flat rules: the JSONL fast path builds a rule's text as one join of a few pieces.

A rule whose top-level items are plain text, slots with clean values, or optional such slots is
compiled to: decode the digits, assign each piece a string, join them once, and compute slot
offsets from the pieces' lengths. That is several times fewer operations than appending every
fragment and tracking the offset after each one (:mod:`textsynth.grammar.codegen`, which handles
every other rule). Both decode an index the same way; the tests check they agree.
"""

from __future__ import annotations

from textsynth.grammar.codegen import _edge_clean, _enc, _Gen, _plain
from textsynth.grammar.nodes import Case, Choice, Lit, Node, Seq, Slot, lit_values

__all__ = ["emit_flat", "recase_str"]


def recase_str(s: str, up: int) -> str:
    """Upper- (``up``) or lower-case the first non-space character of ``s``."""
    t = s.lstrip()
    if not t:
        return s
    c = t[0].upper() if up else t[0].lower()
    return s[: len(s) - len(t)] + c + t[1:] if len(c) == 1 else s


def _slot_values(g: _Gen, slot: Slot) -> tuple | None | bool:
    """Return a slot's ``(text, synonym)`` table, ``True`` for a clean composite, else ``None``."""
    child = slot.child
    if g.virtual and child.weighted:
        return None
    vals = lit_values(child)
    if vals is None:
        t = g.table([child])
        vals = [(x, None) for x in t] if t is not None else None
    if vals is not None:
        return tuple(vals) if all(t and t.strip() == t for t, _ in vals) else None
    if _plain(child, g._plain) and _edge_clean(child):
        return True
    return None


def _optional_slot(g: _Gen, node: Node) -> tuple[str, Slot, str] | None:
    """Return ``(prefix, slot, suffix)`` when ``node`` is ``[text @[slot] text?]``."""
    if not isinstance(node, Choice) or len(node.branches) != 2:
        return None
    empty, present = node.branches
    if not (isinstance(empty, Lit) and not empty.text) or g.size(empty) != 1:
        return None
    if g.virtual and node.probs is not None:
        return None
    items = present.items if isinstance(present, Seq) else [present]
    slots = [i for i, it in enumerate(items) if isinstance(it, Slot)]
    if len(slots) != 1 or not all(isinstance(it, Lit) for it in items if not isinstance(it, Slot)):
        return None
    k = slots[0]
    pre = "".join(it.text for it in items[:k])  # type: ignore[attr-defined]
    post = "".join(it.text for it in items[k + 1 :])  # type: ignore[attr-defined]
    return pre, items[k], post  # type: ignore[return-value]


def _expr(g: _Gen, node: Node, idx: str, d: int) -> str:
    """Emit code giving the string of plain ``node`` at ``idx``; return its name."""
    t = g.table([node])
    if t is not None:
        if len(t) == 1:
            return g.const(t[0])
        v = g.var("v")
        g.emit(d, f"{v} = {g.const(t)}[{idx}]")
        return v
    if isinstance(node, Lit):
        return g.const(node.text)
    v = g.var("v")
    if isinstance(node, Seq):
        parts = g._runs(node.items)
        digit = g.digits(parts, idx, d)
        subs = []
        for i, it in enumerate(parts):
            dig = digit.get(i, "0")
            if isinstance(it, tuple):
                subs.append(f"{g.const(it)}[{dig}]" if len(it) > 1 else g.const(it[0]))
            else:
                subs.append(_expr(g, it, dig, d))
        g.emit(d, f"{v} = {' + '.join(subs) or repr('')}")
    elif isinstance(node, Choice):
        start = 0
        for b, branch in enumerate(node.branches):
            size = g.size(branch)
            last = b == len(node.branches) - 1
            g.emit(
                d,
                "else:" if last and b else f"{'if' if b == 0 else 'elif'} {idx} < {start + size}:",
            )
            j = g.var("j")
            g.emit(d + 1, f"{j} = {idx} - {start}" if start else f"{j} = {idx}")
            g.emit(d + 1, f"{v} = {_expr(g, branch, j, d + 1)}")
            start += size
    elif isinstance(node, Case):
        sub = _expr(g, node.child, f"({idx} >> 1)", d)
        g.emit(d, f"{v} = recase_str({sub}, {idx} & 1)")
    else:  # pragma: no cover - plain nodes are only the kinds above
        raise TypeError(node)
    return v


def _slot_piece(g: _Gen, slot: Slot, values, idx: str, d: int, pre: str) -> str:
    """Emit a slot's string and its JSONL entity (starting at ``p + len(pre)``)."""
    label = g.const(_enc(slot.label))
    if values is True:
        sv = _expr(g, slot.child, idx, d)
        g.emit(d, f"b = p + {len(pre)}; e = b + len({sv}); ve = enc({sv})")
        g.emit(
            d,
            f'sp.append(f\'{{{{"start": {{b}}, "end": {{e}}, "label": {{{label}}}, '
            f'"value": {{ve}}}}}}\')',
        )
        return sv
    sv = g.var("s")
    recs = g.const(
        tuple(
            f', "label": {_enc(slot.label)}, "value": {_enc(v if v is not None else t)}}}'
            for t, v in values
        )
    )
    texts = g.const(tuple(t for t, _ in values))
    g.emit(d, f"{sv} = {texts}[{idx}]; b = p + {len(pre)}; e = b + len({sv})")
    g.emit(d, f'sp.append(f\'{{{{"start": {{b}}, "end": {{e}}{{{recs}[{idx}]}}\')')
    return sv


def emit_flat(g: _Gen, node: Node) -> bool:
    """Emit the flat form of rule ``node`` into ``g``; return ``False`` (emitting nothing) if
    the rule has another shape."""
    items = node.items if isinstance(node, Seq) else [node]
    parts = g._runs(items)
    plan: list = []
    for it in parts:
        if isinstance(it, tuple) or _plain(it, g._plain):
            plan.append(("text", it, None))
        elif isinstance(it, Slot) and (vals := _slot_values(g, it)) is not None:
            plan.append(("slot", it, vals))
        elif (opt := _optional_slot(g, it)) is not None and (
            vals := _slot_values(g, opt[1])
        ) is not None:
            plan.append(("opt", opt, vals))
        else:
            return False
    digit = g.digits(parts, "i", 1)
    pieces = []
    for i, (kind, it, vals) in enumerate(plan):
        dig = digit.get(i, "0")
        if kind == "text":
            if isinstance(it, tuple):
                v = g.const(it[0]) if len(it) == 1 else g.var("v")
                if len(it) > 1:
                    g.emit(1, f"{v} = {g.const(it)}[{dig}]")
            else:
                v = _expr(g, it, dig, 1)
        elif kind == "slot":
            v = _slot_piece(g, it, vals, dig, 1, "")
        else:
            pre, slot, post = it
            v = g.var("v")
            g.emit(1, f"if {dig}:")
            j = g.var("j")
            g.emit(2, f"{j} = {dig} - 1")
            sv = _slot_piece(g, slot, vals, j, 2, pre)
            g.emit(2, f"{v} = {g.const(pre)} + {sv} + {g.const(post)}")
            g.emit(1, "else:")
            g.emit(2, f"{v} = ''")
        pieces.append(v)
        if any(k != "text" for k, _, _ in plan[i + 1 :]):
            g.emit(1, f"p += len({v})")
    g.emit(1, f"t = ''.join(({', '.join(pieces)},))")
    return True
