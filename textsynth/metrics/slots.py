"""Slot fidelity: do the generated slot spans agree with what a slot tagger sees in the text?

The tagger is a CRF (:class:`textsynth.slots.SlotTagger`). By default it is trained on the seeds
plus the utterances the grammar made (their spans are right by construction): a weak judge
trained on little data, whose disagreements are worth reading but whose F1 is only a rough
figure. Benchmarks pass ``slot_tagger="reference"``: an *oracle* trained on a full labelled
training set (SNIPS: span F1 0.95 on its test set), a strong judge.

Precision is the share of generated spans the tagger finds too (same words, same label): low
precision means wrong labels or misplaced spans. Recall is the share of the tagger's spans the
generator labelled: low recall means slots left unlabelled.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from textsynth.metrics.base import Goal, Metric, MetricResult
from textsynth.metrics.context import EvalContext
from textsynth.metrics.sources import source_group
from textsynth.metrics.tagger_choice import TRUST, build_tagger
from textsynth.registry import metrics as registry
from textsynth.slots.scoring import score_spans
from textsynth.types import Span

if TYPE_CHECKING:
    from textsynth.slots import SlotTagger

__all__ = ["SlotFidelity", "TRUST", "build_tagger", "disagreements"]

MAX_EXAMPLES = 8


def _surface(text: str, s: Span) -> str:
    return text[s.start : s.end]


def disagreements(text: str, generated: Sequence[Span], tagged: Sequence[Span]) -> list[str]:
    """Return, in words, where the generated spans and the tagger's differ on one text."""
    from textsynth.slots.tokens import token_range, tokenise

    toks = tokenise(text)

    def keyed(spans: Sequence[Span]) -> dict[tuple[int, int, str], Span]:
        out = {}
        for s in spans:
            r = token_range(toks, s)
            if r is not None:
                out[(r[0], r[1], s.label)] = s
        return out

    gmap, tmap = keyed(generated), keyed(tagged)
    out: list[str] = []
    matched_t: set[tuple[int, int, str]] = set()
    for key, g in gmap.items():
        if key in tmap:
            matched_t.add(key)
            continue
        over = [k for k in tmap if k[0] < key[1] and key[0] < k[1] and k not in matched_t]
        if not over:
            out.append(f"'{_surface(text, g)}' is labelled {g.label}; the tagger sees no slot")
            continue
        k = over[0]
        matched_t.add(k)
        t = tmap[k]
        if k[2] != key[2]:
            out.append(f"'{_surface(text, g)}' is labelled {g.label}; the tagger says {t.label}")
        else:
            out.append(
                f"'{_surface(text, g)}' ({g.label}): the tagger's span is '{_surface(text, t)}'"
            )
    for key, t in tmap.items():
        if key not in matched_t and key not in gmap:
            out.append(f"'{_surface(text, t)}' looks like {t.label} to the tagger; not labelled")
    return out


def _scores_dict(sc: Any) -> dict[str, Any]:
    return {**sc.micro(), "macro_f1": sc.macro_f1()}


@registry.register()
class SlotFidelity(Metric):
    """Span F1 of the generated slot spans against a slot tagger's prediction on the same text."""

    name = "slot-fidelity"
    category = "fidelity"
    goal = Goal.MAXIMIZE
    min_value = 0.0
    max_value = 1.0
    description = (
        "Span-exact micro F1 between the generated slot spans and a slot tagger's spans on the "
        "same text (same words, same label). Precision: share of generated spans the tagger "
        "confirms; recall: share of the tagger's spans the generator labelled."
    )
    good = (
        "Near the tagger's own F1 on real data (the reference) means the slots are as right as "
        "real labels. The default tagger is trained on the seeds: weak, a rough figure; an "
        "oracle tagger (--slot-tagger reference) is strong."
    )

    def compute(self, ctx: EvalContext) -> MetricResult:  # noqa: D102
        tagger, info = ctx.slot_tagger_model()
        syn = list(ctx.get("synthetic"))
        pred = ctx.tagger_predictions("synthetic")
        texts = [u.text for u in syn]
        sc = score_spans(texts, pred, [u.spans for u in syn])
        per_label = {}
        for label, v in sc.per_label().items():
            per_label[label] = {
                "precision": v["precision"],
                "recall": v["recall"],
                "f1": v["f1"],
                "generated": v["tp"] + v["fp"],  # type: ignore[operator]
                "tagger": v["tp"] + v["fn"],  # type: ignore[operator]
                "known_to_tagger": label in tagger.labels,
            }
        groups: dict[str, list[int]] = defaultdict(list)
        for i, u in enumerate(syn):
            groups[source_group(u)].append(i)
        per_source = {}
        if len(groups) > 1:
            for g, idx in sorted(groups.items()):
                s = score_spans(
                    [texts[i] for i in idx], [pred[i] for i in idx], [syn[i].spans for i in idx]
                )
                per_source[g] = {"n": len(idx), **_scores_dict(s)}
        examples: dict[str, list[str]] = defaultdict(list)
        kinds: Counter[str] = Counter()
        n_disagree = 0
        looked = ctx.sample_indices(len(syn), min(len(syn), 5000), "slot-examples")
        for i in looked:
            d = disagreements(texts[i], syn[i].spans, pred[i])
            if d:
                n_disagree += 1
            for msg in d:
                kind = (
                    "wrong label"
                    if "the tagger says" in msg
                    else "boundary"
                    if "span is" in msg
                    else "no slot there"
                    if "sees no slot" in msg
                    else "slot not labelled"
                )
                kinds[kind] += 1
                if len(examples[kind]) < MAX_EXAMPLES:
                    examples[kind].append(f"{syn[i].intent}: {texts[i]}  → {msg}")
        unknown = sorted({s.label for u in syn for s in u.spans} - set(tagger.labels) - {"O"})
        ref, ref_label = self._reference(ctx, tagger, info)
        notes = []
        if unknown:
            notes.append(
                "labels the tagger never saw in training (every such span counts as a "
                f"disagreement): {', '.join(unknown)}"
            )
        if not any(u.spans for u in syn):
            notes.append("the synthetic utterances carry no slot span at all")
        f1 = sc.f1
        if f1 is None:
            notes.append("neither the synthetic spans nor the tagger have any slot: F1 undefined")
        return self.result(
            f1,
            reference=ref,
            reference_label=ref_label,
            breakdown={
                "micro": _scores_dict(sc),
                "per_label": per_label,
                "confusion": {
                    **sc.confusion_table(),
                    "note": "rows: generated label, columns: tagger label; O = no slot",
                },
                "per_source": per_source,
                "tagger": info,
                "labels_unknown_to_tagger": unknown,
                "examples": dict(examples),
                "disagreements": {
                    "utterances_read": len(looked),
                    "utterances_disagreeing": n_disagree,
                    **dict(kinds.most_common()),
                },
                "n_utterances": len(syn),
                "notes": notes,
            },
        )

    @staticmethod
    def _reference(
        ctx: EvalContext, tagger: SlotTagger, info: dict[str, Any]
    ) -> tuple[float | None, str]:
        """Return the tagger's own span F1 on real data it did not train on, if there is some."""
        names = ["test", "holdout"] if info["kind"] == "reference" else ["holdout", "test"]
        for name in names:
            real = [u for u in ctx.get(name) if u.spans]
            if real:
                pred = ctx.tagger_predictions(name)
                full = list(ctx.get(name))
                sc = score_spans([u.text for u in full], [u.spans for u in full], pred)
                info[f"f1_on_{name}"] = sc.f1
                return sc.f1, f"tagger's own span F1 on the {name} set"
        return None, ""
