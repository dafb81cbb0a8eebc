"""Every benchmark and study in eval/ imports: a rename in textsynth/ must not break a script
that only runs by hand (eval/lm_backends.py imported a removed name for a whole release)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

EVAL = Path(__file__).resolve().parents[2] / "eval"
MODULES = sorted(p.stem for p in EVAL.glob("*.py") if p.stem != "__init__")


def test_the_list_is_not_empty() -> None:
    assert {"bench_lm", "lm_backends", "augment", "bench_pii"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_eval_module_imports(name: str) -> None:
    importlib.import_module(f"eval.{name}")
