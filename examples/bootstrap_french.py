"""Bootstrap an intent set in French from a small grammar written by a native speaker.

grammar (grammars/banque_fr.tsg, Faker values in fr_FR) -> distinct labelled utterances with a
stratified train/test split -> LoRA fine-tune of the embedded model on a sample of them -> new
French utterances the grammar cannot produce -> Rasa YAML. Run from the repository root:

    python examples/bootstrap_french.py [--n 400] [--per-intent 15]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from textsynth import expand, load_grammar, write
from textsynth.errors import TextsynthError
from textsynth.grammar import count
from textsynth.lm import FinetuneConfig, SampleConfig, finetune, sample


def main() -> None:
    """Expand the grammar, fine-tune on it, sample new utterances, write them."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--grammar", default="grammars/banque_fr.tsg")
    ap.add_argument("--out", default="french-out")
    ap.add_argument("--n", type=int, default=400, help="utterances drawn from the grammar")
    ap.add_argument("--train", type=int, default=60, help="of which the LM learns from this many")
    ap.add_argument("--per-intent", type=int, default=15)
    ap.add_argument("--epochs", type=int, default=None, help="fine-tuning epochs (default: config)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    out = Path(args.out)

    grammar = load_grammar(args.grammar)
    for intent, c in count(grammar).items():
        print(f"{intent:<20} {c:>12,} combinations")
    utts = list(
        expand(grammar, n=args.n, seed=args.seed, dedupe="casefold", coverage=True, split=0.2)
    )
    train = [u for u in utts if u.meta.get("split") != "test"]
    test = [u for u in utts if u.meta.get("split") == "test"]
    write(train, out / "grammar.train.jsonl")
    write(test, out / "grammar.test.jsonl")

    by_intent: dict[str, list] = {}
    for u in train:
        by_intent.setdefault(u.intent, []).append(u)
    per = max(1, args.train // len(by_intent))  # the same number of examples for every intent
    lm_train = [u for group in by_intent.values() for u in group[:per]]
    config = (
        FinetuneConfig(seed=args.seed)
        if args.epochs is None
        else FinetuneConfig(seed=args.seed, epochs=args.epochs)
    )
    finetune(lm_train, out / "model", config)
    new, summary = sample(out / "model", SampleConfig(per_intent=args.per_intent, seed=args.seed))
    print(summary)
    write(new, out / "generated.jsonl")
    write(train + new, out / "nlu.yml", "rasa-yaml")
    for u in new[:8]:
        print(f"  [{u.intent}] {u.text}")
    print(
        f"grammar: {len(train)} train / {len(test)} test; LM: {len(new)} new -> {out / 'nlu.yml'}"
    )


if __name__ == "__main__":
    try:
        main()
    except TextsynthError as exc:  # bad input: the message names the file, line and what to do
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
