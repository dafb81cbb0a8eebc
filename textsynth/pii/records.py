"""Input shapes, streamed: text lines, JSONL with a text field, transcripts, our utterances.

Each shape turns one input line into a :class:`Record` (its texts, slots and a stable id) and
renders the scrubbed record back, changing nothing but the replaced characters.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textsynth.errors import InputError, Location, RecordError
from textsynth.io import dumps
from textsynth.pii.pseudonymiser import ScrubbedText, scrubbed_utterance
from textsynth.types import Span, Utterance

__all__ = [
    "SHAPES",
    "Record",
    "Reject",
    "iter_records",
    "records_from_lines",
    "render",
    "sniff_shape",
]

SHAPES = ("auto", "text", "jsonl", "transcript", "utterances")


@dataclass
class Record:
    """One input record: where it was, its id, its texts (one per turn) and their slots."""

    lineno: int
    rid: str
    shape: str
    texts: list[str]
    slots: list[tuple[Span, ...]] | None = None
    language: str | None = None
    obj: Any = None
    eol: str = "\n"
    text_field: str = "text"


@dataclass
class Reject:
    """A line that could not be read as a record (kept byte for byte for the rejects file)."""

    lineno: int
    raw: bytes
    error: InputError
    extra: dict[str, Any] = field(default_factory=dict)


def sniff_shape(path: str | os.PathLike[str], text_field: str = "text") -> str:
    """Guess the shape from the file name and its first record."""
    p = Path(path)
    if p.suffix.lower() not in (".jsonl", ".ndjson", ".json"):
        return "text"
    with open(p, "rb") as fh:
        for raw in fh:
            if raw.strip():
                try:
                    obj = json.loads(raw)
                except (json.JSONDecodeError, UnicodeDecodeError):
                    return "jsonl"
                if isinstance(obj, dict) and "turns" in obj:
                    return "transcript"
                if isinstance(obj, dict) and "intent" in obj and text_field == "text":
                    return "utterances"
                return "jsonl"
    return "jsonl"


def iter_records(
    path: str | os.PathLike[str], shape: str, *, text_field: str = "text", language: str = "en"
) -> Iterator[Record | Reject]:
    """Yield a :class:`Record` per line (or a :class:`Reject` for a bad line), in file order.

    Blank lines of JSONL files are yielded as records with no texts, so they pass through.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file", hint="check the input path")
    with open(p, "rb") as fh:
        yield from records_from_lines(fh, p, shape, text_field=text_field, language=language)


def records_from_lines(
    lines: Iterable[bytes],
    p: Path,
    shape: str,
    *,
    text_field: str = "text",
    language: str = "en",
    start: int = 1,
) -> Iterator[Record | Reject]:
    """Yield a :class:`Record` or :class:`Reject` per raw line of file ``p`` (line ``start`` on).

    The same parsing as :func:`iter_records`, for lines read elsewhere (a batch of a cluster job).
    """
    for lineno, raw in enumerate(lines, start):
        body = raw.rstrip(b"\r\n")
        eol = raw[len(body) :].decode("ascii")
        try:
            line = body.decode("utf-8-sig" if lineno == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            yield Reject(
                lineno,
                raw,
                RecordError(
                    f"byte 0x{body[exc.start]:02x} is not valid UTF-8",
                    Location(str(p), lineno, exc.start + 1),
                    hint="re-save the file as UTF-8",
                ),
            )
            continue
        if shape == "text":
            yield Record(lineno, f"{p.name}:{lineno}", shape, [line], eol=eol)
            continue
        if not line.strip():
            yield Record(lineno, f"{p.name}:{lineno}", "blank", [], obj=line, eol=eol)
            continue
        try:
            yield _parse(p, lineno, line, shape, text_field, language, eol)
        except InputError as exc:
            yield Reject(lineno, raw, exc)


def _parse(
    p: Path, lineno: int, line: str, shape: str, text_field: str, language: str, eol: str
) -> Record:
    loc = Location(str(p), lineno)
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise RecordError(
            f"malformed JSON: {exc.msg}",
            Location(str(p), lineno, exc.colno),
            hint="each line must be one JSON object",
            source_line=line if len(line) < 300 else None,
        ) from None
    if not isinstance(obj, dict):
        raise RecordError(f"expected a JSON object, got {type(obj).__name__}", loc)
    rid = str(obj["id"]) if "id" in obj else f"{p.name}:{lineno}"
    if shape == "jsonl":
        text = obj.get(text_field)
        if not isinstance(text, str):
            raise RecordError(
                f"record has no string field {text_field!r}",
                loc,
                hint="choose the field with --text-field",
            )
        return Record(lineno, rid, shape, [text], obj=obj, eol=eol, text_field=text_field)
    if shape == "transcript":
        turns = obj.get("turns")
        if not isinstance(turns, list) or not all(
            isinstance(t, dict) and isinstance(t.get("text"), str) for t in turns
        ):
            raise RecordError('a transcript needs \'turns\': a list of {"speaker", "text"}', loc)
        return Record(
            lineno,
            rid,
            shape,
            [t["text"] for t in turns],
            obj=obj,
            language=obj.get("language"),
            eol=eol,
        )
    if shape == "utterances":
        try:
            u = Utterance.from_dict(obj, language=language)
        except InputError as exc:
            raise type(exc)(
                exc.message, loc, hint=exc.hint or "fix or remove this record"
            ) from None
        return Record(lineno, rid, shape, [u.text], [u.spans], u.language, obj=u, eol=eol)
    raise InputError(f"unknown input shape {shape!r}; choose one of: {', '.join(SHAPES)}")


def render(rec: Record, results: Sequence[ScrubbedText]) -> str:
    """Return the output line of a scrubbed record (with its original line ending)."""
    if rec.shape == "blank":
        return rec.obj + rec.eol
    if rec.shape == "text":
        return results[0].text + rec.eol
    if rec.shape == "jsonl":
        if not results[0].edits:
            return dumps(rec.obj) + "\n"
        return dumps({**rec.obj, rec.text_field: results[0].text}) + "\n"
    if rec.shape == "transcript":
        turns = [
            ({**t, "text": r.text} if r.edits else t)
            for t, r in zip(rec.obj["turns"], results, strict=False)
        ]
        return dumps({**rec.obj, "turns": turns}) + "\n"
    return dumps(scrubbed_utterance(rec.obj, results[0]).to_dict()) + "\n"
