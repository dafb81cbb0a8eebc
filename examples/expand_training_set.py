"""Expand a chatbot training set from a few seeds per intent.

seeds (JSONL) -> pseudonymise -> LoRA fine-tune the embedded SmolLM2 -> sample and filter ->
evaluate against the seeds -> Rasa 3 YAML. Run from the repository root:

    python examples/expand_training_set.py [--seeds examples/banking/seeds.jsonl] [--per-intent 20]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from textsynth import evaluate, read, write
from textsynth.errors import TextsynthError
from textsynth.lm import FinetuneConfig, SampleConfig, finetune, sample
from textsynth.pii import Pseudonymiser
from textsynth.pii.keys import load_key


def main() -> None:
    """Run the expansion and print where the outputs went."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", default="examples/banking/seeds.jsonl")
    ap.add_argument("--out", default="expand-out")
    ap.add_argument("--per-intent", type=int, default=20)
    ap.add_argument("--epochs", type=int, default=None, help="fine-tuning epochs (default: config)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--key-file", default=None, help="PII key file (default: $TEXTSYNTH_PII_KEY, else random)"
    )
    args = ap.parse_args()
    out = Path(args.out)

    seeds = list(read(args.seeds))
    key = load_key(args.key_file)  # the key file, else $TEXTSYNTH_PII_KEY, else a random key
    clean = list(Pseudonymiser(lang="en", key=key).scrub_utterances(seeds))
    ft = (
        FinetuneConfig(seed=args.seed)
        if args.epochs is None
        else FinetuneConfig(seed=args.seed, epochs=args.epochs)
    )
    finetune(clean, out / "model", ft)
    new, summary = sample(out / "model", SampleConfig(per_intent=args.per_intent, seed=args.seed))
    print(summary)
    write(clean + new, out / "nlu.yml", "rasa-yaml")
    write(new, out / "generated.jsonl")
    report = evaluate(new, clean, seed=args.seed)
    report.save(out / "report")
    print(
        f"{len(new)} new utterances -> {out / 'generated.jsonl'}; "
        f"training set -> {out / 'nlu.yml'}; "
        f"report -> {out / 'report' / 'report.html'}"
    )


if __name__ == "__main__":
    try:
        main()
    except TextsynthError as exc:  # bad input: the message names the file, line and what to do
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
