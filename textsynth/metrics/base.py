"""The metric base class: a declared goal and range, one ``compute(ctx)`` returning a result.

Each metric is a small class registered by name in ``textsynth.registry.metrics`` (SDMetrics'
shape: goal and range are class attributes, so a report can rank and normalise every metric the
same way). ``compute`` is always an instance method taking an :class:`EvalContext`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar

from textsynth.errors import TextsynthError

if TYPE_CHECKING:
    from textsynth.metrics.context import EvalContext

__all__ = ["Goal", "IncomputableMetricError", "Metric", "MetricResult"]


class Goal(str, Enum):
    """What a good value is: as high as possible, as low as possible, or near a target."""

    MAXIMIZE = "maximize"
    MINIMIZE = "minimize"
    TARGET = "target"
    IGNORE = "ignore"


class IncomputableMetricError(TextsynthError):
    """A metric cannot be computed from what was given (e.g. no holdout, embeddings off)."""


@dataclass
class MetricResult:
    """The value of one metric, what good means, a real-data reference and the details.

    Attributes:
        name: registry name of the metric.
        value: the headline number (``None`` when undefined, e.g. an empty set).
        goal: the metric's :class:`Goal`.
        min_value: smallest possible value.
        max_value: largest possible value (``math.inf`` allowed).
        target: the ideal value when ``goal`` is ``TARGET``.
        description: what is measured.
        good: what a good value is, in words.
        reference: the same measure on real data (a holdout where there is one), if any.
        reference_label: what ``reference`` was computed on.
        breakdown: details (per intent, counts, histograms); JSON-serialisable.
        category: ``diversity``, ``fidelity``, ``utility``, ``memorisation`` or ``other``.
    """

    name: str
    value: float | None
    goal: Goal
    min_value: float
    max_value: float
    target: float | None = None
    description: str = ""
    good: str = ""
    reference: float | None = None
    reference_label: str = ""
    breakdown: dict[str, Any] = field(default_factory=dict)
    category: str = "other"

    @property
    def score(self) -> float | None:
        """Return the value mapped to [0, 1], 1 = best (``None`` for unbounded or ignored)."""
        return score_to_unit(self.value, self.goal, self.min_value, self.max_value, self.target)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict with stable keys."""
        return {
            "category": self.category,
            "value": _num(self.value),
            "score": _num(self.score),
            "goal": self.goal.value,
            "target": _num(self.target),
            "min_value": _num(self.min_value),
            "max_value": _num(self.max_value),
            "reference": _num(self.reference),
            "reference_label": self.reference_label,
            "description": self.description,
            "good": self.good,
            "breakdown": self.breakdown,
        }

    @classmethod
    def from_dict(cls, name: str, d: dict[str, Any]) -> MetricResult:
        """Rebuild a result from :meth:`to_dict` output."""

        def f(x: Any, default: float | None = None) -> float | None:
            if x is None:
                return default
            return float(x) if not isinstance(x, str) else float(x.replace("Infinity", "inf"))

        return cls(
            name=name,
            value=f(d.get("value")),
            goal=Goal(d.get("goal", "ignore")),
            min_value=f(d.get("min_value"), 0.0),  # type: ignore[arg-type]
            max_value=f(d.get("max_value"), math.inf),  # type: ignore[arg-type]
            target=f(d.get("target")),
            description=d.get("description", ""),
            good=d.get("good", ""),
            reference=f(d.get("reference")),
            reference_label=d.get("reference_label", ""),
            breakdown=dict(d.get("breakdown") or {}),
            category=d.get("category", "other"),
        )


def _num(x: float | None) -> float | str | None:
    """Return ``x`` as JSON can hold it (infinities as strings)."""
    if x is None:
        return None
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if math.isnan(x):
        return None
    return float(x)


def score_to_unit(
    value: float | None, goal: Goal, lo: float, hi: float, target: float | None
) -> float | None:
    """Map ``value`` to [0, 1] with 1 best, given the goal and range (SDMetrics' ``normalize``)."""
    if value is None or goal == Goal.IGNORE or math.isinf(lo) or math.isinf(hi) or hi <= lo:
        return None
    v = min(max(value, lo), hi)
    if goal == Goal.MAXIMIZE:
        return (v - lo) / (hi - lo)
    if goal == Goal.MINIMIZE:
        return (hi - v) / (hi - lo)
    assert target is not None
    span = max(target - lo, hi - target)
    return 1.0 - abs(v - target) / span if span > 0 else 1.0


class Metric:
    """Base class of every metric: subclasses declare the class attributes and ``compute``.

    Class attributes:
        name: registry key, lower-case and hyphenated (``"self-bleu"``).
        category: the report section (``diversity``, ``fidelity``, ``utility``, ``memorisation``).
        goal: :class:`Goal`.
        min_value / max_value: the range of the value.
        target: ideal value when ``goal`` is ``TARGET``.
        description: what is measured (one sentence).
        good: what a good value is, with the real-data reference where one exists.
        needs: what the context must provide: any of ``"embeddings"``, ``"holdout"``, ``"test"``,
            ``"oracle"`` (a labelled real set to train the oracle), ``"classifier"`` (intent
            classifiers enabled).
    """

    name: ClassVar[str] = ""
    category: ClassVar[str] = "other"
    goal: ClassVar[Goal] = Goal.IGNORE
    min_value: ClassVar[float] = 0.0
    max_value: ClassVar[float] = 1.0
    target: ClassVar[float | None] = None
    description: ClassVar[str] = ""
    good: ClassVar[str] = ""
    needs: ClassVar[tuple[str, ...]] = ()

    def compute(self, ctx: EvalContext) -> MetricResult:
        """Compute the metric on ``ctx``; raise ``IncomputableMetricError`` when it cannot."""
        raise NotImplementedError

    def result(
        self,
        value: float | None,
        *,
        reference: float | None = None,
        reference_label: str = "",
        breakdown: dict[str, Any] | None = None,
    ) -> MetricResult:
        """Return a :class:`MetricResult` carrying this metric's declared goal and range."""
        return MetricResult(
            name=self.name,
            value=None if value is None else float(value),
            goal=self.goal,
            min_value=self.min_value,
            max_value=self.max_value,
            target=self.target,
            description=self.description,
            good=self.good,
            reference=None if reference is None else float(reference),
            reference_label=reference_label,
            breakdown=breakdown or {},
            category=self.category,
        )
