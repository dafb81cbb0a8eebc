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
from textsynth.pii.rawjson import RawJsonError, edit_string, value_spans
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
    raw: str = ""
    bom: str = ""


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
                except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
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
        bom = "\ufeff" if lineno == 1 and body.startswith(b"\xef\xbb\xbf") else ""
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
            yield Record(lineno, f"{p.name}:{lineno}", shape, [line], eol=eol, bom=bom)
            continue
        if not line.strip():
            yield Record(lineno, f"{p.name}:{lineno}", "blank", [], obj=line, eol=eol, bom=bom)
            continue
        try:
            rec = _parse(p, lineno, line, shape, text_field, language, eol)
            rec.raw, rec.bom = line, bom
            yield rec
        except InputError as exc:
            yield Reject(lineno, raw, exc)


def _parse(
    p: Path, lineno: int, line: str, shape: str, text_field: str, language: str, eol: str
) -> Record:
    loc = Location(str(p), lineno)
    try:
        obj = json.loads(line)
    except RecursionError:
        raise RecordError(
            "JSON nested too deeply to read", loc, hint="flatten this record or remove it"
        ) from None
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
    """Return the output line of a scrubbed record (with its original line ending and BOM).

    A record without edits comes out byte for byte; in a JSON record only the characters
    replaced inside its text fields change (and, for utterances, the offsets of its slots).
    """
    if rec.shape == "blank":
        return rec.bom + rec.obj + rec.eol
    if rec.shape == "text":
        return rec.bom + results[0].text + rec.eol
    if not any(r.edits for r in results) and rec.raw:
        return rec.bom + rec.raw + rec.eol
    try:
        return rec.bom + _render_in_place(rec, results) + rec.eol
    except (
        RawJsonError,
        RecursionError,
    ):  # not the JSON we can edit in place (cannot happen for parsed lines)
        return rec.bom + _render_dumps(rec, results) + rec.eol


def _render_in_place(rec: Record, results: Sequence[ScrubbedText]) -> str:
    line = rec.raw
    if not line:
        raise RawJsonError("no raw line")
    spans = value_spans(line, depth=3)
    subs: list[tuple[int, int, str]] = []  # (start, end, new raw) in the line
    if rec.shape == "jsonl":
        subs.append(_text_sub(line, spans, (rec.text_field,), results[0]))
    elif rec.shape == "transcript":
        for i, res in enumerate(results):
            if res.edits:
                subs.append(_text_sub(line, spans, ("turns", i, "text"), res))
    else:  # utterances
        res = results[0]
        subs.append(_text_sub(line, spans, ("text",), res))
        key = "entities" if ("entities",) in spans else "spans" if ("spans",) in spans else None
        if key is not None:
            start, end = spans[(key,)]
            originals = json.loads(line[start:end]) or []
            subs.append((start, end, dumps(_entities(originals, res))))
    out = line
    for start, end, new in sorted(subs, reverse=True):
        out = out[:start] + new + out[end:]
    return out


def _text_sub(
    line: str, spans: dict[Any, tuple[int, int]], path: tuple, res: ScrubbedText
) -> tuple[int, int, str]:
    if path not in spans:
        raise RawJsonError(f"no value at {path}")
    start, end = spans[path]
    literal = line[start:end]
    if not literal.startswith('"'):
        raise RawJsonError(f"{path} is not a string")
    edits = [(e.start, e.end, res.text[e.new_start : e.new_end]) for e in res.edits]
    new = edit_string(literal, edits)
    if json.loads(new) != res.text:  # the in-place edit must give exactly the scrubbed text
        raise RawJsonError("in-place edit disagrees with the scrubbed text")
    return start, end, new


def _entities(originals: list[Any], res: ScrubbedText) -> list[Any]:
    """Return the slot entries with remapped offsets, keeping each entry's other fields."""
    olds = sorted((o for o in originals if isinstance(o, dict)), key=lambda o: o.get("start", 0))
    if len(olds) != len(res.slots):
        return [s.to_dict(res.text) for s in res.slots]
    out = []
    for o, s in zip(olds, res.slots, strict=True):
        new = {**o, "start": s.start, "end": s.end}
        if s.value is None and "value" in o:
            new["value"] = res.text[s.start : s.end]
        out.append(new)
    return out


def _render_dumps(rec: Record, results: Sequence[ScrubbedText]) -> str:
    if rec.shape == "jsonl":
        return dumps({**rec.obj, rec.text_field: results[0].text})
    if rec.shape == "transcript":
        turns = [
            ({**t, "text": r.text} if r.edits else t)
            for t, r in zip(rec.obj["turns"], results, strict=False)
        ]
        return dumps({**rec.obj, "turns": turns})
    return dumps(scrubbed_utterance(rec.obj, results[0]).to_dict())
