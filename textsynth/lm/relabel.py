"""Intent relabelling: move an utterance to the intent the seed classifier is sure of.

LAMBADA and PromptMix keep a generated utterance that reads as another intent by moving it there
instead of throwing it away. :class:`IntentRelabelFilter` is the label-fidelity filter with that
step added: an utterance whose own intent gets less than ``threshold``, or less than another
intent, is moved to the classifier's top intent when that intent gets at least
``relabel_threshold``, is one of the intents being generated, and allows every slot label the
utterance carries. The move is recorded on the candidate (``meta["changes"]`` of the kept
utterance, and the filter summary); the utterance then counts toward its new intent's quota.
Anything else that fails is rejected, with the classifier's view as the reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from textsynth.lm.filters import Candidate, FidelityFilter

__all__ = ["IntentRelabelFilter"]


class IntentRelabelFilter(FidelityFilter):
    """Label-fidelity filter that relabels confident other-intent utterances.

    Args:
        classifier: fitted, with ``predict_proba(texts)`` and ``labels`` (e.g.
            :class:`textsynth.classifier.IntentClassifier`).
        threshold: least probability of the utterance's own intent to keep it as is (tau).
        relabel_threshold: least probability of another intent to move the utterance there.
        labels_by_intent: slot labels each intent allows (a move must not bring foreign labels).
        targets: intents an utterance may move to (default: all the classifier knows).
    """

    name = "label-fidelity"

    def __init__(
        self,
        classifier: Any,
        threshold: float = 0.5,
        relabel_threshold: float = 0.8,
        labels_by_intent: Mapping[str, Sequence[str]] | None = None,
        targets: Sequence[str] | None = None,
    ) -> None:
        super().__init__(classifier, threshold)
        self.relabel_threshold = relabel_threshold
        self.labels = {i: set(v) for i, v in (labels_by_intent or {}).items()}
        self.targets = set(targets) if targets is not None else None

    def keep(self, candidates: Sequence[Candidate]) -> list[bool]:  # noqa: D102
        if not candidates:
            return []
        out = []
        for c, (own, by) in zip(candidates, self.read(candidates), strict=True):
            if self.passes(own, by):
                out.append(True)
                continue
            top, pt = max(by.items(), key=lambda t: t[1])
            assert c.utterance is not None
            slot_labels = {s.label for s in c.utterance.spans}
            fits = (self.targets is None or top in self.targets) and (
                not self.labels or slot_labels <= self.labels.get(top, set())
            )
            if top != c.intent and pt >= self.relabel_threshold and fits:
                c.note(
                    self.name,
                    "relabelled",
                    f"intent {c.intent} -> {top} (classifier p={pt:.2f} vs {own:.2f})",
                    old=c.intent,
                    new=top,
                )
                c.intent = top
                c.utterance = c.utterance.__class__(
                    c.utterance.text,
                    top,
                    c.utterance.spans,
                    c.utterance.language,
                    c.utterance.source,
                    dict(c.utterance.meta),
                )
                c.scores["intent_prob"] = round(pt, 4)
                out.append(True)
                continue
            why = "foreign slot labels" if top != c.intent and pt >= self.relabel_threshold else ""
            what = "another intent on top" if own >= self.threshold else "low intent probability"
            c.note(
                self.name,
                "rejected",
                f"{what}: {c.intent} p={own:.2f}; top {top} p={pt:.2f}"
                + (f" ({why})" if why else ""),
            )
            out.append(False)
        return out
