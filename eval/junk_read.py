"""How well do textsynth's checks find the generations a reader marked as junk?

Reads ``eval/read/snips_kept_read.jsonl`` (210 kept SNIPS generations, each marked ``ok`` or
``junk`` by a reader; see ``eval/read/README.md``) and scores every utterance with:

- ``unseen_slot_contexts``: the slot-context filter's count (:mod:`textsynth.lm.slot_context`),
  against the seeds of the utterance's own draw;
- ``fluency``: the fluency filter's mean token log-likelihood under the embedded SmolLM2
  (``--no-fluency`` skips it).

For each it reports the AUC (the chance that an ``ok`` utterance scores better than a ``junk``
one; 0.5 is no better than a coin) and, at each threshold, the share of ``junk`` and of ``ok``
it rejects, beside the share of the real SNIPS test utterances (700, never seen by the
generator) it would reject: the cost in natural text. ``--downstream`` retrains the benchmark's
slot tagger and intent classifiers of ``eval/augment.py`` on each draw's seeds plus its read
utterances: all of them, the ``ok`` ones only, and random subsets of the same size, which shows
what the junk costs a user.

Usage: ``python -m eval.junk_read [--downstream]``; results in ``eval/results/junk_read.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from eval.augment import Embedder, draw_seeds, load, score, slot_score  # noqa: E402
from textsynth.io import atomic_write, read_utterances  # noqa: E402
from textsynth.lm.slot_context import SlotContextFilter  # noqa: E402
from textsynth.types import Utterance  # noqa: E402

READ = ROOT / "eval" / "read" / "snips_kept_read.jsonl"
MAX_UNSEEN = (0, 1, 2, 3, 4)


def auc(ok: np.ndarray, junk: np.ndarray) -> float:
    """Return P(an ok score > a junk score), ties counting half."""
    if not len(ok) or not len(junk):
        return float("nan")
    greater = (ok[:, None] > junk[None, :]).mean()
    ties = (ok[:, None] == junk[None, :]).mean()
    return float(greater + 0.5 * ties)


def main() -> None:
    """Score the read utterances, print the tables, write the JSON."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--no-fluency", action="store_true", help="skip the fluency scores (slow)")
    ap.add_argument("--downstream", action="store_true", help="retrain on ok / all / random")
    ap.add_argument("--out", default=str(ROOT / "eval" / "results" / "junk_read.json"))
    args = ap.parse_args()

    read = list(read_utterances(READ))
    train, test = load("snips", None, 0)
    draws = sorted({int(u.meta["draw"]) for u in read})
    seeds = {d: draw_seeds(train, 10, seed=1000 + d) for d in draws}
    is_ok = np.array([u.meta["read"] == "ok" for u in read])
    res: dict = {"n": len(read), "junk": int((~is_ok).sum()), "draws": draws, "scores": {}}

    # slot contexts: count per read utterance, and per real test utterance against each draw
    check = {d: SlotContextFilter(seeds[d]) for d in draws}  # one per draw's seeds
    counts = np.array([len(check[int(u.meta["draw"])].unseen(u)) for u in read], dtype=float)
    real = {d: np.array([len(check[d].unseen(u)) for u in test]) for d in draws}
    rows = []
    for m in MAX_UNSEEN:
        rows.append(
            {
                "max_unseen": m,
                "junk_rejected": float((counts[~is_ok] > m).mean()),
                "ok_rejected": float((counts[is_ok] > m).mean()),
                "real_test_rejected": float(np.mean([(real[d] > m).mean() for d in draws])),
            }
        )
    res["scores"]["unseen_slot_contexts"] = {
        "auc": auc(-counts[is_ok], -counts[~is_ok]),
        "thresholds": rows,
    }

    if not args.no_fluency:
        from textsynth.metrics.fluency import FluencyScorer

        scorer = FluencyScorer()
        flu = scorer.score([u.text for u in read])
        frow = []
        for d in draws:
            th = float(np.percentile(scorer.score([u.text for u in seeds[d]]), 5))
            mine = np.array([int(u.meta["draw"]) == d for u in read])
            frow.append(
                {
                    "draw": d,
                    "seed_p5": th,
                    "junk_rejected": float((flu[mine & ~is_ok] < th).mean()),
                    "ok_rejected": float((flu[mine & is_ok] < th).mean()),
                }
            )
        res["scores"]["fluency"] = {"auc": auc(flu[is_ok], flu[~is_ok]), "per_draw": frow}

    if args.downstream:
        res["downstream"] = downstream(read, seeds, test)
    res["readme_rows"] = readme_rows(res)

    print(f"{res['n']} read utterances, {res['junk']} junk\n")
    print("| check | AUC (ok above junk) |\n|---|---:|")
    for name, r in res["scores"].items():
        print(f"| {name} | {r['auc']:.3f} |")
    print("\n| slot-context max_unseen | junk rejected | ok rejected | real test rejected |")
    print("|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['max_unseen']} | {r['junk_rejected']:.0%} | {r['ok_rejected']:.0%} "
            f"| {r['real_test_rejected']:.0%} |"
        )
    if "downstream" in res:
        print("\n| draw | added | slot F1 | TF-IDF acc | embeddings acc |")
        print("|---|---|---:|---:|---:|")
        for r in res["downstream"]:
            print(
                f"| {r['draw']} | {r['added']} | {r['slot_f1']:.3f} | {r['tfidf']:.3f} "
                f"| {r['embeddings']:.3f} |"
            )
    with atomic_write(Path(args.out)) as fh:
        fh.write(json.dumps(res, indent=1) + "\n")
    print(f"\nwrote {args.out}")


def readme_rows(res: dict) -> list[dict]:
    """Return the README row: the slot-context check's AUC beside the fluency filter's."""
    scores = res["scores"]
    if "fluency" not in scores:
        return []
    a, b = scores["unseen_slot_contexts"]["auc"], scores["fluency"]["auc"]
    at2 = next(r for r in scores["unseen_slot_contexts"]["thresholds"] if r["max_unseen"] == 2)
    return [
        {
            "benchmark": f"junk check, {res['n']} SNIPS generations read by hand",
            "measure": "AUC: an ok utterance scores better than a junk one (0.5 = chance)",
            "textsynth": round(a, 3),
            "peer": "fluency filter (mean token log-likelihood)",
            "peer_value": round(b, 3),
            "ratio": round(a / b, 3),
            "note": (
                f"slot-context filter at max_unseen=2 rejects {at2['junk_rejected']:.0%} of "
                f"junk, {at2['ok_rejected']:.0%} of ok, {at2['real_test_rejected']:.0%} of "
                "real test requests"
            ),
        }
    ]


def downstream(
    read: list[Utterance], seeds: dict[int, list[Utterance]], test: list[Utterance]
) -> list[dict]:
    """Retrain on seeds + all / ok-only / same-size random subsets of each draw's read text."""
    embedder = Embedder()
    out = []
    for d, draw_seeds_ in seeds.items():
        mine = [u for u in read if int(u.meta["draw"]) == d]
        ok = [u for u in mine if u.meta["read"] == "ok"]
        sets = {"none": [], "all": mine, "ok only": ok}
        for s in range(3):
            sets[f"random {len(ok)} ({s})"] = random.Random(s).sample(mine, len(ok))
        for name, added in sets.items():
            train = draw_seeds_ + added
            out.append(
                {
                    "draw": d,
                    "added": f"{name} ({len(added)})",
                    "slot_f1": slot_score(train, test, seed=d)["f1"],
                    "tfidf": score(train, test, "tfidf", embedder, seed=d)["accuracy"],
                    "embeddings": score(train, test, "embeddings", embedder, seed=d)["accuracy"],
                }
            )
    return out


if __name__ == "__main__":
    main()
