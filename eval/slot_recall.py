"""Slot recall filter on and off, side by side: the same draws, the same cached completions.

Both runs are ``eval/augment.py`` runs with one request cache, so the off run replays the on
run's completions and generates only what it lacks (the checks differ, the generator does not)::

    python -m eval.augment --datasets snips --conditions seed prompt lm \\
        --request-cache eval/.cache/requests --set slot_unmarked=reject \\
        --out eval/results/augment_recall_on.json
    python -m eval.augment --datasets snips --conditions seed prompt lm \\
        --request-cache eval/.cache/requests --set slot_unmarked=off \\
        --out eval/results/augment_recall_off.json
    python -m eval.slot_recall eval/results/augment_recall_on.json \\
        eval/results/augment_recall_off.json

Writes ``eval/results/slot_recall.json``: per data set, LM condition and measure, the gain over
seed-only in each draw with the filter on and off, their paired difference (mean ± std), and a
markdown table.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "eval" / "results" / "slot_recall.json"
MEASURES = {"slots": "f1", "tfidf": "accuracy", "embeddings": "accuracy"}


def gains(res: dict, name: str, cond: str, measure: str) -> list[float]:
    """Return the gain in points over seed-only of ``cond`` in each draw that has it."""
    key = MEASURES[measure]
    out = []
    for dr in res["datasets"][name]["draws"]:
        c = dr["conditions"]
        if cond in c and measure in c[cond]:
            out.append(100 * (c[cond][measure][key] - c["seed"][measure][key]))
    return out


def _ms(xs: list[float]) -> dict[str, float]:
    sd = statistics.stdev(xs) if len(xs) > 1 else 0.0
    return {"mean": round(statistics.fmean(xs), 2), "std": round(sd, 2), "n": len(xs)}


def compare(on: dict, off: dict) -> dict:
    """Return the side-by-side figures of two augment results made on the same draws."""
    rows = []
    for name, res in on["datasets"].items():
        if name not in off["datasets"]:
            continue
        for d_on, d_off in zip(res["draws"], off["datasets"][name]["draws"], strict=False):
            if d_on["seed"] != d_off["seed"]:
                seeds = f"{d_on['seed']} vs {d_off['seed']}"
                raise SystemExit(f"{name}: the two runs drew different seeds ({seeds})")
        for cond in ("prompt", "lm"):
            for measure in MEASURES:
                a, b = gains(on, name, cond, measure), gains(off, name, cond, measure)
                n = min(len(a), len(b))
                if not n:
                    continue
                diff = [x - y for x, y in zip(a[:n], b[:n], strict=True)]
                rows.append({
                    "dataset": name, "condition": cond, "measure": measure,
                    "on": _ms(a[:n]), "off": _ms(b[:n]), "paired_difference": _ms(diff),
                    "per_draw_on": [round(x, 2) for x in a[:n]],
                    "per_draw_off": [round(x, 2) for x in b[:n]],
                })  # fmt: skip
    return {
        "benchmark": "slot_recall",
        "rows": rows,
        "markdown": markdown(rows),
        "readme_rows": readme_rows(on, off),
    }


def readme_rows(on: dict, off: dict) -> list[dict]:
    """Return one README row per data set and LM condition: mean slot F1, filter on vs off."""
    out = []
    for name in on["datasets"]:
        if name not in off["datasets"]:
            continue
        for cond in ("prompt", "lm"):
            f1 = [
                [dr["conditions"][cond]["slots"]["f1"] for dr in r["datasets"][name]["draws"]
                 if cond in dr["conditions"] and "slots" in dr["conditions"][cond]]
                for r in (on, off)
            ]  # fmt: skip
            n = min(len(f1[0]), len(f1[1]))
            if not n:
                continue
            a, b = statistics.fmean(f1[0][:n]), statistics.fmean(f1[1][:n])
            out.append({
                "benchmark": f"slot recall filter, {name} 10-shot, {cond}",
                "measure": "downstream slot F1 (CRF on seeds + 20 kept per intent)",
                "textsynth": round(100 * a, 1), "peer": "filter off, same completions",
                "peer_value": round(100 * b, 1), "ratio": round(a / b, 3),
                "note": f"{n} draw(s); reject mode, tagger threshold 0.3",
            })  # fmt: skip
    return out


def markdown(rows: list[dict]) -> str:
    """Return the comparison as a markdown table."""

    def cell(m: dict) -> str:
        return f"{m['mean']:+.1f} ± {m['std']:.1f}"

    lines = [
        "| data set | condition | measure | filter on | filter off | on − off (paired) | draws |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        measure = "slot F1" if r["measure"] == "slots" else f"intent accuracy ({r['measure']})"
        lines.append(
            f"| {r['dataset']} | {r['condition']} | {measure} | {cell(r['on'])} | "
            f"{cell(r['off'])} | {cell(r['paired_difference'])} | {r['on']['n']} |"
        )
    return "\n".join(lines) + "\n\nGain in points over seed-only of the same draw.\n"


def _shown(path: Path) -> str:
    p = path.resolve()
    return str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(path)


def main() -> None:
    """Compare two augment results and write ``eval/results/slot_recall.json``."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("on", type=Path, help="augment results with the slot recall filter")
    ap.add_argument("off", type=Path, help="augment results with slot_unmarked=off")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    from textsynth.io import atomic_write

    on, off = (json.loads(p.read_text(encoding="utf-8")) for p in (args.on, args.off))
    if off.get("sample_settings", {}).get("slot_unmarked") != "off":
        raise SystemExit(f"{args.off} was not run with --set slot_unmarked=off")
    if on.get("sample_settings", {}).get("slot_unmarked") not in ("reject", "mark"):
        raise SystemExit(f"{args.on} was not run with --set slot_unmarked=reject (or mark)")
    res = compare(on, off)
    res["inputs"] = [_shown(args.on), _shown(args.off)]
    with atomic_write(args.out) as fh:
        json.dump(res, fh, indent=2)
        fh.write("\n")
    print(res["markdown"])


if __name__ == "__main__":
    main()
