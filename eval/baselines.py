"""Simple augmentation baselines the benchmark compares textsynth with.

- ``upsample``: the seeds repeated (the "do nothing clever" baseline).
- ``real``: more real utterances (held out from the same training set): not augmentation, the
  reference that shows how much the same amount of real data would add.
- ``eda``: Easy Data Augmentation (Wei & Zou, 2019) — random swap, random deletion, random
  insertion. Synonym replacement needs a thesaurus; none ships offline here (WordNet data is a
  download), so random insertion inserts a word drawn from the same intent's seed vocabulary and
  synonym replacement is left out. Augmented utterances carry no slot spans.
"""

from __future__ import annotations

import random
from collections import defaultdict

from textsynth.types import Utterance


def by_intent(utts: list[Utterance]) -> dict[str, list[Utterance]]:
    """Group ``utts`` by intent, keeping their order (a missing intent gives an empty list)."""
    out: dict[str, list[Utterance]] = defaultdict(list)
    for u in utts:
        out[u.intent].append(u)
    return out


def upsample(seeds: list[Utterance], per_intent: int, seed: int) -> list[Utterance]:
    """Return ``per_intent`` copies drawn round-robin from each intent's seeds."""
    rng = random.Random(seed)
    by = by_intent(seeds)
    out = []
    for intent in sorted(by):
        pool = by[intent][:]
        rng.shuffle(pool)
        out += [pool[i % len(pool)] for i in range(per_intent)]
    return out


def held_out(
    train: list[Utterance], seeds: list[Utterance], per_intent: int, seed: int
) -> list[Utterance]:
    """Return ``per_intent`` real utterances per intent from ``train``, none of them a seed."""
    rng = random.Random(seed)
    taken = {(u.intent, u.text) for u in seeds}
    by = by_intent([u for u in train if (u.intent, u.text) not in taken])
    out = []
    for intent in sorted({u.intent for u in seeds}):
        pool = by[intent]
        out += rng.sample(pool, min(per_intent, len(pool)))
    return out


def _eda_once(words: list[str], vocab: list[str], rng: random.Random, alpha: float) -> list[str]:
    w = words[:]
    n = max(1, round(alpha * len(w)))
    op = rng.choice(("swap", "delete", "insert"))
    if op == "swap" and len(w) > 1:
        for _ in range(n):
            i, j = rng.sample(range(len(w)), 2)
            w[i], w[j] = w[j], w[i]
    elif op == "delete" and len(w) > 1:
        kept = [x for x in w if rng.random() > alpha]
        w = kept or [rng.choice(w)]
    else:
        for _ in range(n):
            w.insert(rng.randrange(len(w) + 1), rng.choice(vocab))
    return w


def eda(seeds: list[Utterance], per_intent: int, seed: int, alpha: float = 0.1) -> list[Utterance]:
    """Return ``per_intent`` EDA variants per intent, distinct from the seeds where possible."""
    rng = random.Random(seed)
    by = by_intent(seeds)
    out: list[Utterance] = []
    for intent in sorted(by):
        pool = by[intent]
        vocab = sorted({w for u in pool for w in u.text.split()})
        seen = {u.text for u in pool}
        made: list[Utterance] = []
        tries = 0
        while len(made) < per_intent:
            base = pool[len(made) % len(pool)]
            text = " ".join(_eda_once(base.text.split(), vocab, rng, alpha))
            tries += 1
            if text in seen and tries < 20 * per_intent:
                continue
            seen.add(text)
            made.append(Utterance(text, intent, language=base.language, source="eda"))
        out += made
    return out
