"""``pii scrub --engine ray``: chunks of whole lines mapped over a Ray actor pool.

Reading: every input file (any path Ray Data reads: local, ``s3://``, ``gs://``...) is read by
one task and cut into chunks of ``chunk`` whole lines; a transcript is one line, so it is never
split. Scrubbing: ``map_batches`` with an actor pool; each actor unpickles the pseudonymiser once
and loads spaCy on its first chunk. Writing: the driver writes the chunks in input order
(``preserve_order``), atomically, exactly as the in-process runner does. A dead actor is
restarted by Ray and its chunk retried; a chunk's rows are written once, when it comes back.

Structured datasets (Parquet, JSON rows) go through :func:`scrub_dataset`, one row a document.
"""

from __future__ import annotations

import contextlib
import logging
import pickle
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from textsynth.engine.batches import ScrubWorker, TextRowScrubWorker, error_from_row
from textsynth.engine.cluster import connect
from textsynth.errors import ConfigError, TextsynthError

__all__ = ["read_rows", "run_file_ray", "scrub_dataset", "write_rows"]

logger = logging.getLogger(__name__)

# the read and chunking tasks are light: they must not wait for a CPU an actor holds
_LIGHT = {"num_cpus": 0}


def _pool(actors: int, num_gpus: float = 0) -> dict[str, Any]:
    args: dict[str, Any] = {"concurrency": actors, "num_cpus": 1}
    if num_gpus:
        args["num_gpus"] = num_gpus
    return args


def chunked_dataset(path: str, chunk: int) -> Any:
    """Return a dataset of ``{source, start, offset, length}`` rows: ``chunk`` whole lines each.

    The driver streams the file once to find where every ``chunk``-th line starts (no parsing);
    the actors read their own byte ranges. One row is one block, so every actor gets work.
    """
    return _chunk_rows(path, plan_chunks(path, chunk))


def _chunk_rows(path: str, plan: list[tuple[int, int, int]]) -> Any:
    import ray

    rows = [
        {"source": path, "start": start, "offset": offset, "length": length}
        for start, offset, length in plan
    ]
    return ray.data.from_items(rows, override_num_blocks=max(1, len(rows)))


def in_order(rows: Iterator[dict[str, Any]], starts: list[int]) -> Iterator[dict[str, Any]]:
    """Yield chunk ``rows`` in the planned order of their ``start`` line, each exactly once.

    Ray keeps the order when ``preserve_order`` is on; this holds it whatever the cluster's
    settings, and raises if a chunk comes back twice or never (nothing duplicated or lost).
    """
    pending: dict[int, dict[str, Any]] = {}
    want = iter(starts)
    nxt = next(want, None)
    seen: set[int] = set()
    for row in rows:
        start = int(row["start"])
        if start in seen:
            raise TextsynthError(f"internal error: the chunk at line {start} came back twice")
        seen.add(start)
        pending[start] = row
        while nxt is not None and nxt in pending:
            yield pending.pop(nxt)
            nxt = next(want, None)
    if nxt is not None or pending:
        raise TextsynthError(f"internal error: the chunk at line {nxt} never came back")


def plan_chunks(path: str, chunk: int) -> list[tuple[int, int, int]]:
    """Return ``(first line number, byte offset, byte length)`` of each chunk of ``path``."""
    out: list[tuple[int, int, int]] = []
    line, offset, start_off, in_chunk = 1, 0, 0, 0
    with open_input(path) as fh:
        while block := fh.read(1 << 22):
            pos = 0
            while in_chunk + block.count(b"\n", pos) >= chunk:
                # the chunk ends at the (chunk - in_chunk)-th newline from pos
                for _ in range(chunk - in_chunk):
                    pos = block.index(b"\n", pos) + 1
                end = offset + pos
                out.append((line, start_off, end - start_off))
                line += chunk
                start_off, in_chunk = end, 0
            in_chunk += block.count(b"\n", pos)
            offset += len(block)
    if offset > start_off:
        out.append((line, start_off, offset - start_off))
    return out


def open_input(path: str) -> Any:
    """Open ``path`` for reading bytes: a local file or any URI pyarrow reads (s3://, gs://...)."""
    if "://" not in path:
        return open(path, "rb")
    from pyarrow import fs

    filesystem, inner = fs.FileSystem.from_uri(path)
    return filesystem.open_input_stream(inner)


def run_file_ray(
    job: Any,
    ps: Any,
    *,
    actors: int = 2,
    address: str | None = None,
    num_cpus: int | None = None,
    worker: type = ScrubWorker,
) -> Any:
    """Run a :class:`~textsynth.pii.runner.FileJob` on Ray; return its audit.

    The output is byte-identical to :func:`~textsynth.pii.runner.run_file` with the same key:
    the same chunks go through the same batch function, and nothing depends on which actor runs
    which chunk.

    Args:
        job: the file job (``workers`` is ignored: ``actors`` replaces it).
        ps: the pseudonymiser (pickled once into the object store).
        actors: actors in the pool (each holds one CPU and one spaCy pipeline per language).
        address: the cluster (see :func:`~textsynth.engine.cluster.connect`).
        num_cpus: CPUs of a new local cluster.
        worker: the batch worker class (a :class:`ScrubWorker` subclass, e.g. to instrument).
    """
    from textsynth.io import atomic_write
    from textsynth.pii.audit import Audit
    from textsynth.pii.records import sniff_shape

    if job.vault and not ps.operator.reversible:
        raise ConfigError(f"operator {ps.operator.name!r} cannot be reversed; drop --vault")
    if job.vault and ps.vault is None:
        ps.vault = ps.new_vault()
    shape = sniff_shape(job.input, job.text_field) if job.shape == "auto" else job.shape
    if str(job.input).endswith(".parquet") or str(job.output).endswith(".parquet"):
        return _run_structured(job, ps, actors=actors, address=address, num_cpus=num_cpus)
    connect(address, num_cpus=num_cpus)
    audit = Audit(
        command=job.command,
        operator=ps.operator.name if job.command == "scrub" else "",
        shape=shape,
        workers=actors,
    )
    vault = ps.new_vault() if job.vault else None
    started = time.perf_counter()
    plan = plan_chunks(job.input, job.chunk)
    ds = _chunk_rows(job.input, plan).map_batches(
        worker,
        fn_constructor_kwargs={
            "ps": ps,
            "command": job.command,
            "shape": shape,
            "text_field": job.text_field,
            "spans": bool(job.spans),
        },
        batch_size=1,
        **_pool(actors),
    )
    rejects_path = job.rejects or f"{job.output}.rejects"
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(atomic_write(job.output, "wb"))
        spans_fh = stack.enter_context(atomic_write(job.spans, "wb")) if job.spans else None
        rej: list[IO[bytes]] = []
        for row in in_order(ds.iter_rows(), [start for start, _, _ in plan]):
            if row["error"] and job.on_error == "fail":
                raise error_from_row(row["error"])
            if row["rejects"]:
                if not rej:
                    rej.append(stack.enter_context(atomic_write(rejects_path, "wb")))
                rej[0].write(row["rejects"])
            out.write(row["out"])
            if spans_fh is not None:
                spans_fh.write(row["spans"])
            _add(audit, pickle.loads(row["audit"]))
            if vault is not None and row["vault"]:
                vault.update(pickle.loads(row["vault"]))
        if vault is not None and job.vault:
            vault.save(job.vault)
    audit.records_out = audit.records_in
    audit.seconds = time.perf_counter() - started
    if job.report:
        with atomic_write(job.report) as fh:
            fh.write(audit.to_json() + "\n")
    return audit


def _add(audit: Any, part: dict[str, Any]) -> None:
    audit.records_in += part["records"]
    audit.texts += part["texts"]
    audit.characters += part["characters"]
    audit.rejects += part["rejects"]
    audit.by_type.update(part["by_type"])
    audit.by_recognizer.update(part["by_recognizer"])
    if part["rejects"]:
        logger.warning("skipped %d bad record(s)", part["rejects"])


# -- structured datasets ---------------------------------------------------------------------


def scrub_dataset(
    ds: Any,
    ps: Any,
    *,
    text_field: str = "text",
    turns_field: str = "turns",
    actors: int = 2,
    batch_size: int = 64,
) -> Any:
    """Return ``ds`` (a ``ray.data.Dataset``) with its texts scrubbed, lazily.

    A row is one document: a ``turns`` column (transcripts: the turns' ``text`` replaced) or a
    ``text_field`` column. Rows are never split, so a transcript stays whole.

    Example::

        ds = ray.data.read_parquet("s3://bucket/transcripts/")
        scrub_dataset(ds, Pseudonymiser(key=key)).write_parquet("s3://bucket/scrubbed/")
    """
    return ds.map_batches(
        TextRowScrubWorker,
        fn_constructor_kwargs={"ps": ps, "text_field": text_field, "turns_field": turns_field},
        batch_size=batch_size,
        batch_format="numpy",
        **_pool(actors),
    )


def read_rows(path: str, blocks: int = 64) -> Any:
    """Return a dataset of the rows of ``path`` (Parquet, or JSON lines), in ``blocks`` blocks.

    The driver reads the table with pyarrow (local or any URI pyarrow reads) so that no read task
    waits for a CPU an actor holds; for data larger than the driver's memory, build the dataset
    with ``ray.data.read_parquet`` on a cluster with spare CPUs and call :func:`scrub_dataset`.
    """
    import pyarrow.dataset as pads
    import ray

    fmt = "parquet" if path.rstrip("/").endswith(".parquet") or _has(path, ".parquet") else "json"
    table = pads.dataset(path, format=fmt).to_table()
    n = max(1, min(blocks, table.num_rows))
    step = -(-table.num_rows // n) if table.num_rows else 1
    return ray.data.from_arrow([table.slice(i, step) for i in range(0, table.num_rows, step)])


def write_rows(ds: Any, path: str) -> int:
    """Write ``ds`` to ``path`` (Parquet files under it, or one local JSONL); return the rows."""
    if path.endswith(".parquet") and "://" in path:
        ds.write_parquet(path)
        return ds.count()
    from textsynth.io import atomic_write, dumps

    n = 0
    if path.endswith(".parquet"):
        import pyarrow as pa
        import pyarrow.parquet as pq

        tables = [pa.Table.from_pylist([r]) for r in ds.iter_rows()]  # small: order kept
        table = pa.concat_tables(tables) if tables else pa.table({})
        with atomic_write(path, "wb") as fh:
            pq.write_table(table, fh)
        return table.num_rows
    with atomic_write(path) as fh:
        for row in ds.iter_rows():
            fh.write(dumps(_plain(row)) + "\n")
            n += 1
    return n


def _run_structured(
    job: Any, ps: Any, *, actors: int, address: str | None, num_cpus: int | None
) -> Any:
    from textsynth.pii.audit import Audit

    if job.command != "scrub" or job.spans or job.vault:
        raise ConfigError(
            "Parquet input or output supports plain scrubbing only",
            hint="drop --spans/--vault, or use JSONL files",
        )
    connect(address, num_cpus=num_cpus)
    started = time.perf_counter()
    ds = scrub_dataset(
        read_rows(job.input), ps, text_field=job.text_field, actors=actors, batch_size=job.chunk
    )
    n = write_rows(ds, job.output)
    audit = Audit(command="scrub", operator=ps.operator.name, shape="rows", workers=actors)
    audit.records_in = audit.records_out = n
    audit.seconds = time.perf_counter() - started
    if n == 0:
        raise TextsynthError(f"{job.input}: no rows read")
    return audit


def _has(path: str, suffix: str) -> bool:
    p = Path(path)
    return p.is_dir() and any(q.suffix == suffix for q in p.iterdir())


def _plain(o: Any) -> Any:
    """Return a row as plain Python (numpy arrays and scalars from Arrow made lists and numbers)."""
    if isinstance(o, dict):
        return {k: _plain(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_plain(v) for v in o]
    if hasattr(o, "tolist"):
        return _plain(o.tolist())
    return o
