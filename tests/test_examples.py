"""The example scripts run: each in a child process from the repository root, at tiny settings.

The runs load the embedded models (spaCy, SmolLM2, MiniLM), so they are slow-marked; the fast tests
check that every script in ``examples/`` has a smoke run here (a new example cannot be missed) and
answers ``--help``. The two LM examples fine-tune SmolLM2-135M on CPU even at these sizes: a
few minutes on 2 free cores, over ten when the cores are shared, hence the long time limit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _args(out: Path) -> dict[str, list[str]]:
    """The smoke-run arguments of each example (tiny sizes; outputs under ``out``)."""
    return {
        "pseudonymise_transcripts.py": [
            str(EXAMPLES / "transcripts.jsonl"),
            str(out / "transcripts.scrubbed.jsonl"),
        ],
        "expand_training_set.py": ["--out", str(out), "--per-intent", "2", "--epochs", "1"],
        "bootstrap_french.py": [
            "--out",
            str(out),
            "--n",
            "40",
            "--train",
            "8",
            "--per-intent",
            "2",
            "--epochs",
            "1",
        ],
    }


# what each run must leave behind (relative to its output folder)
OUTPUTS = {
    "pseudonymise_transcripts.py": ["transcripts.scrubbed.jsonl"],
    "expand_training_set.py": ["generated.jsonl", "nlu.yml", "report/report.html"],
    "bootstrap_french.py": ["grammar.train.jsonl", "generated.jsonl", "nlu.yml"],
}


def _run(script: str, args: list[str], timeout: float = 1800) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
        "TEXTSYNTH_PII_KEY": "smoke-test key, not a secret",
        "TEXTSYNTH_PROGRESS": "0",
    }
    return subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_every_example_has_a_smoke_run(tmp_path) -> None:
    scripts = sorted(p.name for p in EXAMPLES.glob("*.py"))
    assert scripts and sorted(_args(tmp_path)) == scripts == sorted(OUTPUTS)


@pytest.mark.parametrize(
    "script",
    sorted(p.name for p in EXAMPLES.glob("*.py") if p.name != "pseudonymise_transcripts.py"),
)
def test_example_help(script: str) -> None:
    r = _run(script, ["--help"], timeout=120)
    assert r.returncode == 0, r.stderr
    assert "usage:" in r.stdout


@pytest.mark.slow
@pytest.mark.timeout(2000)
@pytest.mark.parametrize("script", sorted(OUTPUTS))
def test_example_runs(script: str, tmp_path) -> None:
    r = _run(script, _args(tmp_path)[script])
    assert r.returncode == 0, f"{script} failed:\n{r.stdout[-2000:]}\n{r.stderr[-4000:]}"
    for rel in OUTPUTS[script]:
        path = tmp_path / rel
        assert path.is_file() and path.stat().st_size > 0, f"{script} wrote no {rel}"
    for jsonl in tmp_path.rglob("*.jsonl"):
        for line in jsonl.read_text(encoding="utf-8").splitlines():
            json.loads(line)  # every output line is JSON


def _bad_inputs(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    """Per example: arguments naming a bad input, and what the error must name."""
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "t-1", "turns": [{"text": "hi"}]}\n{"id": "t-2", "turn": []}\n')
    return {
        "pseudonymise_transcripts.py": ([str(bad), str(tmp_path / "out.jsonl")], f"{bad}:2"),
        "expand_training_set.py": (["--seeds", str(tmp_path / "missing.jsonl")], "missing.jsonl"),
        "bootstrap_french.py": (["--grammar", str(tmp_path / "missing.tsg")], "missing.tsg"),
    }


@pytest.mark.parametrize("script", sorted(OUTPUTS))
def test_example_refuses_bad_input_without_a_traceback(script: str, tmp_path) -> None:
    args, names = _bad_inputs(tmp_path)[script]
    r = _run(script, args, timeout=300)
    assert r.returncode == 2  # an input error, as the CLI exits
    assert "Traceback" not in r.stderr, r.stderr[-3000:]
    assert r.stderr.startswith("error: ") and names in r.stderr, r.stderr[-3000:]
    assert not (tmp_path / "out.jsonl").exists()  # nothing half-written
