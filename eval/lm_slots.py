"""How good are the slots and the sentences of the LM generator? The 30-seed SNIPS run.

The run a new user makes (issue 13): 10 seeds each of GetWeather, BookRestaurant and RateBook
(drawn with ``random.Random(0)`` from the SNIPS training split), ``textsynth lm finetune`` with
its defaults, ``textsynth lm sample --per-intent 20``, then ``textsynth evaluate`` with the
**oracle** slot tagger (a CRF trained on the full SNIPS training split of those three intents)
and the fluency metric. The CLI is run as a subprocess, exactly as a user would.

Writes ``eval/results/lm_slots.json`` (figures + README rows), ``eval/results/lm_slots.png``
(fluency distribution and per-label slot F1) and keeps the seeds, the sampled set and the
evaluation report under ``eval/results/lm_slots/``.

Usage: ``python -m eval.lm_slots [--work DIR] [--stage generate|evaluate|all]``. The fine-tuned
run lives in ``--work`` (default ``eval/.cache/lm_slots``); a stage whose outputs exist is not
run again.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INTENTS = ("GetWeather", "BookRestaurant", "RateBook")
OUT = ROOT / "eval" / "results" / "lm_slots"
RESULT = ROOT / "eval" / "results" / "lm_slots.json"


def textsynth(*args: str) -> float:
    """Run the textsynth CLI with ``args``; return the seconds it took."""
    cmd = [sys.executable, "-c", "from textsynth.cli import main; main()", *args]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TEXTSYNTH_PROGRESS": "0"}
    t0 = time.perf_counter()
    print("$ textsynth " + " ".join(args), flush=True)
    subprocess.run(cmd, check=True, env=env, cwd=ROOT)
    return round(time.perf_counter() - t0, 1)


def write_inputs(work: Path) -> None:
    """Write the 30 seeds and, in ``work``, the oracle's reference (full train split) and test."""
    from textsynth.io import read_utterances, write_utterances_jsonl

    train = [
        u for u in read_utterances(ROOT / "eval/data/snips/train.jsonl") if u.intent in INTENTS
    ]
    test = [u for u in read_utterances(ROOT / "eval/data/snips/test.jsonl") if u.intent in INTENTS]
    rng = random.Random(0)
    seeds = [u for it in INTENTS for u in rng.sample([x for x in train if x.intent == it], 10)]
    OUT.mkdir(parents=True, exist_ok=True)
    write_utterances_jsonl(seeds, OUT / "seeds.jsonl")
    work.mkdir(parents=True, exist_ok=True)
    write_utterances_jsonl(train, work / "reference.jsonl")
    write_utterances_jsonl(test, work / "test.jsonl")


def generate(work: Path, timings: dict) -> None:
    """Fine-tune with the defaults and sample 20 per intent (skipped when done)."""
    if not (work / "run" / "config.json").exists():
        timings["finetune_s"] = textsynth(
            "lm", "finetune", "--seeds", str(OUT / "seeds.jsonl"), "--out", str(work / "run")
        )
    if not (OUT / "sampled.jsonl").exists():
        timings["sample_s"] = textsynth(
            "lm", "sample", "--model", str(work / "run"), "--per-intent", "20",
            "-o", str(OUT / "sampled.jsonl"), "--summary", str(OUT / "sample_summary.json"),
        )  # fmt: skip


def main() -> None:
    """Run the stages asked for and write the results."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", default=str(ROOT / "eval" / ".cache" / "lm_slots"))
    ap.add_argument("--stage", choices=["generate", "evaluate", "all"], default="all")
    args = ap.parse_args()
    work = Path(args.work)
    timings: dict = {}
    old = json.loads(RESULT.read_text()) if RESULT.exists() else {}
    timings.update(old.get("timings", {}))
    if (OUT / "timings.json").exists():  # the generate stage's own, when it ran apart
        timings.update(json.loads((OUT / "timings.json").read_text()))
    if not (OUT / "seeds.jsonl").exists() or not (work / "reference.jsonl").exists():
        write_inputs(work)
    if args.stage in ("generate", "all"):
        generate(work, timings)
        (OUT / "timings.json").write_text(json.dumps(timings, indent=2))
    if args.stage in ("evaluate", "all"):
        from eval.lm_slots_report import evaluate_run

        evaluate_run(work, OUT, RESULT, timings)


if __name__ == "__main__":
    main()
