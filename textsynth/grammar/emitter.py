"""The fast path of rendering: one straight-line Python function generated per rule.

Interpreting the node tree through closures (:mod:`textsynth.grammar.render`, the plain
interpreter) costs a call and a loop per node; here each rule becomes flat code (``divmod``
digits, table look-ups, a running character offset ``p``) compiled once with :func:`compile`.
Both decode an index the same way (the tests check they agree, byte for byte); a rendered text
that needs space normalisation is handed back to the interpreter, which handles every case.

Two forms are generated:

* the *flat* form, for rules whose top-level items are plain text, slots with clean values or
  optional such slots: decode the digits, give each piece a string, join them once, and write
  the JSONL entities from the pieces' lengths (used for JSONL output);
* the *general* form, for every rule: append fragments and :class:`SpanRecord` s (used for
  :class:`~textsynth.types.Utterance` output, and for JSONL when a rule is not flat).

Only constants the emitter made itself enter the source (names ``K0, K1...`` bound in the
function's globals), never grammar text, so no grammar content is ever evaluated as code.

Switch it off with ``TEXTSYNTH_GRAMMAR_CODEGEN=0`` (or ``load_grammar(path, codegen=False)``)
to run the plain interpreter; read the generated source with :func:`dump_source` or
``python -m textsynth.grammar.dump FILE [INTENT]``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from textsynth.grammar.nodes import Choice, Lit, Node, Seq, Slot, Syn, lit_values
from textsynth.grammar.tables import TableCache, edge_clean, recase, recase_str

__all__ = [
    "MAX_LINES",
    "EmitterState",
    "SpanRecord",
    "codegen_enabled",
    "compile_rule",
    "dump_source",
    "entity_json",
    "rule_source",
]

encode = json.encoder.encode_basestring  # == json.dumps for str
MAX_LINES = 4000  # a rule whose code would be longer falls back to the interpreter
ENV_SWITCH = "TEXTSYNTH_GRAMMAR_CODEGEN"


class SpanRecord(NamedTuple):
    """A slot in a rendered utterance (the one record shape of the engine).

    Attributes:
        start: first character (before :func:`~textsynth.grammar.render.finish`, in the
            interpreter: first fragment).
        end: end character (or end fragment).
        label: the slot label, JSON-encoded.
        value: the span value, JSON-encoded; ``None`` while the surface is not final (the
            slot's edges may hold spaces), then ``synonym`` is its declared value, if any.
        synonym: see ``value``.
    """

    start: int
    end: int
    label: str
    value: str | None
    synonym: str | None = None


def entity_tail(label_json: str, value_json: str) -> str:
    """Return the end of a JSONL entity after its offsets: ``, "label": .., "value": ..}``."""
    return f', "label": {label_json}, "value": {value_json}}}'


def entity_json(rec: SpanRecord) -> str:
    """Return the JSONL entity object of a finished record."""
    return f'{{"start": {rec[0]}, "end": {rec[1]}{entity_tail(rec[2], rec[3])}'  # type: ignore[arg-type]


def codegen_enabled() -> bool:
    """Return whether generated code is used (``TEXTSYNTH_GRAMMAR_CODEGEN`` is not ``0``)."""
    return os.environ.get(ENV_SWITCH, "1").strip().lower() not in ("0", "false", "no", "off")


class _TooBigError(Exception):
    pass


@dataclass
class EmitterState:
    """What the emitter builds for one rule: the source lines and the constants they name.

    Attributes:
        virtual: decode indices of the virtual (weighted) space.
        tables: the intent's string tables.
        consts: ``K0, K1...`` -> value, bound as the function's globals.
        lines: the function body.
        n: counter for fresh variable names.
    """

    virtual: bool
    tables: TableCache
    consts: dict[str, Any] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    n: int = 0

    def const(self, value: Any) -> str:
        """Bind ``value`` to a fresh constant name; return the name."""
        name = f"K{len(self.consts)}"
        self.consts[name] = value
        return name

    def var(self, prefix: str) -> str:
        """Return a fresh local variable name."""
        self.n += 1
        return f"{prefix}{self.n}"

    def emit(self, depth: int, line: str) -> None:
        """Append one line at indentation ``depth``."""
        self.lines.append("    " * depth + line)
        if len(self.lines) > MAX_LINES:
            raise _TooBigError

    def size(self, node: Node) -> int:
        """Return the node's index-space size in this mode."""
        return node.vcount if self.virtual else node.count

    def size_of(self, it: Node | tuple[str, ...]) -> int:
        """Return the size of a node or of a string table."""
        return len(it) if isinstance(it, tuple) else self.size(it)

    def tabulable(self, node: Node) -> bool:
        """Return whether ``node`` may be replaced by its string table in this mode."""
        return not (self.virtual and node.weighted) and self.tables.plain(node)


class Emitter:
    """Emit the code of one rule into an :class:`EmitterState`."""

    def __init__(self, state: EmitterState) -> None:
        self.s = state

    # -- shared pieces -------------------------------------------------------------------------
    def digits(self, parts: list, idx: str, d: int) -> dict[int, str]:
        """Emit the mixed-radix decoding of ``idx`` over ``parts``; return each part's digit.

        Digits of one chunk (product < 2**30) come from one big-int divmod, then from cheap
        single-digit ones; the first part is the least significant.
        """
        s = self.s
        chunks: list[list[int]] = []
        prod = 1 << 31
        for i, it in enumerate(parts):
            size = s.size_of(it)
            if size == 1:
                continue
            if prod * size >= 1 << 30:
                chunks.append([])
                prod = 1
            chunks[-1].append(i)
            prod *= size
        digit: dict[int, str] = {}
        rest = idx
        for c, members in enumerate(chunks):
            width = 1
            for i in members:
                width *= s.size_of(parts[i])
            if c == len(chunks) - 1:
                sub = rest
            else:
                r, sub = s.var("r"), s.var("c")
                s.emit(d, f"{r}, {sub} = divmod({rest}, {width})")
                rest = r
            for m, i in enumerate(members):
                if m == len(members) - 1:
                    digit[i] = sub
                else:
                    r, dig = s.var("r"), s.var("d")
                    s.emit(d, f"{r}, {dig} = divmod({sub}, {s.size_of(parts[i])})")
                    digit[i], sub = dig, r
        return digit

    def runs(self, items: list[Node]) -> list:
        """Replace runs of adjacent plain items by their string tables where small enough."""
        out: list = []
        run: list[Node] = []
        tables = self.s.tables

        def flush() -> None:
            while run:
                # the longest prefix of the run that fits in one table
                for k in range(len(run), 0, -1):
                    t = tables.table(run[:k]) if (k > 1 or not isinstance(run[0], Lit)) else None
                    if t is not None:
                        out.append(t)
                        del run[:k]
                        break
                else:
                    out.append(run.pop(0))

        for it in items:
            if self.s.tabulable(it):
                run.append(it)
            else:
                flush()
                out.append(it)
        flush()
        return out

    def slot_values(self, slot: Slot) -> list[tuple[str, str | None]] | None:
        """Return a slot's ``(text, synonym)`` list when every value is a clean constant."""
        child = slot.child
        if self.s.virtual and child.weighted:
            return None
        vals = lit_values(child)
        if vals is None and not child.weighted:
            t = self.s.tables.table([child])
            vals = [(x, None) for x in t] if t is not None else None
        if vals is not None and all(t and t.strip() == t for t, _ in vals):
            return vals
        return None

    def value_tails(self, slot: Slot, vals: list[tuple[str, str | None]]) -> str:
        """Bind the JSONL entity tails of a slot's values; return the constant's name."""
        label = encode(slot.label)
        return self.s.const(
            tuple(entity_tail(label, encode(v if v is not None else t)) for t, v in vals)
        )

    def entity(self, d: int, start: str, end: str, tail: str) -> None:
        """Emit the JSONL entity ``{"start": <start>, "end": <end><tail>`` (names of locals;
        ``tail`` is an expression giving :func:`entity_tail`'s text)."""
        head = "{{" + '"start": {' + start + '}, "end": {' + end + "}"
        self.s.emit(d, "sp.append(f'" + head + "{" + tail + "}')")

    def entity_inline(self, d: int, start: str, end: str, label: str, value: str) -> None:
        """Emit the entity with the label constant ``label`` and value expression ``value``
        written in place (the layout of :func:`entity_tail`, without a call)."""
        head = "{{" + '"start": {' + start + '}, "end": {' + end + "}"
        tail = ', "label": {' + label + '}, "value": {' + value + "}}}"
        self.s.emit(d, "sp.append(f'" + head + tail + "')")

    # -- the general form ----------------------------------------------------------------------
    def node(self, node: Node, idx: str, d: int) -> None:
        """Emit code appending ``node``'s fragments (``a``) and span records (``sp``)."""
        s = self.s
        if isinstance(node, Lit):
            if node.text:
                s.emit(d, f"a({s.const(node.text)}); p += {len(node.text)}")
        elif isinstance(node, Seq):
            parts = self.runs(node.items)
            digit = self.digits(parts, idx, d)
            for i, it in enumerate(parts):
                dig = digit.get(i, "0")
                if isinstance(it, tuple):
                    self.lookup(it, dig, d)
                else:
                    self.node(it, dig, d)
        elif isinstance(node, Choice):
            self.choice(node, idx, d)
        elif isinstance(node, Slot):
            self.slot(node, idx, d)
        elif isinstance(node, Syn):
            self.node(node.child, idx, d)
            s.emit(d, f"sv = {s.const(node.value)}")
        else:  # Case
            k = s.var("c")
            s.emit(d, f"{k} = len(out)")
            self.node(node.child, f"({idx} >> 1)", d)  # type: ignore[attr-defined]
            s.emit(d, f"recase(out, {k}, {idx} & 1)")

    def lookup(self, strings: tuple[str, ...], idx: str, d: int) -> None:
        s = self.s
        if len(strings) == 1:
            if strings[0]:
                s.emit(d, f"a({s.const(strings[0])}); p += {len(strings[0])}")
            return
        v = s.var("s")
        s.emit(d, f"{v} = {s.const(strings)}[{idx}]; a({v}); p += len({v})")

    def choice(self, node: Choice, idx: str, d: int) -> None:
        s = self.s
        if not (s.virtual and node.weighted):
            t = s.tables.table([node])
            if t is None:
                vals = lit_values(node)
                if vals is not None and all(v is None for _, v in vals):
                    t = tuple(x for x, _ in vals)
            if t is not None:
                self.lookup(t, idx, d)
                return
        sizes = [s.size(b) for b in node.branches]
        mults = node.mult if s.virtual else [1] * len(sizes)
        blocks = [m * z for m, z in zip(mults, sizes, strict=True)]
        br = node.branches
        if (
            len(br) == 2
            and isinstance(br[0], Lit)
            and not br[0].text
            and blocks[0] == 1 == mults[1]
        ):
            s.emit(d, f"if {idx}:")
            j = s.var("j")
            s.emit(d + 1, f"{j} = {idx} - 1")
            self.node(br[1], j, d + 1)
            return
        start = 0
        for b, (blk, size, m) in enumerate(zip(blocks, sizes, mults, strict=True)):
            kw = "if" if b == 0 else "elif" if b < len(br) - 1 else "else"
            s.emit(d, f"{kw} {idx} < {start + blk}:" if kw != "else" else "else:")
            j = s.var("j")
            expr = f"{idx} - {start}" if start else idx
            s.emit(d + 1, f"{j} = ({expr}) % {size}" if m > 1 else f"{j} = {expr}")
            self.node(br[b], j, d + 1)
            start += blk

    def slot(self, node: Slot, idx: str, d: int) -> None:
        s = self.s
        label = json.dumps(node.label, ensure_ascii=False)
        vals = self.slot_values(node)
        lab = s.const(label)
        if vals is not None:
            texts = s.const(tuple(t for t, _ in vals))
            values = s.const(tuple(encode(v if v is not None else t) for t, v in vals))
            v = s.var("s")
            s.emit(d, f"{v} = {texts}[{idx}]; a({v}); q = p + len({v})")
            s.emit(d, f"sp.append(R(p, q, {lab}, {values}[{idx}])); p = q")
            return
        b0, n0 = s.var("b"), s.var("n")
        s.emit(d, f"{b0} = p; {n0} = len(out); sv = None")
        self.node(node.child, idx, d)
        if edge_clean(node.child):  # never empty, never starts or ends with a space
            value = f"enc(sv if sv is not None else ''.join(out[{n0}:]))"
            s.emit(d, f"sp.append(R({b0}, p, {lab}, {value}))")
        else:
            s.emit(d, f"sp.append(R({b0}, p, {lab}, None, sv))")

    # -- the flat form (JSONL) -----------------------------------------------------------------
    def flat(self, node: Node) -> bool:
        """Emit the flat form of rule ``node``; return ``False`` if the rule has another shape."""
        s = self.s
        items = node.items if isinstance(node, Seq) else [node]
        parts = self.runs(items)
        plan: list = []
        for it in parts:
            if isinstance(it, tuple) or s.tables.plain(it):
                plan.append(("text", it, None))
            elif isinstance(it, Slot) and (vals := self.flat_values(it)) is not None:
                plan.append(("slot", it, vals))
            elif (opt := _optional_slot(s, it)) is not None and (
                vals := self.flat_values(opt[1])
            ) is not None:
                plan.append(("opt", opt, vals))
            else:
                return False
        digit = self.digits(parts, "i", 1)
        pieces = []
        for i, (kind, it, vals) in enumerate(plan):
            dig = digit.get(i, "0")
            if kind == "text":
                if isinstance(it, tuple):
                    v = s.const(it[0]) if len(it) == 1 else s.var("v")
                    if len(it) > 1:
                        s.emit(1, f"{v} = {s.const(it)}[{dig}]")
                else:
                    v = self.expr(it, dig, 1)
            elif kind == "slot":
                v = self.slot_piece(it, vals, dig, 1, "")
            else:
                pre, slot, post = it
                v = s.var("v")
                s.emit(1, f"if {dig}:")
                j = s.var("j")
                s.emit(2, f"{j} = {dig} - 1")
                sv = self.slot_piece(slot, vals, j, 2, pre)
                s.emit(2, f"{v} = {s.const(pre)} + {sv} + {s.const(post)}")
                s.emit(1, "else:")
                s.emit(2, f"{v} = ''")
            pieces.append(v)
            if any(k != "text" for k, _, _ in plan[i + 1 :]):
                s.emit(1, f"p += len({v})")
        s.emit(1, f"t = ''.join(({', '.join(pieces)},))")
        return True

    def flat_values(self, slot: Slot) -> list | bool | None:
        """Return a slot's value list, ``True`` for a clean plain composite, else ``None``."""
        child = slot.child
        if self.s.virtual and child.weighted:
            return None
        vals = lit_values(child)
        if vals is None:
            t = self.s.tables.table([child])
            vals = [(x, None) for x in t] if t is not None else None
        if vals is not None:
            return vals if all(t and t.strip() == t for t, _ in vals) else None
        if self.s.tables.plain(child) and edge_clean(child):
            return True
        return None

    def expr(self, node: Node, idx: str, d: int) -> str:
        """Emit code giving the string of plain ``node`` at ``idx``; return its name."""
        s = self.s
        t = s.tables.table([node])
        if t is not None:
            if len(t) == 1:
                return s.const(t[0])
            v = s.var("v")
            s.emit(d, f"{v} = {s.const(t)}[{idx}]")
            return v
        if isinstance(node, Lit):
            return s.const(node.text)
        v = s.var("v")
        if isinstance(node, Seq):
            parts = self.runs(node.items)
            digit = self.digits(parts, idx, d)
            subs = []
            for i, it in enumerate(parts):
                dig = digit.get(i, "0")
                if isinstance(it, tuple):
                    subs.append(f"{s.const(it)}[{dig}]" if len(it) > 1 else s.const(it[0]))
                else:
                    subs.append(self.expr(it, dig, d))
            s.emit(d, f"{v} = {' + '.join(subs) or repr('')}")
        elif isinstance(node, Choice):
            start = 0
            for b, branch in enumerate(node.branches):
                size = s.size(branch)
                last = b == len(node.branches) - 1
                kw = (
                    "else:"
                    if last and b
                    else f"{'if' if b == 0 else 'elif'} {idx} < {start + size}:"
                )
                s.emit(d, kw)
                j = s.var("j")
                s.emit(d + 1, f"{j} = {idx} - {start}" if start else f"{j} = {idx}")
                s.emit(d + 1, f"{v} = {self.expr(branch, j, d + 1)}")
                start += size
        else:  # Case
            sub = self.expr(node.child, f"({idx} >> 1)", d)  # type: ignore[attr-defined]
            s.emit(d, f"{v} = recase_str({sub}, {idx} & 1)")
        return v

    def slot_piece(self, slot: Slot, values, idx: str, d: int, pre: str) -> str:
        """Emit a slot's string and its JSONL entity (starting at ``p + len(pre)``)."""
        s = self.s
        if values is True:
            v = self.expr(slot.child, idx, d)
            label = s.const(encode(slot.label))
            s.emit(d, f"b = p + {len(pre)}; e = b + len({v})")
            self.entity_inline(d, "b", "e", label, f"enc({v})")
            return v
        v = s.var("s")
        tails = self.value_tails(slot, values)
        texts = s.const(tuple(t for t, _ in values))
        s.emit(d, f"{v} = {texts}[{idx}]; b = p + {len(pre)}; e = b + len({v})")
        self.entity(d, "b", "e", f"{tails}[{idx}]")
        return v


def _optional_slot(s: EmitterState, node: Node) -> tuple[str, Slot, str] | None:
    """Return ``(prefix, slot, suffix)`` when ``node`` is ``[text @[slot] text?]``."""
    if not isinstance(node, Choice) or len(node.branches) != 2:
        return None
    empty, present = node.branches
    if not (isinstance(empty, Lit) and not empty.text) or s.size(empty) != 1:
        return None
    if s.virtual and node.probs is not None:
        return None
    items = present.items if isinstance(present, Seq) else [present]
    slots = [i for i, it in enumerate(items) if isinstance(it, Slot)]
    if len(slots) != 1 or not all(isinstance(it, Lit) for it in items if not isinstance(it, Slot)):
        return None
    k = slots[0]
    pre = "".join(it.text for it in items[:k])  # type: ignore[attr-defined]
    post = "".join(it.text for it in items[k + 1 :])  # type: ignore[attr-defined]
    return pre, items[k], post  # type: ignore[return-value]


_HEAD = "def rule(i):\n    out = []; a = out.append; sp = []; p = 0\n"
_TAIL = "\n    if '  ' in t or t[:1] == ' ' or t[-1:] == ' ':\n        return None\n"


def _build(node: Node, virtual: bool, json_mode: bool, tables: TableCache) -> tuple | None:
    """Return ``(source, globals)`` of the rule function, or ``None`` if it is too long."""
    state = EmitterState(virtual, tables)
    em = Emitter(state)
    try:
        flat = json_mode and em.flat(node)
        if json_mode and not flat:
            return None  # JSONL of other rules: general form + entity_json (see sample.py)
        if not flat:
            state.lines.clear()
            em.node(node, "i", 1)
    except _TooBigError:
        return None
    src = _HEAD + "\n".join(state.lines)
    if not flat:
        src += "\n    t = ''.join(out)"
    src += _TAIL + ("    return t, ', '.join(sp)\n" if flat else "    return t, sp\n")
    env = {
        "recase": recase,
        "recase_str": recase_str,
        "enc": encode,
        "R": SpanRecord,
    }
    return src, {**env, **state.consts}


def compile_rule(
    node: Node, virtual: bool, json_mode: bool = False, tables: TableCache | None = None
) -> Callable[[int], tuple | None] | None:
    """Return ``f(index) -> (text, spans) or None`` for a rule, or ``None`` if it cannot.

    ``f`` returns ``None`` when the text needs space normalisation (the interpreter handles
    it). ``spans`` is a list of :class:`SpanRecord` (``value`` is ``None`` for slots whose edges
    may hold spaces); with ``json_mode`` it is the JSONL ``entities`` body (a string), and
    only flat rules compile.
    """
    built = _build(node, virtual, json_mode, tables or TableCache())
    if built is None:
        return None
    src, env = built
    exec(compile(src, "<textsynth-grammar-rule>", "exec"), env)  # noqa: S102 - generated code
    return env["rule"]


def rule_source(node: Node, virtual: bool = False, json_mode: bool = False) -> str | None:
    """Return the generated source of one rule (constants listed after it), for debugging."""
    built = _build(node, virtual, json_mode, TableCache())
    if built is None:
        return None
    src, env = built
    consts = [f"# {k} = {v!r}"[:200] for k, v in env.items() if k.startswith("K")]
    return src + "\n".join(consts) + "\n"


def dump_source(grammar, intent: str | None = None, json_mode: bool = True) -> str:
    """Return the generated source of every rule of ``grammar`` (or of one intent)."""
    out = []
    for name, ci in grammar.intents.items():
        if intent is not None and name != intent:
            continue
        for k, (branch, loc) in enumerate(zip(ci.root.branches, ci.rule_locs, strict=False)):
            src = rule_source(branch, False, json_mode)
            if src is None and json_mode:
                src = rule_source(branch, False, False)
            out.append(f"# intent {name!r}, rule {k} ({loc})\n{src or '# (interpreted)'}\n")
    return "\n".join(out)
