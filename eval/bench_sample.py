"""Acceptance 4: sample 1,000,000 distinct utterances from a grammar with > 10^30 combinations.

Runs ``textsynth grammar generate`` as a child process (the whole process: interpreter start,
grammar loading, sampling, JSONL writing) under ``/usr/bin/time``, checks the output (line count,
distinct texts, span validity on a sample), and writes ``eval/results/sample.json``.

Usage: ``python -m eval.bench_sample [--n 1000000] [--repeat 3]``

``--baseline COMMIT`` instead compares this tree with COMMIT (exported with ``git archive``):
the two run alternately, ``--repeat`` rounds, and ``eval/results/grammar_speed.json`` gets
their CPU and wall times (CPU time is the steadier figure on a shared machine).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRAMMAR = ROOT / "grammars" / "bench" / "bench.chatette"
RESULTS = ROOT / "eval" / "results" / "sample.json"
SPEED = ROOT / "eval" / "results" / "grammar_speed.json"
TARGET_S, TARGET_MIB = 10.0, 300.0


def timed(cmd: list[str], cwd: Path = ROOT, env: dict | None = None) -> dict:
    """Run ``cmd`` under /usr/bin/time; return wall seconds, CPU seconds and peak RSS (MiB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        t0 = time.perf_counter()
        proc = subprocess.run(
            ["/usr/bin/time", "-f", "%e %U %S %M", "-o", tf.name, *cmd],
            capture_output=True,
            text=True,
            cwd=cwd,
            env=env,
        )
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr}")
        e, u, s, m = tf.read().split()[-4:]
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(float(u) + float(s), 3),
        "peak_rss_mib": round(int(m) / 1024, 1),
        "time_elapsed_s": float(e),
    }


def check_output(path: Path, n: int) -> dict:
    """Count lines and distinct texts; validate spans of every 100th record."""
    texts: set[int] = set()
    lines = bad = 0
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            lines += 1
            if i % 100 == 0:
                rec = json.loads(line)
                t = rec["text"]
                texts.add(hash(t))
                for e in rec["entities"]:
                    if (
                        not (0 <= e["start"] < e["end"] <= len(t))
                        or t[e["start"] : e["end"]].strip() != t[e["start"] : e["end"]]
                    ):
                        bad += 1
            else:
                # the text is the first field: '{"text": "...", "intent"'
                texts.add(hash(line[: line.index('", "intent": ')]))
    return {
        "lines": lines,
        "distinct_texts": len(texts),
        "bad_spans_in_sample": bad,
        "all_distinct": len(texts) == lines == n,
    }


def compare(baseline: str, n: int, rounds: int, seed: int) -> dict:
    """Time this tree and ``baseline`` alternately; write and return the comparison."""
    import statistics

    exe = str(Path(sys.executable).parent / "textsynth")
    runs: dict[str, list[dict]] = {"baseline": [], "this": []}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "baseline"
        base.mkdir()
        archive = subprocess.run(
            ["git", "archive", baseline], cwd=ROOT, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
        for r in range(rounds):
            for name, tree in (("baseline", base), ("this", ROOT)):
                out = Path(tmp) / f"{name}.jsonl"
                cmd = [exe, "grammar", "generate", str(GRAMMAR.relative_to(ROOT))]
                cmd += ["--n", str(n), "--seed", str(seed), "-o", str(out)]
                env = {**os.environ, "PYTHONPATH": str(tree)}
                runs[name].append(timed(cmd, cwd=tree, env=env))
                print(f"round {r + 1} {name}: {runs[name][-1]}", flush=True)
        same = (Path(tmp) / "baseline.jsonl").read_bytes() == (
            Path(tmp) / "this.jsonl"
        ).read_bytes()
    med = {k: round(statistics.median(x["cpu_s"] for x in v), 3) for k, v in runs.items()}
    wall = {k: round(statistics.median(x["wall_s"] for x in v), 3) for k, v in runs.items()}
    load = [round(x, 2) for x in os.getloadavg()]
    result = {
        "baseline": baseline,
        "grammar": str(GRAMMAR.relative_to(ROOT)),
        "n": n,
        "rounds": rounds,
        "runs": runs,
        "median_cpu_s": med,
        "median_wall_s": wall,
        "same_output_bytes": same,
        "loadavg_after": load,
        "readme_rows": [
            {
                "benchmark": "grammar: sample 1M distinct from >1e30 combinations",
                "measure": f"CPU seconds, median of {rounds} alternating runs",
                "textsynth": med["this"],
                "peer": f"textsynth at {baseline}",
                "peer_value": med["baseline"],
                "ratio": round(med["baseline"] / med["this"], 3),
                "note": f"same output bytes: {same}; 2-core machine, load average {load[0]} "
                f"after; wall medians {wall['this']} s vs {wall['baseline']} s",
            }
        ],
    }
    SPEED.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3, help="runs; the best wall time is kept")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--baseline", default=None, help="compare with this commit instead")
    args = ap.parse_args()
    if args.baseline:
        res = compare(args.baseline, args.n, args.repeat, args.seed)
        print(json.dumps({k: res[k] for k in ("median_cpu_s", "median_wall_s")}, indent=2))
        return

    from textsynth.grammar import count, load_grammar

    combos = sum(count(load_grammar(GRAMMAR)).values())
    exe = str(Path(sys.executable).parent / "textsynth")
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "sample.jsonl"
        for _ in range(args.repeat):
            cmd = [
                exe,
                "grammar",
                "generate",
                str(GRAMMAR.relative_to(ROOT)),
                "--n",
                str(args.n),
                "--seed",
                str(args.seed),
                "-o",
                str(out),
            ]
            runs.append(timed(cmd))
            print(f"run: {runs[-1]}", flush=True)
        checked = check_output(out, args.n)
        size_mib = round(out.stat().st_size / 2**20, 1)
    best = min(runs, key=lambda r: r["wall_s"])
    load = os.getloadavg()
    result = {
        "grammar": str(GRAMMAR.relative_to(ROOT)),
        "combinations": str(combos),
        "combinations_log10": round(len(str(combos)) - 1 + float("0." + str(combos)[:6]), 2),
        "n": args.n,
        "seed": args.seed,
        "runs": runs,
        "best": best,
        "output": {**checked, "size_mib": size_mib},
        "targets": {"wall_s": TARGET_S, "peak_rss_mib": TARGET_MIB},
        "meets_targets": best["wall_s"] < TARGET_S
        and max(r["peak_rss_mib"] for r in runs) < TARGET_MIB,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "loadavg_after": [round(x, 2) for x in load],
        },
        "note": "whole process (start-up included) writing JSONL; the machine's 2 cores are "
        "shared with other workers, so wall time is noisy: cpu_s is the steadier figure",
    }
    rss = max(r["peak_rss_mib"] for r in runs)
    result["readme_rows"] = [
        {
            "benchmark": "grammar: sample 1M distinct from >1e30 combinations",
            "measure": f"wall seconds (whole process, best of {args.repeat})",
            "textsynth": best["wall_s"],
            "peer": "target (issue #2)",
            "peer_value": TARGET_S,
            "ratio": round(TARGET_S / best["wall_s"], 2),
            "note": f"CPU {best['cpu_s']} s; {checked['lines']:,} lines, all distinct: "
            f"{checked['all_distinct']}; noisy shared 2-core machine",
        },
        {
            "benchmark": "grammar: sample 1M distinct from >1e30 combinations",
            "measure": "peak RSS MiB (whole process)",
            "textsynth": rss,
            "peer": "target (issue #2)",
            "peer_value": TARGET_MIB,
            "ratio": round(TARGET_MIB / rss, 2),
            "note": "memory grows ~50 B per kept utterance",
        },
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("best", "output", "meets_targets")}, indent=2))


if __name__ == "__main__":
    main()
