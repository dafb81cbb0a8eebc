"""Token-level PII detection scores for eval/bench_pii.py (type-agnostic, coarse labels).

A gold token is a token overlapping a gold span whose coarse label is not OTHER; tokens covered
only by OTHER spans are left out of the evaluation; a token counts as predicted if any
predicted span covers it entirely. Precision, recall and F-beta (beta=2) over tokens, and recall
per coarse type.
"""

from __future__ import annotations

import re
from collections import Counter

TOKEN = re.compile(r"\w+|[^\w\s]")


def score(
    records: list[dict],
    predictions: list[list[tuple[int, int]]],
    label_map: dict[str, str],
    beta: float = 2.0,
) -> dict:
    """Return ``{"precision", "recall", "f2", "recall_by_type", "tokens"}``."""
    tp = fp = fn = 0
    by_type_tp: Counter[str] = Counter()
    by_type_n: Counter[str] = Counter()
    for rec, pred in zip(records, predictions, strict=False):
        text = rec["text"]
        gold = [(s["start"], s["end"], label_map.get(s["label"], "OTHER")) for s in rec["spans"]]
        pred = sorted(pred)
        for m in TOKEN.finditer(text):
            a, b = m.span()
            labels = {lab for s, e, lab in gold if s < b and a < e}
            covered = any(s <= a and b <= e for s, e in pred)
            real = labels - {"OTHER"}
            if not real and labels:
                continue  # only OTHER: not evaluated
            if real:
                lab = sorted(real)[0]
                by_type_n[lab] += 1
                if covered:
                    tp += 1
                    by_type_tp[lab] += 1
                else:
                    fn += 1
            elif covered:
                fp += 1
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    b2 = beta * beta
    f = (1 + b2) * p * r / (b2 * p + r) if p + r else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f2": round(f, 4),
        "recall_by_type": {k: round(by_type_tp[k] / n, 4) for k, n in sorted(by_type_n.items())},
        "tokens": {"tp": tp, "fp": fp, "fn": fn},
    }
