"""Progress bars for long work (tqdm on stderr; silent when not a terminal unless forced)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def enabled() -> bool:
    """Return whether progress bars are shown (a terminal, or ``TEXTSYNTH_PROGRESS=1``)."""
    env = os.environ.get("TEXTSYNTH_PROGRESS")
    return env == "1" or (env != "0" and sys.stderr.isatty())


def progress(
    items: Iterable[T], *, total: int | None = None, desc: str = "", unit: str = "it"
) -> Iterator[T]:
    """Wrap ``items`` in a tqdm progress bar on stderr.

    The bar is shown on a terminal, or always when ``TEXTSYNTH_PROGRESS=1``; ``=0`` hides it.
    """
    from tqdm.auto import tqdm

    yield from tqdm(
        items,
        total=total,
        desc=desc,
        unit=unit,
        disable=not enabled(),
        file=sys.stderr,
        dynamic_ncols=True,
        mininterval=0.5,
    )
