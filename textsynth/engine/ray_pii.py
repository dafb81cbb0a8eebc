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
from pathlib import Path
from typing import IO, Any

from textsynth.engine.batches import ScrubWorker, TextRowScrubWorker, chunk_lines, error_from_row
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
    """Return a dataset of ``{source, start, raw}`` rows: ``chunk`` whole lines of ``path`` each."""
    import ray

    ds = ray.data.read_binary_files(path, include_paths=True, ray_remote_args=_LIGHT)
    single = not Path(path).is_dir()

    def cut(row: dict[str, Any]) -> list[dict[str, Any]]:
        source = path if single else row["path"]
        return list(chunk_lines(source, row["bytes"], chunk))

    return ds.flat_map(cut, **_LIGHT)


def run_file_ray(
    job: Any, ps: Any, *, actors: int = 2, address: str | None = None, num_cpus: int | None = None
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
    """
    from textsynth.io import atomic_write
    from textsynth.pii.audit import Audit
    from textsynth.pii.records import sniff_shape

    if job.vault and not ps.operator.reversible:
        raise ConfigError(f"operator {ps.operator.name!r} cannot be reversed; drop --vault")
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
    ds = chunked_dataset(job.input, job.chunk).map_batches(
        ScrubWorker,
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
        for row in ds.iter_rows():
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


def read_rows(path: str) -> Any:
    """Return a dataset of the rows of ``path``: Parquet or JSON lines, by extension."""
    import ray

    if path.rstrip("/").endswith(".parquet") or (Path(path).is_dir() and _has(path, ".parquet")):
        return ray.data.read_parquet(path, ray_remote_args=_LIGHT)
    return ray.data.read_json(path, lines=True, ray_remote_args=_LIGHT)


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
    return any(p.suffix == suffix for p in Path(path).iterdir())


def _plain(o: Any) -> Any:
    """Return a row as plain Python (numpy arrays and scalars from Arrow made lists and numbers)."""
    if isinstance(o, dict):
        return {k: _plain(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_plain(v) for v in o]
    if hasattr(o, "tolist"):
        return _plain(o.tolist())
    return o
