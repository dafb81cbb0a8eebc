"""``pii scrub --engine ray`` on a real local Ray cluster: identical to in-process, fault-proof."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from textsynth.cli import main
from textsynth.engine.batches import ScrubWorker
from textsynth.pii import Pseudonymiser
from textsynth.pii.runner import FileJob, run_file

from .conftest import KEY

pytestmark = pytest.mark.slow


def _ids(path: Path) -> list[str]:
    return [json.loads(line)["id"] for line in path.read_text("utf-8").splitlines()]


def test_cli_ray_scrub_is_byte_identical_to_in_process(
    ray_cluster, transcripts: Path, key_file: Path, tmp_path: Path
) -> None:
    common = ["--key-file", str(key_file), "--ner", "none", "--batch-size", "64"]
    local, remote = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    spans_l, spans_r = tmp_path / "local.spans", tmp_path / "ray.spans"
    assert (
        main(["pii", "scrub", str(transcripts), "-o", str(local), "--spans", str(spans_l)] + common)
        == 0
    )
    rc = main(
        ["pii", "scrub", str(transcripts), "-o", str(remote), "--spans", str(spans_r),
         "--engine", "ray", "--workers", "2"] + common
    )  # fmt: skip
    assert rc == 0
    assert remote.read_bytes() == local.read_bytes()
    assert spans_r.read_bytes() == spans_l.read_bytes()
    ids_in, ids_out = _ids(transcripts), _ids(remote)
    assert len(ids_out) == len(ids_in) == 2000
    assert ids_out == ids_in  # same records, same order
    assert remote.read_bytes() != transcripts.read_bytes()  # something was replaced


def test_a_name_gets_the_same_surrogate_on_every_actor(
    ray_cluster, transcripts: Path, tmp_path: Path
) -> None:
    """Customers recur across transcripts that land on different actors: one surrogate each."""
    from eval import pii_corpus
    from textsynth.engine.ray_pii import run_file_ray

    out = tmp_path / "out.jsonl"
    run_file_ray(
        FileJob(str(transcripts), str(out), chunk=50), Pseudonymiser(key=KEY, ner=False), actors=2
    )
    truth = pii_corpus.build(2000, seed=7)
    by_email: dict[str, set[str]] = {}
    seen_in: dict[str, int] = {}
    for (_, pii), line in zip(truth, out.read_text("utf-8").splitlines(), strict=True):
        email = pii["values"]["email"]
        seen_in[email] = seen_in.get(email, 0) + 1
        text = " ".join(t["text"] for t in json.loads(line)["turns"])
        by_email.setdefault(email, set()).update(
            w.strip(".,;:!?") for w in text.split() if "@" in w
        )
    recurring = [e for e, n in seen_in.items() if n >= 2]
    assert len(recurring) > 300  # customers recur across the 40 chunks of both actors
    # every transcript of one customer shows the one surrogate of their e-mail
    assert all(len(by_email[e]) == 1 for e in recurring)
    assert not any(e in s for e, s in by_email.items())  # and never the e-mail itself


def test_killing_an_actor_mid_job_loses_and_duplicates_nothing(
    ray_cluster, transcripts: Path, tmp_path: Path
) -> None:
    from textsynth.engine.ray_pii import run_file_ray

    marker = tmp_path / "killed"

    class KilledOnce(ScrubWorker):  # pickled by value: the actor process runs this
        def chunk(self, source: str, start: int, raw: bytes) -> dict:
            if start > 600 and not os.path.exists(marker):
                marker.write_text(str(os.getpid()))
                os.kill(os.getpid(), signal.SIGKILL)  # the actor dies holding this chunk
            return super().chunk(source, start, raw)

    ps = Pseudonymiser(key=KEY, ner=False)
    local = tmp_path / "local.jsonl"
    run_file(FileJob(str(transcripts), str(local), show_progress=False), ps)
    out = tmp_path / "ray.jsonl"
    audit = run_file_ray(
        FileJob(str(transcripts), str(out)),
        Pseudonymiser(key=KEY, ner=False),
        actors=2,
        worker=KilledOnce,
    )
    assert marker.exists(), "no actor was killed"
    lines = out.read_text("utf-8").splitlines()
    assert len(lines) == 2000 and audit.records_in == audit.records_out == 2000
    ids = _ids(out)
    assert len(set(ids)) == 2000 and ids == _ids(transcripts)
    assert out.read_bytes() == local.read_bytes()


def test_bad_record_fails_the_ray_run_like_the_local_one(
    ray_cluster, tmp_path: Path, key_file: Path
) -> None:
    inp = tmp_path / "in.jsonl"
    inp.write_text('{"id": "a", "turns": [{"speaker": "c", "text": "hi"}]}\n{"id": oops}\n')
    out = tmp_path / "out.jsonl"
    args = ["pii", "scrub", str(inp), "-o", str(out), "--key-file", str(key_file), "--ner", "none"]
    assert main(args + ["--engine", "ray"]) == 2
    assert not out.exists()
    assert main(args + ["--engine", "ray", "--on-error", "skip"]) == 0
    assert len(out.read_text().splitlines()) == 1
    assert Path(f"{out}.rejects").read_text() == '{"id": oops}\n'


def test_parquet_transcripts_in_and_out(ray_cluster, transcripts: Path, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from textsynth.engine.ray_pii import run_file_ray

    rows = [json.loads(line) for line in transcripts.read_text("utf-8").splitlines()[:300]]
    src = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist(rows), src)
    head = tmp_path / "head.jsonl"
    head.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    local = tmp_path / "local.jsonl"
    run_file(FileJob(str(head), str(local), show_progress=False), Pseudonymiser(key=KEY, ner=False))
    out = tmp_path / "out.parquet"
    audit = run_file_ray(FileJob(str(src), str(out)), Pseudonymiser(key=KEY, ner=False), actors=2)
    assert audit.records_out == 300
    got = pq.read_table(out).to_pylist()
    want = [json.loads(line) for line in local.read_text("utf-8").splitlines()]
    assert [r["id"] for r in got] == [r["id"] for r in want]
    assert [[t["text"] for t in r["turns"]] for r in got] == [
        [t["text"] for t in r["turns"]] for r in want
    ]


def test_real_spacy_in_actors_matches_in_process(
    ray_cluster, transcripts: Path, tmp_path: Path
) -> None:
    """spaCy loads once per actor and finds what it finds in this process (200 transcripts)."""
    from textsynth.engine.ray_pii import run_file_ray

    head = tmp_path / "head.jsonl"
    head.write_text("".join(transcripts.read_text("utf-8").splitlines(keepends=True)[:200]))
    local, out = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    run_file(FileJob(str(head), str(local), show_progress=False), Pseudonymiser(key=KEY))
    run_file_ray(FileJob(str(head), str(out)), Pseudonymiser(key=KEY), actors=2)
    assert out.read_bytes() == local.read_bytes()
