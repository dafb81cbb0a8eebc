"""Render the benchmark results (``eval/results/*.json``) into ``eval/README.md`` and ``README.md``.

Run after any benchmark: ``python -m eval.readme_table``.

- ``eval/README.md`` gets every ``readme_rows`` row of every results file in the table between
  ``<!-- results:start -->`` and ``<!-- results:end -->``, except the rows of a benchmark whose
  own table (its ``readme_markdown``, between ``<!-- <stem>:start/end -->``) is on the same page:
  those rows would repeat it.
- ``README.md`` gets the headline results, one row each, picked by :data:`HEADLINES`, between
  ``<!-- headline:start -->`` and ``<!-- headline:end -->``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "eval" / "results"
START, END = "<!-- results:start -->", "<!-- results:end -->"
HEAD_START, HEAD_END = "<!-- headline:start -->", "<!-- headline:end -->"

# (results file stem, benchmark, measure, what the front page calls it): each a ratio to a peer
HEADLINES: list[tuple[str, str, str, str]] = [
    (
        "grammar",
        "grammar 1,000,000 utterances (>1e30 space)",
        "wall seconds",
        "grammar: 1M distinct utterances, wall s",
    ),
    (
        "grammar",
        "grammar 1,000,000 utterances (>1e30 space)",
        "peak RSS MiB",
        "grammar: 1M distinct utterances, peak RSS MiB",
    ),
    (
        "lm",
        "lm-generator",
        "raw generations with valid markup",
        "LM generator: share of raw generations with valid markup",
    ),
    (
        "lm",
        "lm-generator",
        "sampling time, batch 32, natural stops (s)",
        "LM generator: batched sampling, s",
    ),
    (
        "pii",
        "PII detection, presidio_synth_v2",
        "token F2 (β=2)",
        "PII detection, token F2, presidio-research synthetic",
    ),
    (
        "pii",
        "PII detection, tab_echr_test",
        "token F2 (β=2)",
        "PII detection, token F2, TAB (ECHR)",
    ),
    (
        "pii",
        "PII throughput, presidio_synth_v2",
        "docs/s, 1 process",
        "PII scrub throughput, 1 process, docs/s",
    ),
    (
        "lm",
        "lm-backends",
        "kept utterances/s: llamacpp in-process vs hf",
        "LM backends: kept utterances/s, llama.cpp in-process (SmolLM2, CPU)",
    ),
    (
        "scale",
        "scale (pii scrub)",
        "steady docs/s (job minus actor start), Ray 2 actors vs 1",
        "PII scrub on Ray Data: steady docs/s, 2 actors",
    ),
    (
        "eval",
        "self-BLEU, 5,000 utterances",
        "seconds (BLEU-4, smoothing method1)",
        "evaluator: self-BLEU of 5,000 utterances, s",
    ),
    (
        "generation",
        "generation",
        "kept set: oracle slot-label precision (smollm2, SNIPS 10-shot, 3 draws)",
        "LM generator: oracle slot-label precision of the kept set (SNIPS 10-shot, vs target)",
    ),
]


def _fmt(x: object) -> str:
    if isinstance(x, float):
        return f"{x:,.3g}" if abs(x) < 1000 else f"{x:,.0f}"
    if isinstance(x, int):
        return f"{x:,}"
    return "" if x is None else str(x)


def _ratio(r: dict[str, Any]) -> str:
    ratio = r.get("ratio")
    return _fmt(ratio) + "×" if isinstance(ratio, (int, float)) else _fmt(ratio)


def load_results(results: Path = RESULTS) -> dict[str, dict[str, Any]]:
    """Return every results file's JSON object by file stem (unreadable files are skipped)."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(results.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            continue
        if isinstance(data, dict):
            out[path.stem] = data
    return out


def render(
    results: dict[str, dict[str, Any]], link: str = "results/", skip: frozenset[str] = frozenset()
) -> str:
    """Return the markdown table of every benchmark row (files in ``skip`` left out)."""
    lines = [
        "| benchmark | measure | textsynth | peer | peer value "
        "| ratio (>1: textsynth better) | note |",
        "|---|---|---:|---|---:|---:|---|",
    ]
    for stem, data in results.items():
        if stem in skip:
            continue
        for r in data.get("readme_rows", []):
            lines.append(
                f"| {r.get('benchmark', stem)} | {r.get('measure', '')} "
                f"| {_fmt(r.get('textsynth'))} "
                f"| {_fmt(r.get('peer'))} | {_fmt(r.get('peer_value'))} "
                f"| {_ratio(r)} "
                f"| {r.get('note', '')} ([json]({link}{stem}.json)) |"
            )
    return "\n".join(lines)


def render_headlines(results: dict[str, dict[str, Any]], link: str = "eval/results/") -> str:
    """Return the front page's table: one row per :data:`HEADLINES` entry that has a result."""
    lines = [
        "| result | textsynth | peer | ratio (>1: textsynth better) |",
        "|---|---:|---|---:|",
    ]
    for stem, bench, measure, title in HEADLINES:
        rows = results.get(stem, {}).get("readme_rows", [])
        row = next(
            (r for r in rows if (r.get("benchmark"), r.get("measure")) == (bench, measure)), None
        )
        if row is None:
            continue
        lines.append(
            f"| {title} ([json]({link}{stem}.json)) | {_fmt(row.get('textsynth'))} "
            f"| {row.get('peer', '')}: {_fmt(row.get('peer_value'))} | {_ratio(row)} |"
        )
    return "\n".join(lines)


def replace_between(text: str, start: str, end: str, body: str) -> str:
    """Return ``text`` with what lies between the markers ``start`` and ``end`` set to ``body``."""
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}\n{end}{tail}"


def render_benchmark_page(text: str, results: dict[str, dict[str, Any]]) -> str:
    """Return ``eval/README.md``'s ``text`` with its own tables and the results table filled."""
    if START not in text or END not in text:
        raise SystemExit(f"eval/README.md has no {START} ... {END} markers")
    shown = set()
    for stem, data in results.items():
        start, end = f"<!-- {stem}:start -->", f"<!-- {stem}:end -->"
        md = data.get("readme_markdown")
        if md and start in text and end in text:
            text = replace_between(text, start, end, md)
            shown.add(stem)
    return replace_between(text, START, END, render(results, skip=frozenset(shown)))


def main() -> None:
    """Rewrite the results tables of ``eval/README.md`` and the headlines of ``README.md``."""
    results = load_results()
    page = ROOT / "eval" / "README.md"
    page.write_text(
        render_benchmark_page(page.read_text(encoding="utf-8"), results), encoding="utf-8"
    )
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    if HEAD_START not in text or HEAD_END not in text:
        raise SystemExit(f"README.md has no {HEAD_START} ... {HEAD_END} markers")
    readme.write_text(
        replace_between(text, HEAD_START, HEAD_END, render_headlines(results)), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
