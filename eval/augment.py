"""Does textsynth's synthetic text raise intent accuracy? The augmentation benchmark.

For SNIPS, HWU64 and CLINC150: draw ``--shots`` seed utterances per intent (fixed seed per
draw), then train the same classifiers under each condition, each adding the same number of
utterances per intent, and score them on the official test set:

- ``seed``      seeds only
- ``upsample``  seeds + seeds repeated
- ``eda``       seeds + EDA (swap / delete / insert; no offline thesaurus, so no synonym step)
- ``lm``        seeds + textsynth LM (LoRA fine-tuned on the seeds, filtered)
- ``prompt``    seeds + textsynth prompt mode (few-shot prompting, filtered)
- ``real``      seeds + more real training utterances: not augmentation, the reference for how
  much the same amount of real data adds (the gain a generator could hope to approach)

Classifiers: TF-IDF (word + char n-grams) + logistic regression, and sentence embeddings
(all-MiniLM-L6-v2) + logistic regression. On the sets with slot spans (SNIPS, HWU64) one fixed slot
tagger (the CRF of ``textsynth.slots``, L-BFGS, 50 iterations) is trained per condition too and
scored by span-exact micro F1 on the official test split; CLINC150 has intents only. Writes
``eval/results/augment.json``, a plot ``eval/results/augment.png`` and README rows. CLINC150
is restricted to a seeded subset of ``--clinc-intents`` intents (fine-tuning and sampling for
all 150 on a 2-core CPU would take hours).

Usage: ``python -m eval.augment [--draws 3] [--per-intent 20] [--quick]``; ``--replot`` redraws
the plot and README rows of a finished results file, ``--resume`` keeps its finished
conditions and runs only the missing ones (e.g. a condition added to ``--conditions``), and
``--resume --redo lm`` measures a condition again in every kept draw (after a generator change).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import random
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from eval.baselines import by_intent, eda, held_out, upsample  # noqa: E402
from textsynth.classifier import Embedder, IntentClassifier  # noqa: E402
from textsynth.errors import TextsynthError  # noqa: E402
from textsynth.io import atomic_write, read_utterances, write_utterances_jsonl  # noqa: E402
from textsynth.lm.config import FinetuneConfig  # noqa: E402
from textsynth.types import Utterance  # noqa: E402
from textsynth.weights import SEED_WEIGHTS, training_weights  # noqa: E402

log = logging.getLogger("augment")
CONDITIONS = ("seed", "upsample", "eda", "lm", "prompt", "real")
TEXTSYNTH = ("lm", "prompt")
CLASSIFIERS = ("tfidf", "embeddings")
SLOT_SETS = ("snips", "hwu64")  # data sets with slot spans: slot F1 is measured on them
SLOT_TAGGER = {"algorithm": "lbfgs", "max_iterations": 50}
EPOCHS = FinetuneConfig().epochs  # the lm condition's default: the library's


def load(name: str, n_intents: int | None, seed: int) -> tuple[list[Utterance], list[Utterance]]:
    """Return (train, test) of a data set, optionally restricted to a seeded intent subset."""
    d = ROOT / "eval" / "data" / name
    train = list(read_utterances(d / "train.jsonl"))
    test = list(read_utterances(d / "test.jsonl"))
    if n_intents:
        intents = sorted({u.intent for u in train})
        keep = set(random.Random(seed).sample(intents, min(n_intents, len(intents))))
        train = [u for u in train if u.intent in keep]
        test = [u for u in test if u.intent in keep]
    return train, test


def draw_seeds(train: list[Utterance], shots: int, seed: int) -> list[Utterance]:
    """Return ``shots`` utterances per intent drawn with ``random.Random(seed)``."""
    by = by_intent(train)
    rng = random.Random(seed)
    return [u for intent in sorted(by) for u in rng.sample(by[intent], shots)]


def kept_run(run_cache: Path, seeds: list[Utterance], fcfg: Any) -> Path:
    """Return the folder of the cached fine-tuned run of ``seeds`` under ``fcfg``.

    The run folder is named ``lm``, as in a run without the cache, since the run's name is part
    of its id and so of the request cache's keys. A run started from another (``init_from``) is
    keyed by that run's ``config.json`` too, so a start rebuilt at the same path is not mistaken
    for the old one.
    """
    from textsynth.lm.train import seeds_hash

    parts: list[Any] = [seeds_hash(seeds), fcfg.to_dict()]
    start = Path(fcfg.init_from) / "config.json" if fcfg.init_from else None
    if start is not None and start.is_file():
        parts.append(start.read_text(encoding="utf-8"))
    blob = json.dumps(parts, sort_keys=True, default=str)
    return run_cache / hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16] / "lm"


def synthesise(
    cond: str,
    seeds: list[Utterance],
    k: int,
    seed: int,
    workdir: Path,
    stats: dict,
    epochs: int = EPOCHS,
    train: list[Utterance] | None = None,
    cache: Path | None = None,
    overrides: dict[str, Any] | None = None,
    init_from: str | None = None,
    base_model: str | None = None,
    run_cache: Path | None = None,
) -> list[Utterance]:
    """Return the ``k``-per-intent utterances condition ``cond`` adds to the seeds.

    ``train`` (the training set the seeds come from) is needed by the ``real`` reference only.
    ``cache``: a request cache file for the LM conditions, so that a rerun with other filter
    settings pays only for the completions it did not ask before. ``overrides``: sampling
    settings (:class:`~textsynth.lm.SampleConfig` fields) other than the defaults.
    ``init_from``: a LoRA run the ``lm`` condition's fine-tune starts from (a generator
    pre-trained across intents, ``eval/pretrain_generator.py``). ``base_model``: the model the
    LM conditions fine-tune or prompt (default: textsynth's). ``run_cache``: a folder that keeps
    the ``lm`` condition's fine-tuned run, by seeds and fine-tune settings, so that a rerun with
    other sampling settings does not fine-tune again (the run is deterministic on CPU).
    """
    if cond == "seed":
        return []
    if cond == "real":
        if train is None:
            raise ValueError("the real condition needs the training set")
        return held_out(train, seeds, k, seed)
    if cond == "upsample":
        return upsample(seeds, k, seed)
    if cond == "eda":
        return eda(seeds, k, seed)
    from textsynth.lm import FinetuneConfig, SampleConfig, finetune, prompt_sample, sample
    from textsynth.lm.cache import RequestCache
    from textsynth.lm.sample import RunOptions

    scfg = SampleConfig(per_intent=k, seed=seed, **(overrides or {}))
    opts = RunOptions(cache=RequestCache(cache) if cache is not None else None)
    t0 = time.perf_counter()
    if cond == "lm":
        # a run sampled with value plans is fine-tuned to follow them
        plans = scfg.value_plans != 0  # None: the default, plans on
        fcfg = FinetuneConfig(
            seed=seed,
            epochs=epochs,
            value_plans=plans,
            init_from=init_from,
            **({"base_model": base_model} if base_model else {}),
        )
        run = kept_run(run_cache, seeds, fcfg) if run_cache else workdir / "lm"
        if (run / "config.json").is_file():  # written last: the cached run is whole
            stats["finetune_cached"] = str(run.parent)
        else:
            shutil.rmtree(run, ignore_errors=True)  # a run a crash left half-written
            finetune(seeds, run, fcfg)
            stats["finetune_s"] = round(time.perf_counter() - t0, 1)
        t0 = time.perf_counter()
        utts, summary = sample(run, scfg, options=opts)
    else:
        extra = {"base_model": base_model} if base_model else {}
        utts, summary = prompt_sample(seeds, scfg, options=opts, **extra)
    if opts.cache is not None:
        opts.cache.close()
    stats[f"{cond}_sample_s"] = round(time.perf_counter() - t0, 1)
    d = summary.to_dict() if hasattr(summary, "to_dict") else {"summary": str(summary)}
    d.pop("events", None)  # every relabel and rejection, one by one: megabytes per draw
    stats[f"{cond}_filters"] = d
    return utts


def score(
    train: list[Utterance],
    test: list[Utterance],
    features: str,
    embedder: Embedder,
    seed: int,
    weights: list[float] | None = None,
) -> dict[str, float]:
    """Train a classifier on ``train`` (``weights``: one per utterance); return accuracy and
    macro-F1 on ``test``."""
    from sklearn.metrics import accuracy_score, f1_score

    clf = IntentClassifier(
        features, embedder=embedder if features == "embeddings" else None, seed=seed
    ).fit([u.text for u in train], [u.intent for u in train], sample_weight=weights)
    pred = clf.predict([u.text for u in test])
    gold = [u.intent for u in test]
    return {
        "accuracy": float(accuracy_score(gold, pred)),
        "macro_f1": float(f1_score(gold, pred, average="macro")),
    }


def slot_score(train: list[Utterance], test: list[Utterance], seed: int) -> dict[str, float]:
    """Train the fixed slot tagger on ``train``; return span-exact micro P/R/F1 on ``test``."""
    from textsynth.slots import SlotTagger, score_spans

    tagger = SlotTagger.train(train, seed=seed, **SLOT_TAGGER)  # type: ignore[arg-type]
    pred = tagger.predict([u.text for u in test])
    sc = score_spans([u.text for u in test], [u.spans for u in test], pred).micro()
    return {"f1": float(sc["f1"] or 0.0), "precision": float(sc["precision"] or 0.0),
            "recall": float(sc["recall"] or 0.0)}  # fmt: skip


def synthetic_quality(
    synth: list[Utterance],
    seeds: list[Utterance],
    oracle: IntentClassifier,
) -> dict[str, float]:
    """Fidelity (oracle agrees with the intended intent), distinct-2 and seed copies.

    Without an oracle (``--no-oracle``) fidelity is left out.
    """
    if not synth:
        return {}
    fid = None
    if oracle is not None:
        pred = oracle.predict([u.text for u in synth])
        fid = float(np.mean([p == u.intent for p, u in zip(pred, synth, strict=True)]))
    seed_texts = {u.text.casefold().strip() for u in seeds}
    copies = float(np.mean([u.text.casefold().strip() in seed_texts for u in synth]))
    bigrams, total = set(), 0
    for u in synth:
        w = u.text.lower().split()
        grams = list(zip(w, w[1:], strict=False))
        bigrams.update(grams)
        total += len(grams)
    out = {
        "seed_copy_share": copies,
        "distinct_2": len(bigrams) / total if total else 0.0,
        "n": len(synth),
    }
    if fid is not None:
        out["fidelity"] = fid
    return out


def x_all(q: list[dict], k: str) -> bool:
    """Return whether every quality record has key ``k``."""
    return all(k in x for x in q)


def mean_std(xs: list[float]) -> dict[str, float]:
    """Return mean and sample standard deviation."""
    a = np.asarray(xs, dtype=float)
    return {
        "mean": float(a.mean()),
        "std": float(a.std(ddof=1)) if len(a) > 1 else 0.0,
        "runs": [float(x) for x in a],
    }


def prepare(name: str, args: argparse.Namespace, embedder: Embedder) -> dict:
    """Load a data set and train its oracle (embeddings + LR on the full training set)."""
    train, test = load(name, args.clinc_intents if name == "clinc150" else None, seed=0)
    oracle = None
    if not getattr(args, "no_oracle", False):
        oracle = IntentClassifier("embeddings", embedder=embedder).fit(
            [u.text for u in train], [u.intent for u in train]
        )
    return {
        "train": train,
        "test": test,
        "oracle": oracle,
        "res": {"intents": len({u.intent for u in train}), "test": len(test), "draws": []},
    }


def snips_args(description: str) -> argparse.ArgumentParser:
    """Return a parser with the options every SNIPS study shares (draws, shots, added, epochs)."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--draws", type=int, default=3)
    ap.add_argument("--shots", type=int, default=10)
    ap.add_argument("--per-intent", type=int, default=20)
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    return ap


def render(results: dict, summarise, markdown, readme_rows) -> None:
    """Fill a study's summary, README table and results rows from its draws."""
    results["summary"] = summarise(results["draws"])
    results["readme_markdown"] = markdown(results)
    results["readme_rows"] = readme_rows(results)


def snips_study(
    results: dict, args: argparse.Namespace, run_draw, out: Path, summarise, markdown, readme_rows
) -> None:
    """Run ``args.draws`` draws of a SNIPS study (``augment_ablation``, ``augment_frames``).

    ``run_draw(d, state, args, embedder)`` returns one draw's record; after each draw
    :func:`render` fills the summary, README table and rows, and ``out`` is rewritten
    atomically, so an interrupted study keeps its finished draws.
    """
    import torch

    torch.manual_seed(0)
    t0 = time.perf_counter()
    embedder = Embedder()
    state = prepare("snips", argparse.Namespace(clinc_intents=None), embedder)
    for d in range(args.draws):
        results["draws"].append(run_draw(d, state, args, embedder))
        render(results, summarise, markdown, readme_rows)
        results["seconds"] = round(time.perf_counter() - t0, 1)
        with atomic_write(out) as fh:
            json.dump(results, fh, indent=2)
    print(results["readme_markdown"])
    print(f"wrote {out} in {results['seconds']} s")


def run_draw(name: str, state: dict, d: int, args: argparse.Namespace, embedder: Embedder) -> None:
    """Run the conditions of draw ``d`` on one data set that it lacks; keep it in ``state['res']``.

    A draw kept by ``--resume`` keeps its finished conditions; only the missing ones are run.
    """
    train, test, oracle, res = state["train"], state["test"], state["oracle"], state["res"]
    seeds = draw_seeds(train, args.shots, seed=1000 + d)
    from textsynth.lm import SampleConfig

    if d < len(res["draws"]):
        draw = res["draws"][d]
    else:
        draw = {"seed": 1000 + d, "conditions": {}, "timing": {}}
        res["draws"].append(draw)
    cache_dir = Path(args.request_cache) if getattr(args, "request_cache", None) else None
    settings = getattr(args, "sample_settings", None) or {}
    with tempfile.TemporaryDirectory() as tmp:
        for cond in args.conditions:
            if cond in draw["conditions"]:
                continue
            if cond == "prompt":  # completions per few-shot prompt (earlier runs: fresh shots each)
                draw["prompt_completions_per_prompt"] = SampleConfig().completions_per_prompt
            t0 = time.perf_counter()
            synth = synthesise(
                cond,
                seeds,
                args.per_intent,
                1000 + d,
                Path(tmp),
                draw["timing"],
                args.epochs,
                train,
                cache=cache_dir / f"{name}-d{d}-{cond}.sqlite" if cache_dir else None,
                overrides=settings,
                init_from=getattr(args, "init_from", None),
                base_model=getattr(args, "base_model", None),
                run_cache=Path(args.run_cache) if getattr(args, "run_cache", None) else None,
            )
            if cache_dir and cond in ("lm", "prompt"):
                tag = "".join(f".{k}={v}" for k, v in sorted(settings.items()))
                if cond == "lm" and getattr(args, "init_from", None):
                    tag += f".init={Path(args.init_from).name}"
                if cond == "lm" and args.epochs != EPOCHS:  # another adapter: keep both files
                    tag += f".epochs={args.epochs}"
                if getattr(args, "base_model", None):
                    tag += f".base={args.base_model.replace('/', '_').replace(':', '_')}"
                write_utterances_jsonl(synth, cache_dir / f"{name}-d{d}-{cond}{tag}.kept.jsonl")
            row = {"added": len(synth), "quality": synthetic_quality(synth, seeds, oracle)}
            mode = getattr(args, "seed_weight", "none")
            weights = None
            if mode != "none":  # the same recipe for every condition: seeds weigh as much as synth
                weights = training_weights(seeds, synth, mode)
            for feats in CLASSIFIERS:
                row[feats] = score(seeds + synth, test, feats, embedder, seed=d, weights=weights)
            if name in SLOT_SETS:
                row["slots"] = slot_score(seeds + synth, test, seed=d)
            row["seconds"] = round(time.perf_counter() - t0, 1)
            draw["conditions"][cond] = row
            log.warning(
                "%s draw %d %-8s tfidf %.3f emb %.3f slot-F1 %s (%s s)",
                name,
                d,
                cond,
                row["tfidf"]["accuracy"],
                row["embeddings"]["accuracy"],
                f"{row['slots']['f1']:.3f}" if "slots" in row else "-",
                row["seconds"],
            )
    res["summary"] = summarise(res, args)


def summarise(res: dict, args: argparse.Namespace) -> dict:
    """Mean ± std over the finished draws, per condition and classifier.

    A condition measured in only some draws (too slow to run in all of them here, or a resumed
    run filling it in) is summed over those draws, each against seed-only of the same draw, and
    says how many: ``draws`` (and ``of_draws``, the data set's total). The tables print it as
    "+1.2 (1 of 3 draws)" (one draw has no spread) or "+1.2 ± 0.4 (2 of 3 draws)".
    """
    summary: dict = {}
    for cond in args.conditions:
        draws = [
            dr for dr in res["draws"] if cond in dr["conditions"] and "seed" in dr["conditions"]
        ]
        if not draws:
            continue
        summary[cond] = {"draws": len(draws), "of_draws": len(res["draws"])}
        for feats in CLASSIFIERS:
            accs = [dr["conditions"][cond][feats]["accuracy"] for dr in draws]
            f1s = [dr["conditions"][cond][feats]["macro_f1"] for dr in draws]
            base = [dr["conditions"]["seed"][feats]["accuracy"] for dr in draws]
            summary[cond][feats] = {
                "accuracy": mean_std(accs),
                "macro_f1": mean_std(f1s),
                "gain_points": mean_std([100 * (a - b) for a, b in zip(accs, base, strict=True)]),
                "seed_accuracy": float(np.mean(base)),
            }
        if all("slots" in dr["conditions"][cond] for dr in draws):
            f1 = [dr["conditions"][cond]["slots"]["f1"] for dr in draws]
            base = [dr["conditions"]["seed"]["slots"]["f1"] for dr in draws]
            summary[cond]["slots"] = {
                "f1": mean_std(f1),
                "gain_points": mean_std([100 * (a - b) for a, b in zip(f1, base, strict=True)]),
                "seed_f1": float(np.mean(base)),
            }
        q = [dr["conditions"][cond]["quality"] for dr in draws if dr["conditions"][cond]["quality"]]
        summary[cond]["quality"] = {
            k: float(np.mean([x[k] for x in q])) for k in (q[0] if q else {}) if x_all(q, k)
        }
    return summary


def _tick(cond: str, summ: dict) -> str:
    """An x label: the condition, and how many draws when it has fewer than the others."""
    label = cond + "\n(reference)" if cond == "real" else cond
    n, of = summ.get("draws"), summ.get("of_draws")
    return f"{label}\n({n} of {of} draws)" if n is not None and of and n < of else label


def plot(results: dict, path: Path) -> None:
    """Bar chart: accuracy gain over seed-only per condition, data set and classifier."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sets = list(results["datasets"])
    slot_sets = [n for n in sets if "slots" in results["datasets"][n]["summary"].get("seed", {})]
    rows = 2 if slot_sets else 1
    fig, axes = plt.subplots(rows, len(sets), figsize=(6 * len(sets), 4 * rows), squeeze=False)
    if slot_sets:
        for ax, name in zip(axes[1], sets, strict=True):
            summ = results["datasets"][name]["summary"]
            if name not in slot_sets:
                ax.set_axis_off()
                ax.text(0.5, 0.5, f"{name}: intents only (no slot spans)", ha="center")
                continue
            conds = [c for c in CONDITIONS if "slots" in summ.get(c, {}) and c != "seed"]
            x = np.arange(len(conds))
            m = [summ[c]["slots"]["gain_points"]["mean"] for c in conds]
            sd = [summ[c]["slots"]["gain_points"]["std"] for c in conds]
            ax.bar(x, m, 0.5, yerr=sd, capsize=3, color="#59a14f", label="CRF slot tagger")
            ax.axhline(0, color="black", lw=0.8)
            ax.set_xticks(x, [_tick(c, summ[c]) for c in conds])
            base = summ["seed"]["slots"]["f1"]["mean"]
            ax.set_ylabel("slot F1 gain over seed-only (points)")
            ax.set_title(f"{name}: slot F1 (seed-only {100 * base:.1f})")
            ax.legend()
    for ax, name in zip(axes[0], sets, strict=True):
        summ = results["datasets"][name]["summary"]
        conds = [c for c in CONDITIONS if c in summ and c != "seed"]
        x = np.arange(len(conds))
        for j, feats in enumerate(CLASSIFIERS):
            m = [summ[c][feats]["gain_points"]["mean"] for c in conds]
            s = [summ[c][feats]["gain_points"]["std"] for c in conds]
            ax.bar(x + (j - 0.5) * 0.38, m, 0.38, yerr=s, capsize=3, label=feats)
        ax.axhline(0, color="black", lw=0.8)
        ax.set_xticks(x, [_tick(c, summ[c]) for c in conds])
        ax.set_ylabel("accuracy gain over seed-only (points)")
        n_int = results["datasets"][name]["intents"]
        ax.set_title(
            f"{name} ({n_int} intents, {len(results['datasets'][name]['draws'])} draws): "
            f"{results['shots']} seeds/intent + {results['per_intent']} added"
        )
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def _intents_focus() -> tuple[dict[str, Any], set[str]]:
    """Return the sampling config ``focus='intents'`` gives and the fields it changes."""
    import dataclasses

    from textsynth.lm import SampleConfig

    default = dataclasses.asdict(SampleConfig())
    config = dataclasses.asdict(SampleConfig(focus="intents"))
    config.pop("focus")
    return config, {k for k, v in config.items() if v != default[k]}


def variant(results: dict) -> str:
    """Return how a run's LM conditions differ from the defaults, e.g. `` [select=diverse]``."""
    settings = dict(results.get("sample_settings") or {})
    config, implied = _intents_focus()
    focus = settings.pop("focus", None) == "intents"
    if focus or all(k in settings and settings[k] == config[k] for k in implied):
        # the settings focus='intents' implies are named once, as that focus
        rest = {k: v for k, v in settings.items() if k not in config or config[k] != v}
        settings = {"focus": "intents", **rest}
    parts = [f"{k}={v}" for k, v in sorted(settings.items())]
    if results.get("init_from"):
        parts.append(f"from {Path(results['init_from']).name}")
    if results.get("epochs", EPOCHS) != EPOCHS:
        parts.append(f"epochs={results['epochs']}")
    if results.get("base_model"):
        parts.append(f"base {results['base_model']}")
    if results.get("seed_weight", "none") != "none":
        parts.append(f"seeds weighted ({results['seed_weight']})")
    return f" [{', '.join(parts)}]" if parts else ""


def readme_rows(results: dict) -> list[dict]:
    """One row per data set, classifier and condition: accuracy vs the seed-only peer."""
    rows = []
    how = variant(results)
    for name, r in results["datasets"].items():
        for feats in CLASSIFIERS:
            base = r["summary"]["seed"][feats]["accuracy"]["mean"]
            for cond in results["conditions"]:
                if cond == "seed" or cond not in r["summary"]:
                    continue
                s = r["summary"][cond][feats]
                g = s["gain_points"]
                n = r["summary"][cond].get("draws", len(r["draws"]))
                peer = s.get("seed_accuracy", base)  # seed-only over the same draws
                rows.append(
                    {
                        "benchmark": f"augment {name}, {r['intents']} intents, "
                        f"+{results['per_intent']}/intent ({feats})",
                        "measure": f"test accuracy, seed + {cond}"
                        f"{how if cond in TEXTSYNTH else ''} (mean of {n} draws)",
                        "textsynth": round(s["accuracy"]["mean"], 4),
                        "peer": "seed only",
                        "peer_value": round(peer, 4),
                        "ratio": round(s["accuracy"]["mean"] / peer, 3) if peer else None,
                        "note": f"gain {gain_cell(r['summary'][cond], g)} pts"
                        + (
                            ""
                            if cond in TEXTSYNTH
                            else " (more real data: the reference, not augmentation)"
                            if cond == "real"
                            else f" ({cond} baseline, not textsynth)"
                        ),
                    }
                )
        if "slots" not in r["summary"].get("seed", {}):
            continue
        base = r["summary"]["seed"]["slots"]["f1"]["mean"]
        for cond in results["conditions"]:
            if cond == "seed" or "slots" not in r["summary"].get(cond, {}):
                continue
            s = r["summary"][cond]["slots"]
            g = s["gain_points"]
            n = r["summary"][cond].get("draws", len(r["draws"]))
            peer = s.get("seed_f1", base)  # seed-only over the same draws
            rows.append(
                {
                    "benchmark": f"augment {name}, {r['intents']} intents, "
                    f"+{results['per_intent']}/intent (CRF slot tagger)",
                    "measure": f"test slot F1 (span-exact micro), seed + {cond}"
                    f"{how if cond in TEXTSYNTH else ''} (mean of {n} draws)",
                    "textsynth": round(s["f1"]["mean"], 4),
                    "peer": "seed only",
                    "peer_value": round(peer, 4),
                    "ratio": round(s["f1"]["mean"] / peer, 3) if peer else None,
                    "note": f"gain {gain_cell(r['summary'][cond], g)} pts"
                    + ("" if cond in TEXTSYNTH else f" ({cond}: not textsynth)"),
                }
            )
    return rows


def gain_cell(summ: dict, g: dict) -> str:
    """``+1.2 ± 0.3``; for a condition measured in fewer draws ``+1.2 (1 of 3 draws)`` or
    ``+1.2 ± 0.4 (2 of 3 draws)`` (one draw has no spread to show)."""
    n, of = summ.get("draws"), summ.get("of_draws")
    spread = f" ± {g['std']:.1f}" if n is None or n > 1 else ""
    if n is not None and of is not None and n < of:
        return f"{g['mean']:+.1f}{spread} ({n} of {of} draws)"
    return f"{g['mean']:+.1f}{spread}"


def summary_markdown(results: dict) -> str:
    """A table a person reads: gain over seed-only (points, mean ± std) per condition."""
    cols = [(n, f) for n in results["datasets"] for f in CLASSIFIERS]
    slot_cols = [
        n for n, v in results["datasets"].items() if "slots" in v["summary"].get("seed", {})
    ]
    head = " | ".join(f"{n} ({results['datasets'][n]['intents']} intents), {f}" for n, f in cols)
    head += "".join(f" | {n} slot F1" for n in slot_cols)
    lines = [f"| condition | {head} | fidelity / distinct-2 / seed copies ({cols[0][0]}) |"]
    lines.append("|---|" + "---:|" * (len(cols) + len(slot_cols)) + "---|")
    first = results["datasets"][cols[0][0]]["summary"]
    base = " | ".join(
        f"{100 * results['datasets'][n]['summary']['seed'][f]['accuracy']['mean']:.1f} %"
        for n, f in cols
    )
    base += "".join(
        f" | {100 * results['datasets'][n]['summary']['seed']['slots']['f1']['mean']:.1f}"
        for n in slot_cols
    )
    lines.append(f"| seed only (accuracy; slot F1) | {base} | |")
    for cond in results["conditions"]:
        measured = [n for n, _ in cols if cond in results["datasets"][n]["summary"]]
        if cond == "seed" or not measured:
            continue
        cells = []
        for n, f in cols:  # a condition not run on a data set says so (never a blank)
            summ = results["datasets"][n]["summary"].get(cond)
            cells.append(gain_cell(summ, summ[f]["gain_points"]) if summ else "not run")
        for n in slot_cols:
            summ = results["datasets"][n]["summary"].get(cond)
            sl = summ.get("slots") if summ else None
            cells.append(gain_cell(summ, sl["gain_points"]) if sl else "not run")
        q = first[cond]["quality"] if cond in first else {}
        fid = f"{q['fidelity']:.2f}" if q and "fidelity" in q else "–"
        qual = f"{fid} / {q['distinct_2']:.2f} / {q['seed_copy_share']:.2f}" if q else ""
        label = "+ real (reference: more real data)" if cond == "real" else f"+ {cond}"
        lines.append(f"| {label} | {' | '.join(cells)} | {qual} |")
    n = ", ".join(f"{len(v['draws'])} on {k}" for k, v in results["datasets"].items())
    lines.append("")
    lines.append(
        f"Gain in accuracy points (slot F1 points in the slot columns) over seed-only, "
        f"{results['shots']} seeds per intent + {results['per_intent']} added per intent; "
        f"draws: {n}."
    )
    return "\n".join(lines)


def resumable(out: Path, results: dict, redo: tuple[str, ...] = ()) -> dict[str, list[dict]]:
    """Return the finished draws per data set of a previous run with the same settings.

    Conditions in ``redo`` are dropped from them, so that they are measured again.
    """
    if not out.exists():
        return {}
    old = json.loads(out.read_text(encoding="utf-8"))
    same = ("shots", "per_intent", "clinc_intents", "epochs")
    if (
        any(old.get(k) != results[k] for k in same)
        or old.get("seed_weight", "none") != (results.get("seed_weight", "none"))
        or old.get("sample_settings", {}) != (results.get("sample_settings", {}))
    ):
        log.warning("--resume: %s was made with other settings; starting over", out)
        return {}
    kept = {name: r["draws"] for name, r in old.get("datasets", {}).items()}
    for draws in kept.values():
        for dr in draws:  # conditions no longer asked for are dropped, missing ones are run
            dr["conditions"] = {
                c: v
                for c, v in dr["conditions"].items()
                if c in results["conditions"] and c not in redo
            }
            dr.setdefault("prompt_completions_per_prompt", 1)  # made before shots were reused
    return kept


def add_readme_parts(results: dict) -> None:
    """Set the README rows and the summary table of ``results`` from its measurements."""
    results["readme_rows"] = readme_rows(results)
    results["readme_markdown"] = summary_markdown(results)


def replot(out: Path) -> None:
    """Redraw the plot and README rows of a finished results file (no new measurement)."""
    results = json.loads(out.read_text(encoding="utf-8"))
    add_readme_parts(results)
    with atomic_write(out) as fh:
        json.dump(results, fh, indent=2)
    plot(results, out.with_suffix(".png"))
    print(f"redrew {out.with_suffix('.png')} and the README rows of {out}")


def setting(text: str) -> tuple[str, Any]:
    """Parse ``FIELD=VALUE`` into a SampleConfig field and a value of the field's type."""
    import dataclasses

    from textsynth.lm import SampleConfig

    name, sep, raw = text.partition("=")
    fields = {f.name for f in dataclasses.fields(SampleConfig)}
    if not sep or name not in fields:
        raise argparse.ArgumentTypeError(
            f"{text!r}: use FIELD=VALUE with a SampleConfig field ({', '.join(sorted(fields))})"
        )
    default = getattr(SampleConfig(), name)
    kind = str(next(f.type for f in dataclasses.fields(SampleConfig) if f.name == name))
    if default is None and kind.startswith(("float", "int")):  # an optional number
        default = float(0) if kind.startswith("float") else 0
    if isinstance(default, bool) or kind.startswith("bool"):  # also an optional flag
        if raw.lower() not in ("true", "false", "on", "off", "1", "0"):
            raise argparse.ArgumentTypeError(f"{text!r}: {name} takes true or false")
        return name, raw.lower() in ("true", "on", "1")
    try:
        value: Any = type(default)(raw) if default is not None else raw
        SampleConfig(**{name: value})  # the field's own checks, before any generation
    except (ValueError, TextsynthError) as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: {exc}") from None
    return name, value


def main() -> None:
    """Run the benchmark and write its results."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--datasets", nargs="+", default=["snips", "hwu64", "clinc150"])
    ap.add_argument("--draws", type=int, default=3)
    ap.add_argument("--shots", type=int, default=10)
    ap.add_argument("--per-intent", type=int, default=20)
    ap.add_argument("--clinc-intents", type=int, default=20)
    ap.add_argument("--conditions", nargs="+", default=list(CONDITIONS))
    ap.add_argument(
        "--epochs", type=int, default=EPOCHS, help="fine-tuning epochs of the lm condition"
    )
    ap.add_argument("--quick", action="store_true", help="1 draw, SNIPS only, 5 added per intent")
    ap.add_argument(
        "--no-oracle",
        action="store_true",
        help="skip the intent oracle (full-train embeddings): no fidelity in the quality column",
    )
    ap.add_argument("--out", default=str(ROOT / "eval" / "results" / "augment.json"))
    ap.add_argument(
        "--resume",
        action="store_true",
        help="keep the conditions already measured in --out (same shots, added per intent, "
        "epochs and CLINC subset) and run only the missing draws and conditions",
    )
    ap.add_argument(
        "--redo",
        nargs="+",
        default=[],
        choices=[c for c in CONDITIONS if c != "seed"],
        help="with --resume: measure these conditions again in every kept draw",
    )
    ap.add_argument(
        "--set",
        dest="sample_settings",
        metavar="FIELD=VALUE",
        nargs="+",
        type=setting,
        default=[],
        help="a sampling setting of the LM conditions other than its default (a SampleConfig "
        "field, e.g. slot_unmarked=off); recorded in --out",
    )
    ap.add_argument(
        "--request-cache",
        metavar="DIR",
        help="keep the LM conditions' completions in DIR (one SQLite file per data set, draw "
        "and condition): a rerun with other filter settings generates only what it lacks; the "
        "kept utterances are written beside them (.kept.jsonl), to read",
    )
    ap.add_argument(
        "--run-cache",
        metavar="DIR",
        help="keep the lm condition's fine-tuned runs in DIR, by seeds and fine-tune settings: "
        "a rerun with other sampling settings does not fine-tune again",
    )
    ap.add_argument(
        "--init-from",
        metavar="RUN",
        help="the lm condition fine-tunes from this LoRA run (a generator pre-trained across "
        "intents by eval/pretrain_generator.py, never on the data set scored); recorded in --out",
    )
    ap.add_argument(
        "--base-model",
        metavar="MODEL",
        help="the model the LM conditions fine-tune or prompt (an embedded alias such as "
        "embedded:gemma3-270m, a hub id or a path; default: textsynth's); recorded in --out",
    )
    ap.add_argument(
        "--seed-weight",
        choices=SEED_WEIGHTS,
        default="none",
        help="balanced: in every condition the classifiers weigh each seed max(1, added / "
        "seeds) of its intent, so that the seeds weigh as much as the added text "
        "(textsynth.weights; the slot tagger stays unweighted); recorded in --out",
    )
    ap.add_argument(
        "--replot",
        action="store_true",
        help="only redraw the plot and README rows of --out from its saved results",
    )
    args = ap.parse_args()
    args.sample_settings = dict(args.sample_settings)
    if args.replot:
        replot(Path(args.out))
        return
    if args.quick:
        args.draws, args.datasets, args.per_intent = 1, ["snips"], 5
    if "seed" not in args.conditions:
        args.conditions = ["seed", *args.conditions]
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    import torch

    torch.manual_seed(0)
    t0 = time.perf_counter()
    embedder = Embedder()
    results: dict = {
        "shots": args.shots,
        "per_intent": args.per_intent,
        "draws": args.draws,
        "conditions": args.conditions,
        "clinc_intents": args.clinc_intents,
        "epochs": args.epochs,
        "eda_note": "EDA = random swap/deletion/insertion (slot values kept whole, so EDA "
        "variants keep their spans); no offline synonym source",
        "slot_tagger": f"textsynth.slots.SlotTagger CRF {SLOT_TAGGER}",
        "sample_settings": args.sample_settings,
        "init_from": args.init_from,
        "base_model": args.base_model,
        **({"seed_weight": args.seed_weight} if args.seed_weight != "none" else {}),
        "datasets": {},
    }
    out = Path(args.out)

    def save(name: str, res: dict) -> None:
        results["datasets"][name] = res
        results["seconds"] = round(time.perf_counter() - t0, 1)
        results["draws_done"] = {k: len(v["draws"]) for k, v in results["datasets"].items()}
        add_readme_parts(results)
        missing = {k: args.draws - n for k, n in results["draws_done"].items() if n < args.draws}
        results["status"] = (
            "complete"
            if not missing and len(results["draws_done"]) == len(args.datasets)
            else f"partial: draws missing {missing or 'for data sets not reached'}"
        )
        with atomic_write(out) as fh:
            json.dump(results, fh, indent=2)
        plot(results, out.with_suffix(".png"))

    states = {name: prepare(name, args, embedder) for name in args.datasets}
    if args.resume:
        for name, draws in resumable(out, results, tuple(args.redo)).items():
            if name in states:
                states[name]["res"]["draws"] = draws[: args.draws]
                states[name]["res"]["summary"] = summarise(states[name]["res"], args)
                results["datasets"][name] = states[name]["res"]
                log.warning("%s: %d finished draws kept from %s", name, len(draws), out)
    for d in range(args.draws):  # draws outermost: a cut-short run still covers every data set
        for name in args.datasets:
            draws = states[name]["res"]["draws"]
            if d < len(draws) and all(c in draws[d]["conditions"] for c in args.conditions):
                continue
            run_draw(name, states[name], d, args, embedder)
            save(name, states[name]["res"])
    print(f"wrote {out} and {out.with_suffix('.png')} in {results['seconds']} s")


if __name__ == "__main__":
    main()
