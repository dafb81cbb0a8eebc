"""Render every ``eval/results/*.json`` ``readme_rows`` into the README's results table.

Run after any benchmark: ``python -m eval.readme_table``. The table sits between the markers
``<!-- results:start -->`` and ``<!-- results:end -->`` in README.md.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- results:start -->", "<!-- results:end -->"


def _fmt(x: object) -> str:
    if isinstance(x, float):
        return f"{x:,.3g}" if abs(x) < 1000 else f"{x:,.0f}"
    if isinstance(x, int):
        return f"{x:,}"
    return "" if x is None else str(x)


def render() -> str:
    """Return the markdown table of all benchmark rows."""
    lines = [
        "| benchmark | measure | textsynth | peer | peer value "
        "| ratio (>1: textsynth better) | note |",
        "|---|---|---:|---|---:|---:|---|",
    ]
    for path in sorted((ROOT / "eval" / "results").glob("*.json")):
        try:
            rows = json.loads(path.read_text()).get("readme_rows", [])
        except (json.JSONDecodeError, AttributeError):
            continue
        for r in rows:
            ratio = r.get("ratio")
            lines.append(
                f"| {r.get('benchmark', path.stem)} | {r.get('measure', '')} "
                f"| {_fmt(r.get('textsynth'))} "
                f"| {_fmt(r.get('peer'))} | {_fmt(r.get('peer_value'))} "
                f"| {_fmt(ratio) + '×' if isinstance(ratio, (int, float)) else _fmt(ratio)} "
                f"| {r.get('note', '')} ([json](eval/results/{path.name})) |"
            )
    return "\n".join(lines)


def _replace_between(text: str, start: str, end: str, body: str) -> str:
    """Return ``text`` with what lies between the markers ``start`` and ``end`` set to ``body``."""
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}\n{end}{tail}"


def main() -> None:
    """Rewrite the README's results table in place."""
    readme = ROOT / "README.md"
    text = readme.read_text()
    if START not in text or END not in text:
        raise SystemExit(f"README.md has no {START} ... {END} markers")
    text = _replace_between(text, START, END, render())
    # a benchmark may also render a table of its own between <!-- <stem>:start/end --> markers
    for path in sorted((ROOT / "eval" / "results").glob("*.json")):
        start, end = f"<!-- {path.stem}:start -->", f"<!-- {path.stem}:end -->"
        md = json.loads(path.read_text()).get("readme_markdown")
        if md and start in text and end in text:
            text = _replace_between(text, start, end, md)
    readme.write_text(text)


if __name__ == "__main__":
    main()
