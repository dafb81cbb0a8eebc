"""Assertions shared by the pii tests."""

from __future__ import annotations


def unchanged_outside(before: str, after: str, edits) -> bool:
    """Return whether every character outside the edits is identical before and after."""
    pos_in = pos_out = 0
    for e in edits:
        if before[pos_in : e.start] != after[pos_out : e.new_start]:
            return False
        pos_in, pos_out = e.end, e.new_end
    return before[pos_in:] == after[pos_out:]
