"""The grammar engine: Chatette/Chatito-compatible template grammars to labelled utterances.

Pipeline: ``lexer`` -> ``parser`` -> ``check`` (all errors at once) -> ``compile`` (nodes with
exact big-integer counts) -> ``sample``/``render`` (unrank, permutation walk, dedupe).

Example:
    >>> g = load_grammar("%[greet]\\n    [hi|hello] @[name]\\n@[name]\\n    Ann\\n    Bob\\n")
    >>> count(g)
    {'greet': 4}
    >>> [u.text for u in expand(g)]
    ['hi Ann', 'hello Ann', 'hi Bob', 'hello Bob']
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from typing import Any

from textsynth.grammar.generate import GenerateConfig, generate_to_file, plan_quotas
from textsynth.grammar.generate import expand as _expand
from textsynth.grammar.grammar import Grammar, load_grammar
from textsynth.grammar.messages import GRAMMAR_ERROR_EXAMPLES
from textsynth.types import Utterance

__all__ = [
    "GRAMMAR_ERROR_EXAMPLES",
    "GenerateConfig",
    "Grammar",
    "count",
    "count_report",
    "expand",
    "generate_to_file",
    "load_grammar",
    "plan_quotas",
    "split",
]

#: spaces up to this size are enumerated by ``count_report`` to count distinct texts exactly
EXACT_LIMIT = 200_000


def expand(
    grammar: Grammar,
    n: int | None = None,
    seed: int = 0,
    dedupe: str = "exact",
    coverage: bool = False,
    intents: list[str] | None = None,
    split: float | None = None,
) -> Iterator[Utterance]:
    """Yield distinct utterances: every one when ``n`` is ``None``, else ``n`` sampled.

    Args:
        grammar: a grammar from :func:`load_grammar`.
        n: how many in total (shared between intents); ``None`` enumerates all of them.
        seed: the random seed (recorded in each utterance's ``meta``).
        dedupe: ``exact`` (default), ``casefold`` or ``none``.
        coverage: cover every rule, branch and slot value at least once.
        intents: only these intents.
        split: test share per intent (fraction or count); test utterances have
            ``meta["split"] == "test"``.
    """
    cfg = GenerateConfig(
        n=n,
        all=n is None,
        seed=seed,
        dedupe=dedupe,
        coverage=coverage,
        intents=intents,
        split=split,
    )
    return _expand(grammar, cfg)


def count(grammar: Grammar) -> dict[str, int]:
    """Return the exact number of combinations per intent (an upper bound on distinct texts)."""
    return grammar.combinations()


def count_report(grammar: Grammar, exact_limit: int = EXACT_LIMIT) -> dict[str, dict[str, Any]]:
    """Return per intent ``{"combinations", "distinct", "exact"}``.

    Spaces up to ``exact_limit`` are enumerated, so ``distinct`` is exact (two rules giving the
    same text count once); larger spaces report ``distinct = combinations`` with
    ``exact = False``: an upper bound.
    """
    out = {}
    for name, total in grammar.combinations().items():
        if total <= exact_limit:
            distinct = sum(1 for _ in grammar.engine(name).enumerate("exact"))
            out[name] = {"combinations": total, "distinct": distinct, "exact": True}
        else:
            out[name] = {"combinations": total, "distinct": total, "exact": False}
    return out


def split(
    utts: Iterable[Utterance], test: float | int = 0.2, seed: int = 0
) -> tuple[list[Utterance], list[Utterance]]:
    """Split utterances into train and test, stratified per intent, without overlap.

    Args:
        utts: the utterances (texts already distinct).
        test: the test share per intent: a fraction in (0, 1) or a count.
        seed: shuffles each intent's utterances before cutting.
    """
    by_intent: dict[str, list[Utterance]] = {}
    for u in utts:
        by_intent.setdefault(u.intent, []).append(u)
    train: list[Utterance] = []
    test_out: list[Utterance] = []
    for intent in sorted(by_intent):
        items = by_intent[intent]
        random.Random(f"split:{seed}:{intent}").shuffle(items)
        k = round(len(items) * test) if isinstance(test, float) and test < 1 else int(test)
        k = min(k, len(items))
        test_out.extend(items[:k])
        train.extend(items[k:])
    return train, test_out
