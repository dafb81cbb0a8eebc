"""Label fidelity: does an oracle agree with the intended intent, and are the slot spans valid?"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from textsynth.metrics.base import Goal, Metric, MetricResult
from textsynth.metrics.context import EvalContext
from textsynth.registry import metrics as registry
from textsynth.text import normalise_text
from textsynth.types import Utterance

__all__ = ["IntentFidelity", "SpanValidity", "span_errors"]

MAX_EXAMPLES = 5


@registry.register()
class IntentFidelity(Metric):
    """Share of synthetic utterances whose oracle label is the intended intent."""

    name = "intent-fidelity"
    category = "fidelity"
    goal = Goal.MAXIMIZE
    min_value = 0.0
    max_value = 1.0
    needs = ("oracle",)
    description = (
        "An oracle (sentence embeddings + logistic regression trained on real labelled data) "
        "relabels the synthetic utterances (a seeded sample of at most max_embed); share whose "
        "label is the intended intent."
    )
    good = (
        "Near the oracle's accuracy on real test data (the reference) means labels are as "
        "faithful as real data; near chance (1 / number of intents) means labels are noise."
    )

    def compute(self, ctx: EvalContext) -> MetricResult:  # noqa: D102
        pred = np.asarray(ctx.oracle_predictions("synthetic"), dtype=object)
        want = np.asarray([u.intent for u in ctx.model_set("synthetic")], dtype=object)
        ok = pred == want
        oracle = ctx.oracle()
        per_intent: dict[str, dict] = {}
        for it in sorted(set(want.tolist())):
            m = want == it
            wrong = Counter(pred[m & ~ok].tolist())
            n = int(m.sum())
            per_intent[it] = {
                "n": n,
                "fidelity": float(ok[m].mean()),
                "confused_with": {k: v / n for k, v in wrong.most_common(3)},
            }
        rows = sorted(set(want.tolist()))
        cols = sorted(set(oracle.labels) | set(rows))
        col_of = {c: j for j, c in enumerate(cols)}
        row_of = {r: i for i, r in enumerate(rows)}
        matrix = np.zeros((len(rows), len(cols)), dtype=np.int64)
        np.add.at(matrix, ([row_of[w] for w in want], [col_of[p] for p in pred]), 1)
        trained_on = "reference" if ctx.has("reference") else "seeds+holdout"
        oracle_info: dict = {
            "features": ctx.classifier_features,
            "trained_on": trained_on,
            "n_train": len(ctx.oracle_training_set()),
            "labels": oracle.labels,
            "chance": 1.0 / len(oracle.labels),
        }
        ref, label = None, ""
        if ctx.has("test"):
            test_pred = ctx.oracle_predictions("test")
            ref = float(
                np.mean([p == u.intent for p, u in zip(test_pred, ctx.get("test"), strict=True)])
            )
            label = "oracle accuracy on test"
            oracle_info["test_accuracy"] = ref
        unknown = sorted(set(rows) - set(oracle.labels))
        oracle_info["n_relabelled"] = len(want)
        return self.result(
            float(ok.mean()) if len(ok) else None,
            reference=ref,
            reference_label=label,
            breakdown={
                "per_intent": per_intent,
                "confusion": {"rows": rows, "columns": cols, "matrix": matrix.tolist()},
                "oracle": oracle_info,
                "intents_unknown_to_oracle": unknown,
            },
        )


def span_errors(
    utt: Utterance,
    schema: dict[str, set[str]],
    synonyms: set[tuple[str, str]],
) -> list[str]:
    """Return the problems of one utterance's labels, as short kinds.

    Args:
        utt: the utterance.
        schema: intent -> slot labels the seeds use with it.
        synonyms: ``(label, normalised value)`` pairs the seeds use as canonical values.

    Returns:
        kinds among ``unknown-intent``, ``unknown-label``, ``label-not-in-intent``,
        ``out-of-bounds``, ``untrimmed``, ``value-mismatch``.
    """
    errs: list[str] = []
    all_labels = set().union(*schema.values()) if schema else set()
    if utt.intent not in schema:
        errs.append("unknown-intent")
    for s in utt.spans:
        if not 0 <= s.start < s.end <= len(utt.text):
            errs.append("out-of-bounds")
            continue
        surface = utt.text[s.start : s.end]
        if s.label not in all_labels:
            errs.append("unknown-label")
        elif utt.intent in schema and s.label not in schema[utt.intent]:
            errs.append("label-not-in-intent")
        if surface != surface.strip() or not surface.strip():
            errs.append("untrimmed")
        if (
            s.value is not None
            and normalise_text(s.value) != normalise_text(surface)
            and (s.label, normalise_text(s.value)) not in synonyms
        ):
            errs.append("value-mismatch")
    return errs


@registry.register()
class SpanValidity(Metric):
    """Share of synthetic utterances whose intent and every slot span are valid."""

    name = "span-validity"
    category = "fidelity"
    goal = Goal.MAXIMIZE
    min_value = 0.0
    max_value = 1.0
    description = (
        "Share of synthetic utterances with a known intent and only valid spans: offsets in "
        "bounds, no surrounding spaces, value matching the text (or a seed synonym), label in "
        "the seeds' slot schema for that intent. Unreadable records count as invalid."
    )
    good = "1.0: every record is usable as training data."

    def compute(self, ctx: EvalContext) -> MetricResult:  # noqa: D102
        from textsynth.metrics.sources import source_group

        schema: dict[str, set[str]] = defaultdict(set)
        synonyms: set[tuple[str, str]] = set()
        for u in [*ctx.get("seeds"), *ctx.get("reference")]:
            schema[u.intent].update(s.label for s in u.spans)
            synonyms.update(
                (s.label, normalise_text(s.value)) for s in u.spans if s.value is not None
            )
        # the grammar declares its own intents, slot labels and synonyms (`text = value`): what
        # it makes is valid by construction, so its schema and synonyms count as known
        seed_labels = set().union(*schema.values()) if schema else set()
        grammar_only: dict[str, set[str]] = defaultdict(set)
        n_grammar_syn = 0
        for u in ctx.get("synthetic"):
            if source_group(u) != "grammar":
                continue
            for s in u.spans:
                if s.label not in seed_labels:
                    grammar_only[s.label].add(u.intent)
                schema[u.intent].add(s.label)
                if s.value is not None and (s.label, normalise_text(s.value)) not in synonyms:
                    synonyms.add((s.label, normalise_text(s.value)))
                    n_grammar_syn += 1
            schema.setdefault(u.intent, set())
        kinds: Counter[str] = Counter()
        examples: dict[str, list[str]] = defaultdict(list)
        per_intent: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        n_bad = len(ctx.rejected)
        if ctx.rejected:
            kinds["unreadable"] = len(ctx.rejected)
            examples["unreadable"] = list(ctx.rejected[:MAX_EXAMPLES])
        for u in ctx.synthetic:
            errs = span_errors(u, schema, synonyms)
            per_intent[u.intent][0] += 1
            if errs:
                n_bad += 1
                per_intent[u.intent][1] += 1
                for k in sorted(set(errs)):
                    kinds[k] += 1
                    if len(examples[k]) < MAX_EXAMPLES:
                        examples[k].append(_markup_values(u))
        total = len(ctx.synthetic) + len(ctx.rejected)
        n_spans = sum(len(u.spans) for u in ctx.synthetic)
        return self.result(
            (total - n_bad) / total if total else None,
            breakdown={
                "n_records": total,
                "n_invalid": n_bad,
                "n_spans": n_spans,
                "errors": dict(sorted(kinds.items())),
                "examples": dict(examples),
                "per_intent": {
                    k: {"n": v[0], "validity": (v[0] - v[1]) / v[0]}
                    for k, v in sorted(per_intent.items())
                },
                "schema": {k: sorted(v) for k, v in sorted(schema.items())},
                "grammar_synonyms": n_grammar_syn,
                "labels_only_in_grammar": {k: sorted(v) for k, v in sorted(grammar_only.items())},
                "notes": _notes(grammar_only, n_grammar_syn),
            },
        )


def _notes(grammar_only: dict[str, set[str]], n_syn: int) -> list[str]:
    """Explain what the grammar adds to the seeds' schema (the report shows these)."""
    out = []
    for label, intents in sorted(grammar_only.items()):
        out.append(
            f"slot label {label!r} (intent {', '.join(sorted(intents))}) comes from the grammar "
            "only: no seed uses it. It counts as valid because the grammar declares it, but the "
            "seed slot tagger learns it from grammar utterances alone; add a few seeds with it "
            "to check it against real text"
        )
    if n_syn:
        out.append(
            f"{n_syn} synonym value(s) declared by the grammar (`text = value`) count as "
            "canonical values, not as value mismatches"
        )
    return out


def _markup(u: Utterance) -> str:
    """Return ``intent: text`` with ``[surface](label)`` markup, for examples in the report."""
    out, pos = [], 0
    for s in u.spans:
        out.append(u.text[pos : s.start])
        out.append(f"[{u.text[s.start : s.end]}]({s.label})")
        pos = s.end
    out.append(u.text[pos:])
    return f"{u.intent}: {''.join(out)}"


def _markup_values(u: Utterance) -> str:
    """Return :func:`_markup` with ``label=value`` where the value differs from the text."""
    out, pos = [], 0
    for s in u.spans:
        out.append(u.text[pos : s.start])
        surface = u.text[s.start : s.end]
        tag = s.label if s.value is None or s.value == surface else f"{s.label}={s.value}"
        out.append(f"[{surface}]({tag})")
        pos = s.end
    out.append(u.text[pos:])
    return f"{u.intent}: {''.join(out)}"
