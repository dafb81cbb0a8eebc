"""The one progress check: ``TEXTSYNTH_PROGRESS`` overrides, else the caller asks on a tty."""

from __future__ import annotations

import io
import sys

import pytest

from textsynth import progress


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("env", "tty", "show", "expected"),
    [
        (None, True, True, True),
        (None, True, False, False),
        (None, False, True, False),
        ("1", False, False, True),
        ("0", True, True, False),
        ("yes", True, True, True),  # anything else: as if unset
    ],
)
def test_enabled(monkeypatch, env, tty, show, expected) -> None:
    if env is None:
        monkeypatch.delenv("TEXTSYNTH_PROGRESS", raising=False)
    else:
        monkeypatch.setenv("TEXTSYNTH_PROGRESS", env)
    monkeypatch.setattr(sys, "stderr", _Tty() if tty else io.StringIO())
    assert progress.enabled(show) is expected
    assert progress.bar(total=3, show=show).disable is (not expected)


def test_progress_yields_every_item_and_draws_when_forced(monkeypatch) -> None:
    monkeypatch.setenv("TEXTSYNTH_PROGRESS", "1")
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    assert list(progress.progress(range(5), total=5, desc="work")) == [0, 1, 2, 3, 4]
    assert "work" in err.getvalue() and "5/5" in err.getvalue()


def test_the_evaluator_uses_the_same_check(monkeypatch) -> None:
    from textsynth.metrics.context import EvalContext

    monkeypatch.setattr(sys, "stderr", _Tty())
    monkeypatch.delenv("TEXTSYNTH_PROGRESS", raising=False)
    assert EvalContext([], [], show_progress=True).progress_on() is True
    assert EvalContext([], [], show_progress=False).progress_on() is False
    monkeypatch.setenv("TEXTSYNTH_PROGRESS", "1")
    assert EvalContext([], [], show_progress=False).progress_on() is True


def test_no_other_module_reads_the_setting() -> None:
    """The check is written once: no other module looks at the variable or at isatty."""
    from pathlib import Path

    root = Path(progress.__file__).parent
    others = [
        p.relative_to(root.parent).as_posix()
        for p in root.rglob("*.py")
        if p.name != "progress.py"
        and any(s in p.read_text(encoding="utf-8") for s in ('"TEXTSYNTH_PROGRESS"', "isatty()"))
    ]
    assert others == []
