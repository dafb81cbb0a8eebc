"""The evaluation report: metric results plus a summary, as JSON, a text table and HTML."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textsynth.io import atomic_write
from textsynth.metrics.base import Goal, MetricResult
from textsynth.metrics.numfmt import fmt
from textsynth.metrics.verdict import verdict

__all__ = ["SCHEMA_VERSION", "Report"]

SCHEMA_VERSION = 1
SECTIONS = ("diversity", "fidelity", "utility", "memorisation", "other")
_GOAL_WORD = {Goal.MAXIMIZE: "higher", Goal.MINIMIZE: "lower", Goal.TARGET: "near", Goal.IGNORE: ""}


@dataclass
class Report:
    """What :func:`textsynth.metrics.evaluate` returns: results by metric name, and context.

    Attributes:
        results: metric name -> :class:`MetricResult`, in evaluation order.
        skipped: metric name -> why it could not be computed.
        summary: set sizes, intent counts per set, seed, options and timings.
        sample: the reading sample (:func:`textsynth.metrics.sample.reading_sample`).
    """

    results: dict[str, MetricResult] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    sample: dict[str, Any] = field(default_factory=dict)

    # ----- access ---------------------------------------------------------------------------
    def __getitem__(self, name: str) -> MetricResult:
        return self.results[name]

    def __contains__(self, name: object) -> bool:
        return name in self.results

    def __iter__(self) -> Iterator[MetricResult]:
        return iter(self.results.values())

    def value(self, name: str) -> float | None:
        """Return the headline value of metric ``name`` (``None`` if skipped or undefined)."""
        r = self.results.get(name)
        return r.value if r is not None else None

    def add(self, result: MetricResult) -> None:
        """Add (or replace) a result, e.g. a canary exposure computed separately."""
        self.results[result.name] = result
        self.skipped.pop(result.name, None)

    def sections(self) -> list[tuple[str, list[MetricResult]]]:
        """Return the results grouped by category, in report order."""
        out = []
        for sec in SECTIONS:
            rs = [
                r
                for r in self.results.values()
                if (r.category if r.category in SECTIONS else "other") == sec
            ]
            if rs:
                out.append((sec, rs))
        return out

    # ----- JSON -----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Return the machine-readable report (stable keys; ``schema`` versions them)."""
        return _clean(
            {
                "schema": SCHEMA_VERSION,
                "summary": self.summary,
                "metrics": {
                    name: {**r.to_dict(), "verdict": verdict(r).to_dict()}
                    for name, r in self.results.items()
                },
                "skipped": dict(self.skipped),
                "sample": self.sample,
            }
        )

    def to_json(self, indent: int | None = 2) -> str:
        """Return :meth:`to_dict` as JSON text."""
        return json.dumps(
            self.to_dict(),
            indent=indent,
            ensure_ascii=False,
            allow_nan=False,
            default=_json_default,
        )

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Report:
        """Rebuild a report from :meth:`to_dict` output (e.g. a saved ``metrics.json``)."""
        return cls(
            results={k: MetricResult.from_dict(k, v) for k, v in d.get("metrics", {}).items()},
            skipped=dict(d.get("skipped", {})),
            summary=dict(d.get("summary", {})),
            sample=dict(d.get("sample") or {}),
        )

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Report:
        """Read a report from ``metrics.json`` or from the directory holding it."""
        p = Path(path)
        if p.is_dir():
            p = p / "metrics.json"
        return cls.from_dict(json.loads(p.read_text(encoding="utf-8")))

    # ----- text -----------------------------------------------------------------------------
    def rows(self) -> list[dict[str, str]]:
        """Return one display row per result: section, metric, value, reference, goal, good."""
        rows = []
        for sec, rs in self.sections():
            for r in rs:
                ref = ""
                if r.reference is not None:
                    ref = (
                        f"{fmt(r.reference)} ({r.reference_label})"
                        if r.reference_label
                        else fmt(r.reference)
                    )
                goal = _GOAL_WORD[r.goal]
                if r.goal == Goal.TARGET:
                    goal = f"near {fmt(r.target)}"
                rows.append(
                    {
                        "section": sec,
                        "metric": r.name,
                        "value": fmt(r.value),
                        "reference": ref,
                        "goal": goal,
                        "good": r.good,
                        "verdict": verdict(r).status,
                    }
                )
        return rows

    def to_table(self, width: int = 110) -> str:
        """Return a plain-text summary table for a terminal (no colours)."""
        rows = self.rows()
        head = {
            "section": "section",
            "metric": "metric",
            "value": "value",
            "reference": "real reference",
            "goal": "better",
            "verdict": "verdict",
        }
        cols = list(head)
        limit = {"reference": max(20, width - 55)}
        cells = [[_clip(r[c], limit.get(c, 40)) for c in cols] for r in [head, *rows]]
        w = [max(len(row[i]) for row in cells) for i in range(len(cols))]
        lines = [self.headline(), ""]
        for j, row in enumerate(cells):
            lines.append("  ".join(c.ljust(w[i]) for i, c in enumerate(row)).rstrip())
            if j == 0:
                lines.append("  ".join("-" * x for x in w))
        for name, why in self.skipped.items():
            lines.append(f"skipped {name}: {why}")
        return "\n".join(lines)

    def to_markdown(self) -> str:
        """Return the summary as a Markdown table with what good means for each metric."""
        lines = [
            f"**{self.headline()}**",
            "",
            "| section | metric | value | real reference | better | what good means |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for r in self.rows():
            cells = [
                r[c].replace("|", "\\|")
                for c in ("section", "metric", "value", "reference", "goal", "good")
            ]
            lines.append("| " + " | ".join(cells) + " |")
        for name, why in self.skipped.items():
            lines.append(f"\n_skipped {name}: {why}_")
        return "\n".join(lines)

    def headline(self) -> str:
        """Return one line naming the sets and their sizes."""
        sizes = self.summary.get("sizes", {})
        parts = [f"{n} {k}" for k, n in sizes.items() if n]
        return "textsynth evaluation: " + ", ".join(parts) if parts else "textsynth evaluation"

    # ----- HTML and files ---------------------------------------------------------------------
    def to_html(self) -> str:
        """Return the self-contained HTML report (inline SVG plots, no external assets)."""
        from textsynth.metrics.html import render

        return render(self)

    def _repr_html_(self) -> str:  # notebooks
        return self.to_html()

    def save(self, directory: str | os.PathLike[str], *, html: bool = True) -> dict[str, Path]:
        """Write ``metrics.json`` (and ``report.html``) into ``directory`` atomically.

        Returns:
            the written paths by kind (``json``, ``html``).
        """
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        out = {"json": d / "metrics.json"}
        with atomic_write(out["json"]) as fh:
            fh.write(self.to_json())
            fh.write("\n")
        if html:
            out["html"] = d / "report.html"
            with atomic_write(out["html"]) as fh:
                fh.write(self.to_html())
        for p in out.values():
            make_readable(p)
        return out


def make_readable(path: str | os.PathLike[str]) -> None:
    """Give ``path`` the permissions of a normally created file (atomic writes make it 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def _clip(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def _clean(o: Any) -> Any:
    """Return ``o`` with NaN as ``None``, infinities as strings and numpy scalars as Python's."""
    import numpy as np

    if isinstance(o, dict):
        return {str(k): _clean(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_clean(v) for v in o]
    if isinstance(o, np.ndarray):
        return [_clean(v) for v in o.tolist()]
    if isinstance(o, bool | np.bool_):
        return bool(o)
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, float | np.floating):
        f = float(o)
        if math.isnan(f):
            return None
        if math.isinf(f):
            return "Infinity" if f > 0 else "-Infinity"
        return f
    return o


def _json_default(o: Any) -> Any:
    import numpy as np

    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return None if math.isnan(float(o)) else float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, set | frozenset | tuple):
        return sorted(o) if isinstance(o, set | frozenset) else list(o)
    raise TypeError(f"cannot serialise {type(o).__name__} in a report")
