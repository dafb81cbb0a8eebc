"""The ``vllm`` backend against in-process ``hf`` on the same GPU, model, seeds and prompts.

Prompt mode, SNIPS 10-shot seeds, every filter of the default chain: tokens/s (completion tokens
over generation time) and kept utterances/s (kept over the whole sampling loop) of

* ``hf``: transformers in this process, on ``cuda``;
* ``vllm``: offline ``vllm.LLM`` batches, constrained by vLLM's structured outputs (regex).

The model is the embedded SmolLM2-135M-Instruct as a Hugging Face folder (vLLM cannot load the
GGUF), or ``--model`` (a hub id or folder). Needs a CUDA GPU and ``pip install textsynth[vllm]``;
without them it exits 2 and says so. Writes ``eval/results/vllm.json`` with ``readme_rows``.

Usage: ``python -m eval.bench_vllm [--per-intent 50] [--model NAME]``
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

from eval.bench_lm import DATA, draw_seeds
from eval.lm_backends import _run, figures
from textsynth.io import atomic_write, read_utterances

RESULTS = Path(__file__).resolve().parent / "results"
logger = logging.getLogger("bench_vllm")


def gpu_or_exit() -> str:
    """Return the GPU's name, or exit 2 explaining what is missing."""
    try:
        import torch
    except ImportError:
        sys.exit("bench_vllm: needs torch (pip install textsynth[lm])")
    if not torch.cuda.is_available():
        print("bench_vllm: needs a CUDA GPU; none here (nothing measured)", file=sys.stderr)
        sys.exit(2)
    try:
        import vllm  # noqa: F401
    except ImportError:
        print("bench_vllm: needs vLLM: pip install 'textsynth[vllm]'", file=sys.stderr)
        sys.exit(2)
    return str(torch.cuda.get_device_name(0))


def measure(seeds, model: str, per_intent: int, seed: int) -> dict[str, Any]:
    """Run the same prompt-mode sampling through ``hf`` (cuda) and ``vllm``; return figures."""
    from textsynth.classifier import IntentClassifier
    from textsynth.lm import SampleConfig
    from textsynth.lm.backends.hf import HfBackend
    from textsynth.lm.backends.vllm import VllmBackend

    fid = IntentClassifier("tfidf", seed=seed).fit(
        [u.text for u in seeds], [u.intent for u in seeds]
    )
    cfg = SampleConfig(
        per_intent=per_intent,
        seed=seed,
        max_new_tokens=32,
        fidelity_threshold=0.5,
        fidelity_features="tfidf",
        device="cuda",
    )
    out: dict[str, Any] = {}
    for name in ("hf", "vllm"):
        if name == "hf":
            b: Any = HfBackend(model=model, device="cuda", batch_size=64)
            b.check()
            b.load()
        else:
            b = VllmBackend(model=model, gpu_memory_utilization=0.5, seed=seed)
            b.check()
        kept, summary, wall = _run(b, seeds, cfg, fid)
        out[name] = figures(b, kept, summary, wall)
        b.close()
    return out


def readme_rows(res: dict[str, Any]) -> list[dict[str, Any]]:
    """Return vllm vs hf rows (ratios > 1: vllm faster)."""
    r = res["results"]
    note = (
        f"{res['gpu']}; {res['model_name']}, SNIPS 10-shot, prompt mode, "
        f"{res['per_intent']}/intent, same filters"
    )
    return [
        {
            "benchmark": "lm-backends (GPU)",
            "measure": measure_name,
            "textsynth": r["vllm"][key],
            "peer": "hf on the same GPU",
            "peer_value": r["hf"][key],
            "ratio": round(r["vllm"][key] / r["hf"][key], 2) if r["hf"][key] else None,
            "note": note,
        }
        for measure_name, key in (
            ("tokens/s: vllm vs hf", "tokens_per_s"),
            ("kept utterances/s: vllm vs hf", "kept_per_s"),
        )
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--per-intent", type=int, default=50)
    ap.add_argument("--model", default="embedded:smollm2-135m")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(RESULTS / "vllm.json"))
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    gpu = gpu_or_exit()
    from textsynth.lm.models import resolve_base_model

    model = resolve_base_model(args.model) if args.model.startswith("embedded:") else args.model
    train = list(read_utterances(DATA / "train.jsonl"))
    seeds = draw_seeds(train, 10, args.seed)
    t = time.perf_counter()
    res: dict[str, Any] = {
        "benchmark": "vllm",
        "gpu": gpu,
        "model_name": args.model,
        "per_intent": args.per_intent,
        "load_average_at_start": round(os.getloadavg()[0], 2),
        "results": measure(seeds, model, args.per_intent, args.seed),
    }
    res["seconds"] = round(time.perf_counter() - t, 1)
    res["readme_rows"] = readme_rows(res)
    with atomic_write(Path(args.out)) as fh:
        json.dump(res, fh, indent=2)
        fh.write("\n")
    print(json.dumps(res["results"], indent=2))


if __name__ == "__main__":
    main()
