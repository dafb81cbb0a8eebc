"""Benchmark the evaluator on SNIPS: 100,000 synthetic utterances against 10,000 seeds.

Runs, in one process, and writes ``eval/results/eval.json`` (with ``readme_rows``):

1. ``evaluate(..., embeddings=False)`` on 100k synthetic vs 10k seeds (+ holdout, test): wall time
   (target < 60 s);
2. the same with embeddings (fresh embedder, nothing cached): wall time (target < 5 min);
3. exact self-BLEU on 5,000 synthetic utterances vs nltk's ``sentence_bleu`` (method1): nltk is
   timed on a seeded sample of M hypotheses, each against all 4,999 other utterances, and
   extrapolated linearly to 5,000 (``--nltk-full`` runs it all); the scores of the M are compared;
4. sanity on real data: SNIPS test as "synthetic" vs the seeds (DCR share, fidelity vs the
   oracle's test accuracy) and a copy of the seeds (exact match);
5. the HTML report of run 2 opened in headless Chromium: script errors checked, screenshot
   saved to ``eval/results/report.png``.

The synthetic set is made from the seeds by swapping slot values between seeds of the same slot
(seeded), with 5% verbatim copies and 1% spans given a label from another intent, so that every
metric has something to find.

6. fluency throughput: the reference LM (embedded SmolLM2-135M) scoring utterances per second,
   measured separately (the evaluation above runs without it).

``--part slots`` re-runs only 1 (which includes slot fidelity with the seed tagger) and 6 and
updates those entries of an existing results file.

Usage: ``python -m eval.bench_eval [--nltk-sample 200] [--nltk-full] [--part all|slots]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from textsynth.classifier import Embedder  # noqa: E402
from textsynth.io import atomic_write, read_utterances  # noqa: E402
from textsynth.metrics import evaluate  # noqa: E402
from textsynth.metrics.browser import check_in_chromium, find_chromium  # noqa: E402
from textsynth.metrics.report import make_readable  # noqa: E402
from textsynth.metrics.selfbleu import self_bleu_scores  # noqa: E402
from textsynth.metrics.text import tokenise  # noqa: E402
from textsynth.types import Span, Utterance  # noqa: E402

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data" / "snips"
RESULTS = ROOT / "results"


def make_synthetic(seeds: list[Utterance], n: int, seed: int) -> list[Utterance]:
    """Return ``n`` utterances made by swapping slot values between seeds (seeded)."""
    rng = random.Random(seed)
    values: dict[str, list[str]] = defaultdict(list)
    labels_by_intent: dict[str, set[str]] = defaultdict(set)
    for u in seeds:
        for s in u.spans:
            values[s.label].append(u.span_text(s))
            labels_by_intent[u.intent].add(s.label)
    all_labels = sorted(values)
    out = []
    for _ in range(n):
        u = seeds[rng.randrange(len(seeds))]
        r = rng.random()
        if r < 0.05:  # a verbatim copy
            out.append(Utterance(u.text, u.intent, u.spans, source="bench:copy"))
            continue
        text, spans, pos = [], [], 0
        for s in u.spans:
            text.append(u.text[pos : s.start])
            start = sum(map(len, text))
            value = rng.choice(values[s.label])
            label = s.label
            if r > 0.99:  # a label this intent never uses
                foreign = [x for x in all_labels if x not in labels_by_intent[u.intent]]
                label = rng.choice(foreign) if foreign else label
            text.append(value)
            spans.append(Span(start, start + len(value), label))
            pos = s.end
        text.append(u.text[pos:])
        out.append(Utterance("".join(text), u.intent, tuple(spans), source="bench:swap"))
    return out


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


def bench_self_bleu(synthetic: list[Utterance], n: int, m: int, full: bool, seed: int) -> dict:
    """Time exact self-BLEU on ``n`` utterances and nltk on ``m`` of them (or all)."""
    from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

    rng = random.Random(seed)
    corpus = [tokenise(u.text) for u in rng.sample(synthetic, n)]
    ours, t_ours = timed(self_bleu_scores, corpus)
    hyp_idx = list(range(n)) if full else sorted(rng.sample(range(n), m))
    smooth = SmoothingFunction().method1
    t0 = time.perf_counter()
    theirs = [
        sentence_bleu(corpus[:i] + corpus[i + 1 :], corpus[i], smoothing_function=smooth)
        for i in hyp_idx
    ]
    t_nltk = time.perf_counter() - t0
    t_nltk_full = t_nltk * n / len(hyp_idx)
    diff = float(np.max(np.abs(ours[hyp_idx] - np.asarray(theirs))))
    return {
        "n_utterances": n,
        "textsynth_s": t_ours,
        "textsynth_mean_self_bleu": float(ours.mean()),
        "nltk_hypotheses_timed": len(hyp_idx),
        "nltk_measured_s": t_nltk,
        "nltk_full_s": t_nltk_full,
        "nltk_full_is_extrapolated": not full,
        "nltk_method": (
            "nltk sentence_bleu(method1) run on all hypotheses"
            if full
            else f"nltk sentence_bleu(method1) timed on {len(hyp_idx)} seeded hypotheses, each "
            f"against all {n - 1} other utterances, extrapolated linearly x{n / len(hyp_idx):g}"
        ),
        "speedup": t_nltk_full / t_ours,
        "max_abs_diff_vs_nltk": diff,
        "nltk_mean_on_sample": float(np.mean(theirs)),
        "textsynth_mean_on_sample": float(ours[hyp_idx].mean()),
    }


def bench_fluency(synthetic: list[Utterance], n: int, seed: int) -> dict:
    """Time the fluency scorer on ``n`` seeded synthetic utterances (model load timed apart)."""
    import torch

    from textsynth.metrics.fluency import FluencyScorer

    texts = [u.text for u in random.Random(seed).sample(synthetic, n)]
    scorer = FluencyScorer()
    _, t_load = timed(scorer._load)
    scores, t = timed(scorer.score, texts)
    return {
        "model": scorer.model_name,
        "n_utterances": n,
        "batch_size": scorer.batch_size,
        "load_s": t_load,
        "score_s": t,
        "utterances_per_s": n / t,
        "mean_log_likelihood": float(np.nanmean(scores)),
        "torch_threads": torch.get_num_threads(),
        "load_avg_1min": os.getloadavg()[0],
    }


def slot_rows(ne: dict, fl: dict | None) -> list[dict]:
    """README rows of the slot-fidelity timing and the fluency throughput."""
    slot_s = ne["per_metric_s"].get("slot-fidelity")
    rows = [
        {
            "benchmark": "evaluate: 100k synthetic vs 10k seeds (SNIPS)",
            "measure": "slot fidelity (seed tagger) share of that wall time, s",
            "textsynth": round(slot_s, 1) if slot_s is not None else None,
            "peer": None,
            "peer_value": None,
            "ratio": None,
            "note": "CRF trained on a seeded 3,000 of the seeds (50 L-BFGS iterations), "
            "then tags all 100k; included in the wall time above",
        }
    ]
    if fl:
        rows.append(
            {
                "benchmark": "fluency (mean token log-likelihood, SmolLM2-135M)",
                "measure": "utterances per second on CPU",
                "textsynth": round(fl["utterances_per_s"], 1),
                "peer": None,
                "peer_value": None,
                "ratio": None,
                "note": f"{fl['n_utterances']} SNIPS-like utterances, batch {fl['batch_size']}, "
                f"{fl['torch_threads']} torch threads, load avg {fl['load_avg_1min']:.1f}; "
                f"model load {fl['load_s']:.0f} s not included",
            }
        )
    return rows


def no_embedding_row(ne: dict) -> dict:
    """README row of the evaluation without embeddings."""
    return {
        "benchmark": "evaluate: 100k synthetic vs 10k seeds (SNIPS)",
        "measure": "wall time without embeddings, s (target < 60)",
        "textsynth": round(ne["wall_s"], 1),
        "peer": None,
        "peer_value": None,
        "ratio": None,
        "note": "distinct-n, exact self-BLEU on all 100k, length, span validity, slot fidelity "
        "(seed tagger), exact match, 4-gram overlap; load avg "
        f"{ne['load_avg_1min_before_after'][0]:.1f}, CPU time {ne.get('cpu_s', 0):.1f} s; "
        "no text-quality peer exists",
    }


def values(report) -> dict:
    return {r.name: {"value": r.value, "reference": r.reference} for r in report}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-synthetic", type=int, default=100_000)
    ap.add_argument("--n-seeds", type=int, default=10_000)
    ap.add_argument("--bleu-n", type=int, default=5000)
    ap.add_argument("--nltk-sample", type=int, default=200)
    ap.add_argument("--nltk-full", action="store_true", help="run nltk on all hypotheses")
    ap.add_argument("--skip-embeddings", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(RESULTS / "eval.json"))
    ap.add_argument("--part", choices=["all", "slots"], default="all")
    ap.add_argument("--fluency-n", type=int, default=500)
    args = ap.parse_args()

    train = list(read_utterances(DATA / "train.jsonl"))
    test = list(read_utterances(DATA / "test.jsonl"))
    random.Random(args.seed).shuffle(train)
    seeds, holdout = train[: args.n_seeds], train[args.n_seeds :]
    synthetic = make_synthetic(seeds, args.n_synthetic, args.seed)
    print(
        f"{len(synthetic)} synthetic, {len(seeds)} seeds, {len(holdout)} holdout, {len(test)} test",
        file=sys.stderr,
    )
    result: dict = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "note": f"2 cores, load average {os.getloadavg()[0]:.2f} at the start",
        },
        "data": {
            "source": "SNIPS (eval/data/snips), train shuffled with seed "
            f"{args.seed}: seeds = first {len(seeds)}, holdout = rest",
            "synthetic": "slot values swapped between seeds of the same slot; 5% copies, "
            "1% spans with a label foreign to the intent",
            "sizes": {
                "synthetic": len(synthetic),
                "seeds": len(seeds),
                "holdout": len(holdout),
                "test": len(test),
            },
        },
    }

    # 1. without embeddings
    load0 = os.getloadavg()[0]
    cpu0 = time.process_time()
    rep, t = timed(
        evaluate, synthetic, seeds, holdout=holdout, test=test, embeddings=False, seed=args.seed
    )
    result["no_embeddings"] = {
        "wall_s": t,
        "cpu_s": time.process_time() - cpu0,
        "step_s": rep.summary["step_timings_s"],
        "limit_s": 60,
        "metrics": values(rep),
        "per_metric_s": rep.summary["timings_s"],
        "skipped": rep.skipped,
        "load_avg_1min_before_after": [load0, os.getloadavg()[0]],
    }
    print(f"without embeddings: {t:.1f} s", file=sys.stderr)
    print(rep.to_table(), file=sys.stderr)
    result["fluency"] = bench_fluency(synthetic, args.fluency_n, args.seed)
    print(json.dumps(result["fluency"], indent=1), file=sys.stderr)
    if args.part == "slots":
        old = json.loads(Path(args.out).read_text()) if Path(args.out).exists() else {}
        old["no_embeddings"], old["fluency"] = result["no_embeddings"], result["fluency"]
        keep = [
            r
            for r in old.get("readme_rows", [])
            if "slot fidelity" not in r["measure"]
            and not r["benchmark"].startswith("fluency")
            and "without embeddings" not in r["measure"]
        ]
        old["readme_rows"] = [no_embedding_row(result["no_embeddings"]), *keep] + slot_rows(
            result["no_embeddings"], result["fluency"]
        )
        with atomic_write(args.out) as fh:
            json.dump(old, fh, indent=1, default=float)
            fh.write("\n")
        make_readable(args.out)
        print(f"updated {args.out}", file=sys.stderr)
        return

    # 2. with embeddings (fresh embedder: nothing cached)
    embedder = Embedder()
    report_dir = RESULTS / "eval_report"
    if not args.skip_embeddings:
        load0 = os.getloadavg()[0]
        rep, t = timed(
            evaluate,
            synthetic,
            seeds,
            holdout=holdout,
            test=test,
            embeddings=True,
            seed=args.seed,
            embedder=embedder,
            fluency=False,  # measured on its own (6.)
        )
        steps = rep.summary["step_timings_s"]
        n_texts = len(embedder._cache)  # distinct texts encoded (the embedder caches them)
        result["with_embeddings"] = {
            "wall_s": t,
            "limit_s": 300,
            "metrics": values(rep),
            "per_metric_s": rep.summary["timings_s"],
            "step_s": steps,
            "skipped": rep.skipped,
            "n_synthetic_embedded": rep.summary["n_synthetic_modelled"],
            "texts_encoded": n_texts,
            "encode_texts_per_s": n_texts / steps["encode"] if steps.get("encode") else None,
            "wall_s_without_encoding": t - steps.get("encode", 0.0),
            "load_avg_1min_before_after": [load0, os.getloadavg()[0]],
        }
        print(f"with embeddings: {t:.1f} s", file=sys.stderr)
        print(rep.to_table(), file=sys.stderr)
    rep.save(report_dir)

    # 3. self-BLEU vs nltk
    sb = bench_self_bleu(synthetic, args.bleu_n, args.nltk_sample, args.nltk_full, args.seed)
    result["self_bleu_vs_nltk"] = sb
    print(json.dumps(sb, indent=1), file=sys.stderr)

    # 4. sanity on real data (embeddings of test/seeds/holdout are cached by now)
    sanity: dict = {}
    if not args.skip_embeddings:
        # half the test set plays "synthetic", the other half measures the oracle's accuracy
        shuffled = random.Random(args.seed).sample(test, len(test))
        half = len(shuffled) // 2
        r = evaluate(
            shuffled[:half],
            seeds,
            holdout=holdout,
            test=shuffled[half:],
            seed=args.seed,
            embedder=embedder,
            metrics=["dcr-share", "intent-fidelity", "exact-match"],
        )
        sanity["test_as_synthetic"] = {
            "dcr_share": r.value("dcr-share"),
            "intent_fidelity": r.value("intent-fidelity"),
            "oracle_test_accuracy": r["intent-fidelity"].reference,
        }
    r = evaluate(seeds[:2000], seeds, embeddings=False, metrics=["exact-match"])
    sanity["copied_seeds_exact_match"] = r.value("exact-match")
    result["sanity"] = sanity

    # 5. the HTML report in headless Chromium
    if find_chromium():
        chk = check_in_chromium(report_dir / "report.html", RESULTS / "report.png")
        result["html"] = {
            "chromium_ok": chk.ok,
            "ready": chk.ready,
            "js_errors": chk.js_errors,
            "screenshot": "eval/results/report.png" if chk.screenshot else None,
            "report": "eval/results/eval_report/report.html",
        }
    else:
        result["html"] = {"chromium_ok": None, "note": "chromium not installed"}

    ne, we = result["no_embeddings"], result.get("with_embeddings")
    rows = [
        no_embedding_row(ne),
        {
            "benchmark": "self-BLEU, 5,000 utterances",
            "measure": "seconds (BLEU-4, smoothing method1)",
            "textsynth": round(sb["textsynth_s"], 3),
            "peer": "nltk sentence_bleu",
            "peer_value": round(sb["nltk_full_s"], 1),
            "ratio": round(sb["speedup"], 1),
            "note": (
                "nltk "
                + (
                    "run fully"
                    if args.nltk_full
                    else f"timed on {sb['nltk_hypotheses_timed']} hypotheses and "
                    "extrapolated linearly"
                )
                + f"; max |difference| {sb['max_abs_diff_vs_nltk']:.1e}"
            ),
        },
    ]
    if we:
        rows.insert(
            1,
            {
                "benchmark": "evaluate: 100k synthetic vs 10k seeds (SNIPS)",
                "measure": "wall time with embeddings, s (target < 300)",
                "textsynth": round(we["wall_s"], 1),
                "peer": None,
                "peer_value": None,
                "ratio": None,
                "note": f"all-MiniLM-L6-v2 on 2 shared CPU cores (load avg "
                f"{we['load_avg_1min_before_after'][0]:.1f}): encoding {we['texts_encoded']} "
                f"texts at {we['encode_texts_per_s']:.0f}/s is "
                f"{we['wall_s'] - we['wall_s_without_encoding']:.0f} s of it; "
                f"{we['n_synthetic_embedded']} synthetic embedded (seeded sample)",
            },
        )
    if "test_as_synthetic" in sanity:
        s = sanity["test_as_synthetic"]
        rows.append(
            {
                "benchmark": "sanity: SNIPS test as synthetic vs train seeds",
                "measure": "DCR share (ideal 0.5)",
                "textsynth": round(s["dcr_share"], 3),
                "peer": None,
                "peer_value": None,
                "ratio": None,
                "note": f"intent fidelity {s['intent_fidelity']:.3f} vs oracle test "
                f"accuracy {s['oracle_test_accuracy']:.3f}",
            }
        )
    result["readme_rows"] = rows + slot_rows(ne, result.get("fluency"))
    with atomic_write(args.out) as fh:
        json.dump(result, fh, indent=1, default=float)
        fh.write("\n")
    make_readable(args.out)
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
