"""A verdict per metric: pass, warn or fail against a stated threshold.

Each rule is stated in words next to the verdict, so a reader sees why. Rules compare with the
real-data reference where the metric has one (a synthetic set is judged against what real data
scores), and with fixed thresholds otherwise. Metrics without a rule, or whose rule needs a
reference that was not computed, get ``info``.
"""

from __future__ import annotations

from dataclasses import dataclass

from textsynth.metrics.base import MetricResult

__all__ = ["RULES", "Rule", "Verdict", "verdict"]


@dataclass(frozen=True)
class Rule:
    """How to judge a value.

    Attributes:
        kind: ``at_least`` (value >= pass / warn), ``at_most`` (value <= pass / warn),
            ``ratio`` (value / reference >= pass / warn), ``over_ref`` (value - reference <=
            pass / warn; reference 0 when missing), ``near`` (|value - target| <= pass / warn).
        pass_at: the threshold for pass.
        warn_at: the threshold for warn (fail beyond it).
        target: for ``near``.
    """

    kind: str
    pass_at: float
    warn_at: float
    target: float = 0.0


@dataclass(frozen=True)
class Verdict:
    """``status`` (pass, warn, fail or info) and the ``rule`` in words."""

    status: str
    rule: str

    def to_dict(self) -> dict[str, str]:
        """Return the JSON form."""
        return {"status": self.status, "rule": self.rule}


RULES: dict[str, Rule] = {
    "distinct-1": Rule("ratio", 0.9, 0.75),
    "distinct-2": Rule("ratio", 0.9, 0.75),
    "distinct-3": Rule("ratio", 0.9, 0.75),
    "embedding-diversity": Rule("ratio", 0.9, 0.75),
    "self-bleu": Rule("over_ref", 0.05, 0.15),
    "length-distribution": Rule("over_ref", 0.10, 0.25),
    "intent-fidelity": Rule("ratio", 0.95, 0.85),
    "span-validity": Rule("at_least", 0.98, 0.90),
    "slot-fidelity": Rule("ratio", 0.85, 0.65),
    "fluency": Rule("over_ref", 0.05, 0.15),
    "tstr-accuracy": Rule("ratio", 0.9, 0.75),
    "augmentation-gain": Rule("at_least", 0.0, -0.01),
    "exact-match": Rule("over_ref", 0.02, 0.10),
    "ngram-overlap": Rule("over_ref", 0.05, 0.15),
    "dcr": Rule("ratio", 0.9, 0.7),
    "dcr-share": Rule("near", 0.1, 0.2, target=0.5),
    "nndr": Rule("ratio", 0.9, 0.7),
    "canary-exposure": Rule("at_most", 3.0, 5.0),
}

# without a reference, these fall back to a fixed threshold (else they are info only)
FALLBACK: dict[str, Rule] = {
    "intent-fidelity": Rule("at_least", 0.9, 0.75),
    "slot-fidelity": Rule("at_least", 0.8, 0.6),
    "tstr-accuracy": Rule("at_least", 0.8, 0.6),
}


def _f(x: float) -> str:
    return f"{x:.2f}" if abs(x) >= 0.01 or x == 0 else f"{x:.3g}"


def verdict(result: MetricResult) -> Verdict:
    """Return the verdict of one result under :data:`RULES`."""
    v, ref = result.value, result.reference
    rule = RULES.get(result.name)
    if rule is not None and rule.kind == "ratio" and (ref is None or ref <= 0):
        rule = FALLBACK.get(result.name)
    if rule is None:
        return Verdict("info", "no threshold: read it against its description")
    if v is None:
        return Verdict("info", "no value")
    p, w = rule.pass_at, rule.warn_at
    if rule.kind == "at_least":
        status = "pass" if v >= p else "warn" if v >= w else "fail"
        text = f"pass ≥ {_f(p)}, warn ≥ {_f(w)}, else fail"
    elif rule.kind == "at_most":
        status = "pass" if v <= p else "warn" if v <= w else "fail"
        text = f"pass ≤ {_f(p)}, warn ≤ {_f(w)}, else fail"
    elif rule.kind == "ratio":
        assert ref is not None
        r = v / ref
        status = "pass" if r >= p else "warn" if r >= w else "fail"
        text = (
            f"value / reference = {_f(r)}: pass ≥ {_f(p)} (value ≥ {_f(p * ref)}), "
            f"warn ≥ {_f(w)} (≥ {_f(w * ref)}), else fail"
        )
    elif rule.kind == "over_ref":
        base = ref if ref is not None else 0.0
        d = v - base
        status = "pass" if d <= p else "warn" if d <= w else "fail"
        what = "reference" if ref is not None else "0 (no reference)"
        text = (
            f"pass ≤ {what} + {_f(p)} (≤ {_f(base + p)}), warn ≤ + {_f(w)} "
            f"(≤ {_f(base + w)}), else fail"
        )
    else:  # near
        d = abs(v - rule.target)
        status = "pass" if d <= p else "warn" if d <= w else "fail"
        text = f"pass within {_f(p)} of {_f(rule.target)}, warn within {_f(w)}, else fail"
    return Verdict(status, text)
