"""Which test errors the added text fixes and which it causes, confusion pair by confusion pair.

An accuracy gain of +0.7 points says little about *why* generated text helps less than real
text. This benchmark retrains the intent classifier of ``eval/augment.py`` on the seeds alone
and on the seeds plus each condition's added text (the same draws, seeds and classifier), and
counts, on the test set, the utterances the addition **fixed** (wrong before, right after) and
**broke** (right before, wrong after), by ``(gold intent, the intent predicted when wrong)``.
Real held-out text shows which confusions more data can fix; a generator that fixes few of
them does not reach those parts of the intent.

Generated text is read from the ``.kept.jsonl`` files an ``eval/augment.py --request-cache``
run writes (``--kept NAME=TEMPLATE``, ``{d}`` standing for the draw), so nothing is generated
again. ``real``, ``upsample`` and ``eda`` are rebuilt from ``eval/baselines.py``.

``--test pool`` scores on a larger held-out set instead of the official test split: each draw's
train utterances that no condition of the draw trains on (not a seed, not the ``real``
reference's, not any added text). HWU64's official test has 848 utterances, so one utterance is
0.12 points, and the paired gain of a draw moves by about 0.6 points from the test sample alone
(the square root of the 25-30 utterances a generated set changes, over 848); its pool has about
6,200 per draw (about 0.25 points). The generator sees only the seeds, so the pool is as unseen
as the test split. Each draw's accuracy gain (points) and the mean ± std over draws are in the
results, with the peers' rule of ``eval/augment_targets.py``.

Usage: ``python -m eval.augment_errors --dataset snips --kept
"lm=eval/.cache/requests/snips-d{d}-lm.init=no-snips.kept.jsonl"``; results in
``eval/results/augment_errors_<dataset>.json`` (``_pool`` added with ``--test pool``) and a
``.png`` beside it.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
from collections import Counter
from pathlib import Path
from typing import Literal

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from eval.augment import draw_seeds, load  # noqa: E402
from eval.baselines import eda, held_out, upsample  # noqa: E402
from textsynth.classifier import Embedder, IntentClassifier  # noqa: E402
from textsynth.errors import TextsynthError  # noqa: E402
from textsynth.io import atomic_write, read_utterances  # noqa: E402
from textsynth.progress import bar as progress_bar  # noqa: E402
from textsynth.types import Utterance  # noqa: E402
from textsynth.weights import SEED_WEIGHTS, training_weights  # noqa: E402

log = logging.getLogger("augment_errors")
BASELINES = ("real", "upsample", "eda")
Features = Literal["embeddings", "tfidf"]


def shift(gold: list[str], before: list[str], after: list[str]) -> dict[str, Counter]:
    """Count the test utterances fixed and broken between two sets of predictions.

    ``fixed`` is keyed by ``(gold, predicted before)``, ``broken`` by ``(gold, predicted
    after)``: in both, the confusion pair that was resolved or appeared.
    """
    if not len(gold) == len(before) == len(after):
        raise ValueError(f"lengths differ: {len(gold)} gold, {len(before)}, {len(after)}")
    fixed: Counter = Counter()
    broken: Counter = Counter()
    for g, b, a in zip(gold, before, after, strict=True):
        if b != g and a == g:
            fixed[(g, b)] += 1
        elif b == g and a != g:
            broken[(g, a)] += 1
    return {"fixed": fixed, "broken": broken}


def pair_table(shifts: list[dict[str, Counter]], top: int = 5) -> list[dict]:
    """Sum fixed and broken per confusion pair over draws; the ``top`` pairs by total change."""
    fixed = sum((s["fixed"] for s in shifts), Counter())
    broken = sum((s["broken"] for s in shifts), Counter())
    pairs = sorted(set(fixed) | set(broken), key=lambda p: (-(fixed[p] + broken[p]), p))
    return [
        {"gold": g, "confused_with": o, "fixed": fixed[(g, o)], "broken": broken[(g, o)]}
        for g, o in pairs[:top]
    ]


def predict(
    train: list[Utterance],
    feat: Features,
    embedder: Embedder,
    seed: int,
    test: list[Utterance],
    weights: list[float] | None = None,
) -> list[str]:
    """Fit the benchmark's intent classifier on ``train`` (``weights``: one per utterance);
    return its labels for ``test``."""
    clf = IntentClassifier(feat, embedder=embedder if feat == "embeddings" else None, seed=seed)
    clf.fit([u.text for u in train], [u.intent for u in train], sample_weight=weights)
    return list(clf.predict([u.text for u in test]))


def parse_kept(spec: str) -> tuple[str, str]:
    """Split ``NAME=TEMPLATE``; the template must name the draw as ``{d}``."""
    name, sep, template = spec.partition("=")
    if not sep or not name or "{d}" not in template:
        raise argparse.ArgumentTypeError(
            f"{spec!r}: write NAME=PATH_TEMPLATE with {{d}} for the draw, e.g. "
            "lm=eval/.cache/requests/snips-d{d}-lm.kept.jsonl"
        )
    return name, template


def added(
    name: str,
    template: str | None,
    train: list[Utterance],
    seeds: list[Utterance],
    per_intent: int,
    seed: int,
    d: int,
) -> list[Utterance]:
    """Return the text condition ``name`` adds in draw ``d``."""
    if template is None:
        return {
            "real": lambda: held_out(train, seeds, per_intent, seed),
            "upsample": lambda: upsample(seeds, per_intent, seed),
            "eda": lambda: eda(seeds, per_intent, seed),
        }[name]()
    return list(read_utterances(Path(template.format(d=d))))


def pool_test(
    train: list[Utterance], seeds: list[Utterance], added_texts: list[list[Utterance]]
) -> list[Utterance]:
    """Return the train utterances of a draw that no condition trains on (``--test pool``).

    Args:
        train: the data set's train split.
        seeds: the draw's seeds.
        added_texts: every condition's added utterances in the draw (the ``real`` reference
            included); a text any of them holds is left out, whatever its intent.
    """
    seen = {u.text for u in seeds} | {u.text for extra in added_texts for u in extra}
    return [u for u in train if u.text not in seen]


def gains(results: dict) -> dict[str, dict[str, dict]]:
    """Return each condition's accuracy gain in points per draw, with the mean and std."""
    out: dict[str, dict[str, dict]] = {}
    for cond in results["summary"]:
        for feat in results["features"]:
            per = [
                100 * (row[cond][feat]["fixed"] - row[cond][feat]["broken"]) / row["test"]
                for row in results["draws"]
            ]
            out.setdefault(cond, {})[feat] = {
                "mean": statistics.mean(per),
                "std": statistics.stdev(per) if len(per) > 1 else 0.0,
                "draws": per,
            }
    return out


def gain_table(results: dict) -> list[str]:
    """Mean ± std of the gain per condition, and whether it clears upsampling and EDA.

    The rule is ``eval/augment_targets.py``'s: gain - peer gain > max(std, peer std).
    """
    g = gains(results)
    peers = [p for p in ("upsample", "eda") if p in g]
    head = "| condition | features | gain (points), mean ± std | per draw |"
    head += "".join(f" clears {p} |" for p in peers)
    lines = [head, "|---|---|---:|---|" + "---|" * len(peers)]
    for cond, by_feat in g.items():
        for feat, s in by_feat.items():
            row = f"| {cond} | {feat} | {s['mean']:+.2f} ± {s['std']:.2f} | "
            row += ", ".join(f"{x:+.2f}" for x in s["draws"]) + " |"
            for p in peers:
                q = g[p][feat]
                ok = s["mean"] - q["mean"] > max(s["std"], q["std"])
                row += " — |" if cond in BASELINES else (" ✔ |" if ok else " ✘ |")
            lines.append(row)
    return lines


def markdown(results: dict) -> str:
    """A table of fixed / broken / net per condition, with the pairs that changed most."""
    lines = [
        "| condition | features | fixed | broken | net (points) | changed most, fixed/broken |",
        "|---|---|---:|---:|---:|---|",
    ]
    sizes = [row.get("test", results["test"]) for row in results["draws"]]
    n = sum(sizes)
    for cond, by_feat in results["summary"].items():
        for feat, s in by_feat.items():
            top = "; ".join(
                f"{p['gold']}→{p['confused_with']} {p['fixed']}/{p['broken']}"
                for p in s["pairs"][:3]
            )
            lines.append(
                f"| {cond} | {feat} | {s['fixed']} | {s['broken']} | "
                f"{100 * (s['fixed'] - s['broken']) / n:+.1f} | {top} |"
            )
    lines.append("")
    where = (
        f"{results['test']} test utterances"
        if results.get("test_set", "official") == "official"
        else f"{min(sizes)}-{max(sizes)} held-out train utterances (--test pool)"
    )
    lines.append(
        f"Summed over {len(results['draws'])} draws of {where}; a pair reads "
        "gold→confused-with fixed/broken."
    )
    if len(results["draws"]) > 1 and all("test" in row for row in results["draws"]):
        lines += ["", *gain_table(results)]
    return "\n".join(lines)


def plot(results: dict, path: Path) -> None:
    """Bars of fixed and broken test utterances per condition, one panel per feature set."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    feats = results["features"]
    conds = list(results["summary"])
    fig, axes = plt.subplots(
        1, len(feats), figsize=(5 * len(feats), 0.5 * len(conds) + 1.5), squeeze=False
    )
    for ax, feat in zip(axes[0], feats, strict=True):
        fixed = [results["summary"][c][feat]["fixed"] for c in conds]
        broken = [-results["summary"][c][feat]["broken"] for c in conds]
        ax.barh(conds, fixed, color="tab:green", label="fixed")
        ax.barh(conds, broken, color="tab:red", label="broken")
        ax.axvline(0, color="black", lw=0.8)
        ax.invert_yaxis()
        ax.set_title(f"{results['dataset']}: {feat} classifier")
        what = "test" if results.get("test_set", "official") == "official" else "held-out"
        ax.set_xlabel(f"{what} utterances, {len(results['draws'])} draws summed")
        ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    """Retrain per condition and draw; write the fixed / broken counts."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dataset", default="snips", choices=["snips", "hwu64", "clinc150"])
    ap.add_argument("--draws", type=int, default=3)
    ap.add_argument("--shots", type=int, default=10)
    ap.add_argument("--per-intent", type=int, default=20)
    ap.add_argument("--clinc-intents", type=int, default=20)
    ap.add_argument(
        "--features", nargs="+", default=["embeddings", "tfidf"], choices=["embeddings", "tfidf"]
    )
    ap.add_argument("--baselines", nargs="*", default=list(BASELINES), choices=BASELINES)
    ap.add_argument(
        "--kept",
        nargs="*",
        default=[],
        type=parse_kept,
        metavar="NAME=TEMPLATE",
        help="generated text per draw: a .kept.jsonl path with {d} for the draw",
    )
    ap.add_argument(
        "--test",
        default="official",
        choices=["official", "pool"],
        help="score on the official test split, or on each draw's train utterances that no "
        "condition trains on (a larger held-out set)",
    )
    ap.add_argument(
        "--seed-weight",
        choices=SEED_WEIGHTS,
        default="none",
        help="balanced: every condition's classifier weighs each seed max(1, added / seeds) "
        "of its intent (textsynth.weights), as eval/augment.py --seed-weight; recorded in --out",
    )
    ap.add_argument("--out", help="default: eval/results/augment_errors_<dataset>[_pool].json")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    suffix = "_pool" if args.test == "pool" else ""
    out = Path(
        args.out or ROOT / "eval" / "results" / f"augment_errors_{args.dataset}{suffix}.json"
    )
    train, test = load(args.dataset, args.clinc_intents if args.dataset == "clinc150" else None, 0)
    names = [n for n, _ in args.kept]
    clash = sorted({n for n in names if names.count(n) > 1 or n in BASELINES})
    if clash:
        ap.error(f"--kept names must be unique and not a baseline's: {', '.join(clash)}")
    conditions: dict[str, str | None] = {b: None for b in args.baselines}
    conditions.update(dict(args.kept))
    missing = [
        t.format(d=d)
        for t in dict(args.kept).values()
        for d in range(args.draws)
        if not Path(t.format(d=d)).exists()
    ]
    if missing:  # before any classifier is trained
        raise SystemExit(
            f"error: no kept file {missing[0]} ({len(missing)} missing); run "
            "eval/augment.py with --request-cache for those draws first"
        )
    embedder = Embedder()
    shifts: dict[str, dict[str, list]] = {c: {f: [] for f in args.features} for c in conditions}
    draws = []
    steps = args.draws * len(args.features) * (len(conditions) + 1)
    with progress_bar(total=steps, desc="classifiers", unit="fit") as bar:
        for d in range(args.draws):
            seed = 1000 + d  # the draw seeds of eval/augment.py
            seeds = draw_seeds(train, args.shots, seed)
            texts = {
                c: added(c, t, train, seeds, args.per_intent, seed, d)
                for c, t in conditions.items()
            }
            scored = test
            if args.test == "pool":  # the real reference's text stays out even when not scored
                real = held_out(train, seeds, args.per_intent, seed)
                scored = pool_test(train, seeds, [real, *texts.values()])
            gold = [u.intent for u in scored]
            row: dict = {
                "seed": seed,
                "test": len(scored),
                "added": {c: len(v) for c, v in texts.items()},
            }
            for feat in args.features:
                clf_args = (feat, embedder, seed, scored)
                before = predict(seeds, *clf_args)
                bar.update(1)
                for c, extra in texts.items():
                    w = None  # --seed-weight: the same recipe for every condition
                    if args.seed_weight != "none":
                        w = training_weights(seeds, extra, args.seed_weight)
                    s = shift(gold, before, predict(seeds + extra, *clf_args, weights=w))
                    bar.update(1)
                    shifts[c][feat].append(s)
                    row.setdefault(c, {})[feat] = {k: sum(v.values()) for k, v in s.items()}
            draws.append(row)
    summary = {
        c: {
            f: {
                "fixed": sum(sum(s["fixed"].values()) for s in shifts[c][f]),
                "broken": sum(sum(s["broken"].values()) for s in shifts[c][f]),
                "pairs": pair_table(shifts[c][f]),
            }
            for f in args.features
        }
        for c in conditions
    }
    results = {
        "dataset": args.dataset,
        "test": len(test)
        if args.test == "official"
        else round(statistics.mean(row["test"] for row in draws)),
        "test_set": args.test,
        "shots": args.shots,
        "per_intent": args.per_intent,
        "features": args.features,
        "kept": dict(args.kept),
        "seed_weight": args.seed_weight,
        "draws": draws,
        "summary": summary,
    }
    results["gains"] = gains(results)
    results["markdown"] = markdown(results)
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(out) as fh:
        json.dump(results, fh, indent=2)
    plot(results, out.with_suffix(".png"))
    print(results["markdown"])
    print(f"wrote {out} and {out.with_suffix('.png')}")


if __name__ == "__main__":
    try:
        main()
    except TextsynthError as exc:  # a malformed kept file: its line and what to do
        raise SystemExit(f"error: {exc}") from None
