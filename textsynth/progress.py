"""Progress bars for long work (tqdm on stderr; silent when not a terminal unless forced).

The one definition of "the progress check" is :func:`enabled`: ``TEXTSYNTH_PROGRESS=1`` always
shows bars, ``=0`` never does; otherwise they show when the caller asks for them (``show``) and
stderr is a terminal. :func:`progress` wraps an iterable, :func:`bar` returns a bar to update by
hand; both use the check and the same tqdm settings.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

__all__ = ["bar", "enabled", "progress"]


def enabled(show: bool = True) -> bool:
    """Return whether progress bars are shown.

    Args:
        show: the caller's wish (e.g. a ``show_progress`` option); ``TEXTSYNTH_PROGRESS`` overrides
            it either way, and without it bars need a terminal on stderr.
    """
    env = os.environ.get("TEXTSYNTH_PROGRESS")
    if env in ("0", "1"):
        return env == "1"
    return show and sys.stderr.isatty()


def _options(show: bool) -> dict[str, Any]:
    return {
        "disable": not enabled(show),
        "file": sys.stderr,
        "dynamic_ncols": True,
        "mininterval": 0.5,
    }


def bar(*, total: int | None = None, desc: str = "", unit: str = "it", show: bool = True) -> Any:
    """Return a tqdm bar on stderr to ``update()`` by hand (hidden unless :func:`enabled`)."""
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit=unit, **_options(show))


def progress(
    items: Iterable[T],
    *,
    total: int | None = None,
    desc: str = "",
    unit: str = "it",
    show: bool = True,
) -> Iterator[T]:
    """Yield ``items`` through a tqdm progress bar on stderr (see :func:`enabled`)."""
    from tqdm.auto import tqdm

    yield from tqdm(items, total=total, desc=desc, unit=unit, **_options(show))


class Meter:
    """A counter bar for long work: tqdm on a terminal, periodic one-line reports otherwise.

    On a terminal (or ``TEXTSYNTH_PROGRESS=1``) it is a tqdm bar with a postfix. When stderr is
    not a terminal it prints ``desc: n/total (postfix)`` at most every ``interval`` seconds
    (``TEXTSYNTH_PROGRESS_INTERVAL``, default 30) and once at the end, so CI logs show the run
    moving without a flood. ``TEXTSYNTH_PROGRESS=0`` silences both.
    """

    def __init__(
        self, total: int | None = None, desc: str = "", unit: str = "it", interval: float = 0
    ) -> None:
        import time

        self.total = total
        self.desc = desc
        self.unit = unit
        self.n = 0
        self.postfix: dict[str, object] = {}
        self._time = time.monotonic
        env = os.environ.get("TEXTSYNTH_PROGRESS")
        self.interval = interval or float(os.environ.get("TEXTSYNTH_PROGRESS_INTERVAL", "30"))
        self._last = self._time()
        self._bar = None
        self._lines = env != "0" and not enabled()
        if enabled():
            from tqdm.auto import tqdm

            self._bar = tqdm(
                total=total,
                desc=desc,
                unit=unit,
                file=sys.stderr,
                dynamic_ncols=True,
                mininterval=0.5,
            )

    def line(self) -> str:
        """Return the one-line report."""
        done = f"{self.n}/{self.total}" if self.total is not None else str(self.n)
        extra = ", ".join(f"{k} {v}" for k, v in self.postfix.items())
        return f"{self.desc}: {done} {self.unit}" + (f" ({extra})" if extra else "")

    def set_postfix(self, **values: object) -> None:
        """Show ``values`` after the count (e.g. ``loss=0.41`` or ``failed=2``)."""
        self.postfix.update(values)
        if self._bar is not None:
            self._bar.set_postfix({k: str(v) for k, v in self.postfix.items()}, refresh=False)

    def set_total(self, total: int) -> None:
        """Change the total (work found on the way)."""
        self.total = total
        if self._bar is not None:
            self._bar.total = total
            self._bar.refresh()

    def update(self, n: int = 1) -> None:
        """Advance by ``n``."""
        self.n += n
        if self._bar is not None:
            self._bar.update(n)
        elif self._lines and self._time() - self._last >= self.interval:
            self._last = self._time()
            sys.stderr.write(self.line() + "\n")
            sys.stderr.flush()

    def close(self) -> None:
        """Finish the bar (or print the last line)."""
        if self._bar is not None:
            self._bar.close()
        elif self._lines:
            sys.stderr.write(self.line() + "\n")
            sys.stderr.flush()
        self._lines = False

    def __enter__(self) -> Meter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
