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
