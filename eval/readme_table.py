"""Render every ``eval/results/*.json`` ``readme_rows`` into the README's results table.

Run after any benchmark: ``python eval/readme_table.py``. The table sits between the markers
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


def main() -> None:
    """Rewrite the README's results table in place."""
    readme = ROOT / "README.md"
    text = readme.read_text()
    if START not in text or END not in text:
        raise SystemExit(f"README.md has no {START} ... {END} markers")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{START}\n{render()}\n{END}{tail}")


if __name__ == "__main__":
    main()
