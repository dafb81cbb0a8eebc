"""Where the augmentation targets stand: every textsynth condition measured, against its peers.

``eval/augment.py`` writes one results file per study (``eval/results/augment*.json``): the
defaults, a pre-trained start, Gemma, value plans off, a filter on or off... Each says how one
condition did; none says which condition does best on each data set and classifier, nor whether
that beats upsampling and EDA *by more than the draw-to-draw spread*, as the generation targets
ask. This script reads them all and answers that, one table per measure (TF-IDF accuracy,
embeddings accuracy, slot F1).

- A row is one textsynth condition of one results file (``lm`` or ``prompt``, with the settings
  that file ran it with), measured in every draw of that file.
- Its peers are upsampling and EDA over the same draws: the file's own when it ran them, or else
  those of another file with the same data set, intent count, shots, per-intent count and draw
  seeds (both are deterministic given the seeds; the ``peers`` column names the file).
- It **clears** a peer when ``gain - peer gain > max(std, peer std)``, the stds being over draws.

Files are ordered by their last commit (``git log``), newest first, so an older figure measured
on code that has since changed stays visible but is marked by its date.

Usage: ``python -m eval.augment_targets``; writes ``eval/results/augment_targets.json`` and
prints the tables.
"""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "eval" / "results"
TEXTSYNTH = ("lm", "prompt")
PEERS = ("upsample", "eda")
MEASURES = {"tfidf": "TF-IDF accuracy", "embeddings": "embeddings accuracy", "slots": "slot F1"}
SKIP = ("augment_targets",)  # results files of other shapes are skipped by their keys


def committed(path: Path) -> str:
    """Return the date (YYYY-MM-DD) of the last commit that touched ``path``, or ``''``."""
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%cs", "--", path.name],
            cwd=path.parent,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return ""
    return out.stdout.strip()


def label(results: dict, cond: str) -> str:
    """``lm [value_plans=0, from no-snips]``: the condition and how its file ran it."""
    from eval.augment import variant

    return cond + variant(results)


def _value(cond: dict, measure: str) -> float | None:
    m = cond.get(measure) or {}
    v = m.get("f1" if measure == "slots" else "accuracy")
    return None if v is None else float(v)


def draw_gains(draws: list[dict], cond: str, measure: str) -> dict[int, float]:
    """Return a condition's gain over seed-only in points, per draw seed, where measured."""
    out = {}
    for d in draws:
        c = d.get("conditions", {})
        if cond not in c or "seed" not in c:
            continue
        a, b = _value(c[cond], measure), _value(c["seed"], measure)
        if a is not None and b is not None:
            out[int(d["seed"])] = 100 * (a - b)
    return out


def spread(values: list[float]) -> dict[str, float]:
    """Mean and sample std (ddof=1, as ``eval/augment.py`` reports it)."""
    n = len(values)
    mean = sum(values) / n
    std = (sum((v - mean) ** 2 for v in values) / (n - 1)) ** 0.5 if n > 1 else 0.0
    return {"mean": mean, "std": std, "draws": n}


def runs(results_dir: Path) -> list[dict]:
    """Return every (file, data set) of the augmentation benchmark, newest commit first."""
    out = []
    for path in sorted(results_dir.glob("augment*.json")):
        if path.stem in SKIP:
            continue
        res = json.loads(path.read_text())
        if not isinstance(res.get("datasets"), dict):
            continue  # another benchmark's shape (errors, ablation, frames)
        date = committed(path)
        for name, r in res["datasets"].items():
            if not r.get("draws"):
                continue
            setup = (name, r.get("intents"), res.get("shots"), res.get("per_intent"))
            out.append(
                {
                    "file": path.name,
                    "date": date,
                    "results": res,
                    "dataset": name,
                    "setup": setup,
                    "draws": r["draws"],
                }
            )
    out.sort(key=lambda x: (x["date"], x["file"]), reverse=True)
    return out


def peers_for(run: dict, all_runs: list[dict], measure: str, seeds: list[int]) -> tuple[dict, str]:
    """Return upsampling's and EDA's gains over the draws ``seeds``, and the file they are from.

    The run's own file first, then the newest file with the same setup that has both peers in
    every one of those draws.
    """
    for other in [run, *all_runs]:
        if other["setup"] != run["setup"]:
            continue
        per = {p: draw_gains(other["draws"], p, measure) for p in PEERS}
        if all(all(s in per[p] for s in seeds) for p in PEERS):
            return {p: spread([per[p][s] for s in seeds]) for p in PEERS}, other["file"]
    return {}, ""


def clears(g: dict, peer: dict) -> bool:
    """True when the gain beats the peer's by more than the larger of the two stds."""
    return g["mean"] - peer["mean"] > max(g["std"], peer["std"])


def table(all_runs: list[dict]) -> list[dict]:
    """One row per textsynth condition, data set and measure, with its peers and verdicts."""
    rows = []
    for run in all_runs:
        n_draws = len(run["draws"])
        for measure in MEASURES:
            for cond in TEXTSYNTH:
                per = draw_gains(run["draws"], cond, measure)
                if len(per) < max(2, n_draws):
                    continue  # measured in some draws only: no fair spread to compare
                seeds = sorted(per)
                g = spread([per[s] for s in seeds])
                peers, source = peers_for(run, all_runs, measure, seeds)
                rows.append(
                    {
                        "dataset": run["dataset"],
                        "intents": run["setup"][1],
                        "setup": _setup(run["setup"]),
                        "measure": measure,
                        "condition": label(run["results"], cond),
                        "file": run["file"],
                        "date": run["date"],
                        "draws": len(seeds),
                        "gain": g,
                        "peers": peers,
                        "peers_file": source,
                        "clears": {p: clears(g, v) for p, v in peers.items()},
                        "above": {p: g["mean"] > v["mean"] for p, v in peers.items()},
                    }
                )
    return rows


def _setup(setup: tuple) -> str:
    """``snips, 7 intents, 10 seeds +20``: the cells a condition is compared within."""
    name, intents, shots, per_intent = setup
    return f"{name}, {intents} intents, {shots} seeds +{per_intent}"


def _clear(r: dict) -> bool:
    return bool(r["clears"]) and all(r["clears"].values())


def best(rows: list[dict]) -> list[dict]:
    """Per data set and measure: the best condition, the one the targets judge.

    That is the condition with the highest mean gain among those that beat both peers by more
    than the std; when none does, the highest mean gain.
    """
    out = []
    for key in sorted({(r["setup"], r["measure"]) for r in rows}, key=str):
        mine = [r for r in rows if (r["setup"], r["measure"]) == key]
        pool = [r for r in mine if _clear(r)] or mine
        top = max(pool, key=lambda r: r["gain"]["mean"])
        out.append(
            {
                "setup": key[0],
                "measure": key[1],
                "best": top,
                "conditions": len(mine),
                "clearing": sum(_clear(r) for r in mine),
            }
        )
    return out


def _g(g: dict | None) -> str:
    return "–" if g is None else f"{g['mean']:+.1f} ± {g['std']:.1f}"


def markdown(rows: list[dict], tops: list[dict]) -> str:
    """The tables a person reads: the best condition per cell, then every row."""
    lines = [
        "| data set | measure | best textsynth condition (file, last commit) | gain "
        "| upsampling | EDA | above both | by more than the std (conditions that do / measured) |",
        "|---|---|---|---:|---:|---:|---|---|",
    ]
    for t in tops:
        b = t["best"]
        above = "✔" if b["above"] and all(b["above"].values()) else "✘"
        lines.append(
            f"| {t['setup']} | {MEASURES[t['measure']]} "
            f"| {b['condition']} ({b['file']}, {b['date'] or 'uncommitted'}) "
            f"| {_g(b['gain'])} | {_g(b['peers'].get('upsample'))} | {_g(b['peers'].get('eda'))} "
            f"| {above} | {'✔' if _clear(b) else '✘'} ({t['clearing']} / {t['conditions']}) |"
        )
    lines += [
        "",
        "| data set | measure | condition | file (last commit) | draws | gain "
        "| clears upsampling / EDA |",
        "|---|---|---|---|---:|---:|---|",
    ]
    for r in sorted(rows, key=lambda r: (r["setup"], r["measure"], -r["gain"]["mean"])):
        c = r["clears"]
        mark = " / ".join("✔" if c.get(p) else "✘" for p in PEERS) if c else "no peers"
        lines.append(
            f"| {r['setup']} | {MEASURES[r['measure']]} | {r['condition']} "
            f"| {r['file']} ({r['date'] or 'uncommitted'}) | {r['draws']} | {_g(r['gain'])} "
            f"| {mark} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Read the results, print the tables, write the JSON."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--results", default=str(RESULTS), help="folder of augment*.json files")
    ap.add_argument("--out", default=str(RESULTS / "augment_targets.json"))
    args = ap.parse_args(argv)
    from textsynth.io import atomic_write

    all_runs = runs(Path(args.results))
    rows = table(all_runs)
    tops = best(rows)
    md = markdown(rows, tops)
    res = {"rule": "gain - peer gain > max(std, peer std)", "best": tops, "rows": rows}
    res["markdown"] = md
    with atomic_write(Path(args.out)) as fh:
        fh.write(json.dumps(res, indent=1, ensure_ascii=False) + "\n")
    print(md)
    print(f"\nwrote {args.out}")
    return res


if __name__ == "__main__":
    main()
