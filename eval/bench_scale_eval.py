"""``evaluate`` of 1M grammar-generated utterances against 10k seeds: in-process vs Ray.

Text metrics only (no embeddings). Each engine runs in its own child process; the child reports
its wall time and peak resident memory (``ru_maxrss``), and the Ray run also the largest peak
of its actors. The two reports must agree metric for metric (checked). Adds ``evaluate_1m`` and
its rows to ``eval/results/scale.json``.

Usage: ``nice -n 10 python -m eval.bench_scale_eval [--n 1000000] [--seeds 10000]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from textsynth.io import atomic_write

RESULTS = Path(__file__).resolve().parent / "results"
GRAMMAR = Path(__file__).resolve().parent.parent / "grammars" / "bench" / "bench.chatette"

CHILD = r"""
import json, resource, sys, time
from textsynth.metrics import evaluate
from textsynth.io import read_utterances
engine, syn, seeds = sys.argv[1:4]
t0 = time.perf_counter()
stats = {}
pre = None
if engine == "ray":
    from textsynth.engine.cluster import connect
    t1 = time.perf_counter()
    connect(None, num_cpus=2)
    stats["ray_init_s"] = round(time.perf_counter() - t1, 2)
    from textsynth.engine.ray_eval import read_synthetic_ray
    utts, tokens, rejected, st = read_synthetic_ray(syn)
    stats.update(st)
    pre = {("tokens", "synthetic"): tokens}
else:
    utts, rejected = list(read_utterances(syn)), []
read_s = time.perf_counter() - t0
report = evaluate(utts, list(read_utterances(seeds)), embeddings=False, rejected=rejected,
                  precomputed=pre)
stats.update(seconds=round(time.perf_counter() - t0, 2), read_s=round(read_s, 2),
             peak_rss_mib=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
             metrics={k: v["value"] for k, v in report.to_dict()["metrics"].items()})
print("RESULT " + json.dumps(stats))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--seeds", type=int, default=10_000)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_scale_eval_"))
    syn, seeds = tmp / "syn.jsonl", tmp / "seeds.jsonl"
    for n, seed, out in ((args.n, 1, syn), (args.seeds, 2, seeds)):
        cli = "import sys; from textsynth.cli import main; sys.exit(main())"
        cmd = [sys.executable, "-c", cli, "grammar", "generate", str(GRAMMAR)]
        subprocess.run(
            cmd + ["--n", str(n), "--seed", str(seed), "--dedupe", "none", "-o", str(out)],
            check=True,
        )
    runs = {}
    for engine in ("local", "ray"):
        r = subprocess.run(
            [sys.executable, "-c", CHILD, engine, str(syn), str(seeds)],
            capture_output=True,
            text=True,
            check=True,
        )
        line = next(x for x in r.stdout.splitlines() if x.startswith("RESULT "))
        runs[engine] = json.loads(line[len("RESULT ") :])
        print(engine, {k: v for k, v in runs[engine].items() if k != "metrics"})
    same = runs["local"]["metrics"] == runs["ray"]["metrics"]
    path = RESULTS / "scale.json"
    data = json.loads(path.read_text()) if path.exists() else {"readme_rows": []}
    data["evaluate_1m"] = {
        "synthetic": args.n,
        "seeds": args.seeds,
        "embeddings": False,
        "machine": f"2 CPUs, load average {os.getloadavg()[0]:.2f} at the end; "
        "local Ray cluster of 2 CPUs",
        "runs": runs,
        "metrics_identical": same,
    }
    rows: list[dict] = []
    loc, ray = runs["local"], runs["ray"]
    rows.append(
        {
            "benchmark": "scale (evaluate)",
            "measure": "evaluate 1M vs 10k seeds, no embeddings: wall s (Ray, 2 actors)",
            "textsynth": ray["seconds"],
            "peer": "in-process",
            "peer_value": loc["seconds"],
            "ratio": round(loc["seconds"] / ray["seconds"], 2),
            "note": f"identical metrics={same}; Ray includes ray.init {ray.get('ray_init_s')} s",
        }
    )
    rows.append(
        {
            "benchmark": "scale (evaluate)",
            "measure": "evaluate 1M: peak RSS MiB of the driver (Ray) / the process (in-process)",
            "textsynth": ray["peak_rss_mib"],
            "peer": "in-process",
            "peer_value": loc["peak_rss_mib"],
            "ratio": round(loc["peak_rss_mib"] / ray["peak_rss_mib"], 2),
            "note": f"each Ray actor peaked at <= {ray.get('actor_peak_rss_mib')} MiB",
        }
    )
    data["readme_rows"] = [
        r for r in data["readme_rows"] if not r["measure"].startswith("evaluate 1M")
    ] + rows
    with atomic_write(path) as fh:
        fh.write(json.dumps(data, indent=2) + "\n")


if __name__ == "__main__":
    main()
