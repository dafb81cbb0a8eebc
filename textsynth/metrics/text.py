"""Tokenising and normalising text the same way in every metric.

Tokens are the lower-cased text split on whitespace, as the usual self-BLEU and distinct-n scripts
do (no punctuation splitting, so ``"paris?"`` and ``"paris"`` are different tokens). Exact-match
comparisons use :func:`textsynth.text.normalise_text`, the definition the LM's seed-copy filter
uses too.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

import numpy as np

__all__ = ["NgramIndex", "tokenise"]


def tokenise(text: str) -> list[str]:
    """Return the lower-cased whitespace tokens of ``text``."""
    return text.lower().split()


class NgramIndex:
    """Integer ids for the tokens and n-grams of tokenised corpora, computed with numpy.

    Several corpora can share one index (so their n-gram ids are comparable): pass them all.
    ``ngrams(n)`` returns, for every n-gram occurrence, the corpus-wide utterance number and the
    n-gram id; ids of the same n-gram are equal across corpora.

    Args:
        corpora: tokenised corpora (lists of token lists).
    """

    def __init__(self, corpora: Sequence[Sequence[Sequence[str]]]) -> None:
        sizes = [len(c) for c in corpora]
        lengths = [len(toks) for c in corpora for toks in c]
        words = list(itertools.chain.from_iterable(itertools.chain.from_iterable(corpora)))
        # token ids in order of first appearance; map() keeps the loop in C
        vocab = dict(zip(dict.fromkeys(words), itertools.count()))
        self.vocab_size = len(vocab)
        self.sizes = sizes
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.lengths = np.asarray(lengths, dtype=np.int64)
        self.tokens = np.fromiter(map(vocab.__getitem__, words), dtype=np.int64, count=len(words))
        self.utt = np.repeat(np.arange(len(lengths), dtype=np.int64), self.lengths)
        starts = np.concatenate([[0], np.cumsum(self.lengths)[:-1]]).astype(np.int64)
        self.pos = np.arange(len(words), dtype=np.int64) - np.repeat(starts, self.lengths)
        self._ids: dict[int, np.ndarray] = {}

    def _gram_ids(self, n: int) -> np.ndarray:
        """Return the n-gram id at each token position (-1 where no n-gram starts)."""
        if n in self._ids:
            return self._ids[n]
        if n == 1:
            ids = self.tokens.copy()
        else:
            prev = self._gram_ids(n - 1)
            ids = np.full(len(self.tokens), -1, dtype=np.int64)
            ok = np.nonzero(self.pos + n <= np.repeat(self.lengths, self.lengths))[0]
            if len(ok):
                # an n-gram is the pair ((n-1)-gram id, next token): compact the pairs to ids
                key = prev[ok] * (self.vocab_size + 1) + self.tokens[ok + n - 1]
                _, inv = np.unique(key, return_inverse=True)
                ids[ok] = inv.reshape(-1)
        self._ids[n] = ids
        return ids

    def ngrams(self, n: int, corpus: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(utterance, ngram_id)`` arrays of every n-gram occurrence.

        Args:
            n: the order.
            corpus: only the n-grams of this corpus (utterance numbers stay corpus-wide).
        """
        ids = self._gram_ids(n)
        mask = ids >= 0
        if corpus is not None:
            lo, hi = self.offsets[corpus], self.offsets[corpus + 1]
            mask &= (self.utt >= lo) & (self.utt < hi)
        return self.utt[mask], ids[mask]


def distinct_ratio(corpus: Iterable[Sequence[str]], n: int) -> tuple[int, int]:
    """Return ``(distinct n-grams, total n-grams)`` of a tokenised corpus (pure Python)."""
    seen: set[tuple[str, ...]] = set()
    total = 0
    for toks in corpus:
        for i in range(len(toks) - n + 1):
            seen.add(tuple(toks[i : i + n]))
            total += 1
    return len(seen), total
