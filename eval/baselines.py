"""Simple augmentation baselines the benchmark compares textsynth with.

- ``upsample``: the seeds repeated (the "do nothing clever" baseline).
- ``real``: more real utterances (held out from the same training set): not augmentation, the
  reference that shows how much the same amount of real data would add.
- ``eda``: Easy Data Augmentation (Wei & Zou, 2019) — random swap, random deletion, random
  insertion. Synonym replacement needs a thesaurus; none ships offline here (WordNet data is a
  download), so random insertion inserts a word drawn from the same intent's seed vocabulary and
  synonym replacement is left out. Slot values are kept whole: a slot is one unit that can be
  swapped but never deleted or split, so the variants keep their slot spans (the slot tagger
  of the benchmark trains on them).
"""

from __future__ import annotations

import random
from collections import defaultdict

from textsynth.types import Span, Utterance


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


Unit = tuple[str, str | None, str | None]  # text, slot label (None: a word), slot value


def units(u: Utterance) -> list[Unit]:
    """Return the words and whole slot values of ``u``, in order."""
    out: list[Unit] = []
    pos = 0
    for s in u.spans:
        out += [(w, None, None) for w in u.text[pos : s.start].split()]
        out.append((u.text[s.start : s.end], s.label, s.value))
        pos = s.end
    out += [(w, None, None) for w in u.text[pos:].split()]
    return out


def from_units(us: list[Unit], intent: str, language: str, source: str) -> Utterance:
    """Join units with spaces into an utterance whose spans cover the slot units."""
    text, spans = "", []
    for t, label, value in us:
        if text:
            text += " "
        if label is not None:
            spans.append(Span(len(text), len(text) + len(t), label, value))
        text += t
    return Utterance(text, intent, tuple(spans), language=language, source=source)


def _eda_once(w: list[Unit], vocab: list[str], rng: random.Random, alpha: float) -> list[Unit]:
    w = w[:]
    n = max(1, round(alpha * len(w)))
    op = rng.choice(("swap", "delete", "insert"))
    if op == "swap" and len(w) > 1:
        for _ in range(n):
            i, j = rng.sample(range(len(w)), 2)
            w[i], w[j] = w[j], w[i]
    elif op == "delete" and len(w) > 1:
        kept = [x for x in w if x[1] is not None or rng.random() > alpha]  # slots stay
        w = kept or [rng.choice(w)]
    else:
        for _ in range(n):
            w.insert(rng.randrange(len(w) + 1), (rng.choice(vocab), None, None))
    return w


def eda(seeds: list[Utterance], per_intent: int, seed: int, alpha: float = 0.1) -> list[Utterance]:
    """Return ``per_intent`` EDA variants per intent, distinct from the seeds where possible."""
    rng = random.Random(seed)
    by = by_intent(seeds)
    out: list[Utterance] = []
    for intent in sorted(by):
        pool = by[intent]
        vocab = sorted({w for u in pool for w, label, _ in units(u) if label is None})
        vocab = vocab or sorted({w for u in pool for w in u.text.split()})
        seen = {u.text for u in pool}
        made: list[Utterance] = []
        tries = 0
        while len(made) < per_intent:
            base = pool[len(made) % len(pool)]
            v = from_units(_eda_once(units(base), vocab, rng, alpha), intent, base.language, "eda")
            tries += 1
            if v.text in seen and tries < 20 * per_intent:
                continue
            seen.add(v.text)
            made.append(v)
        out += made
    return out
