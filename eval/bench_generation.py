"""Benchmark the trusted-generation pieces on SNIPS 10-shot: constrained markup, verification.

Stages (``--stages``, comma-separated; results merge into ``eval/results/generation.json``):

- ``finetune``: LoRA fine-tune of ``--model`` on 10 seeds x 7 SNIPS intents, timed (run reused
  from ``eval/.cache`` when its seeds and config match).
- ``markup``: raw generations of the fine-tuned run and of prompt mode, with and without
  constrained decoding (same seeds, same sampling seed): share whose markup parses with the
  intent's labels and no junk (HTML, URL, ``||``), and tokens/s.
- ``kept``: the full sampling pipeline (every filter on), 20 kept per intent: time, oracle
  slot-label precision, fluency share below the seeds' 5th percentile, filter summary and a
  seeded sample of 100 kept utterances for reading.

Run: ``python -m eval.bench_generation --stages finetune,markup,kept``.
The machine's 2 cores are shared with other jobs: timings are noisy and stated as measured.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import re
import time
from pathlib import Path
from typing import Any

from eval.bench_lm import draw_seeds

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "eval" / "data" / "snips"
OUT = ROOT / "eval" / "results" / "generation.json"
CACHE = ROOT / "eval" / ".cache"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
logger = logging.getLogger("bench_generation")

JUNK_RE = re.compile(r"<[^>]*>|https?://|www\.|\|\|")
MODELS = {"smollm2": "embedded:smollm2-135m", "gemma": "embedded:gemma3-270m"}


def load(out: Path) -> dict:
    """Return the results so far (empty when none)."""
    return json.loads(out.read_text()) if out.exists() else {"benchmark": "generation"}


def save(res: dict, out: Path) -> None:
    """Write the results atomically, with their readme rows."""
    from textsynth.io import atomic_write

    res["readme_rows"] = readme_rows(res)
    with atomic_write(out) as fh:
        json.dump(res, fh, indent=2, ensure_ascii=False)
        fh.write("\n")


def seeds_for(args: argparse.Namespace) -> list:
    """Return the 10-shot SNIPS seeds of draw ``args.seed`` (7 intents x ``args.shots``)."""
    from textsynth.io import read_utterances

    return draw_seeds(list(read_utterances(DATA / "train.jsonl")), args.shots, args.seed)


def run_dir(args: argparse.Namespace, model: str) -> Path:
    """Return the cached run folder of ``model`` for this draw."""
    return CACHE / f"gen-{model}-s{args.seed}-k{args.shots}"


def stage_finetune(args: argparse.Namespace, res: dict) -> None:
    """Fine-tune ``args.model`` on the seeds and time it (reusing a finished run)."""
    from textsynth.lm import FinetuneConfig, finetune

    seeds = seeds_for(args)
    out = run_dir(args, args.model)
    cfg = FinetuneConfig(base_model=MODELS[args.model], seed=args.seed, threads=args.threads)
    t = time.perf_counter()
    info = finetune(seeds, out, cfg)
    res.setdefault("finetune", {})[args.model] = {
        "base_model": cfg.base_model,
        "seeds": len(seeds),
        "epochs": cfg.epochs,
        "steps": info.steps,
        "load_s": info.load_seconds,
        "train_s": info.train_seconds,
        "total_s": round(time.perf_counter() - t, 1),
        "final_loss": info.losses[-1] if info.losses else None,
        "load_average": round(os.getloadavg()[0], 2),
    }


def markup_ok(raw: str, intent: str, labels: set[str]) -> bool:
    """Return whether a raw completion is valid markup with allowed labels and no junk."""
    from textsynth.errors import MarkupError
    from textsynth.lm.prompt import clean_completion, parse_completion

    text = clean_completion(raw)
    if not text or JUNK_RE.search(text):
        return False
    try:
        u = parse_completion(raw, intent)
    except MarkupError:
        return False
    return bool(u.text.strip()) and all(s.label in labels for s in u.spans)


def _raw(model: Any, tok: Any, prompts: list[str], keys: list[str], labels: dict, **kw: Any):
    from textsynth.lm.constrain import build_constraint
    from textsynth.lm.generation import GenerationStats, generate_batched

    stats = GenerationStats()
    constraint = build_constraint(tok, labels) if kw.pop("constrain") else None
    t = time.perf_counter()
    raw = generate_batched(model, tok, prompts, stats=stats, constraint=constraint, keys=keys, **kw)
    return raw, stats, time.perf_counter() - t


def stage_markup(args: argparse.Namespace, res: dict) -> None:
    """Raw valid-markup share and tokens/s, free vs constrained, fine-tuned and prompt mode."""
    from textsynth.lm import load_run
    from textsynth.lm.constrain import labels_for
    from textsynth.lm.prompt import few_shot_prompt, finetune_prompt, pick_shots, slots_by_intent

    seeds = seeds_for(args)
    intents = sorted({u.intent for u in seeds})
    labels = labels_for(seeds, intents)
    run = load_run(run_dir(args, args.model), device="cpu")
    hints = slots_by_intent(seeds)
    n = args.raw_per_intent
    modes: dict[str, tuple[list[str], list[str]]] = {}
    keys = [i for i in intents for _ in range(n)]
    modes["finetuned"] = ([finetune_prompt(i, "en", hints[i]) for i in keys], keys)
    by: dict[str, list] = {}
    for u in seeds:
        by.setdefault(u.intent, []).append(u)
    rng = random.Random(args.seed)
    pk: list[str] = []
    for i in intents:
        for _ in range(n // 8):
            pk += [few_shot_prompt(i, pick_shots(by[i], 8, rng))] * 8
    pkeys = [i for i in intents for _ in range((n // 8) * 8)]
    modes["prompt"] = (pk, pkeys)
    out = res.setdefault("markup", {})
    from textsynth.lm.models import load_causal_lm

    base = None
    for mode, (prompts, ks) in modes.items():
        if mode == "prompt":
            base = base or load_causal_lm(run.config.base_model, device="cpu")
            model, tok = base
        else:
            model, tok = run.model, run.tokenizer
        for constrain in (False, True):
            raw, stats, secs = _raw(
                model,
                tok,
                prompts,
                ks,
                labels,
                constrain=constrain,
                temperature=0.9,
                top_p=0.95,
                max_new_tokens=40,
                batch_size=64,
                seed=args.seed,
            )
            ok = [markup_ok(r, i, set(labels[i])) for r, i in zip(raw, ks, strict=True)]
            key = f"{args.model}/{mode}/{'constrained' if constrain else 'free'}"
            out[key] = {
                "generations": len(raw),
                "valid_markup_share": round(sum(ok) / len(ok), 4),
                "tokens_per_s": round(stats.tokens_per_second, 1),
                "new_tokens": stats.new_tokens,
                "seconds": round(secs, 1),
                "invalid_examples": [r for r, k in zip(raw, ok, strict=True) if not k][:8],
            }
            logger.info(
                "%s: %s", key, {k: v for k, v in out[key].items() if k != "invalid_examples"}
            )
            save(res, args.out)


def readme_rows(res: dict) -> list[dict]:
    """Return the README rows of the measured stages."""
    rows = []
    for key, v in sorted(res.get("markup", {}).items()):
        model, mode, kind = key.split("/")
        if kind != "constrained":
            continue
        free = res["markup"].get(f"{model}/{mode}/free")
        if not free:
            continue
        rows.append(
            {
                "benchmark": "generation",
                "measure": f"raw valid markup share ({model}, {mode})",
                "textsynth": v["valid_markup_share"],
                "peer": "unconstrained decoding",
                "peer_value": free["valid_markup_share"],
                "ratio": round(v["valid_markup_share"] / free["valid_markup_share"], 3)
                if free["valid_markup_share"]
                else None,
                "note": f"tokens/s {v['tokens_per_s']} constrained vs {free['tokens_per_s']} free",
            }
        )
    return rows


def main() -> None:
    """Run the chosen stages and merge their figures into the results file."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stages", default="finetune,markup")
    ap.add_argument("--model", choices=sorted(MODELS), default="smollm2")
    ap.add_argument("--shots", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--raw-per-intent", type=int, default=64)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    import torch

    torch.set_num_threads(args.threads)
    res = load(args.out)
    for stage in args.stages.split(","):
        t = time.perf_counter()
        {"finetune": stage_finetune, "markup": stage_markup}[stage](args, res)
        res.setdefault("stage_seconds", {})[f"{args.model}/{stage}"] = round(
            time.perf_counter() - t, 1
        )
        save(res, args.out)


if __name__ == "__main__":
    main()
