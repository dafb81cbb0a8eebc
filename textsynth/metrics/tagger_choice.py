"""Which slot tagger judges the generated spans: the seeds' CRF (weak) or an oracle (strong)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textsynth.metrics.base import IncomputableMetricError
from textsynth.metrics.sources import source_group
from textsynth.types import Utterance

if TYPE_CHECKING:
    from textsynth.metrics.context import EvalContext
    from textsynth.slots import SlotTagger

__all__ = ["TRUST", "build_tagger"]

TRUST = {
    "seeds": (
        "weak: a CRF trained on the seeds (plus the grammar's utterances when there are some); "
        "with tens of seeds it misses many real slots, so read its disagreements as hints and "
        "compare runs on the same seeds rather than trusting the F1 as such"
    ),
    "reference": (
        "strong: an oracle CRF trained on a full labelled training set (on SNIPS it reaches "
        "span F1 0.95 on the official test set); its disagreements are mostly real errors"
    ),
    "given": "a tagger passed in by the caller; its quality is what it was measured to be",
}


def _is_grammar(u: Utterance) -> bool:
    return source_group(u) == "grammar"


def build_tagger(ctx: EvalContext) -> tuple[SlotTagger, dict[str, Any]]:
    """Return the tagger ``ctx.slot_tagger`` asks for and a description of it.

    Raises:
        IncomputableMetricError: the tagger cannot be built (no slot spans to learn from, a
            label it cannot learn, no reference set for the oracle); the message says why.
    """
    from textsynth.slots import SlotTagger
    from textsynth.slots.tagger import SlotTaggerError

    choice = ctx.slot_tagger
    if isinstance(choice, SlotTagger):
        return choice, {"kind": "given", "trust": TRUST["given"], "n_train": choice.n_train}
    if isinstance(choice, str | Path) and str(choice) not in ("seeds", "reference", "oracle"):
        tagger = SlotTagger.load(choice)
        return tagger, {"kind": "given", "path": str(choice), "trust": TRUST["given"]}
    kind = "reference" if str(choice) in ("reference", "oracle") else "seeds"
    if kind == "reference":
        if not ctx.has("reference"):
            raise IncomputableMetricError(
                "the oracle slot tagger needs a labelled reference set (--reference)"
            )
        data = list(ctx.get("reference"))
        trained_on = f"reference ({len(data)} utterances)"
        algorithm, iters = "lbfgs", 100
    else:
        seeds = list(ctx.get("seeds"))
        cap = ctx.max_tagger_train or len(seeds)
        if len(seeds) > cap:
            seeds = [seeds[i] for i in ctx.sample_indices(len(seeds), cap, "tagger-seeds")]
        syn = ctx.get("synthetic")
        g_idx = [i for i, u in enumerate(syn) if _is_grammar(u)]
        room = max(cap - len(seeds), 0)
        if len(g_idx) > room:
            g_idx = [g_idx[i] for i in ctx.sample_indices(len(g_idx), room, "tagger-gram")]
        grammar = [syn[i] for i in g_idx]
        data = seeds + grammar
        trained_on = f"{len(seeds)} seeds" + (
            f" + {len(grammar)} grammar utterances" if grammar else ""
        )
        algorithm, iters = "lbfgs", 50
        if not any(u.spans for u in seeds) and not any(u.spans for u in grammar):
            raise IncomputableMetricError(
                f"slot fidelity is not computable: none of the {len(ctx.get('seeds'))} seed "
                "utterances has a slot span, so there is no slot to learn or to compare with "
                "(give seeds with labelled slots, or a labelled --reference with "
                "--slot-tagger reference)"
            )
        if len(g_idx) >= 2:
            # the grammar utterances it trains on are judged by taggers that did not see them
            folds = []
            order = ctx.rng("tagger-folds").permutation(len(g_idx))
            for k in (0, 1):
                judged = {g_idx[j] for j in order[k::2]}
                rest = [syn[i] for i in g_idx if i not in judged]
                try:
                    fold = SlotTagger.train(
                        seeds + rest, seed=ctx.seed, algorithm=algorithm, max_iterations=iters
                    )
                except SlotTaggerError:
                    continue  # this half cannot train alone; the main tagger judges it
                folds.append((fold, judged))
            ctx._cache["slot-tagger-folds"] = folds
    try:
        tagger = SlotTagger.train(data, seed=ctx.seed, algorithm=algorithm, max_iterations=iters)
    except SlotTaggerError as exc:
        raise IncomputableMetricError(f"slot fidelity is not computable: {exc}") from exc
    info = {
        "kind": kind,
        "trained_on": trained_on,
        "n_train": tagger.n_train,
        "algorithm": f"CRF ({algorithm}, {iters} iterations, sklearn-crfsuite)",
        "labels": list(tagger.labels),
        "trust": TRUST[kind],
    }
    if ctx._cache.get("slot-tagger-folds"):
        info["cross_fitted"] = (
            "the grammar utterances it trained on were judged by two taggers each trained "
            "without half of them (2-fold cross-fitting), not by a tagger that saw them"
        )
    if tagger.dropped:
        info["spans_not_on_words"] = tagger.dropped
    return tagger, info
