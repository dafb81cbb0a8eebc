"""Compact formatting of metric values for tables and the report."""

from __future__ import annotations

import math

__all__ = ["fmt"]


def fmt(x: float | None) -> str:
    """Format a metric value compactly (4 significant decimals; ``n/a`` for ``None``)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if isinstance(x, float) and math.isinf(x):
        return "inf"
    ax = abs(x)
    if ax != 0 and (ax < 1e-3 or ax >= 1e5):
        return f"{x:.3g}"
    return f"{x:.4f}"
