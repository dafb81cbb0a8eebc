"""Without Ray: ``--engine ray`` exits 2 naming the extra; nothing else ever imports Ray."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# a meta-path finder that makes ``ray`` unimportable, as on a machine without the extra
_NO_RAY = """
import sys
class _Block:
    def find_spec(self, name, path=None, target=None):
        if name == "ray" or name.startswith("ray."):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return None
sys.meta_path.insert(0, _Block())
"""


def _run(code: str, cwd: Path, block: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", (_NO_RAY if block else "") + code],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _inputs(tmp_path: Path) -> Path:
    inp = tmp_path / "in.jsonl"
    rows = [{"id": "a", "turns": [{"speaker": "c", "text": "mail me at ann@example.com"}]}]
    inp.write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "key").write_text("k" * 32)
    return inp


def test_engine_ray_without_ray_exits_2_naming_the_extra(tmp_path: Path) -> None:
    inp = _inputs(tmp_path)
    code = f"""
from textsynth.cli import main
rc = main(["pii", "scrub", {str(inp)!r}, "-o", "out.jsonl", "--engine", "ray",
           "--ner", "none", "--key-file", "key"])
print("RC", rc)
"""
    r = _run(code, tmp_path)
    assert "RC 2" in r.stdout, r.stdout + r.stderr
    assert "textsynth[ray]" in r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "out.jsonl").exists()


def test_nothing_else_imports_ray(tmp_path: Path) -> None:
    """With Ray installed (or not), the CLI, the engine package and a local scrub leave it be."""
    inp = _inputs(tmp_path)
    code = f"""
import sys
import textsynth, textsynth.cli, textsynth.engine, textsynth.engine.batches, textsynth.pii
import textsynth.pipeline.config
from textsynth.cli import main
rc = main(["pii", "scrub", {str(inp)!r}, "-o", "out.jsonl", "--ner", "none", "--key-file", "key"])
print("RC", rc, "RAY", any(m == "ray" or m.startswith("ray.") for m in sys.modules))
"""
    r = _run(code, tmp_path, block=False)
    assert "RC 0 RAY False" in r.stdout, r.stdout + r.stderr
    assert "ann@example.com" not in (tmp_path / "out.jsonl").read_text()


def test_pipeline_engine_key_defaults_to_local_and_rejects_unknown_engines() -> None:
    import pytest

    from textsynth.errors import TextsynthError
    from textsynth.pipeline.config import from_dict

    assert from_dict({"grammar": {"path": "g.tsg"}, "lm": {"mode": "off"}}).engine == "local"
    with pytest.raises(TextsynthError, match="unknown engine 'spark'"):
        from_dict({"grammar": {"path": "g.tsg"}, "lm": {"mode": "off"}, "engine": "spark"})


def test_pipeline_engine_ray_without_ray_names_the_extra(tmp_path: Path) -> None:
    code = """
from textsynth.pipeline.config import from_dict
try:
    from_dict({"grammar": {"path": "g.tsg"}, "lm": {"mode": "off"}, "engine": "ray"})
except Exception as exc:
    print("ERR", type(exc).__name__, getattr(exc, "exit_code", None), exc)
"""
    r = _run(code, tmp_path)
    assert "ERR EngineUnavailableError 2" in r.stdout and "textsynth[ray]" in r.stdout
