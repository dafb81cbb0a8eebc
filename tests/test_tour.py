"""docs/tour.md runs literally: every command of its shell block, in order, from a repo copy."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TOUR = REPO / "docs" / "tour.md"
LM_STEP = re.compile(r"\btextsynth (lm|run)\b|tour/generated|tour/report(\s|$)")


def tour_commands() -> list[str]:
    block = re.search(r"```sh\n(.*?)```", TOUR.read_text(), re.DOTALL)
    assert block, "docs/tour.md has no ```sh block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def _root(tmp_path: Path) -> Path:
    for name in ("examples", "grammars"):
        shutil.copytree(REPO / name, tmp_path / name, ignore=shutil.ignore_patterns("bench"))
    return tmp_path


def _run(line: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(REPO),
        "TEXTSYNTH_PROGRESS": "0",
    }
    env.pop("TEXTSYNTH_PII_KEY", None)
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", line],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )


def test_tour_paths_exist_and_a_key_is_made() -> None:
    lines = tour_commands()
    assert any("secrets.token_hex" in x and "chmod 600" in x for x in lines)
    for path in re.findall(r"\b((?:examples|grammars)/[\w./-]+)", "\n".join(lines)):
        assert (REPO / path).exists(), f"the tour names {path}, which does not exist"


def test_tour_without_the_lm_steps_runs_literally(tmp_path: Path) -> None:
    root = _root(tmp_path)
    for line in tour_commands():
        if LM_STEP.search(line):
            continue
        r = _run(line, root)
        assert r.returncode == 0, f"{line}\n{r.stdout}\n{r.stderr}"
        assert "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr
    key = root / "tour" / "pii.key"
    assert oct(key.stat().st_mode & 0o777) == "0o600" and len(key.read_text().strip()) == 64
    clean = (root / "tour" / "clean.jsonl").read_text().splitlines()
    before = (root / "examples" / "transcripts.jsonl").read_text().splitlines()
    assert len(clean) == len(before) and clean != before  # scrubbed, one record per record
    assert (root / "tour" / "report-grammar" / "metrics.json").exists()


@pytest.mark.slow
def test_the_whole_tour_runs_literally(tmp_path: Path) -> None:
    """Minutes on a CPU: the LM steps fine-tune and sample the embedded model."""
    root = _root(tmp_path)
    for line in tour_commands():
        r = _run(line, root)
        assert r.returncode == 0, f"{line}\n{r.stdout}\n{r.stderr}"
    assert (root / "tour" / "generated.jsonl").exists()
    assert not (root / "tour" / "run.pii.key").exists()  # the key came from the environment
