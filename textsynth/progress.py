"""Progress bars for long work (tqdm on stderr; silent when not a terminal unless forced)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def progress(
    items: Iterable[T], *, total: int | None = None, desc: str = "", unit: str = "it"
) -> Iterator[T]:
    """Wrap ``items`` in a tqdm progress bar on stderr.

    The bar is shown on a terminal, or always when ``TEXTSYNTH_PROGRESS=1``; ``=0`` hides it.
    """
    from tqdm.auto import tqdm

    env = os.environ.get("TEXTSYNTH_PROGRESS")
    disable = (env == "0") or (env != "1" and not sys.stderr.isatty())
    yield from tqdm(items, total=total, desc=desc, unit=unit, disable=disable, file=sys.stderr,
                    dynamic_ncols=True, mininterval=0.5)
