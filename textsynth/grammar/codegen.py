"""Generate one straight-line Python function per rule: the fast path of rendering.

Interpreting the node tree through closures costs a call and a loop per node; here each rule
becomes flat code (``divmod`` digits, table look-ups, a running character offset ``p``) that is
compiled once with :func:`compile`. The decoding of an index is exactly that of
:mod:`textsynth.grammar.render` (tests check both agree); a rendered text that needs space
normalisation is handed back to the closures, which handle every case.

Only constants the generator made itself enter the source (names ``K0, K1...`` bound in the
function's globals), never grammar text, so no grammar content is ever evaluated as code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from textsynth.grammar.nodes import Case, Choice, Lit, Node, Seq, Slot, Syn, lit_values

__all__ = ["compile_rule", "recase"]

_enc = json.encoder.encode_basestring  # == json.dumps for str
MAX_LINES = 4000  # a rule whose code would be longer falls back to the closures
TABLE_LIMIT = 50_000  # plain parts with at most this many strings become one look-up table
TABLE_BUDGET = 400_000  # total table entries per intent (bounds memory)


class _TooBigError(Exception):
    pass


def recase(out: list[str], k: int, up: int) -> None:
    """Upper- or lower-case the first letter appended to ``out`` since fragment ``k``."""
    for j in range(k, len(out)):
        s = out[j]
        t = s.lstrip()
        if t:
            c = t[0].upper() if up else t[0].lower()
            if len(c) == 1:
                out[j] = s[: len(s) - len(t)] + c + t[1:]
            return


def _plain(node: Node, memo: dict[int, bool]) -> bool:
    """Return whether ``node`` holds no slot, synonym or declared weight."""
    key = id(node)
    if key not in memo:
        if isinstance(node, Lit):
            r = True
        elif isinstance(node, (Slot, Syn)) or node.weighted:
            r = False
        elif isinstance(node, Choice):
            r = all(_plain(b, memo) for b in node.branches)
        elif isinstance(node, Seq):
            r = all(_plain(it, memo) for it in node.items)
        elif isinstance(node, Case):
            r = _plain(node.child, memo)
        else:
            r = False
        memo[key] = r
    return memo[key]


class TableCache:
    """String tables shared by the rules of one intent (built once, used by every variant)."""

    def __init__(self) -> None:
        self.budget = TABLE_BUDGET
        self.plain: dict[int, bool] = {}
        self.strings: dict[int, tuple[str, ...]] = {}
        self.runs: dict[tuple[int, ...], tuple[str, ...] | None] = {}


class _NoJsonError(Exception):
    pass


class _Gen:
    def __init__(self, virtual: bool, json_mode: bool, cache: TableCache) -> None:
        self.virtual = virtual
        self.json_mode = json_mode
        self.consts: dict[str, Any] = {}
        self.lines: list[str] = []
        self.n = 0
        self.cache = cache
        self._plain = cache.plain
        self._tables = cache.strings

    def table(self, nodes: list[Node]) -> tuple[str, ...] | None:
        """Return every string of the sequence ``nodes`` in index order, if plain and small."""
        key = tuple(id(n) for n in nodes)
        if key in self.cache.runs:
            return self.cache.runs[key]
        total = 1
        for n in nodes:
            total *= n.count
        if (
            total > TABLE_LIMIT
            or total > self.cache.budget
            or not all(_plain(n, self._plain) for n in nodes)
        ):
            self.cache.runs[key] = None
            return None
        self.cache.budget -= total
        result: list[str] = [""]
        radix = 1
        for n in nodes:  # first item varies fastest
            strings = self._strings(n)
            result = [x + y for y in strings for x in result] if radix else result
            radix *= n.count
        self.cache.runs[key] = tuple(result)
        return self.cache.runs[key]

    def _strings(self, node: Node) -> tuple[str, ...]:
        """Return every string of a plain ``node`` in index order (built from sub-tables)."""
        key = id(node)
        if key not in self._tables:
            if isinstance(node, Lit):
                out: list[str] = [node.text]
            elif isinstance(node, Choice):
                out = [x for b in node.branches for x in self._strings(b)]
            elif isinstance(node, Seq):
                out = [""]
                for it in node.items:  # first item varies fastest
                    sub = self._strings(it)
                    out = [x + y for y in sub for x in out]
            elif isinstance(node, Case):
                out = []
                for x in self._strings(node.child):
                    for up in (0, 1):
                        frag = [x]
                        recase(frag, 0, up)
                        out.append(frag[0])
            else:  # pragma: no cover - plain nodes are only the kinds above
                raise TypeError(node)
            self._tables[key] = tuple(out)
        return self._tables[key]

    def lookup(self, strings: tuple[str, ...], idx: str, d: int) -> None:
        if len(strings) == 1:
            if strings[0]:
                self.emit(d, f"a({self.const(strings[0])}); p += {len(strings[0])}")
            return
        s = self.var("s")
        self.emit(d, f"{s} = {self.const(strings)}[{idx}]; a({s}); p += len({s})")

    def const(self, value: Any) -> str:
        name = f"K{len(self.consts)}"
        self.consts[name] = value
        return name

    def var(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def emit(self, depth: int, line: str) -> None:
        self.lines.append("    " * depth + line)
        if len(self.lines) > MAX_LINES:
            raise _TooBigError

    def size(self, node: Node) -> int:
        return node.vcount if self.virtual else node.count

    def node(self, node: Node, idx: str, d: int) -> None:  # noqa: C901 - one case per kind
        if isinstance(node, Lit):
            if node.text:
                self.emit(d, f"a({self.const(node.text)}); p += {len(node.text)}")
        elif isinstance(node, Seq):
            parts = self._runs(node.items)
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
            self.emit(d, f"sv = {self.const(node.value)}")
        elif isinstance(node, Case):
            k = self.var("c")
            self.emit(d, f"{k} = len(out)")
            self.node(node.child, f"({idx} >> 1)", d)
            self.emit(d, f"recase(out, {k}, {idx} & 1)")
        else:
            raise TypeError(node)

    def digits(self, parts: list, idx: str, d: int) -> dict[int, str]:
        """Emit the mixed-radix decoding of ``idx`` over ``parts``; return each part's digit.

        Digits of one chunk (product < 2**30) come from one big-int divmod, then from cheap
        single-digit ones; the first part is the least significant.
        """
        chunks: list[list[int]] = []
        prod = 1 << 31
        for i, it in enumerate(parts):
            size = self._size_of(it)
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
                width *= self._size_of(parts[i])
            if c == len(chunks) - 1:
                sub = rest
            else:
                r, sub = self.var("r"), self.var("c")
                self.emit(d, f"{r}, {sub} = divmod({rest}, {width})")
                rest = r
            for m, i in enumerate(members):
                if m == len(members) - 1:
                    digit[i] = sub
                else:
                    r, dig = self.var("r"), self.var("d")
                    self.emit(d, f"{r}, {dig} = divmod({sub}, {self._size_of(parts[i])})")
                    digit[i], sub = dig, r
        return digit

    def _size_of(self, it: Node | tuple[str, ...]) -> int:
        return len(it) if isinstance(it, tuple) else self.size(it)

    def _runs(self, items: list[Node]) -> list:
        """Replace runs of adjacent plain items by their string tables where small enough."""
        out: list = []
        run: list[Node] = []

        def flush() -> None:
            while run:
                # the longest prefix of the run that fits in one table
                for k in range(len(run), 0, -1):
                    t = self.table(run[:k]) if (k > 1 or not isinstance(run[0], Lit)) else None
                    if t is not None:
                        out.append(t)
                        del run[:k]
                        break
                else:
                    out.append(run.pop(0))

        for it in items:
            if _plain(it, self._plain) and not (self.virtual and it.weighted):
                run.append(it)
            else:
                flush()
                out.append(it)
        flush()
        return out

    def choice(self, node: Choice, idx: str, d: int) -> None:
        if not (self.virtual and node.weighted):
            t = self.table([node])
            if t is not None:
                self.lookup(t, idx, d)
                return
        vals = lit_values(node) if not (self.virtual and node.weighted) else None
        if vals is not None and all(v is None for _, v in vals):
            s = self.var("s")
            self.emit(
                d, f"{s} = {self.const(tuple(t for t, _ in vals))}[{idx}]; a({s}); p += len({s})"
            )
            return
        sizes = [self.size(b) for b in node.branches]
        mults = node.mult if self.virtual else [1] * len(sizes)
        blocks = [m * s for m, s in zip(mults, sizes, strict=True)]
        br = node.branches
        if (
            len(br) == 2
            and isinstance(br[0], Lit)
            and not br[0].text
            and blocks[0] == 1
            and mults[1] == 1
        ):
            self.emit(d, f"if {idx}:")
            j = self.var("j")
            self.emit(d + 1, f"{j} = {idx} - 1")
            self.node(br[1], j, d + 1)
            return
        start = 0
        for b, (blk, size, m) in enumerate(zip(blocks, sizes, mults, strict=True)):
            kw = "if" if b == 0 else "elif" if b < len(br) - 1 else "else"
            self.emit(d, f"{kw} {idx} < {start + blk}:" if kw != "else" else "else:")
            j = self.var("j")
            expr = f"{idx} - {start}" if start else idx
            self.emit(d + 1, f"{j} = ({expr}) % {size}" if m > 1 else f"{j} = {expr}")
            self.node(br[b], j, d + 1)
            start += blk

    def slot(self, node: Slot, idx: str, d: int) -> None:
        label = json.dumps(node.label, ensure_ascii=False)
        vals = lit_values(node.child) if not (self.virtual and node.child.weighted) else None
        if vals is None and not node.child.weighted:
            t = self.table([node.child])
            vals = [(x, None) for x in t] if t is not None else None
        if vals is not None and all(t and t.strip() == t for t, _ in vals):
            texts = self.const(tuple(t for t, _ in vals))
            s = self.var("s")
            if self.json_mode:
                recs = self.const(
                    tuple(
                        f', "label": {label}, "value": {_enc(v if v is not None else t)}}}'
                        for t, v in vals
                    )
                )
                self.emit(
                    d,
                    f"{s} = {texts}[{idx}]; a({s}); q = p + len({s}); "
                    f'sp.append(f\'{{{{"start": {{p}}, "end": {{q}}'
                    f"{{{recs}[{idx}]}}'); p = q",
                )
                return
            recs = self.const(tuple((label, _enc(v if v is not None else t)) for t, v in vals))
            self.emit(
                d,
                f"{s} = {texts}[{idx}]; a({s}); q = p + len({s}); "
                f"sp.append((p, q, *{recs}[{idx}])); p = q",
            )
            return
        s0, n0 = self.var("b"), self.var("n")
        self.emit(d, f"{s0} = p; {n0} = len(out); sv = None")
        self.node(node.child, idx, d)
        lab = self.const(label)
        value = f"enc(sv if sv is not None else ''.join(out[{n0}:]))"
        if _edge_clean(node.child):  # never empty, never starts or ends with a space
            if self.json_mode:
                self.emit(d, f"v = {value}")
                self.emit(
                    d,
                    f'sp.append(f\'{{{{"start": {{{s0}}}, "end": {{p}}, '
                    f'"label": {{{lab}}}, "value": {{v}}}}}}\')',
                )
            else:
                self.emit(d, f"sp.append(({s0}, p, {lab}, {value}))")
        elif self.json_mode:
            raise _NoJsonError
        else:
            self.emit(d, f"sp.append(({s0}, p, {lab}, None, sv))")


def _edge_clean(node: Node) -> bool:
    """Return whether ``node``'s text is never empty and never starts or ends with a space."""
    if isinstance(node, Lit):
        return bool(node.text) and node.text == node.text.strip()
    if isinstance(node, Choice):
        return bool(node.branches) and all(_edge_clean(b) for b in node.branches)
    if isinstance(node, Seq):
        return _edge_clean(node.items[0]) and _edge_clean(node.items[-1])
    if isinstance(node, (Case, Syn, Slot)):
        return _edge_clean(node.child)
    return False


def compile_rule(
    node: Node, virtual: bool, json_mode: bool = False, cache: TableCache | None = None
) -> Callable[[int], tuple | None] | None:
    """Return ``f(index) -> (text, spans) or None`` for a rule, or ``None`` if it cannot.

    ``f`` returns ``None`` when the text needs space normalisation (the closures handle it).
    Span records are ``(start, end, label JSON, value JSON)`` or, for slots whose edges may
    hold spaces, ``(start, end, label JSON, None, synonym or None)``. With ``json_mode``,
    ``spans`` is instead the JSONL ``entities`` body (a string), and rules with such slots
    are not compiled.
    """
    from textsynth.grammar.flat import emit_flat, recase_str

    g = _Gen(virtual, json_mode, cache or TableCache())
    flat = False
    try:
        flat = json_mode and emit_flat(g, node)
        if not flat:
            g.lines.clear()
            g.node(node, "i", 1)
    except (_TooBigError, _NoJsonError):
        return None
    src = "def rule(i):\n    out = []; a = out.append; sp = []; p = 0\n"
    src += "\n".join(g.lines) + (
        ("" if flat else "\n    t = ''.join(out)")
        + "\n    if '  ' in t or t[:1] == ' ' or t[-1:] == ' ':"
        "\n        return None"
        + ("\n    return t, ', '.join(sp)\n" if json_mode else "\n    return t, sp\n")
    )
    env: dict[str, Any] = {
        "recase": recase,
        "recase_str": recase_str,
        "enc": json.encoder.encode_basestring,
        **g.consts,
    }
    exec(compile(src, "<textsynth-grammar-rule>", "exec"), env)  # noqa: S102 - generated code
    return env["rule"]
