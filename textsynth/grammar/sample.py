"""Draw distinct utterances from one intent: exhaustively, uniformly, or by declared weights.

Sampling never enumerates the space and never gives up early:

1. With ``coverage``, the indices from :func:`cover_indices` come first.
2. The walk visits a seeded pseudo-random permutation of the index space (the *virtual* one
   when the intent declares weights, so branches come out in the declared proportions). When
   the space is astronomically larger than the request (``>= 2**40 * want**2``), independent
   draws are used instead: a repeated index then has probability below ``2**-40``, and it would
   only cost one more draw.
3. Texts are deduplicated by a 64-bit hash of the normalised text, so two paths that give the
   same text count once. Memory is one small int per utterance kept.
4. If a weighted walk stops finding new texts, it switches to the real space, whose permutation
   reaches every combination; when that ends, every distinct text has been produced.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Callable, Iterator
from itertools import accumulate

from textsynth.errors import TextsynthError
from textsynth.grammar.compile import CompiledIntent
from textsynth.grammar.coverage import cover_indices
from textsynth.grammar.permute import Permutation
from textsynth.grammar.render import Renderer, finish

__all__ = ["DEDUPE", "IntentEngine", "SamplingStalled"]

#: normalisations for ``dedupe``: exact text, case-folded text, or none (keep duplicates)
DEDUPE: dict[str, Callable[[str], str] | None] = {
    "exact": None,
    "casefold": str.casefold,
    "none": None,
}
_SPARSE = 1 << 40
_STALL = 200_000  # draws in a row without a new text before a weighted walk switches space


class SamplingStalled(TextsynthError):
    """The grammar maps a huge number of combinations onto very few distinct texts."""


class IntentEngine:
    """Render utterances of one intent by index, in the real or the virtual (weighted) space."""

    def __init__(self, intent: CompiledIntent) -> None:
        self.intent = intent
        root = intent.root
        self.total = root.count
        self.weighted = root.weighted
        self.vtotal = root.vcount if self.weighted else root.count
        self._real = self._table(Renderer(False), virtual=False)
        self._virt = self._table(Renderer(True), virtual=True) if self.weighted else self._real

    def _table(self, r: Renderer, virtual: bool) -> tuple:
        root = self.intent.root
        sizes = [r.size(b) for b in root.branches]
        mults = root.mult if virtual else [1] * len(sizes)
        starts = list(accumulate((m * s for m, s in zip(mults, sizes)), initial=0))[:-1]
        fns = [r.build(b) for b in root.branches]
        return starts, tuple(zip(starts, sizes, fns))

    def render(self, idx: int, virtual: bool = False) -> tuple[int, str, list]:
        """Return ``(rule number, text, entity records)`` of index ``idx``."""
        starts, table = self._virt if virtual else self._real
        k = bisect_right(starts, idx) - 1
        start, size, fn = table[k]
        out: list[str] = []
        spans: list = []
        fn((idx - start) % size, out, spans)
        text, ents = finish(out, spans)
        return k, text, ents

    # -- streams -------------------------------------------------------------------------------
    def enumerate(self, dedupe: str = "exact") -> Iterator[tuple[int, str, list]]:
        """Yield every distinct utterance, in index order."""
        norm = DEDUPE[dedupe]
        keep_all = dedupe == "none"
        seen: set[int] = set()
        render = self.render
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
    ) -> Iterator[tuple[int, str, list]]:
        """Yield distinct utterances in a seeded random order until the space is exhausted.

        Args:
            seed: the run's seed (combined with the intent name).
            want: how many the caller plans to take (picks the walk; ``None`` = unknown).
            dedupe: ``exact``, ``casefold`` or ``none``.
            coverage: first yield utterances covering every rule, branch and slot value.
        """
        norm = DEDUPE[dedupe]
        keep_all = dedupe == "none"
        seen: set[int] = set()
        render = self.render
        key = f"{seed}:{self.intent.name}"

        def fresh(item: tuple[int, str, list]) -> bool:
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
            for idx in _walk(space, key, want, virtual):
                item = render(idx, virtual)
                if fresh(item):
                    misses = 0
                    yield item
                    continue
                misses += 1
                if misses >= _STALL and not final:
                    break  # weighted walk is dry: continue in the real space
                if misses >= _STALL * 5 and space > 50 * _STALL:
                    raise SamplingStalled(
                        f"intent {self.intent.name!r}: {len(seen):,} distinct utterances found, "
                        f"then {misses:,} draws in a row gave only repeats; most of the "
                        f"{space:,} combinations produce the same texts (the count is an upper "
                        "bound). Ask for fewer, or remove the ambiguity (optional parts that can "
                        "be empty, '&' on text that does not start with a letter)."
                    )


def _walk(space: int, key: str, want: int | None, virtual: bool) -> Iterator[int]:
    """Yield indices of ``range(space)`` without repeats (or, when sparse, iid draws)."""
    if want is not None and space >= _SPARSE * max(want, 1) ** 2:
        rng = random.Random(f"draws:{key}:{virtual}")
        bits = space.bit_length()
        getrandbits = rng.getrandbits
        while True:
            x = getrandbits(bits)
            if x < space:
                yield x
    perm = Permutation(space, f"{key}:{virtual}")
    for i in range(space):
        yield perm(i)
