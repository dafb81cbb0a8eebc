"""Draw distinct utterances from one intent: exhaustively, uniformly, or by declared weights.

Sampling never enumerates the space and never gives up early:

1. With ``coverage``, the indices from :func:`cover_indices` come first.
2. The walk visits a seeded pseudo-random permutation of the index space (the *virtual* one
   when the intent declares weights, so branches come out in the declared proportions). When
   the space is much larger than the request (``>= 64 * want``), independent
   draws with rejection of repeats are used instead (exactly uniform sampling without
   replacement; a repeat has probability below 1/64 per draw and costs one more draw).
3. Texts are deduplicated by a 64-bit hash of the normalised text, so two paths that give the
   same text count once. Memory is one small int per utterance kept.
4. If a weighted walk stops finding new texts, it switches to the real space, whose permutation
   reaches every combination; when that ends, every distinct text has been produced.
"""

from __future__ import annotations

import json
import random
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from textsynth.errors import TextsynthError
from textsynth.grammar.compile import CompiledIntent
from textsynth.grammar.coverage import cover_indices
from textsynth.grammar.emitter import SpanRecord, codegen_enabled, compile_rule, entity_json
from textsynth.grammar.permute import Permutation
from textsynth.grammar.render import Fn, Renderer, finish
from textsynth.grammar.tables import TableCache

__all__ = ["DEDUPE", "IntentEngine", "SamplingStalledError"]

#: normalisations for ``dedupe``: exact text, case-folded text, or none (keep duplicates)
DEDUPE: dict[str, Callable[[str], str] | None] = {
    "exact": None,
    "casefold": str.casefold,
    "none": None,
}
_enc = json.encoder.encode_basestring  # the C encoder
_SPARSE = 64  # iid draws when the space is at least this many times the request
_STALL = 200_000  # draws in a row without a new text before a weighted walk switches space


class SamplingStalledError(TextsynthError):
    """The grammar maps a huge number of combinations onto very few distinct texts."""


@dataclass
class Space:
    """One index space of an intent (real or virtual) and how its rules render.

    Attributes:
        starts: the first index of each rule's block.
        rules: ``(start, size, closure)`` per rule (the interpreter).
        virtual: whether this is the virtual (weighted) space.
        fast: generated functions by ``(rule, json_mode)`` (``None``: not generated).
    """

    starts: list[int]
    rules: tuple[tuple[int, int, Fn], ...]
    virtual: bool
    fast: dict[tuple[int, bool], Callable | None] = field(default_factory=dict)


class IntentEngine:
    """Render utterances of one intent by index, in the real or the virtual (weighted) space.

    Args:
        intent: the compiled intent.
        codegen: use the generated code (:mod:`textsynth.grammar.emitter`); ``None`` reads
            ``TEXTSYNTH_GRAMMAR_CODEGEN`` (on unless ``0``). Off, only the interpreter runs.
    """

    def __init__(self, intent: CompiledIntent, codegen: bool | None = None) -> None:
        self.intent = intent
        root = intent.root
        self.total = root.count
        self.weighted = root.weighted
        self.vtotal = root.vcount if self.weighted else root.count
        self.codegen = codegen_enabled() if codegen is None else codegen
        self._cache = TableCache()
        self._real = self._space(Renderer(False), virtual=False)
        self._virt = self._space(Renderer(True), virtual=True) if self.weighted else self._real

    def _space(self, r: Renderer, virtual: bool) -> Space:
        root = self.intent.root
        sizes = [r.size(b) for b in root.branches]
        mults = root.mult if virtual else [1] * len(sizes)
        blocks = (m * s for m, s in zip(mults, sizes, strict=True))
        starts = list(accumulate(blocks, initial=0))[:-1]
        fns = [r.build(b) for b in root.branches]
        return Space(starts, tuple(zip(starts, sizes, fns, strict=True)), virtual)

    def _fast(self, space: Space, k: int, json_mode: bool) -> Callable | None:
        """Return (compiling on first use) the generated function of rule ``k``."""
        key = (k, json_mode)
        if key not in space.fast:
            space.fast[key] = (
                compile_rule(self.intent.root.branches[k], space.virtual, json_mode, self._cache)
                if self.codegen
                else None
            )
        return space.fast[key]

    def _renderer(self, virtual: bool, as_json: bool) -> Callable[[int], tuple]:
        """Return ``f(index) -> (rule, text, entities)`` with as little overhead as possible."""
        if not as_json:
            return lambda idx: self.render(idx, virtual)
        space = self._virt if virtual else self._real
        starts, table = space.starts, space.rules
        fasts = [self._fast(space, k, True) for k in range(len(table))]
        sizes = [t[1] for t in table]
        slow = self.render_json

        def one(idx: int) -> tuple:
            k = bisect_right(starts, idx) - 1
            fast = fasts[k]
            if fast is not None:
                j = idx - starts[k]
                res = fast(j % sizes[k] if virtual else j)
                if res is not None:
                    return k, res[0], res[1]
            return slow(idx, virtual)

        if len(fasts) == 1 and fasts[0] is not None and not virtual:
            only = fasts[0]

            def single(idx: int) -> tuple:
                res = only(idx)
                if res is not None:
                    return 0, res[0], res[1]
                return slow(idx, virtual)

            return single
        return one

    def render_json(self, idx: int, virtual: bool = False) -> tuple[int, str, str]:
        """Return ``(rule number, text, JSONL entities body)`` of index ``idx``."""
        space = self._virt if virtual else self._real
        k = bisect_right(space.starts, idx) - 1
        fast = self._fast(space, k, True)
        if fast is not None:
            start, size = space.rules[k][:2]
            res = fast((idx - start) % size)
            if res is not None:
                return k, res[0], res[1]
        k, text, ents = self.render(idx, virtual)
        return k, text, ", ".join(map(entity_json, ents))

    def render(self, idx: int, virtual: bool = False) -> tuple[int, str, list[SpanRecord]]:
        """Return ``(rule number, text, finished span records)`` of index ``idx``."""
        space = self._virt if virtual else self._real
        k = bisect_right(space.starts, idx) - 1
        start, size, fn = space.rules[k]
        fast = self._fast(space, k, False)
        j = (idx - start) % size
        if fast is not None:
            res = fast(j)
            if res is not None:
                text, sp = res
                for r in sp:
                    if r[3] is None:
                        return k, text, _general_spans(text, sp)
                return k, text, sp
        out: list[str] = []
        spans: list = []
        fn(j, out, spans)
        text, ents = finish(out, spans)
        return k, text, ents

    # -- streams -------------------------------------------------------------------------------
    def enumerate(
        self, dedupe: str = "exact", as_json: bool = False
    ) -> Iterator[tuple[int, str, Any]]:
        """Yield every distinct utterance, in index order (``as_json``: see :meth:`sample`)."""
        norm = DEDUPE[dedupe]
        keep_all = dedupe == "none"
        seen: set[int] = set()
        render = self.render_json if as_json else self.render
        for idx in range(self.total):
            item = render(idx)
            if not keep_all:
                h = hash(norm(item[1]) if norm else item[1])
                if h in seen:
                    continue
                seen.add(h)
            yield item

    def sample(
        self,
        seed: object,
        want: int | None = None,
        dedupe: str = "exact",
        coverage: bool = False,
        as_json: bool = False,
    ) -> Iterator[tuple[int, str, Any]]:
        """Yield distinct utterances in a seeded random order until the space is exhausted.

        Args:
            seed: the run's seed (combined with the intent name).
            want: how many the caller plans to take (picks the walk; ``None`` = unknown).
            dedupe: ``exact``, ``casefold`` or ``none``.
            coverage: first yield utterances covering every rule, branch and slot value.
            as_json: yield the JSONL ``entities`` body instead of span records.
        """
        norm = DEDUPE[dedupe]
        keep_all = dedupe == "none"
        seen: set[int] = set()
        render = self.render_json if as_json else self.render
        key = f"{seed}:{self.intent.name}"

        def fresh(item: tuple[int, str, Any]) -> bool:
            if keep_all:
                return True
            h = hash(norm(item[1]) if norm else item[1])
            if h in seen:
                return False
            seen.add(h)
            return True

        if coverage:
            for idx in cover_indices(self.intent.root):
                item = render(idx)
                if fresh(item):
                    yield item
        spaces = [(True, self.vtotal)] if self.weighted else []
        spaces.append((False, self.total))
        for virtual, space in spaces:
            final = not virtual
            misses = 0
            seen_add = seen.add
            rend = self._renderer(virtual, as_json)
            for idx in _walk(space, key, None if keep_all else want, virtual):
                item = rend(idx)
                if not keep_all:
                    h = hash(norm(item[1]) if norm else item[1])
                    if h not in seen:
                        seen_add(h)
                        misses = 0
                        yield item
                        continue
                else:
                    yield item
                    continue
                misses += 1
                if misses >= _STALL and not final:
                    break  # weighted walk is dry: continue in the real space
                if misses >= _STALL * 5 and space > 50 * _STALL:
                    raise SamplingStalledError(
                        f"intent {self.intent.name!r}: {len(seen):,} distinct utterances found, "
                        f"then {misses:,} draws in a row gave only repeats; most of the "
                        f"{space:,} combinations produce the same texts (the count is an upper "
                        "bound). Ask for fewer, or remove the ambiguity (optional parts that can "
                        "be empty, '&' on text that does not start with a letter)."
                    )


def _general_spans(text: str, sp: list[SpanRecord]) -> list[SpanRecord]:
    """Finish span records of multi-part slots: trim spaces, value = synonym or surface."""
    ents = []
    for r in sp:
        if r[3] is not None:
            ents.append(r)
            continue
        s, e, label, _, syn = r
        surface = stripped = text[s:e]
        if not surface or surface[0] == " " or surface[-1] == " ":
            stripped = surface.strip()
            if not stripped:
                continue
            s += len(surface) - len(surface.lstrip())
            e = s + len(stripped)
        ents.append(SpanRecord(s, e, label, _enc(syn if syn is not None else stripped)))
    return ents


def _walk(space: int, key: str, want: int | None, virtual: bool) -> Iterator[int]:
    """Yield indices of ``range(space)`` without repeats (or, when sparse, iid draws)."""
    if want is not None and space >= _SPARSE * max(want, 1):
        rng = random.Random(f"draws:{key}:{virtual}")
        bits = space.bit_length()
        getrandbits = rng.getrandbits
        while True:  # draws come in batches: one generator resume per 1024 indices
            batch = [getrandbits(bits) for _ in range(1024)]
            yield from [x for x in batch if x < space]
    perm = Permutation(space, f"{key}:{virtual}")
    for i in range(space):
        yield perm(i)
