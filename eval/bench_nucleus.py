"""Benchmark the sampler's nucleus (top-p) step: this tree's per-row fallback vs all-rows.

The sampler takes the top 256 tokens of each row and samples from them when they hold the row's
nucleus; a row whose nucleus is wider needs a sort of the whole vocabulary. The previous step
sorted *every* row of the batch as soon as one row was wide; this tree sorts only the wide rows.

The benchmark records real next-token logits from the embedded SmolLM2-135M (49k vocabulary),
decoding few-shot SNIPS prompts (prompt mode, where nuclei are widest) and then the same prompts
after the list's first item, in batches of ``--batch`` rows, ``--steps`` steps. It then times
both steps over the same recorded logits, in alternating rounds, and checks that every row's
nucleus (the set of tokens each step may draw) is the same under both.

Run: ``python -m eval.bench_nucleus [--batch 32] [--steps 48] [--rounds 5]``. Writes
``eval/results/nucleus.json``: seconds per step for each, the ratio, and the share of wide rows.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import time
from pathlib import Path
from typing import Any

from eval.bench_lm import draw_seeds

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "eval" / "data" / "snips"
OUT = ROOT / "eval" / "results" / "nucleus.json"
# the embedded model only: the benchmark's choice, set here and never in the library
os.environ.setdefault("HF_HUB_OFFLINE", "1")
TEMPERATURE, TOP_P = 0.9, 0.95


def all_rows_step(logits: Any, top_p: float) -> Any:
    """The previous nucleus step (the peer): one wide row sends the whole batch to the sort."""
    import torch

    from textsynth.lm.generation import _NUCLEUS_K, _full_sort_token

    k = min(_NUCLEUS_K, logits.shape[-1])
    _, idx = torch.topk(logits, k, dim=-1)
    top_probs = logits.softmax(-1).gather(1, idx)
    if bool((top_probs.sum(-1) > top_p).all()):
        before = top_probs.cumsum(-1) - top_probs
        keep = before < top_p
        keep[:, 0] = True
        p = torch.where(keep, top_probs, torch.zeros_like(top_probs))
        return idx.gather(1, torch.multinomial(p, 1)).squeeze(1)
    return _full_sort_token(logits, top_p)


def record_logits(batch: int, steps: int, seed: int) -> list[Any]:
    """Return ``steps`` logits tensors (batch x vocab) from SmolLM2 decoding few-shot prompts."""
    import torch

    from textsynth.io import read_utterances
    from textsynth.lm.generation import _cache_keyword, _cache_of, _next_token
    from textsynth.lm.models import load_causal_lm
    from textsynth.lm.prompt import few_shot_prompt, pick_shots
    from textsynth.progress import progress

    seeds = draw_seeds(list(read_utterances(DATA / "train.jsonl")), 10, seed)
    by: dict[str, list] = {}
    for u in seeds:
        by.setdefault(u.intent, []).append(u)
    rng = random.Random(seed)
    intents = sorted(by)
    names = [intents[i % len(intents)] for i in range(batch)]
    prompts = [few_shot_prompt(name, pick_shots(by[name], 5, rng)) for name in names]
    model, tok = load_causal_lm("embedded:smollm2-135m", device="cpu", dtype="float32")
    tok.padding_side = "left"
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    enc = tok(prompts, return_tensors="pt", padding=True)
    torch.manual_seed(seed)
    out: list[Any] = []
    with torch.no_grad():
        res = model(**enc, use_cache=True)
        cache, mask, kw = _cache_of(res), enc["attention_mask"], _cache_keyword(model)
        logits = res.logits[:, -1, :].float()
        for _ in progress(range(steps), desc="recording logits", unit="step"):
            out.append(logits / TEMPERATURE)
            nxt = _next_token(logits, TEMPERATURE, TOP_P, None)
            mask = torch.cat([mask, mask.new_ones((mask.shape[0], 1))], dim=1)
            res = model(input_ids=nxt[:, None], attention_mask=mask, use_cache=True, **{kw: cache})
            cache, logits = _cache_of(res), res.logits[:, -1, :].float()
    return out


def nucleus_sets(logits: Any, top_p: float) -> list[frozenset[int]]:
    """Each row's full-sort nucleus: the tokens either step may draw."""
    import torch

    ordered, order = torch.sort(logits, descending=False)
    drop = ordered.softmax(-1).cumsum(-1) <= 1 - top_p
    drop[:, -1] = False
    return [frozenset(o[~d].tolist()) for o, d in zip(order, drop, strict=True)]


def time_step(fn: Any, steps: list[Any]) -> float:
    """Seconds for one pass of ``fn`` over every recorded step."""
    t0 = time.perf_counter()
    for logits in steps:
        fn(logits.clone(), TOP_P)
    return time.perf_counter() - t0


def main() -> None:
    """Record logits, time both nucleus steps in alternating rounds, check and write the JSON."""
    import torch

    from textsynth.io import atomic_write
    from textsynth.lm.generation import _NUCLEUS_K, _next_token

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=48)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    steps = record_logits(args.batch, args.steps, args.seed)

    def this_tree(logits: Any, top_p: float) -> Any:
        return _next_token(logits, 1.0, top_p, None)  # logits are already divided by T

    # the kept set of both: each draw of either step lies in the row's full-sort nucleus
    torch.manual_seed(args.seed)
    wide_rows = 0
    for logits in steps:
        sets = nucleus_sets(logits, TOP_P)
        wide_rows += sum(len(s) > _NUCLEUS_K for s in sets)
        for fn in (this_tree, all_rows_step):
            drawn = fn(logits.clone(), TOP_P).tolist()
            assert all(t in s for t, s in zip(drawn, sets, strict=True)), fn.__name__
    wide_steps = sum(
        bool((ls.softmax(-1).topk(_NUCLEUS_K).values.sum(-1) <= TOP_P).any()) for ls in steps
    )
    times: dict[str, list[float]] = {"per_row": [], "all_rows": []}
    for _ in range(args.rounds):
        times["per_row"].append(time_step(this_tree, steps))
        times["all_rows"].append(time_step(all_rows_step, steps))
    n = len(steps)
    per_row = statistics.median(times["per_row"]) / n
    all_rows = statistics.median(times["all_rows"]) / n
    result = {
        "model": "embedded:smollm2-135m (prompt mode, few-shot SNIPS)",
        "batch": args.batch,
        "steps": n,
        "rounds": args.rounds,
        "temperature": TEMPERATURE,
        "top_p": TOP_P,
        "wide_row_share": wide_rows / (n * args.batch),
        "steps_with_a_wide_row_share": wide_steps / n,
        "seconds_per_step": {"per_row": per_row, "all_rows": all_rows},
        "rounds_seconds": times,
        "ratio_all_rows_over_per_row": all_rows / per_row,
        "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform()},
        "readme_rows": [
            {
                "benchmark": "nucleus",
                "measure": f"top-p step, ms per step (SmolLM2 prompt mode, batch {args.batch})",
                "textsynth": round(1000 * per_row, 1),
                "peer": "all rows sorted when one is wide (previous step)",
                "peer_value": round(1000 * all_rows, 1),
                "ratio": round(all_rows / per_row, 2),
                "note": f"{wide_rows / (n * args.batch):.0%} of rows wide; same nucleus per row",
            }
        ],
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(args.out) as fh:
        json.dump(result, fh, indent=2)
    print(
        "| nucleus step | ms per step (batch {b}) |\n|---|---:|\n"
        "| all rows sorted when one is wide (before) | {a:.1f} |\n"
        "| only the wide rows sorted (this tree) | {p:.1f} |\n"
        "ratio {r:.2f}x; wide rows {w:.0%}, steps with a wide row {s:.0%} -> {o}".format(
            b=args.batch,
            a=1000 * all_rows,
            p=1000 * per_row,
            r=all_rows / per_row,
            w=result["wide_row_share"],
            s=result["steps_with_a_wide_row_share"],
            o=args.out,
        )
    )


if __name__ == "__main__":
    main()
