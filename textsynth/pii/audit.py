"""The audit report: counts per entity type and recognizer, record counts, throughput.

Nothing here ever holds an original value: only offsets, types, recognizers and scores.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Audit"]


@dataclass
class Audit:
    """Counts gathered while scrubbing or detecting a file."""

    command: str = "scrub"
    operator: str = ""
    shape: str = ""
    records_in: int = 0
    records_out: int = 0
    rejects: int = 0
    texts: int = 0
    characters: int = 0
    by_type: Counter[str] = field(default_factory=Counter)
    by_recognizer: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    workers: int = 1

    def count(self, rows: Iterable[dict[str, Any]]) -> None:
        """Add span rows (``type`` and ``recognizer`` keys) to the counters."""
        for r in rows:
            self.by_type[r["type"]] += 1
            self.by_recognizer[r["recognizer"]] += 1

    @property
    def spans(self) -> int:
        """Total number of spans found."""
        return sum(self.by_type.values())

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON report."""
        return {
            "command": self.command,
            "operator": self.operator,
            "shape": self.shape,
            "records_in": self.records_in,
            "records_out": self.records_out,
            "rejects": self.rejects,
            "texts": self.texts,
            "characters": self.characters,
            "spans": self.spans,
            "by_type": dict(self.by_type.most_common()),
            "by_recognizer": dict(self.by_recognizer.most_common()),
            "seconds": round(self.seconds, 3),
            "records_per_s": round(self.records_in / self.seconds, 1) if self.seconds else None,
            "workers": self.workers,
        }

    def to_json(self) -> str:
        """Return the report as indented JSON."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def summary(self) -> str:
        """Return a few lines for the terminal."""
        types = ", ".join(f"{k} {v}" for k, v in self.by_type.most_common()) or "none"
        rate = f" ({self.records_in / self.seconds:.1f} records/s)" if self.seconds else ""
        rej = f", {self.rejects} rejected" if self.rejects else ""
        return (
            f"{self.records_in} records in, {self.records_out} out{rej}; {self.spans} spans: "
            f"{types}; {self.seconds:.1f}s{rate}"
        )
