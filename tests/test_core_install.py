"""``pip install textsynth`` without extras gives a working grammar engine and formats.

A fresh virtual environment under ``tmp_path`` gets only a wheel of this checkout and the four
core dependencies (click, tqdm, pyyaml, faker), each installed with ``--no-deps --no-index`` from
wheels fetched by pip (its cache first) at the versions of the running environment. No torch,
numpy, spaCy or transformers is there; the ``textsynth`` command then checks, counts and
generates a grammar into JSONL and Rasa YAML. Slow: it builds a venv and a wheel (~30-60 s).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ("click", "tqdm", "pyyaml", "faker")
HEAVY = ("torch", "numpy", "spacy", "transformers", "sentence_transformers", "sklearn")
GRAMMAR = ROOT / "grammars" / "banking.tsg"


def _sh(*cmd: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    r = subprocess.run(
        [str(c) for c in cmd], capture_output=True, text=True, env=env, cwd=cwd, timeout=600
    )
    assert r.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{r.stdout}\n{r.stderr}"
    return r.stdout


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_grammar_cli_runs_with_only_the_core_dependencies(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    pins = [f"{name}=={importlib.metadata.version(name)}" for name in CORE]
    _sh(sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", wheels, *pins)
    # build the wheel from a copy, so the checkout gets no build/ or egg-info
    src = tmp_path / "src"
    shutil.copytree(
        ROOT / "textsynth", src / "textsynth", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    _sh(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "-q",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        wheels,
        src,
    )

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True, system_site_packages=False)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    py = bin_dir / "python"
    _sh(py, "-m", "pip", "install", "-q", "--no-index", "--no-deps", *sorted(wheels.glob("*.whl")))

    # a clean environment: nothing of this checkout or of the dev venv on the path
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    probe = (
        "import importlib.util, json, sys; "
        "print(json.dumps({m: bool(importlib.util.find_spec(m)) for m in sys.argv[1:]}))"
    )
    found = json.loads(_sh(py, "-c", probe, *HEAVY, "textsynth", env=env, cwd=tmp_path))
    assert found == {**dict.fromkeys(HEAVY, False), "textsynth": True}, found
    where = _sh(py, "-c", "import textsynth; print(textsynth.__file__)", env=env, cwd=tmp_path)
    assert str(env_dir) in where, "textsynth must come from the fresh venv, not the checkout"

    cli = bin_dir / "textsynth"
    assert "ok" in _sh(cli, "grammar", "check", GRAMMAR, env=env, cwd=tmp_path)
    assert "total" in _sh(cli, "grammar", "count", GRAMMAR, env=env, cwd=tmp_path)
    out = tmp_path / "banking.jsonl"
    _sh(
        cli,
        "grammar",
        "generate",
        GRAMMAR,
        "--n",
        "200",
        "--seed",
        "3",
        "-o",
        out,
        env=env,
        cwd=tmp_path,
    )
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 200 and len({r["text"] for r in rows}) == 200
    assert any(r["entities"] for r in rows)
    for r in rows:
        assert r["intent"] and r["text"]
        for e in r["entities"]:
            assert 0 <= e["start"] < e["end"] <= len(r["text"]) and e["label"]
    nlu = tmp_path / "nlu.yml"
    _sh(
        cli,
        "grammar",
        "generate",
        GRAMMAR,
        "--n",
        "50",
        "--format",
        "rasa-yaml",
        "-o",
        nlu,
        env=env,
        cwd=tmp_path,
    )
    text = nlu.read_text(encoding="utf-8")
    assert text.startswith('version: "3.1"') and "- intent:" in text
