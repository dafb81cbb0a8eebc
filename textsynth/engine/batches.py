"""Engine-agnostic batch functions: records in, records out, models held by a long-lived worker.

A worker is a callable class: its constructor keeps what it was given (a picklable
:class:`~textsynth.pii.Pseudonymiser` whose spaCy pipelines load on first use), its ``__call__``
maps one batch (a dict of columns, the shape Ray Data's ``map_batches`` passes) to another. The
in-process engine and the Ray engine call the very same functions on the very same batches, so
their outputs are identical byte for byte.

Scrubbing: a *chunk* is ``chunk`` consecutive lines of one input file (one row). Lines are never
split, so a transcript (one line) never straddles two batches, and every name it repeats is seen
by the one worker that scrubs it. Surrogates come from a keyed HMAC of the value alone, and tag
numbers restart at each document, so no state is shared between chunks or workers.
"""

from __future__ import annotations

import pickle
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "ROW_COLUMNS",
    "ScrubWorker",
    "TextRowScrubWorker",
    "chunk_lines",
    "error_from_row",
    "read_range",
]

# the columns of a scrubbed chunk
ROW_COLUMNS = (
    "source",  # file the lines came from
    "start",  # line number of the first line
    "out",  # output bytes (scrub: rendered lines; detect: spans JSONL)
    "spans",  # spans JSONL of a scrub with a spans file
    "rejects",  # rejected raw lines, byte for byte
    "error",  # the first reject's error (pickled fields) or b""
    "audit",  # pickled counts: records, texts, characters, types, recognizers, rejects
    "vault",  # pickled vault items (reversible mode) or b""
)


def chunk_lines(source: str, data: bytes, chunk: int, start: int = 1) -> Iterator[dict[str, Any]]:
    """Split a file's bytes into rows of ``chunk`` whole lines each: ``{source, start, raw}``."""
    lines = data.splitlines(keepends=True)
    # splitlines also breaks at \\r, \\x0b, \\u2028...: keep only \\n (and \\r\\n) as line ends,
    # the way a file object reads them
    lines = list(_rejoin(lines))
    for i in range(0, len(lines), chunk):
        yield {"source": source, "start": start + i, "raw": b"".join(lines[i : i + chunk])}


def _rejoin(parts: Iterable[bytes]) -> Iterator[bytes]:
    buf = b""
    for p in parts:
        buf += p
        if buf.endswith(b"\n"):
            yield buf
            buf = b""
    if buf:
        yield buf


class ScrubWorker:
    """Scrub (or detect) chunks of raw lines with one pseudonymiser (spaCy loaded once).

    Args:
        ps: the pseudonymiser (pickled to each worker; its models load on first use).
        command: ``scrub`` or ``detect``.
        shape: the input shape (``text``, ``jsonl``, ``transcript`` or ``utterances``).
        text_field: the text field of ``jsonl`` records.
        spans: also return the spans JSONL of a scrub.
    """

    def __init__(
        self,
        ps: Any,
        command: str = "scrub",
        shape: str = "jsonl",
        text_field: str = "text",
        spans: bool = False,
    ) -> None:
        self.ps, self.command, self.shape = ps, command, shape
        self.text_field, self.want_spans = text_field, spans
        self._limits = _single_thread()

    def __call__(self, batch: Mapping[str, Sequence[Any]]) -> dict[str, list[Any]]:
        """Map a batch of chunk rows to scrubbed rows.

        A row holds its lines (``source``, ``start``, ``raw``) or where to read them
        (``source``, ``start``, ``offset``, ``length``).
        """
        out: dict[str, list[Any]] = {c: [] for c in ROW_COLUMNS}
        for i, (source, start) in enumerate(zip(batch["source"], batch["start"], strict=True)):
            if "raw" in batch:
                raw = bytes(batch["raw"][i])
            else:
                raw = read_range(str(source), int(batch["offset"][i]), int(batch["length"][i]))
            for c, v in self.chunk(str(source), int(start), raw).items():
                out[c].append(v)
        return out

    def chunk(self, source: str, start: int, raw: bytes) -> dict[str, Any]:
        """Scrub one chunk: exactly one batch of the in-process runner."""
        from textsynth.io import dumps
        from textsynth.pii.records import Reject, records_from_lines
        from textsynth.pii.runner import scrub_batch

        lines = raw.splitlines(keepends=True)
        items = records_from_lines(
            _rejoin(lines),
            Path(source),
            self.shape,
            text_field=self.text_field,
            language=self.ps.lang,
            start=start,
        )
        good, rejects, error = [], [], b""
        for it in items:
            if isinstance(it, Reject):
                rejects.append(it.raw if it.raw.endswith(b"\n") else it.raw + b"\n")
                if not error:
                    error = _pickle_error(it.error)
            else:
                good.append(it)
        out_lines, rows, vault = scrub_batch(self.ps, self.command, good) if good else ([], [], [])
        audit: dict[str, Any] = {"records": 0, "texts": 0, "characters": 0, "rejects": len(rejects)}
        by_type: Counter[str] = Counter()
        by_rec: Counter[str] = Counter()
        body: list[str] = []
        spans: list[str] = []
        for i, rec in enumerate(good):
            if rec.shape != "blank":
                audit["records"] += 1
                audit["texts"] += len(rec.texts)
                audit["characters"] += sum(map(len, rec.texts))
            for r in rows[i]:
                by_type[r["type"]] += 1
                by_rec[r["recognizer"]] += 1
            if self.command == "scrub":
                body.append(out_lines[i])
                if self.want_spans:
                    spans.extend(dumps(r) + "\n" for r in rows[i])
            else:
                body.extend(dumps(r) + "\n" for r in rows[i])
        audit["by_type"], audit["by_recognizer"] = dict(by_type), dict(by_rec)
        return {
            "source": source,
            "start": start,
            "out": "".join(body).encode("utf-8"),
            "spans": "".join(spans).encode("utf-8"),
            "rejects": b"".join(rejects),
            "error": error,
            "audit": pickle.dumps(audit),
            "vault": pickle.dumps(vault) if vault else b"",
        }


class TextRowScrubWorker:
    """Scrub structured rows (a Parquet or JSON dataset): a text column or a ``turns`` column.

    Each row is one document: the turns of a transcript are scrubbed together (names found in
    one turn are found again in the others), never split across batches.

    Args:
        ps: the pseudonymiser.
        text_field: the column holding the text (``jsonl`` rows).
        turns_field: the column holding ``[{"speaker", "text"}, ...]`` (transcript rows); used
            when the batch has it.
    """

    def __init__(self, ps: Any, text_field: str = "text", turns_field: str = "turns") -> None:
        self.ps, self.text_field, self.turns_field = ps, text_field, turns_field
        self._limits = _single_thread()

    def __call__(self, batch: Mapping[str, Sequence[Any]]) -> dict[str, list[Any]]:
        """Return ``batch`` with its texts (or turns' texts) replaced."""
        out = {k: list(v) for k, v in batch.items()}
        langs = [str(x) for x in out["language"]] if "language" in out else None
        if self.turns_field in out:
            turns = [[dict(t) for t in ts] for ts in out[self.turns_field]]
            docs = [[str(t["text"]) for t in ts] for ts in turns]
            res = self.ps.scrub_documents(docs, None, langs)
            out[self.turns_field] = [
                [{**t, "text": r.text} for t, r in zip(ts, rs, strict=True)]
                for ts, rs in zip(turns, res, strict=True)
            ]
            return out
        texts = [str(t) for t in out[self.text_field]]
        res = self.ps.scrub_documents([[t] for t in texts], None, langs)
        out[self.text_field] = [r[0].text for r in res]
        return out


def read_range(path: str, offset: int, length: int) -> bytes:
    """Return ``length`` bytes of ``path`` from ``offset`` (local, or any URI pyarrow reads)."""
    if "://" not in path:
        with open(path, "rb") as fh:
            fh.seek(offset)
            return fh.read(length)
    from pyarrow import fs

    filesystem, inner = fs.FileSystem.from_uri(path)
    with filesystem.open_input_file(inner) as fh:
        return fh.read_at(length, offset)


def error_from_row(blob: bytes) -> Exception:
    """Rebuild the error a worker pickled (field by field: exceptions do not pickle well)."""
    from textsynth import errors

    cls_name, message, loc, hint = pickle.loads(blob)
    cls = getattr(errors, cls_name, errors.InputError)
    location = errors.Location(*loc) if loc else None
    return cls(message, location, hint=hint)


def _pickle_error(err: Any) -> bytes:
    loc = err.location
    fields = (loc.path, loc.line, loc.col) if loc is not None else None
    return pickle.dumps((type(err).__name__, err.message, fields, err.hint))


def _single_thread() -> Any:
    """One BLAS thread per worker: N workers on N cores must not fight for them."""
    try:
        from threadpoolctl import threadpool_limits

        return threadpool_limits(1)
    except ImportError:  # pragma: no cover - optional
        return None
