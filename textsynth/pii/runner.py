"""Scrub or detect a whole file: streamed, batched, optionally in several processes, atomic.

Bad records stop the run before anything is written (``on_error="fail"``), or go unchanged to a
rejects file (``on_error="skip"``). Records in = records out + rejects, in the input order.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import logging
import multiprocessing
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from textsynth.errors import ConfigError, TextsynthError
from textsynth.io import atomic_write, check_distinct, dumps
from textsynth.pii.audit import Audit
from textsynth.pii.pseudonymiser import Pseudonymiser
from textsynth.pii.records import Record, Reject, iter_records, render, sniff_shape
from textsynth.pii.vault import Vault
from textsynth.progress import progress

__all__ = ["FileJob", "run_file", "scrub_batch"]

logger = logging.getLogger(__name__)


@dataclass
class FileJob:
    """What to do with one input file.

    Attributes:
        input: the input path.
        output: scrubbed output (``scrub``) or spans JSONL (``detect``).
        command: ``scrub`` or ``detect``.
        shape: ``auto``, ``text``, ``jsonl``, ``transcript`` or ``utterances``.
        text_field: the text field of ``jsonl`` records.
        on_error: ``fail`` (stop, write nothing) or ``skip`` (bad lines to ``rejects``).
        rejects: rejects file (default: ``<output>.rejects``).
        spans: spans file of a scrub run (offsets, type, recognizer, score; never values).
        report: JSON audit report path.
        vault: encrypted vault path (reversible mode; needs a reversible operator).
        workers: processes (1: in this process).
        chunk: records per batch.
    """

    input: str
    output: str
    command: str = "scrub"
    shape: str = "auto"
    text_field: str = "text"
    on_error: str = "fail"
    rejects: str | None = None
    spans: str | None = None
    report: str | None = None
    vault: str | None = None
    workers: int = 1
    chunk: int = 64
    show_progress: bool = True

    def __post_init__(self) -> None:
        if self.command not in ("scrub", "detect"):
            raise ConfigError(f"unknown command {self.command!r}")
        if self.on_error not in ("fail", "skip"):
            raise ConfigError(f"on_error must be 'fail' or 'skip', got {self.on_error!r}")
        if self.workers < 1:
            raise ConfigError(f"workers must be at least 1, got {self.workers}")
        check_distinct(  # an output over an input (or over another output) loses data
            input=self.input,
            output=self.output,
            rejects=self.rejects_path if self.command == "scrub" or self.rejects else None,
            spans=self.spans,
            report=self.report,
            vault=self.vault,
        )

    @property
    def rejects_path(self) -> str:
        """Return where rejected lines go (``--rejects``, else ``<output>.rejects``)."""
        return self.rejects or f"{self.output}.rejects"


# the per-process pseudonymiser of a worker (set once by the pool initializer)
_WORKER: dict[str, Any] = {}


def _init_worker(ps: Pseudonymiser, command: str, vault: bool, single_thread: bool = False) -> None:
    _WORKER["ps"], _WORKER["command"], _WORKER["vault"] = ps, command, vault
    if single_thread:  # a pool worker: the parent handles SIGTERM and terminates the pool
        import signal

        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        # one BLAS thread per worker process: N workers must not fight for cores
        try:
            from threadpoolctl import threadpool_limits

            _WORKER["limits"] = threadpool_limits(1)
        except ImportError:  # pragma: no cover - optional
            pass


def _work(records: list[Record]) -> tuple[list[str], list[list[dict[str, Any]]], list[tuple]]:
    """Process one batch in this worker process (see :func:`scrub_batch`)."""
    return scrub_batch(_WORKER["ps"], _WORKER["command"], records, vault=_WORKER["vault"])


def scrub_batch(
    ps: Pseudonymiser, command: str, records: list[Record], *, vault: bool | None = None
) -> tuple[list[str], list[list[dict[str, Any]]], list[tuple]]:
    """Scrub (or detect) one batch of records with ``ps``, a long-lived worker's pseudonymiser.

    Returns the output lines (``scrub``), the span rows of each record and the vault items of the
    batch. Every engine (in-process, ``--workers``, Ray) calls this on the same batches.
    ``vault``: collect the batch's replacements (default: when ``ps`` has a vault).
    """
    docs = [r.texts for r in records]
    langs = [r.language for r in records]
    lines: list[str] = []
    rows: list[list[dict[str, Any]]] = []
    if command == "detect":
        found = ps.detect_documents(docs, langs)
        for rec, per_text in zip(records, found, strict=False):
            rows.append([_row(rec, ti, f.to_dict()) for ti, fs in enumerate(per_text) for f in fs])
        return lines, rows, []
    slots = [r.slots if r.slots is not None else [()] * len(r.texts) for r in records]
    # the run's replacements go to a vault of this batch, never into the caller's ps.vault
    keep = ps.vault is not None if vault is None else vault
    sink = ps.new_vault() if keep else None
    results = ps.scrub_documents(docs, slots, langs, vault=sink)
    for rec, res in zip(records, results, strict=False):
        lines.append(render(rec, res))
        rows.append([_row(rec, ti, e.to_dict()) for ti, r in enumerate(res) for e in r.edits])
    return lines, rows, sink.items() if sink is not None else []


def _row(rec: Record, turn: int, d: dict[str, Any]) -> dict[str, Any]:
    head: dict[str, Any] = {"record": rec.rid}
    if rec.shape == "transcript":
        head["turn"] = turn
    return {**head, **d}


def run_file(job: FileJob, ps: Pseudonymiser) -> Audit:
    """Run ``job`` with ``ps``; return the audit. Outputs appear only if the run succeeds."""
    shape = sniff_shape(job.input, job.text_field) if job.shape == "auto" else job.shape
    if job.vault and not ps.operator.reversible:
        raise ConfigError(f"operator {ps.operator.name!r} cannot be reversed; drop --vault")
    audit = Audit(
        command=job.command,
        operator=ps.operator.name if job.command == "scrub" else "",
        shape=shape,
        workers=job.workers,
    )
    vault = ps.new_vault() if job.vault else None
    audit_extra: dict[str, str] = {}
    rejects_path = job.rejects_path
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(atomic_write(job.output))
        spans_fh = stack.enter_context(atomic_write(job.spans)) if job.spans else None
        rej_fh: list[IO[bytes]] = []

        def reject(r: Reject) -> None:
            if job.on_error == "fail":
                raise r.error
            if not rej_fh:
                # the rejected lines are raw, unscrubbed input: owner-only, like the input's PII
                rej_fh.append(stack.enter_context(atomic_write(rejects_path, "wb", private=True)))
                audit_extra["rejects_file"] = rejects_path
            rej_fh[0].write(r.raw if r.raw.endswith(b"\n") else r.raw + b"\n")
            audit.rejects += 1
            logger.warning("skipped: %s", r.error)

        items = iter_records(job.input, shape, text_field=job.text_field, language=ps.lang)
        pending: collections.deque[list[Record]] = collections.deque()

        def batches() -> Iterator[list[Record]]:
            while True:
                chunk = list(itertools.islice(items, job.chunk))
                if not chunk:
                    return
                good = []
                for it in chunk:
                    if isinstance(it, Reject):
                        reject(it)
                    else:
                        good.append(it)
                pending.append(good)
                yield good

        total = _count_lines(job.input) if job.show_progress else None
        with _mapper(job, ps) as mapper:
            bar = progress(
                _flatten(mapper(batches()), pending, vault),
                total=total,
                desc=f"pii {job.command}",
                unit="rec",
                show=job.show_progress,
            )
            for rec, line, rows in bar:
                if rec.shape != "blank":
                    audit.records_in += 1
                    audit.texts += len(rec.texts)
                    audit.characters += sum(map(len, rec.texts))
                if job.command == "scrub":
                    out.write(line)
                    if rec.shape != "blank":
                        audit.records_out += 1
                    if spans_fh is not None:
                        spans_fh.writelines(dumps(r) + "\n" for r in rows)
                else:
                    out.writelines(dumps(r) + "\n" for r in rows)
                audit.count(rows)
        if job.command == "detect":
            audit.records_out = audit.records_in
        if vault is not None and job.vault:
            vault.save(job.vault)
    audit.seconds = time.perf_counter() - started
    if audit_extra.get("rejects_file"):
        logger.warning(
            "%d rejected record(s) were copied unchanged to %s (mode 0600): that file holds "
            "raw, unscrubbed text and may contain PII; do not share it",
            audit.rejects,
            audit_extra["rejects_file"],
        )
    if audit.records_in != audit.records_out:
        raise TextsynthError(
            f"internal error: {audit.records_in} records in, {audit.records_out} out"
        )
    if job.report:
        with atomic_write(job.report) as fh:
            fh.write(audit.to_json() + "\n")
    return audit


def _flatten(
    results: Iterator[tuple], pending: collections.deque[list[Record]], vault: Vault | None
) -> Iterator[tuple]:
    for lines, rows, vault_items in results:
        recs = pending.popleft()
        if vault is not None and vault_items:
            vault.update(vault_items)
        for i, rec in enumerate(recs):
            yield rec, (lines[i] if lines else None), rows[i]


@contextlib.contextmanager
def _mapper(job: FileJob, ps: Pseudonymiser):  # noqa: ANN202
    if job.workers == 1:
        _init_worker(ps, job.command, bool(job.vault))
        try:
            yield lambda batches: map(_work, batches)
        finally:
            _WORKER.clear()
        return
    ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with ctx.Pool(
        job.workers, initializer=_init_worker, initargs=(ps, job.command, bool(job.vault), True)
    ) as pool:
        yield lambda batches: pool.imap(_work, batches)


def _count_lines(path: str) -> int:
    n = 0
    with open(Path(path), "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            n += block.count(b"\n")
    return n
