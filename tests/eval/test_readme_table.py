"""The results renderer: the full table goes to eval/README.md, the headlines to README.md."""

from __future__ import annotations

from pathlib import Path

from eval import readme_table as rt

ROOT = Path(__file__).resolve().parents[2]


def _row(bench: str, measure: str, ratio: float) -> dict:
    return {
        "benchmark": bench,
        "measure": measure,
        "textsynth": 2.0,
        "peer": "peer",
        "peer_value": 2.0 * ratio,
        "ratio": ratio,
        "note": "n",
    }


def test_a_benchmark_with_its_own_table_is_not_repeated_in_the_full_table() -> None:
    results = {
        "study": {"readme_rows": [_row("study", "acc", 1.01)], "readme_markdown": "| own |"},
        "speed": {"readme_rows": [_row("speed", "wall s", 10.0)]},
    }
    page = (
        "intro\n<!-- study:start -->\nold\n<!-- study:end -->\n"
        "<!-- results:start -->\n<!-- results:end -->\n"
    )
    out = rt.render_benchmark_page(page, results)
    assert "| own |" in out and "old" not in out
    table = out.split("<!-- results:start -->")[1]
    assert "| speed | wall s |" in table and "| study |" not in table
    assert "[json](results/speed.json)" in table


def test_headlines_pick_the_listed_rows_in_order(monkeypatch) -> None:
    monkeypatch.setattr(
        rt,
        "HEADLINES",
        [
            ("b", "bench b", "m", "second file first"),
            ("a", "bench a", "m", "A"),
            ("a", "x", "y", "missing"),
        ],
    )
    results = {
        "a": {"readme_rows": [_row("bench a", "m", 3.0)]},
        "b": {"readme_rows": [_row("bench b", "m", 174.0)]},
    }
    lines = rt.render_headlines(results).splitlines()
    assert len(lines) == 4  # header, rule, two found rows; the missing one is left out
    assert lines[2].startswith(
        "| second file first ([json](eval/results/b.json)) | 2 | peer: 348 | 174× |"
    )
    assert lines[3].startswith("| A ")


def test_every_headline_names_a_row_of_the_committed_results() -> None:
    results = rt.load_results()
    for stem, bench, measure, _ in rt.HEADLINES:
        rows = results.get(stem, {}).get("readme_rows", [])
        assert any((r["benchmark"], r["measure"]) == (bench, measure) for r in rows), (
            stem,
            bench,
            measure,
        )
        assert any(isinstance(r.get("ratio"), (int, float)) for r in rows)


def test_the_readme_is_a_front_page() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert len(lines) < 200
    first_block = text.split("```")[1]
    assert first_block.splitlines()[1].startswith("make demo")
    assert first_block.splitlines()[2].startswith("make test")
    assert rt.HEAD_START in text and rt.HEAD_END in text
    page = (ROOT / "eval" / "README.md").read_text(encoding="utf-8")
    assert rt.START in page and rt.END in page
