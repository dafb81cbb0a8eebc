"""eval/bench_vllm.py: without a GPU it measures nothing and says why; its rows are ratios."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from eval.bench_vllm import readme_rows

ROOT = Path(__file__).resolve().parents[2]


def test_without_a_gpu_it_exits_2_and_says_so(tmp_path):
    import torch  # the [lm] extra, installed by the Makefile

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU: eval/gpu_checks.sh runs the benchmark")
    out = tmp_path / "vllm.json"
    r = subprocess.run(
        [sys.executable, "-m", "eval.bench_vllm", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 2, r.stderr
    assert "needs a CUDA GPU" in r.stderr and "Traceback" not in r.stderr
    assert not out.exists()


def test_rows_are_vllm_over_hf():
    res = {
        "gpu": "NVIDIA H100",
        "model_name": "embedded:smollm2-135m",
        "per_intent": 50,
        "results": {
            "hf": {"tokens_per_s": 400.0, "kept_per_s": 2.0},
            "vllm": {"tokens_per_s": 4000.0, "kept_per_s": 10.0},
        },
    }
    rows = readme_rows(res)
    assert [r["ratio"] for r in rows] == [10.0, 5.0]
    assert all("H100" in r["note"] and r["peer"] == "hf on the same GPU" for r in rows)
