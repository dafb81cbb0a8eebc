"""Sentence frames or slot values: which part of real text does the LM text lack? (SNIPS)

Real SNIPS utterances added to the seeds raise accuracy by about +4 points (TF-IDF), the LM's by
about 0 (``eval/augment.py``). An added utterance brings two things: its *frame* (the words
around the slots: "looking for a novel called ...") and its *slot values* ("Death March"). Per
draw (the benchmark's seeds), this fine-tunes the LM once, samples the benchmark's ``lm`` set
(``--per-intent`` per intent), takes the same number of real training utterances (never a seed),
and scores every frame/value pairing:

- frames: ``lm`` or ``real``;
- values: their own, the seeds' (same intent and slot label), or the other set's
  (LM frames with real values, real frames with LM values).

A slot whose intent and label have no value in the source keeps its own value (the share that
was swapped is recorded). Real values come from real training utterances, so ``lm frames + real
values`` is an oracle of what a perfect slot-value source could add to the LM's frames; it is a
diagnostic, not a way to augment. Writes ``eval/results/augment_frames.json`` with a README table,
and the plot ``eval/results/augment_frames.png``.

Usage: ``python -m eval.augment_frames [--draws 3] [--per-intent 20]``; ``--replot`` redraws the
plot and README table of a finished results file without running anything.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from eval import augment
from eval.baselines import held_out  # noqa: E402
from textsynth.classifier import Embedder  # noqa: E402
from textsynth.io import atomic_write  # noqa: E402
from textsynth.types import Span, Utterance  # noqa: E402

log = logging.getLogger("augment_frames")
RESULTS = augment.ROOT / "eval" / "results" / "augment_frames.json"
FRAMES = ("lm", "real")
VALUES = ("own", "seed", "other")


def slot_values(utts: list[Utterance]) -> dict[tuple[str, str], list[str]]:
    """Return the slot values of ``utts`` by (intent, slot label), in order."""
    out: dict[tuple[str, str], list[str]] = defaultdict(list)
    for u in utts:
        for s in u.spans:
            out[(u.intent, s.label)].append(u.text[s.start : s.end])
    return out


def with_values(
    utts: list[Utterance], values: dict[tuple[str, str], list[str]], rng: random.Random
) -> tuple[list[Utterance], float]:
    """Return ``utts`` with each slot's value drawn from ``values`` (same intent and label).

    Spans are moved to the new values. Also returns the share of slots that were swapped (a
    slot with no value of its intent and label in ``values`` keeps its own).
    """
    out, swapped, total = [], 0, 0
    for u in utts:
        pieces, spans, pos, length = [], [], 0, 0
        for s in u.spans:
            total += 1
            pool = values.get((u.intent, s.label))
            value = rng.choice(pool) if pool else u.text[s.start : s.end]
            swapped += bool(pool)
            pieces.append(u.text[pos : s.start])
            length += s.start - pos
            spans.append(Span(length, length + len(value), s.label))
            pieces.append(value)
            length += len(value)
            pos = s.end
        pieces.append(u.text[pos:])
        out.append(
            Utterance(
                "".join(pieces), u.intent, tuple(spans), u.language, source=f"{u.source}+values"
            )
        )
    return out, swapped / total if total else 0.0


def pairings(
    lm: list[Utterance], real: list[Utterance], seeds: list[Utterance], rng: random.Random
) -> dict[str, tuple[list[Utterance], float]]:
    """Return every frame/value pairing, keyed ``<frames>+<values>``, with its swapped share."""
    sets = {"lm": lm, "real": real}
    seed_values = slot_values(seeds)
    out = {}
    for frames in FRAMES:
        other = "real" if frames == "lm" else "lm"
        out[f"{frames}+own"] = (sets[frames], 0.0)
        out[f"{frames}+seed"] = with_values(sets[frames], seed_values, rng)
        out[f"{frames}+other"] = with_values(sets[frames], slot_values(sets[other]), rng)
    return out


def run_draw(d: int, state: dict, args: argparse.Namespace, embedder: Embedder) -> dict:
    """Fine-tune and sample draw ``d``, then score every pairing and seed-only."""
    from textsynth.lm import FinetuneConfig, SampleConfig, finetune, sample

    train, test = state["train"], state["test"]
    seed = 1000 + d
    seeds = augment.draw_seeds(train, args.shots, seed=seed)
    draw: dict = {"seed": seed, "timing": {}, "pairings": {}}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        finetune(seeds, Path(tmp) / "lm", FinetuneConfig(seed=seed, epochs=args.epochs))
        draw["timing"]["finetune_s"] = round(time.perf_counter() - t0, 1)
        t0 = time.perf_counter()
        lm, _ = sample(Path(tmp) / "lm", SampleConfig(per_intent=args.per_intent, seed=seed))
        draw["timing"]["sample_s"] = round(time.perf_counter() - t0, 1)
    real = held_out(train, seeds, args.per_intent, seed)
    draw["pairings"]["seed"] = {
        f: augment.score(seeds, test, f, embedder, seed=d) for f in augment.CLASSIFIERS
    }
    for name, (added, share) in pairings(lm, real, seeds, random.Random(seed)).items():
        row = {
            f: augment.score(seeds + added, test, f, embedder, seed=d) for f in augment.CLASSIFIERS
        }
        row["swapped_share"] = share
        row["n"] = len(added)
        draw["pairings"][name] = row
        log.warning(
            "snips draw %d %-11s tfidf %.3f emb %.3f (swapped %.2f)",
            d,
            name,
            row["tfidf"]["accuracy"],
            row["embeddings"]["accuracy"],
            share,
        )
    return draw


def summarise(draws: list[dict]) -> dict:
    """Gain over seed-only (points, mean ± std over draws) per pairing and classifier."""
    out: dict = {}
    for name in (f"{fr}+{v}" for fr in FRAMES for v in VALUES):
        out[name] = {
            f: augment.mean_std(
                [
                    100
                    * (dr["pairings"][name][f]["accuracy"] - dr["pairings"]["seed"][f]["accuracy"])
                    for dr in draws
                ]
            )
            for f in augment.CLASSIFIERS
        }
        out[name]["swapped_share"] = float(
            np.mean([dr["pairings"][name]["swapped_share"] for dr in draws])
        )
    return out


def markdown(results: dict) -> str:
    """The README table: frames in rows, slot values in columns, one block per classifier."""
    s = results["summary"]
    head = {"own": "own values", "seed": "seed values", "other": "the other set's values"}
    lines = [
        "| frames (SNIPS) | classifier | " + " | ".join(head[v] for v in VALUES) + " |",
        "|---|---|" + "---:|" * len(VALUES),
    ]
    for frames in FRAMES:
        for f in augment.CLASSIFIERS:
            cells = [
                f"{s[f'{frames}+{v}'][f]['mean']:+.1f} ± {s[f'{frames}+{v}'][f]['std']:.1f}"
                for v in VALUES
            ]
            lines.append(f"| {frames} | {f} | " + " | ".join(cells) + " |")
    share = {n: s[n]["swapped_share"] for n in s}
    lines += [
        "",
        f"Gain in accuracy points over seed-only; {results['shots']} seeds + "
        f"{results['per_intent']} added per intent, {len(results['draws'])} draws. "
        "\"The other set's values\": LM frames get the real utterances' values, real "
        "frames the LM's. Slots swapped: "
        + ", ".join(f"{n} {100 * v:.0f} %" for n, v in share.items() if v)
        + ".",
    ]
    return "\n".join(lines)


def plot(results: dict, path: Path) -> None:
    """Bar chart per classifier: gain over seed-only by slot-value source, LM vs real frames."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = results["summary"]
    fig, axes = plt.subplots(1, len(augment.CLASSIFIERS), figsize=(11, 4), sharey=True)
    x = np.arange(len(VALUES))
    for ax, f in zip(axes, augment.CLASSIFIERS, strict=True):
        for j, frames in enumerate(FRAMES):
            m = [s[f"{frames}+{v}"][f]["mean"] for v in VALUES]
            e = [s[f"{frames}+{v}"][f]["std"] for v in VALUES]
            ax.bar(x + (j - 0.5) * 0.38, m, 0.38, yerr=e, capsize=3, label=f"{frames} frames")
        ax.axhline(0, color="black", lw=0.8)
        ax.set_xticks(x, ["own values", "seed values", "the other set's\nvalues"])
        ax.set_title(
            f"SNIPS, {f} ({len(results['draws'])} draws, {results['shots']} seeds + "
            f"{results['per_intent']} added per intent)"
        )
        ax.legend()
    axes[0].set_ylabel("accuracy gain over seed-only (points)")
    fig.tight_layout()
    with atomic_write(path, "wb") as fh:
        fig.savefig(fh, format="png", dpi=110)
    plt.close(fig)


def readme_rows(results: dict) -> list[dict]:
    """One results-table row per pairing (TF-IDF beside seed-only; embeddings in the note)."""
    draws = results["draws"]
    base = float(np.mean([dr["pairings"]["seed"]["tfidf"]["accuracy"] for dr in draws]))
    rows = []
    for name, g in results["summary"].items():
        acc = float(np.mean([dr["pairings"][name]["tfidf"]["accuracy"] for dr in draws]))
        frames, values = name.split("+")
        rows.append(
            {
                "benchmark": f"augment frames snips, +{results['per_intent']}/intent (tfidf)",
                "measure": f"test accuracy, seed + {frames} frames with {values} slot values "
                f"(mean of {len(draws)} draws)",
                "textsynth": round(acc, 4),
                "peer": "seed only",
                "peer_value": round(base, 4),
                "ratio": round(acc / base, 3),
                "note": f"gain {g['tfidf']['mean']:+.1f} ± {g['tfidf']['std']:.1f} pts; embeddings "
                f"{g['embeddings']['mean']:+.1f} ± {g['embeddings']['std']:.1f}"
                + (
                    " (diagnostic with real text, not augmentation)"
                    if "real" in name or values == "other"
                    else ""
                ),
            }
        )
    return rows


def main() -> None:
    """Run the diagnostic and write its results."""
    ap = augment.snips_args(__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(RESULTS), help="results file (JSON)")
    ap.add_argument(
        "--replot",
        action="store_true",
        help="redraw the plot and README table of --out; run nothing",
    )
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    out = Path(args.out)
    if args.replot:
        results = json.loads(out.read_text(encoding="utf-8"))
        augment.render(results, summarise, markdown, readme_rows)
        with atomic_write(out) as fh:
            json.dump(results, fh, indent=2)
        plot(results, out.with_suffix(".png"))
        print(results["readme_markdown"])
        return
    results = {
        "dataset": "snips",
        "shots": args.shots,
        "per_intent": args.per_intent,
        "epochs": args.epochs,
        "draws": [],
    }
    augment.snips_study(results, args, run_draw, out, summarise, markdown, readme_rows)
    plot(results, out.with_suffix(".png"))


if __name__ == "__main__":
    main()
