"""Which LM text helps? Ablations of the augmentation benchmark's ``lm`` condition on SNIPS.

Per draw (the same 10 seeds per intent as ``eval/augment.py``): fine-tune once, sample a pool of
``--pool`` filtered utterances per intent, and a second pool with the label-fidelity filter off.
Then add ``--per-intent`` utterances per intent chosen from the pool in different ways and score
the same classifiers on the SNIPS test set:

- ``first``           the first generated (what the benchmark's ``lm`` condition keeps)
- ``random``          random subsets (mean over ``--subsets``; their spread is subset noise)
- ``top-confidence``  highest seed-classifier probability of the intent (LAMBADA-style)
- ``low-confidence``  lowest probability that still passed the filter (hardest examples)
- ``diverse``         farthest-first in embedding space from the seeds and from each other
- ``all``             the whole pool (``--pool`` per intent, not ``--per-intent``)
- ``no-fidelity``     the first generated with the label-fidelity filter off
- ``real``            more real training utterances: the reference

Writes ``eval/results/augment_ablation.json`` with a summary table for the README.
Usage: ``python -m eval.augment_ablation [--draws 3] [--pool 60] [--per-intent 20]``.
"""

from __future__ import annotations

import argparse
import logging
import random
import tempfile
import time
from pathlib import Path

import numpy as np

from eval import augment
from eval.baselines import by_intent, held_out  # noqa: E402
from textsynth.classifier import Embedder  # noqa: E402
from textsynth.types import Utterance  # noqa: E402

log = logging.getLogger("augment_ablation")
RESULTS = augment.ROOT / "eval" / "results" / "augment_ablation.json"
VARIANTS = (
    "first",
    "random",
    "top-confidence",
    "low-confidence",
    "diverse",
    "all",
    "no-fidelity",
    "real",
)


def take(pool: list[Utterance], k: int, key=None) -> list[Utterance]:
    """Return the first ``k`` per intent of ``pool``, after sorting each intent by ``key``."""
    out = []
    for _, xs in sorted(by_intent(pool).items()):
        out += (sorted(xs, key=key) if key else xs)[:k]
    return out


def prob(u: Utterance) -> float:
    """The seed classifier's probability of the utterance's intent, recorded by the filter."""
    return float(u.meta.get("scores", {}).get("intent_prob", 0.0))


def diverse(pool: list[Utterance], seeds: list[Utterance], k: int, embedder: Embedder):
    """Farthest-first selection per intent: each pick is the least similar to seeds and picks.

    The traversal of the sampler's ``select="diverse"``
    (:func:`textsynth.lm.select.farthest_first`), returned in pick order.
    """
    from textsynth.lm.select import farthest_first

    seeds_by = by_intent(seeds)
    out = []
    for intent, xs in sorted(by_intent(pool).items()):
        x = np.asarray(embedder.encode([u.text for u in xs]))
        s = np.asarray(embedder.encode([u.text for u in seeds_by[intent]]))
        picked, _ = farthest_first(x, s, k)
        out += [xs[j] for j in picked]
    return out


def run_draw(d: int, state: dict, args: argparse.Namespace, embedder: Embedder) -> dict:
    """Generate the pools of draw ``d`` and score every variant."""
    from textsynth.lm import FinetuneConfig, SampleConfig, finetune, sample

    train, test, oracle = state["train"], state["test"], state["oracle"]
    seed = 1000 + d
    seeds = augment.draw_seeds(train, args.shots, seed=seed)
    draw: dict = {"seed": seed, "timing": {}, "filters": {}, "variants": {}}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        finetune(seeds, Path(tmp) / "lm", FinetuneConfig(seed=seed, epochs=args.epochs))
        draw["timing"]["finetune_s"] = round(time.perf_counter() - t0, 1)
        pools = {}
        for name, thr in (("filtered", SampleConfig().fidelity_threshold), ("no-fidelity", 0.0)):
            t0 = time.perf_counter()
            pools[name], summ = sample(
                Path(tmp) / "lm",
                SampleConfig(per_intent=args.pool, seed=seed, fidelity_threshold=thr),
            )
            draw["timing"][f"sample_{name}_s"] = round(time.perf_counter() - t0, 1)
            draw["filters"][name] = summ.to_dict()
    pool, k = pools["filtered"], args.per_intent
    chosen = {
        "first": [take(pool, k)],
        "random": [take(random.Random(r).sample(pool, len(pool)), k) for r in range(args.subsets)],
        "top-confidence": [take(pool, k, key=lambda u: -prob(u))],
        "low-confidence": [take(pool, k, key=prob)],
        "diverse": [diverse(pool, seeds, k, embedder)],
        "all": [pool],
        "no-fidelity": [take(pools["no-fidelity"], k)],
        "real": [held_out(train, seeds, k, seed)],
    }
    for name, sets in chosen.items():
        scores = [
            {f: augment.score(seeds + s, test, f, embedder, seed=d) for f in augment.CLASSIFIERS}
            for s in sets
        ]
        row = {
            f: {m: float(np.mean([sc[f][m] for sc in scores])) for m in ("accuracy", "macro_f1")}
            for f in augment.CLASSIFIERS
        }
        if len(sets) > 1:
            for f in augment.CLASSIFIERS:
                row[f]["subset_std"] = float(np.std([sc[f]["accuracy"] for sc in scores], ddof=1))
        row["quality"] = augment.synthetic_quality(sets[0], seeds, oracle)
        draw["variants"][name] = row
        log.warning(
            "snips draw %d %-15s tfidf %.3f emb %.3f",
            d,
            name,
            row["tfidf"]["accuracy"],
            row["embeddings"]["accuracy"],
        )
    draw["variants"]["seed"] = {
        f: augment.score(seeds, test, f, embedder, seed=d) for f in augment.CLASSIFIERS
    }
    return draw


def summarise(draws: list[dict]) -> dict:
    """Gain over seed-only (points, mean ± std over draws) per variant and classifier."""
    out: dict = {}
    for name in VARIANTS:
        out[name] = {}
        for f in augment.CLASSIFIERS:
            gains = [
                100 * (dr["variants"][name][f]["accuracy"] - dr["variants"]["seed"][f]["accuracy"])
                for dr in draws
            ]
            out[name][f] = augment.mean_std(gains)
        q = [dr["variants"][name]["quality"] for dr in draws]
        out[name]["quality"] = {m: float(np.mean([x[m] for x in q])) for m in q[0]}
    return out


def markdown(results: dict) -> str:
    """The README table: gain per variant, with the oracle fidelity of what was added."""
    s = results["summary"]
    lines = [
        "| LM text added (SNIPS) | tfidf gain | embeddings gain | oracle fidelity | distinct-2 |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in VARIANTS:
        g = [s[name][f] for f in augment.CLASSIFIERS]
        q = s[name]["quality"]
        label = {
            "all": f"all ({results['pool']}/intent)",
            "real": "real (reference: more real data)",
        }.get(name, name)
        lines.append(
            f"| {label} | {g[0]['mean']:+.1f} ± {g[0]['std']:.1f} "
            f"| {g[1]['mean']:+.1f} ± {g[1]['std']:.1f} | {q['fidelity']:.2f} "
            f"| {q['distinct_2']:.2f} |"
        )
    sub = np.mean([dr["variants"]["random"]["tfidf"]["subset_std"] for dr in results["draws"]])
    lines += [
        "",
        f"Gain in accuracy points over seed-only; {results['shots']} seeds + "
        f"{results['per_intent']} added per intent, {len(results['draws'])} draws, one "
        f"fine-tuning per draw. Another random {results['per_intent']} of the same pool "
        f"moves TF-IDF accuracy by {100 * sub:.1f} points (std within a draw).",
    ]
    return "\n".join(lines)


def readme_rows(results: dict) -> list[dict]:
    """One table row per variant: TF-IDF accuracy beside seed-only; embeddings in the note."""
    rows = []
    n = len(results["draws"])
    base = float(np.mean([dr["variants"]["seed"]["tfidf"]["accuracy"] for dr in results["draws"]]))
    for name in VARIANTS:
        acc = float(np.mean([dr["variants"][name]["tfidf"]["accuracy"] for dr in results["draws"]]))
        g = results["summary"][name]
        rows.append(
            {
                "benchmark": f"augment ablation snips, +{results['per_intent']}/intent (tfidf)",
                "measure": f"test accuracy, seed + LM text picked by: {name} (mean of {n} draws)",
                "textsynth": round(acc, 4),
                "peer": "seed only",
                "peer_value": round(base, 4),
                "ratio": round(acc / base, 3),
                "note": f"gain {g['tfidf']['mean']:+.1f} ± {g['tfidf']['std']:.1f} pts; embeddings "
                f"{g['embeddings']['mean']:+.1f} ± {g['embeddings']['std']:.1f}"
                + (" (more real data: the reference)" if name == "real" else ""),
            }
        )
    return rows


def main() -> None:
    """Run the ablation and write its results."""
    ap = augment.snips_args(__doc__.split("\n\n")[0])
    ap.add_argument("--pool", type=int, default=60, help="filtered utterances sampled per intent")
    ap.add_argument("--subsets", type=int, default=5, help="random subsets per draw")
    ap.add_argument("--out", default=str(RESULTS), help="results file (JSON)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    results = {
        "dataset": "snips",
        "shots": args.shots,
        "pool": args.pool,
        "per_intent": args.per_intent,
        "subsets": args.subsets,
        "epochs": args.epochs,
        "draws": [],
    }
    augment.snips_study(results, args, run_draw, Path(args.out), summarise, markdown, readme_rows)


if __name__ == "__main__":
    main()
