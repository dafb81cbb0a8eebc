"""A real local Ray cluster (2 CPUs, this machine) shared by the engine tests, and corpora."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

KEY = "engine-tests-key-0123456789abcdef"


@pytest.fixture(scope="session")
def ray_cluster():
    """Start ``ray.init`` with 2 CPUs once for the session (skipped if Ray is not installed)."""
    ray = pytest.importorskip("ray")
    pytest.importorskip("ray.data")
    os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
    from textsynth.engine.cluster import connect

    connect(None, num_cpus=2)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="session")
def transcripts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,000 generated support transcripts (several locales, recurring customers) as JSONL."""
    from eval import pii_corpus

    path = tmp_path_factory.mktemp("corpus") / "transcripts.jsonl"
    rows = [r for r, _ in pii_corpus.build(2000, seed=7)]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


@pytest.fixture(scope="session")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("key") / "key"
    path.write_text(KEY)
    return path
