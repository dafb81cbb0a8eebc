"""Benchmark the LM generator on SNIPS: 10-shot seeds, LoRA fine-tune, sample, filter, measure.

Stages (each timed): draw a seeded 10-shot set per intent (70 seeds); LoRA fine-tune the embedded
SmolLM2-135M on CPU; sample ``--per-intent`` utterances per intent through every filter; train
the oracle (the same MiniLM-embedding + logistic-regression classifier, on the full SNIPS train
set) and score the kept set; optionally the prompt-mode baseline on the same seeds; generation
throughput at batch sizes 1/8/32 against a plain ``model.generate`` loop of batch size 1, in
fp32 and bf16, interleaved.

Run: ``python -m eval.bench_lm`` -> ``eval/results/lm.json`` (with ``readme_rows``).
The machine's 2 cores are shared with other jobs: timings are noisy and stated as measured.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import random
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from textsynth import markup  # noqa: E402
from textsynth.io import atomic_write, read_utterances  # noqa: E402
from textsynth.text import normalise_text  # noqa: E402

DATA = ROOT / "eval" / "data" / "snips"
logger = logging.getLogger("bench_lm")


def draw_seeds(train, shots: int, seed: int):
    """Return ``shots`` utterances per intent drawn with ``random.Random(seed)``."""
    by: dict[str, list] = {}
    for u in train:
        by.setdefault(u.intent, []).append(u)
    rng = random.Random(seed)
    return [u for i in sorted(by) for u in rng.sample(by[i], shots)]


def distinct_n(texts, n: int = 2) -> float:
    """Return distinct n-grams / all n-grams over ``texts`` (word level, normalised)."""
    grams = [
        tuple(w[i : i + n])
        for t in texts
        for w in [normalise_text(t).split()]
        for i in range(len(w) - n + 1)
    ]
    return len(set(grams)) / len(grams) if grams else 0.0


def spans_valid(u) -> bool:
    """Return whether ``u``'s spans are in bounds, non-empty and survive a markup round trip."""
    if any(not (0 <= s.start < s.end <= len(u.text)) for s in u.spans):
        return False
    if any(not u.span_text(s).strip() for s in u.spans):
        return False
    back = markup.parse(markup.render(u), u.intent)
    return back.text == u.text and back.spans == u.spans


def quality(kept, seeds, oracle) -> dict:
    """Return the quality figures of a kept set."""
    seed_norm = {normalise_text(u.text) for u in seeds}
    pred = oracle.predict([u.text for u in kept]) if kept else []
    by_intent: dict[str, list[bool]] = {}
    for u, p in zip(kept, pred, strict=True):
        by_intent.setdefault(u.intent, []).append(p == u.intent)
    return {
        "kept": len(kept),
        "label_fidelity_oracle": round(
            sum(p == u.intent for u, p in zip(kept, pred, strict=True)) / max(1, len(kept)), 4
        ),
        "label_fidelity_by_intent": {i: round(sum(v) / len(v), 4) for i, v in by_intent.items()},
        "valid_spans_share": round(sum(spans_valid(u) for u in kept) / max(1, len(kept)), 4),
        "with_slots_share": round(sum(bool(u.spans) for u in kept) / max(1, len(kept)), 4),
        "not_in_seeds_share": round(
            sum(normalise_text(u.text) not in seed_norm for u in kept) / max(1, len(kept)), 4
        ),
        "distinct_2": round(distinct_n([u.text for u in kept]), 4),
        "examples": [markup.render(u) for u in kept[:: max(1, len(kept) // 12)]][:12],
    }


def filter_figures(summary) -> dict:
    """Return the raw-valid-markup share and each filter's kept share from a summary."""
    d = summary.to_dict()
    gen = max(1, d["generated"])
    bad = d["filters"]["empty-value"]["rejected"] + d["filters"]["markup"]["rejected"]
    return {
        "generated": d["generated"],
        "valid_markup_share_raw": round(1 - bad / gen, 4),
        "seed_copies_share_raw": round(
            (
                d["filters"]["seed-copy-exact"]["rejected"]
                + d["filters"]["seed-copy-near"]["rejected"]
            )
            / gen,
            4,
        ),
        "filters": d["filters"],
        "kept": d["kept"],
        "kept_by_intent": d["kept_by_intent"],
        "surplus_dropped": d["surplus_dropped"],
    }


def throughput(model, tok, *, reps: int, new_tokens: int, dtypes) -> dict:
    """Measure new tokens/s: batched sampler at bs 1/8/32 vs a plain generate loop, interleaved."""
    import torch

    from textsynth.lm.generation import GenerationStats, generate_batched
    from textsynth.lm.prompt import finetune_prompt

    intents = ["PlayMusic", "GetWeather", "BookRestaurant", "RateBook"]
    prompts = [finetune_prompt(intents[i % 4]) for i in range(64)]  # 64: the sampler's batch
    plan = [
        ("plain_generate_bs1", 1, 4),
        ("textsynth_bs1", 1, 4),
        ("textsynth_bs8", 8, 16),
        ("textsynth_bs32", 32, 32),
        ("textsynth_bs64", 64, 64),
    ]
    skipped: list[str] = []
    results: dict[str, dict[str, list[float]]] = {}
    for rep in range(reps):
        for dname in dtypes:
            if dname in skipped:
                continue
            m = model.to(getattr(torch, dname))
            for name, bs, n in plan:
                st = GenerationStats()
                if name.startswith("plain"):
                    t0 = time.perf_counter()
                    torch.manual_seed(rep)
                    ntok = 0
                    for p in prompts[:n]:
                        enc = tok(p, return_tensors="pt")
                        with torch.inference_mode():
                            out = m.generate(
                                **enc,
                                do_sample=True,
                                temperature=0.9,
                                top_p=0.95,
                                top_k=0,
                                max_new_tokens=new_tokens,
                                min_new_tokens=new_tokens,
                                pad_token_id=tok.pad_token_id,
                            )
                        ntok += out.shape[1] - enc["input_ids"].shape[1]
                    tps = ntok / (time.perf_counter() - t0)
                else:
                    generate_batched(
                        m,
                        tok,
                        prompts[:n],
                        batch_size=bs,
                        seed=rep,
                        max_new_tokens=new_tokens,
                        min_new_tokens=new_tokens,
                        stats=st,
                    )
                    tps = st.tokens_per_second
                results.setdefault(dname, {}).setdefault(name, []).append(round(tps, 2))
                logger.info("throughput %s %s rep %d: %.1f tok/s", dname, name, rep, tps)
                if name.startswith("plain") and tps < 4.0 and dname != "float32":
                    skipped.append(dname)  # e.g. bf16 without CPU bf16 instructions: too slow
                    break
    model.to(torch.float32)
    out: dict = {
        "new_tokens_per_sequence": new_tokens,
        "reps": reps,
        "runs": results,
        "skipped_after_plain_bs1_under_4_tok_s": skipped,
        "median": {d: {k: statistics.median(v) for k, v in r.items()} for d, r in results.items()},
    }
    for d, med in out["median"].items():
        if d in skipped:
            continue
        base = med["plain_generate_bs1"]
        out.setdefault("ratio_vs_plain_bs1", {})[d] = {
            k: round(v / base, 2) for k, v in med.items() if k != "plain_generate_bs1"
        }
    return out


def pruning(run, seeds, n: int, seed: int) -> dict:
    """Sampling at batch 32 with natural stops: finished rows dropped vs ``model.generate``."""
    from textsynth.lm.generation import GenerationStats, generate_batched
    from textsynth.lm.prompt import finetune_prompt, slots_by_intent

    hints = slots_by_intent(seeds)
    intents = sorted(hints)
    prompts = [
        finetune_prompt(intents[i % len(intents)], "en", hints[intents[i % len(intents)]])
        for i in range(n)
    ]
    out: dict = {"prompts": n, "batch_size": 32, "max_new_tokens": 40}
    for name, prune in (("generate", False), ("textsynth_pruned", True)):
        st = GenerationStats()
        t = time.perf_counter()
        generate_batched(
            run.model,
            run.tokenizer,
            prompts,
            batch_size=32,
            seed=seed,
            max_new_tokens=40,
            prune=prune,
            stats=st,
        )
        out[name] = {
            "seconds": round(time.perf_counter() - t, 1),
            "sequences_per_s": round(n / (time.perf_counter() - t), 2),
            "useful_tokens_per_s": round(st.tokens_per_second, 1),
        }
    out["speedup"] = round(out["generate"]["seconds"] / out["textsynth_pruned"]["seconds"], 2)
    return out


def _reusable(run_dir: str, seeds, fcfg):
    """Return the RunInfo of ``run_dir`` if it was trained on ``seeds`` with ``fcfg``, else None."""
    from textsynth.lm.train import RunInfo, seeds_hash

    p = Path(run_dir) / "config.json"
    if not p.exists():
        return None
    saved = json.loads(p.read_text(encoding="utf-8"))
    if saved["finetune"] != fcfg.to_dict() or saved["run"]["seeds_hash"] != seeds_hash(seeds):
        return None
    return RunInfo.from_dict(saved["run"])


def main() -> None:  # noqa: C901
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shots", type=int, default=10)
    ap.add_argument("--per-intent", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--lr", type=float, default=None)
    ap.add_argument("--tau", type=float, default=None)
    ap.add_argument(
        "--threads",
        type=int,
        default=2,
        help="torch CPU threads (this machine's 2 cores; 1 is faster while other jobs share them)",
    )
    ap.add_argument(
        "--oracle-per-intent",
        type=int,
        default=400,
        help="oracle training utterances per intent (0 = the full train set)",
    )
    ap.add_argument(
        "--prompt-per-intent",
        type=int,
        default=20,
        help="per-intent size of the prompt-mode baseline (0 skips it)",
    )
    ap.add_argument("--throughput-reps", type=int, default=1, help="0 skips throughput")
    ap.add_argument(
        "--pruning-prompts",
        type=int,
        default=128,
        help="prompts of the pruned-vs-generate sampling comparison (0 skips it)",
    )
    ap.add_argument("--throughput-dtypes", default="float32,bfloat16")
    ap.add_argument("--new-tokens", type=int, default=24)
    ap.add_argument(
        "--throughput-only",
        action="store_true",
        help="re-measure only the throughput section and update --out in place",
    )
    ap.add_argument(
        "--reuse-run",
        action="store_true",
        help="reuse --run-dir when it was trained on the same seeds and config "
        "(its recorded fine-tuning times are reported)",
    )
    ap.add_argument(
        "--backends",
        action="store_true",
        help="only compare the generator backends (hf, openai against a local llama.cpp "
        "server, llamacpp in-process) and the LLM judge; update --out in place",
    )
    ap.add_argument("--backend-per-intent", type=int, default=4)
    ap.add_argument("--judge-per-intent", type=int, default=6)
    ap.add_argument(
        "--backend-intents", type=int, default=0, help="first N SNIPS intents only (0 = all)"
    )
    ap.add_argument("--backend-shots", type=int, default=8, help="few-shot examples per prompt")
    ap.add_argument("--run-dir", default=str(ROOT / "eval" / ".cache" / "lm-run"))
    ap.add_argument("--out", default=str(ROOT / "eval" / "results" / "lm.json"))
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")

    import torch

    torch.set_num_threads(args.threads)
    from textsynth.classifier import Embedder, IntentClassifier
    from textsynth.lm import FinetuneConfig, SampleConfig, finetune, load_run, prompt_sample, sample
    from textsynth.lm.generation import GenerationStats

    if args.throughput_only:
        update_throughput(Path(args.out), args)
        return
    if args.backends:
        update_backends(Path(args.out), args)
        return
    t_all = time.perf_counter()
    timings: dict[str, float] = {}
    res: dict = {
        "benchmark": "lm",
        "dataset": "SNIPS (eval/data/snips, CC0)",
        "machine": {
            "cpu_threads": args.threads,
            "cores": os.cpu_count(),
            "torch": torch.__version__,
            "python": platform.python_version(),
            "load_average_at_start": round(os.getloadavg()[0], 2),
        },
    }
    train = list(read_utterances(DATA / "train.jsonl"))
    seeds = draw_seeds(train, args.shots, args.seed)
    res["seeds"] = {"per_intent": args.shots, "total": len(seeds), "draw_seed": args.seed}

    ft_kw: dict = {"seed": args.seed}
    if args.epochs:
        ft_kw["epochs"] = args.epochs
    if args.lr:
        ft_kw["learning_rate"] = args.lr
    fcfg = FinetuneConfig(**ft_kw)
    t = time.perf_counter()
    info = _reusable(args.run_dir, seeds, fcfg) if args.reuse_run else None
    res["finetune_reused"] = info is not None
    if info is None:
        info = finetune(seeds, args.run_dir, fcfg)
        timings["finetune_total_s"] = round(time.perf_counter() - t, 1)
    else:
        timings["finetune_total_s"] = round(info.load_seconds + info.train_seconds, 1)
    timings["finetune_model_load_s"] = info.load_seconds
    timings["finetune_train_s"] = info.train_seconds
    res["finetune"] = {
        "config": fcfg.to_dict(),
        "steps": info.steps,
        "loss_first": info.losses[0],
        "loss_last": info.losses[-1],
        "seeds_hash": info.seeds_hash,
    }
    logger.info("fine-tuned in %.0fs", timings["finetune_total_s"])

    t = time.perf_counter()
    embedder = Embedder()
    seed_clf = IntentClassifier("embeddings", embedder=embedder, seed=args.seed).fit(
        [u.text for u in seeds], [u.intent for u in seeds]
    )
    timings["seed_classifier_s"] = round(time.perf_counter() - t, 1)

    s_kw: dict = {"per_intent": args.per_intent, "seed": args.seed}
    if args.tau is not None:
        s_kw["fidelity_threshold"] = args.tau
    scfg = SampleConfig(**s_kw)
    t = time.perf_counter()
    run = load_run(args.run_dir, dtype="float32")
    timings["sample_model_load_s"] = round(time.perf_counter() - t, 1)
    st = GenerationStats()
    t = time.perf_counter()
    kept, summary = sample(run, scfg, classifier=seed_clf, stats=st)
    timings["sample_and_filter_s"] = round(time.perf_counter() - t, 1)
    timings["generation_only_s"] = round(st.seconds, 1)
    res["sample"] = {
        "config": scfg.to_dict(),
        **filter_figures(summary),
        "generation": {
            "sequences": st.sequences,
            "new_tokens": st.new_tokens,
            "tokens_per_s": round(st.tokens_per_second, 1),
        },
    }
    timings["generator_total_s"] = round(
        timings["finetune_total_s"]
        + timings["seed_classifier_s"]
        + timings["sample_model_load_s"]
        + timings["sample_and_filter_s"],
        1,
    )
    logger.info("sampled: %s", summary.format())
    if args.pruning_prompts:
        res["pruning"] = pruning(run, seeds, args.pruning_prompts, args.seed)
        logger.info("pruning: %s", res["pruning"])

    t = time.perf_counter()
    otrain = train
    if args.oracle_per_intent:
        by: dict[str, list] = {}
        for u in train:
            by.setdefault(u.intent, []).append(u)
        orng = random.Random(args.seed + 1)
        otrain = [
            u
            for i in sorted(by)
            for u in orng.sample(by[i], min(len(by[i]), args.oracle_per_intent))
        ]
    oracle = IntentClassifier("embeddings", embedder=embedder, seed=args.seed).fit(
        [u.text for u in otrain], [u.intent for u in otrain]
    )
    timings["oracle_train_s"] = round(time.perf_counter() - t, 1)
    test = list(read_utterances(DATA / "test.jsonl"))
    pred = oracle.predict([u.text for u in test])
    res["oracle"] = {
        "train_size": len(otrain),
        "test_accuracy": round(
            sum(p == u.intent for p, u in zip(pred, test, strict=True)) / len(test), 4
        ),
    }
    res["kept_quality"] = quality(kept, seeds, oracle)
    res["seeds_quality"] = {
        "distinct_2": round(distinct_n([u.text for u in seeds]), 4),
        "label_fidelity_oracle": round(
            sum(
                p == u.intent
                for p, u in zip(oracle.predict([u.text for u in seeds]), seeds, strict=True)
            )
            / len(seeds),
            4,
        ),
    }

    if args.prompt_per_intent:
        pcfg = SampleConfig(
            per_intent=args.prompt_per_intent,
            seed=args.seed,
            **({"fidelity_threshold": args.tau} if args.tau is not None else {}),
        )
        t = time.perf_counter()
        pk, psum = prompt_sample(seeds, pcfg, classifier=seed_clf)
        timings["prompt_mode_s"] = round(time.perf_counter() - t, 1)
        res["prompt_mode"] = {
            "config": pcfg.to_dict(),
            **filter_figures(psum),
            "kept_quality": quality(pk, seeds, oracle),
        }

    if args.throughput_reps:
        res["throughput"], timings["throughput_s"] = measure_throughput(args, args.throughput_reps)
    timings["wall_total_s"] = round(time.perf_counter() - t_all, 1)
    res["timings"] = timings
    write_results(res, Path(args.out))
    print(json.dumps({k: res[k] for k in ("kept_quality", "timings")}, indent=2))


def measure_throughput(args: argparse.Namespace, reps: int) -> tuple[dict, float]:
    """Load the embedded base model and run :func:`throughput`; return it and its seconds."""
    from textsynth.lm.models import load_causal_lm

    model, tok = load_causal_lm("embedded:smollm2-135m", device="cpu", dtype="float32")
    t = time.perf_counter()
    out = throughput(
        model, tok, reps=reps, new_tokens=args.new_tokens, dtypes=args.throughput_dtypes.split(",")
    )
    return out, round(time.perf_counter() - t, 1)


def write_results(res: dict, out: Path) -> None:
    """Add the README rows to ``res`` and write it atomically to ``out``."""
    res["readme_rows"] = readme_rows(res)
    with atomic_write(out) as fh:
        json.dump(res, fh, indent=2, ensure_ascii=False)
        fh.write("\n")


def update_throughput(out: Path, args: argparse.Namespace) -> None:
    """Re-measure the throughput section of a finished ``out`` and rewrite it and its rows."""
    import torch

    res = json.loads(out.read_text(encoding="utf-8"))
    load = round(os.getloadavg()[0], 2)
    res["throughput"], seconds = measure_throughput(args, max(1, args.throughput_reps))
    res["throughput"]["measured_separately"] = {
        "threads": torch.get_num_threads(),
        "load_average_at_start": load,
        "seconds": seconds,
    }
    write_results(res, out)
    print(json.dumps(res["throughput"]["median"], indent=2))


def update_backends(out: Path, args: argparse.Namespace) -> None:
    """Measure the backend comparison and the judge study; rewrite their sections of ``out``."""
    from eval import lm_backends
    from textsynth.classifier import IntentClassifier

    res = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    train = list(read_utterances(DATA / "train.jsonl"))
    seeds = draw_seeds(train, args.shots, args.seed)
    if args.backend_intents:
        keep = sorted({u.intent for u in seeds})[: args.backend_intents]
        seeds = [u for u in seeds if u.intent in keep]
    t = time.perf_counter()
    fid = IntentClassifier("tfidf", seed=args.seed).fit(
        [u.text for u in seeds], [u.intent for u in seeds]
    )
    oracle = IntentClassifier("tfidf", seed=args.seed).fit(
        [u.text for u in train], [u.intent for u in train]
    )
    lex = lm_backends.lexicon(train)
    load = round(os.getloadavg()[0], 2)
    res["backends"] = lm_backends.compare(
        seeds, args.backend_per_intent, args.seed, fid, shots=args.backend_shots
    )
    res["backends"]["load_average_at_start"] = load
    res["judge"] = lm_backends.judge_study(
        seeds, args.judge_per_intent, args.seed, fid, oracle, lex, shots=args.backend_shots
    )
    res["judge"]["oracle"] = (
        "tf-idf + logistic regression on the full SNIPS train split (intent); slot labels: "
        "the label the full train split gives each value (values it never labels are not judged)"
    )
    res["backends"]["seconds"] = round(time.perf_counter() - t, 1)
    if "kept_quality" in res:
        write_results(res, out)
    else:
        res["readme_rows"] = lm_backends.readme_rows(res)
        with atomic_write(out) as fh:
            json.dump(res, fh, indent=2, ensure_ascii=False)
            fh.write("\n")
    print(json.dumps({k: res[k] for k in ("backends", "judge")}, indent=2))


def readme_rows(res: dict) -> list[dict]:
    """Return the rows the lead renders into the README."""
    from eval import lm_backends

    if "kept_quality" not in res:
        return lm_backends.readme_rows(res)
    q = res["kept_quality"]
    s = res["sample"]
    t = res["timings"]
    rows = []
    pm = res.get("prompt_mode")
    note = (
        f"SNIPS, {res['seeds']['per_intent']} seeds/intent, LoRA SmolLM2-135M on CPU, "
        f"{s['config']['per_intent']}/intent asked, {q['kept']} kept of {s['generated']} "
        "generated; peer = prompt mode (few-shot, no training) on the same seeds"
        + (
            f", {pm['config']['per_intent']}/intent asked (distinct-n falls with set size)"
            if pm
            else ""
        )
    )
    for measure, key_q in [
        ("label fidelity of kept set (oracle)", "label_fidelity_oracle"),
        ("kept set not in the seeds", "not_in_seeds_share"),
        ("distinct-2 of kept set", "distinct_2"),
    ]:
        rows.append(
            {
                "benchmark": "lm-generator",
                "measure": measure,
                "textsynth": q[key_q],
                "peer": "prompt mode" if pm else "",
                "peer_value": pm["kept_quality"][key_q] if pm else None,
                "ratio": round(q[key_q] / pm["kept_quality"][key_q], 3)
                if pm and pm["kept_quality"][key_q]
                else None,
                "note": note,
            }
        )
    rows.append(
        {
            "benchmark": "lm-generator",
            "measure": "raw generations with valid markup",
            "textsynth": s["valid_markup_share_raw"],
            "peer": "prompt mode" if pm else "",
            "peer_value": pm["valid_markup_share_raw"] if pm else None,
            "ratio": round(s["valid_markup_share_raw"] / pm["valid_markup_share_raw"], 3)
            if pm and pm["valid_markup_share_raw"]
            else None,
            "note": "share of raw generations whose [value](slot) markup parses",
        }
    )
    rows.append(
        {
            "benchmark": "lm-generator",
            "measure": "valid spans in kept set",
            "textsynth": q["valid_spans_share"],
            "peer": "",
            "peer_value": None,
            "ratio": None,
            "note": "target 1.0",
        }
    )
    rows.append(
        {
            "benchmark": "lm-generator",
            "measure": "wall time, fine-tune + sample (s)",
            "textsynth": t["generator_total_s"],
            "peer": "target",
            "peer_value": 900,
            "ratio": round(900 / t["generator_total_s"], 2),
            "note": f"2 CPU cores, load {res['machine']['load_average_at_start']} at "
            f"start: fine-tune {t['finetune_total_s']:.0f} s + sample and filter "
            f"{t['sample_and_filter_s']:.0f} s for {q['kept']} kept; the whole "
            f"script (with the prompt baseline, oracle, throughput) "
            f"{t['wall_total_s']:.0f} s; ratio > 1 = under the 15-minute target",
        }
    )
    pr = res.get("pruning")
    if pr:
        rows.append(
            {
                "benchmark": "lm-generator",
                "measure": "sampling time, batch 32, natural stops (s)",
                "textsynth": pr["textsynth_pruned"]["seconds"],
                "peer": "model.generate, same batches",
                "peer_value": pr["generate"]["seconds"],
                "ratio": pr["speedup"],
                "note": f"{pr['prompts']} prompts of the fine-tuned run; finished rows "
                "leave the batch and the KV cache",
            }
        )
    tp = res.get("throughput")
    if tp:
        for d, med in tp["median"].items():
            if d not in tp.get("ratio_vs_plain_bs1", {}):
                continue
            for bs in (1, 8, 32, 64):
                key = f"textsynth_bs{bs}"
                if key not in med:
                    continue
                rows.append(
                    {
                        "benchmark": "lm-generator",
                        "measure": f"generation tokens/s, batch {bs} ({d})",
                        "textsynth": med[key],
                        "peer": "plain model.generate, batch 1",
                        "peer_value": med["plain_generate_bs1"],
                        "ratio": tp["ratio_vs_plain_bs1"][d][key],
                        "note": f"CPU, {tp['new_tokens_per_sequence']} new tokens/sequence, median "
                        f"of {tp['reps']} interleaved runs",
                    }
                )
    rows += lm_backends.readme_rows(res)
    return rows


if __name__ == "__main__":
    main()
