"""Chunks of whole lines: the unit of work of every engine (no Ray needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from textsynth.engine.batches import chunk_lines


def test_chunks_keep_every_line_whole_and_in_order() -> None:
    data = b'{"a": 1}\n{"b": "x\\ry"}\r\n\n{"c": 3}'
    rows = list(chunk_lines("f.jsonl", data, 2))
    assert [r["start"] for r in rows] == [1, 3]
    assert b"".join(r["raw"] for r in rows) == data
    assert rows[0]["raw"] == b'{"a": 1}\n{"b": "x\\ry"}\r\n'


@pytest.mark.parametrize("chunk", [1, 2, 3, 64])
@pytest.mark.parametrize(
    "data", [b"", b"a\n", b"a\nb\r\nc", b"a\n\nb\n\n", b"x\ry\nz\n" * 50, b"no newline"]
)
def test_planned_byte_ranges_are_the_chunks_of_the_file(
    tmp_path: Path, data: bytes, chunk: int
) -> None:
    from textsynth.engine.batches import read_range
    from textsynth.engine.ray_pii import plan_chunks

    p = tmp_path / "f.jsonl"
    p.write_bytes(data)
    plan = plan_chunks(str(p), chunk)
    want = list(chunk_lines(str(p), data, chunk))
    assert [s for s, _, _ in plan] == [r["start"] for r in want]
    assert [read_range(str(p), o, n) for _, o, n in plan] == [r["raw"] for r in want]


def test_chunks_are_written_in_planned_order_once_each() -> None:
    from textsynth.engine.ray_pii import in_order
    from textsynth.errors import TextsynthError

    rows = [{"start": s} for s in (65, 1, 193, 129)]
    assert [r["start"] for r in in_order(iter(rows), [1, 65, 129, 193])] == [1, 65, 129, 193]
    with pytest.raises(TextsynthError, match="twice"):
        list(in_order(iter(rows + [{"start": 1}]), [1, 65, 129, 193]))
    with pytest.raises(TextsynthError, match="never came back"):
        list(in_order(iter(rows[:3]), [1, 65, 129, 193]))
