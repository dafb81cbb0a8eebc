"""Pre-train a generator across many intents (the EX2 / LINGUIST recipe), one data set held out.

A LoRA adapter of the embedded SmolLM2 is fine-tuned (with value plans unless
``--no-value-plans``) on ``--per-intent`` training utterances of every intent of the public
intent sets in ``eval/data`` except ``--hold-out`` (the set it will be scored on: it never sees
that set's intents or text). A user's run then starts from it: ``textsynth lm finetune
--init-from DIR`` (``FinetuneConfig.init_from``), and ``python -m eval.augment --init-from DIR``
measures it.

Training data and licences (``eval/data/SOURCES.md``): SNIPS (CC0 1.0), HWU64 (CC BY 4.0),
CLINC150 (CC BY 3.0). The folder written gets ``provenance.json``: the sets and their licences,
the utterances per intent, the hash of the training set and the time taken.

Usage: ``python -m eval.pretrain_generator --hold-out snips [--per-intent 15] [--epochs 1]
[--no-value-plans]``; the default ``--out`` is ``eval/.cache/pretrained/no-<hold-out>`` (with
``-free`` appended without value plans, the start for runs sampled with ``focus='intents'``),
built once, then cached.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from eval.baselines import by_intent  # noqa: E402
from textsynth.io import atomic_write, read_utterances  # noqa: E402
from textsynth.types import Utterance  # noqa: E402

log = logging.getLogger("pretrain_generator")
SETS = {"snips": "CC0 1.0", "hwu64": "CC BY 4.0", "clinc150": "CC BY 3.0"}


def training_set(hold_out: str, per_intent: int, seed: int) -> tuple[list[Utterance], dict]:
    """Return ``per_intent`` utterances of each intent of every set but ``hold_out``, and counts."""
    out: list[Utterance] = []
    counts: dict[str, dict[str, int]] = {}
    rng = random.Random(seed)
    for name in sorted(SETS):
        if name == hold_out:
            continue
        train = list(read_utterances(ROOT / "eval" / "data" / name / "train.jsonl"))
        by = by_intent(train)
        picked = [u for i in sorted(by) for u in rng.sample(by[i], min(per_intent, len(by[i])))]
        counts[name] = {"intents": len(by), "utterances": len(picked)}
        out += picked
    rng.shuffle(out)
    return out, counts


def main() -> None:
    """Build the held-out generator and write its provenance."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hold-out", required=True, choices=sorted(SETS))
    ap.add_argument("--per-intent", type=int, default=15)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--no-value-plans",
        action="store_true",
        help="train on free text (for runs sampled with focus='intents'); default --out gains "
        "a '-free' suffix",
    )
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    from textsynth.lm import FinetuneConfig, finetune
    from textsynth.lm.train import seeds_hash

    plans = not args.no_value_plans
    default = f"no-{args.hold_out}" + ("" if plans else "-free")
    out = Path(args.out or ROOT / "eval" / ".cache" / "pretrained" / default)
    seeds, counts = training_set(args.hold_out, args.per_intent, args.seed)
    log.info("pre-training on %d utterances: %s", len(seeds), counts)
    t0 = time.perf_counter()
    config = FinetuneConfig(epochs=args.epochs, value_plans=plans, seed=args.seed)
    info = finetune(seeds, out, config)
    provenance = {
        "recipe": "LoRA fine-tuned on public multi-intent data (EX2 / LINGUIST)",
        "value_plans": plans,
        "held_out": args.hold_out,
        "sets": {n: {**c, "licence": SETS[n]} for n, c in counts.items()},
        "per_intent": args.per_intent,
        "epochs": args.epochs,
        "seed": args.seed,
        "training_set_sha256": seeds_hash(seeds),
        "base_model": info.base_model,
        "steps": info.steps,
        "final_loss": info.losses[-1] if info.losses else None,
        "seconds": round(time.perf_counter() - t0, 1),
        "attribution": "eval/data/SOURCES.md",
    }
    with atomic_write(out / "provenance.json") as fh:
        json.dump(provenance, fh, indent=2)
    print(f"wrote {out} in {provenance['seconds']} s ({info.steps} steps)")


if __name__ == "__main__":
    main()
