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
    if reusable(out, seeds):
        logger.info("reusing %s", out)
        return
    t, cpu = time.perf_counter(), time.process_time()
    info = finetune(seeds, out, cfg)
    res.setdefault("finetune", {})[args.model] = res.setdefault("finetune_by_draw", {}).setdefault(
        args.model, {}
    )[str(args.seed)] = {
        "base_model": cfg.base_model,
        "seeds": len(seeds),
        "epochs": cfg.epochs,
        "steps": info.steps,
        "load_s": info.load_seconds,
        "train_s": info.train_seconds,
        "total_s": round(time.perf_counter() - t, 1),
        "cpu_s": round(time.process_time() - cpu, 1),
        "final_loss": info.losses[-1] if info.losses else None,
        "load_average": round(os.getloadavg()[0], 2),
    }


def reusable(out: Path, seeds: list, base_model: str | None = None) -> bool:
    """Return whether ``out`` holds a finished run on exactly ``seeds`` (and ``base_model``).

    ``base_model`` "auto" is resolved as a new run would resolve it, so that a run made while
    an optional model was missing is not reused once it is installed.
    """
    from textsynth.lm.train import seeds_hash

    cfg = out / "config.json"
    if not cfg.exists():
        return False
    run = json.loads(cfg.read_text())["run"]
    if base_model == "auto":
        from textsynth.lm.embedded import default_for_languages

        base_model = default_for_languages(u.language for u in seeds)
    same_model = base_model is None or run["base_model"] == base_model
    return same_model and run["seeds_hash"] == seeds_hash(seeds)


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
    wanted = args.modes.split(",")
    run = load_run(run_dir(args, args.model), device="cpu") if "finetuned" in wanted else None
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
    npr = max(1, args.prompt_per_intent // 8)
    for i in intents:
        for _ in range(npr):
            pk += [few_shot_prompt(i, pick_shots(by[i], 8, rng))] * 8
    pkeys = [i for i in intents for _ in range(npr * 8)]
    modes["prompt"] = (pk, pkeys)
    out = res.setdefault("markup", {})
    from textsynth.lm.models import load_causal_lm

    base = None
    for mode, (prompts, ks) in modes.items():
        if mode not in args.modes.split(","):
            continue
        if mode == "prompt":
            base = base or load_causal_lm(MODELS[args.model], device="cpu")
            model, tok = base
        else:
            assert run is not None
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


def oracle_tagger() -> Any:
    """Return the oracle slot tagger: trained on the full SNIPS train split (cached)."""
    from textsynth.io import read_utterances
    from textsynth.slots.tagger import SlotTagger

    path = CACHE / "snips-oracle-tagger.json"
    if path.exists():
        return SlotTagger.load(path)
    tagger = SlotTagger.train(list(read_utterances(DATA / "train.jsonl")), seed=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    tagger.save(path)
    return tagger


def slot_quality(kept: list, tagger: Any) -> dict:
    """Return oracle agreement of the kept spans: label precision and span-exact P/R/F1."""
    from textsynth.slots.scoring import score_spans

    spans = [s for u in kept for s in u.spans]
    agree = 0
    for u in kept:
        if not u.spans:
            continue
        for s, p in zip(u.spans, tagger.span_label_probs(u.text, list(u.spans)), strict=True):
            agree += max(p.items(), key=lambda t: t[1])[0] == s.label
    texts = [u.text for u in kept]
    exact = score_spans(texts, tagger.predict(texts), [u.spans for u in kept])
    return {
        "spans": len(spans),
        "oracle_label_precision": round(agree / len(spans), 4) if spans else None,
        "oracle_span_exact": {k: v for k, v in exact.micro().items()},
        "oracle_per_label_precision": {
            k: v["precision"] for k, v in exact.per_label().items() if v["precision"] is not None
        },
    }


def fluency_share(kept: list, seeds: list, model: str | None) -> dict:
    """Return the share of kept utterances below the seeds' 5th-percentile fluency."""
    import numpy as np

    from textsynth.metrics.fluency import FluencyScorer

    scorer = FluencyScorer(model=model)
    s = scorer.score([u.text for u in seeds])
    k = scorer.score([u.text for u in kept])
    p5 = float(np.nanpercentile(s, 5))
    return {
        "reference_model": model or "embedded:smollm2-135m",
        "seeds_p5": round(p5, 3),
        "seeds_median": round(float(np.nanmedian(s)), 3),
        "kept_median": round(float(np.nanmedian(k)), 3),
        "share_below_seeds_p5": round(float(np.mean(k < p5)), 4),
    }


def _sample_block(run_path: Path, args: argparse.Namespace, per_intent: int) -> tuple:
    from textsynth.lm import SampleConfig, sample

    cfg = SampleConfig(per_intent=per_intent, seed=args.seed, threads=args.threads)
    t, c = time.perf_counter(), time.process_time()
    kept, summary = sample(run_path, cfg)
    logger.info("sample cpu s %.1f", time.process_time() - c)
    return kept, summary, time.perf_counter() - t


def _reading_sample(kept: list, n: int, seed: int) -> list[str]:
    from textsynth import markup

    rng = random.Random(seed)
    pick = rng.sample(kept, min(n, len(kept)))
    out = []
    for u in pick:
        mark = " (relabelled)" if u.meta.get("changes") else ""
        out.append(f"{u.intent}: {markup.render(u)}{mark}")
    return out


def stage_kept(args: argparse.Namespace, res: dict) -> None:
    """The full pipeline on the fine-tuned run: 20 kept per intent, every filter on."""
    seeds = seeds_for(args)
    kept, summary, secs = _sample_block(run_dir(args, args.model), args, args.per_intent)
    d = summary.to_dict()
    junk = [u.text for u in kept if JUNK_RE.search(u.text)]
    out = {
        "per_intent": args.per_intent,
        "sample_s": round(secs, 1),
        "kept": len(kept),
        "generated": d["generated"],
        "filters": d["filters"],
        "reasons": d["reasons"],
        "relabelled_intents": sum(
            1 for u in kept for c in u.meta.get("changes", ()) if c["filter"] == "label-fidelity"
        ),
        "relabelled_spans": sum(
            1
            for u in kept
            for c in u.meta.get("changes", ())
            if c["filter"] in ("slot-verify", "slot-rules") and c["action"] == "relabelled"
        ),
        "junk_in_kept": len(junk),
        "load_average": round(os.getloadavg()[0], 2),
    }
    ft = res.get("finetune_by_draw", {}).get(args.model, {}).get(str(args.seed), {})
    if ft:
        out["finetune_plus_sample_s"] = round(ft["total_s"] + secs, 1)
    out.update(slot_quality(kept, oracle_tagger()))
    out["fluency"] = fluency_share(kept, seeds, MODELS[args.model])
    out["reading_sample"] = _reading_sample(kept, 100, args.seed)
    block = res.setdefault("kept", {}).setdefault(args.model, {})
    if "draws" not in block:  # results of an older layout (one draw) are dropped
        block.clear()
        block["draws"] = {}
    block["draws"][str(args.seed)] = out
    block["summary"] = summarise_draws(block["draws"])
    logger.info("kept: %s", {k: v for k, v in out.items() if k not in ("reading_sample",)})


def summarise_draws(draws: dict) -> dict:
    """Return mean and std over the draws of the kept-set figures the targets name."""
    import statistics

    def pick(d: dict, key: str) -> Any:
        v: Any = d
        for k in key.split("."):
            v = v.get(k) if isinstance(v, dict) else None
        return v

    out: dict[str, Any] = {"draws": sorted(draws, key=int)}
    for key in (
        "oracle_label_precision",
        "oracle_span_exact.precision",
        "fluency.share_below_seeds_p5",
        "junk_in_kept",
        "kept",
        "finetune_plus_sample_s",
        "sample_s",
    ):
        vals = [pick(d, key) for d in draws.values()]
        vals = [v for v in vals if v is not None]
        if vals:
            out[key] = {
                "mean": round(statistics.fmean(vals), 4),
                "std": round(statistics.stdev(vals), 4) if len(vals) > 1 else 0.0,
                "values": vals,
            }
    return out


def french_seeds(n_per_intent: int, seed: int) -> list:
    """Return French seeds expanded from grammars/banque_fr.tsg (``n_per_intent`` each)."""
    from textsynth import expand, load_grammar

    grammar = load_grammar(ROOT / "grammars" / "banque_fr.tsg")
    utts = list(expand(grammar, n=400, seed=seed, dedupe="casefold"))
    by: dict[str, list] = {}
    for u in utts:
        by.setdefault(u.intent, []).append(u)
    return [u for i in sorted(by) for u in by[i][:n_per_intent]]


def stage_french(args: argparse.Namespace, res: dict) -> None:
    """French seeds, the 'auto' base model: kept text's French share (langid), slot fidelity."""
    import langid

    from textsynth.lm import FinetuneConfig, SampleConfig, finetune, sample
    from textsynth.slots.tagger import SlotTagger

    seeds = french_seeds(args.fr_seeds, args.seed)
    out_dir = CACHE / f"gen-fr-{args.fr_model}-s{args.seed}-n{args.fr_seeds}"
    base = "auto" if args.fr_model == "auto" else MODELS[args.fr_model]
    t = time.perf_counter()
    if not reusable(out_dir, seeds, base):
        finetune(seeds, out_dir, FinetuneConfig(base_model=base, seed=args.seed))
    ft_s = time.perf_counter() - t
    chosen = json.loads((out_dir / "config.json").read_text())["finetune"]["base_model"]
    t = time.perf_counter()
    cfg = SampleConfig(per_intent=15, seed=args.seed, threads=args.threads)
    kept, summary = sample(out_dir, cfg)
    s_s = time.perf_counter() - t
    langid.set_languages(None)
    langs = [langid.classify(u.text)[0] for u in kept]
    # slot fidelity against a tagger trained on the grammar's other utterances
    grammar_tagger = SlotTagger.train(french_seeds(120, args.seed + 1), seed=0)
    out = {
        "seeds": len(seeds),
        "base_model": chosen,
        "finetune_s": round(ft_s, 1),
        "sample_s": round(s_s, 1),
        "kept": len(kept),
        "french_share_langid": round(langs.count("fr") / len(langs), 4) if langs else None,
        "languages": {k: langs.count(k) for k in sorted(set(langs))},
        "filters": summary.to_dict()["filters"],
        "reading_sample": _reading_sample(kept, 45, args.seed),
    }
    out.update(slot_quality(kept, grammar_tagger))
    res.setdefault("french", {})[args.fr_model] = out
    logger.info("french: %s", {k: v for k, v in out.items() if k != "reading_sample"})


def stage_grammar(args: argparse.Namespace, res: dict) -> None:
    """No model run: does the markup grammar accept real data, and what does a step cost?

    Every SNIPS train/test utterance is rendered to markup and matched against its intent's
    regex (false refusals); 64 seed completions are replayed token by token through the
    llguidance matchers (cost of checking a drawn token), and a full mask is timed.
    """
    import re

    from textsynth import markup
    from textsynth.io import read_utterances
    from textsynth.lm.constrain import build_constraint, markup_regex
    from textsynth.lm.models import load_tokenizer, resolve_base_model
    from textsynth.lm.prompt import slots_by_intent

    out: dict[str, Any] = {}
    for split in ("train", "test"):
        utts = list(read_utterances(DATA / f"{split}.jsonl"))
        labels = slots_by_intent(utts)
        rx = {i: re.compile(markup_regex(v)) for i, v in labels.items()}
        refused = [u for u in utts if not rx[u.intent].fullmatch(markup.render(u))]
        out[f"snips_{split}_refused"] = f"{len(refused)} of {len(utts)}"
    seeds = seeds_for(args)
    tok = load_tokenizer(resolve_base_model(MODELS[args.model]))
    t = time.perf_counter()
    c = build_constraint(tok, slots_by_intent(seeds))
    assert c is not None
    out["build_s"] = round(time.perf_counter() - t, 2)
    rows = [
        (
            u.intent,
            tok(markup.render(u), add_special_tokens=False)["input_ids"] + [tok.eos_token_id],
        )
        for u in seeds[:64]
    ]
    ms = c.matchers([r[0] for r in rows])
    n = accepted = 0
    t = time.perf_counter()
    for step in range(max(len(r[1]) for r in rows)):
        live = [(m, r[1][step]) for m, r in zip(ms, rows, strict=True) if step < len(r[1])]
        accepted += sum(c.try_advance([m for m, _ in live], [x for _, x in live]))
        n += len(live)
    out["check_us_per_row_step"] = round((time.perf_counter() - t) / n * 1e6, 1)
    out["seed_tokens_accepted"] = f"{accepted} of {n}"
    ms = c.matchers([r[0] for r in rows])
    t = time.perf_counter()
    for _ in range(5):
        c.allowed(ms, c.vocab_size)
    out["mask_ms_64_rows"] = round((time.perf_counter() - t) / 5 * 1000, 1)
    out["load_average"] = round(os.getloadavg()[0], 2)
    res.setdefault("grammar", {})[args.model] = out
    logger.info("grammar: %s", out)


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
    for model, block in sorted(res.get("kept", {}).items()):
        summ = block.get("summary", {})
        prec = summ.get("oracle_label_precision")
        if not prec:
            continue
        low = summ.get("fluency.share_below_seeds_p5", {})
        secs = summ.get("finetune_plus_sample_s", {})
        rows.append(
            {
                "benchmark": "generation",
                "measure": f"kept set: oracle slot-label precision ({model}, SNIPS 10-shot, "
                f"{len(summ['draws'])} draws)",
                "textsynth": f"{prec['mean']:.3f} ± {prec['std']:.3f}",
                "peer": "target",
                "peer_value": 0.90,
                "ratio": round(prec["mean"] / 0.90, 3),
                "note": f"below seeds' p5 fluency {low.get('mean', float('nan')):.3f}; "
                f"fine-tune + sample {secs.get('mean', float('nan')) / 60:.1f} min",
            }
        )
    for _model, fr in sorted(res.get("french", {}).items()):
        rows.append(
            {
                "benchmark": "generation",
                "measure": f"French seeds: kept text French by langid ({fr['base_model']})",
                "textsynth": fr["french_share_langid"],
                "peer": "target",
                "peer_value": 0.90,
                "ratio": round(fr["french_share_langid"] / 0.90, 3)
                if fr.get("french_share_langid") is not None
                else None,
                "note": f"{fr['kept']} kept; grammar-tagger label precision "
                f"{fr.get('oracle_label_precision')}",
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
    ap.add_argument("--prompt-per-intent", type=int, default=64)
    ap.add_argument("--modes", default="finetuned,prompt")
    ap.add_argument("--per-intent", type=int, default=20)
    ap.add_argument("--fr-seeds", type=int, default=20, help="French seeds per intent")
    ap.add_argument("--fr-model", default="auto", choices=["auto", *sorted(MODELS)])
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    import torch

    torch.set_num_threads(args.threads)
    res = load(args.out)
    for stage in args.stages.split(","):
        t = time.perf_counter()
        stages = {
            "finetune": stage_finetune,
            "markup": stage_markup,
            "kept": stage_kept,
            "french": stage_french,
            "grammar": stage_grammar,
        }
        stages[stage](args, res)
        res.setdefault("stage_seconds", {})[f"{args.model}/{stage}"] = round(
            time.perf_counter() - t, 1
        )
        save(res, args.out)


if __name__ == "__main__":
    main()
