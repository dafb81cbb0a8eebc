"""The evaluation stage of :mod:`eval.lm_slots`: oracle slot fidelity, fluency, results, plot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from textsynth.io import atomic_write

ROOT = Path(__file__).resolve().parent.parent


def train_oracle(work: Path) -> Path:
    """Train (once) the oracle CRF on the full SNIPS train split of the three intents."""
    from textsynth.io import read_utterances
    from textsynth.slots import SlotTagger, score_spans

    path = work / "oracle_tagger.json"
    if not path.exists():
        t0 = time.perf_counter()
        tagger = SlotTagger.train(list(read_utterances(work / "reference.jsonl")))
        tagger.save(path)
        test = list(read_utterances(work / "test.jsonl"))
        pred = tagger.predict([u.text for u in test])
        sc = score_spans([u.text for u in test], [u.spans for u in test], pred)
        (work / "oracle_tagger_info.json").write_text(
            json.dumps({"train_s": round(time.perf_counter() - t0, 1), "test": sc.micro()})
        )
    return path


def evaluate_run(work: Path, out: Path, result: Path, timings: dict) -> None:
    """Evaluate the sampled set with the oracle tagger and fluency; write results and plot."""
    oracle = train_oracle(work)
    report_dir = out / "report"
    cmd = [
        sys.executable, "-c", "from textsynth.cli import main; main()", "evaluate",
        "-s", str(out / "sampled.jsonl"), "--seeds", str(out / "seeds.jsonl"),
        "--reference", str(work / "reference.jsonl"), "--test", str(work / "test.jsonl"),
        "--slot-tagger", str(oracle), "--no-embeddings", "--classifier", "tfidf",
        "--fluency", "--max-fluency", "0", "-o", str(report_dir),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TEXTSYNTH_PROGRESS": "0"}
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, cwd=ROOT)
    timings["evaluate_s"] = round(time.perf_counter() - t0, 1)
    rep = json.loads((report_dir / "metrics.json").read_text())
    m = rep["metrics"]
    slot = m["slot-fidelity"]["breakdown"]
    flu = m["fluency"]["breakdown"]
    info = json.loads((work / "oracle_tagger_info.json").read_text())
    res = {
        "benchmark": "lm_slots",
        "what": "30 SNIPS seeds (GetWeather, BookRestaurant, RateBook; 10 each, Random(0)), "
        "`textsynth lm finetune` defaults, `lm sample --per-intent 20`, evaluated with the oracle "
        "slot tagger (CRF on the full SNIPS train split of the 3 intents) and fluency "
        "(SmolLM2-135M)",
        "sizes": rep["summary"]["sizes"],
        "oracle_tagger": {"test_micro": info["test"], "train_s": info["train_s"]},
        "slot_fidelity": {
            "micro": slot["micro"],
            "per_label": slot["per_label"],
            "confusion": slot["confusion"],
            "examples": slot["examples"],
        },
        "fluency": {
            "share_below_seed_p5": m["fluency"]["value"],
            "seed_p5": flu["seed_p5"],
            "quantiles": flu["quantiles"],
            "lowest": flu["lowest"],
            "histogram": flu["histogram"],
        },
        "intent_fidelity_tfidf": m.get("intent-fidelity", {}).get("value"),
        "span_validity": m["span-validity"]["value"],
        "timings": timings,
        "machine": f"2 CPU cores, load average {os.getloadavg()[0]:.2f} at the end",
    }
    mi = slot["micro"]
    res["readme_rows"] = [
        {
            "benchmark": "LM generator, 30 SNIPS seeds, defaults, 20/intent",
            "measure": "oracle slot fidelity: span F1 (P / R in note)",
            "textsynth": round(mi["f1"] or 0, 3),
            "peer": "SNIPS test set under the same oracle",
            "peer_value": round(info["test"]["f1"], 3),
            "ratio": round((mi["f1"] or 0) / info["test"]["f1"], 3),
            "note": f"precision {mi['precision'] or 0:.3f}, recall {mi['recall'] or 0:.3f}; "
            f"{rep['summary']['sizes']['synthetic']} kept utterances",
        },
        {
            "benchmark": "LM generator, 30 SNIPS seeds, defaults, 20/intent",
            "measure": "share of utterances below the seeds' 5th fluency percentile",
            "textsynth": round(m["fluency"]["value"], 3),
            "peer": "the seeds (by definition)",
            "peer_value": 0.05,
            "ratio": round(0.05 / m["fluency"]["value"], 3) if m["fluency"]["value"] else None,
            "note": f"median log-lik/token {flu['quantiles']['synthetic'].get('p50', 0):.2f} vs "
            f"seeds {flu['quantiles']['seeds'].get('p50', 0):.2f}",
        },
    ]
    with atomic_write(result) as fh:
        json.dump(res, fh, indent=1)
    plot(res, result.with_suffix(".png"))
    print(f"wrote {result}")


def plot(res: dict, path: Path) -> None:
    """Fluency histogram (synthetic vs seeds) and per-label oracle slot F1."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, (a, b) = plt.subplots(1, 2, figsize=(12, 4.5))
    h = res["fluency"]["histogram"]
    e = np.asarray(h["edges"])
    for k in ("synthetic", "seeds"):
        c = np.asarray(h[k], dtype=float)
        a.stairs(c / max(c.sum(), 1), e, label=k, linewidth=1.5)
    a.axvline(res["fluency"]["seed_p5"], color="#e45756", ls="--", label="seeds' 5th pct")
    a.set_xlabel("mean log-likelihood per token (SmolLM2-135M)")
    a.set_ylabel("share")
    a.set_title(f"Fluency: {100 * res['fluency']['share_below_seed_p5']:.0f} % below the line")
    a.legend()
    per = {k: v for k, v in res["slot_fidelity"]["per_label"].items() if v["f1"] is not None}
    names = sorted(per, key=lambda k: -per[k]["generated"])
    b.barh(names, [per[n]["f1"] for n in names], color="#4c78a8")
    b.set_xlim(0, 1)
    b.invert_yaxis()
    b.set_xlabel("span F1 vs the oracle tagger")
    b.set_title(f"Oracle slot fidelity (micro F1 {res['slot_fidelity']['micro']['f1'] or 0:.2f})")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
