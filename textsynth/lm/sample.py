"""Sample new slot-labelled utterances per intent, filter them, and record their provenance.

Two sources share one loop: a fine-tuned run (:func:`sample`, prompts ``intent: X | lang: en``)
and few-shot prompting of the base instruct model (:func:`prompt_sample`, no training). Each
round generates ``oversample`` times the number still missing per intent, runs the
:class:`~textsynth.lm.filters.FilterChain` and keeps the first survivors; rounds repeat (up to
``max_rounds``) while an intent is short.
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textsynth.errors import ConfigError, InputError
from textsynth.io import read_utterances
from textsynth.lm.config import AUTO_BASE_MODEL, FinetuneConfig, SampleConfig
from textsynth.lm.filters import (
    Candidate,
    DuplicateFilter,
    EmptyValueFilter,
    ExactCopyFilter,
    FidelityFilter,
    Filter,
    FilterChain,
    FilterSummary,
    MarkupFilter,
    NearCopyFilter,
    UnknownLabelFilter,
)
from textsynth.lm.generation import GenerationStats, generate_batched
from textsynth.lm.prompt import few_shot_prompt, finetune_prompt, pick_shots, slots_by_intent
from textsynth.lm.train import RunInfo
from textsynth.types import Utterance

__all__ = ["LoadedRun", "build_filters", "load_run", "prompt_sample", "sample"]

logger = logging.getLogger(__name__)

# (intent, language, how many, round) -> prompts
PromptMaker = Callable[[str, str, int, int], list[str]]


@dataclass
class LoadedRun:
    """A fine-tuned model in memory, with the seeds and facts of its run."""

    model: Any
    tokenizer: Any
    seeds: list[Utterance]
    config: FinetuneConfig
    info: RunInfo
    timings: dict[str, float] = field(default_factory=dict)


def load_run(run_dir: str | Path, *, device: str | None = None, dtype: str = "auto") -> LoadedRun:
    """Load the model of a run directory written by :func:`textsynth.lm.finetune`.

    LoRA adapters are merged into the base weights, so sampling runs at the plain model's speed.
    """
    from textsynth.lm.models import load_causal_lm, load_tokenizer

    run = Path(run_dir)
    cfg_path = run / "config.json"
    if not cfg_path.exists():
        raise InputError(
            f"{run} is not a fine-tuning run (no config.json)",
            hint="point --model at the folder written by `textsynth lm finetune`",
        )
    t0 = time.perf_counter()
    meta = json.loads(cfg_path.read_text(encoding="utf-8"))
    # runs saved before slot hints existed were trained without them
    config = FinetuneConfig.from_dict({"slot_hints": False, **meta["finetune"]})
    info = RunInfo.from_dict(meta["run"])
    seeds = list(read_utterances(run / "seeds.jsonl"))
    if config.method == "lora":
        from peft import PeftModel

        base, _ = load_causal_lm(config.base_model, device="cpu", dtype="float32", tokenizer=False)
        model = PeftModel.from_pretrained(base, str(run / "adapter")).merge_and_unload()
    else:
        model, _ = load_causal_lm(
            str(run / "model"), device="cpu", dtype="float32", tokenizer=False
        )
    from textsynth.lm.models import pick_device, pick_dtype

    dev = pick_device(device)
    model = model.to(device=dev, dtype=pick_dtype(dtype, dev)).eval()
    tok = load_tokenizer(str(run / "tokenizer"))
    return LoadedRun(
        model, tok, seeds, config, info, {"load_seconds": round(time.perf_counter() - t0, 3)}
    )


def build_filters(
    seeds: Sequence[Utterance],
    config: SampleConfig,
    classifier: Any = None,
    *,
    intents: Sequence[str] | None = None,
    base_model: str | None = None,
) -> tuple[list[Filter], list[str]]:
    """Return the filter chain for ``seeds`` and the names of filters that had to be disabled.

    Args:
        seeds: the seed utterances (slot labels, copies and the fidelity classifier come from them).
        config: thresholds.
        classifier: a fitted object with ``prob_of(texts, intents)``; ``None`` trains an
            :class:`~textsynth.classifier.IntentClassifier` on the seeds.
        intents: the intents being generated (intent relabelling moves utterances among them).
        base_model: the reference model of the fluency filter (``None``: the embedded default).
    """
    from textsynth.lm.checks import verification_filters

    filters: list[Filter] = [
        EmptyValueFilter(),
        MarkupFilter(),
        UnknownLabelFilter(seeds, config.label_scope),
    ]
    disabled: list[str] = []
    pre, post = verification_filters(seeds, config, intents=intents, base_model=base_model)
    filters += pre
    filters += [
        ExactCopyFilter(seeds),
        NearCopyFilter(seeds, config.near_copy_ngram, config.near_copy_threshold),
        DuplicateFilter(),
    ]
    if config.fidelity_threshold > 0:
        if classifier is None and len({u.intent for u in seeds}) < 2:
            logger.warning("label-fidelity filter disabled: the seeds have a single intent")
            disabled.append(FidelityFilter.name)
        else:
            if classifier is None:
                from textsynth.classifier import Embedder, IntentClassifier

                embedder = (
                    Embedder(config.embedding_model)
                    if config.fidelity_features == "embeddings"
                    else None
                )
                classifier = IntentClassifier(
                    "embeddings" if config.fidelity_features == "embeddings" else "tfidf",
                    embedder=embedder,
                    seed=config.seed,
                )
                classifier.fit([u.text for u in seeds], [u.intent for u in seeds])
            from textsynth.lm.checks import fidelity_filter

            filters.append(fidelity_filter(seeds, config, classifier, intents))
    else:
        disabled.append(FidelityFilter.name)
    filters += post(disabled)
    return filters, disabled


def _languages(seeds: Sequence[Utterance]) -> dict[str, str]:
    by: dict[str, Counter[str]] = {}
    for u in seeds:
        by.setdefault(u.intent, Counter())[u.language] += 1
    return {i: c.most_common(1)[0][0] for i, c in by.items()}


def _pick_intents(seeds: Sequence[Utterance], intents: Sequence[str] | None) -> list[str]:
    known = sorted({u.intent for u in seeds})
    if not intents:
        return known
    unknown = [i for i in intents if i not in known]
    if unknown:
        raise ConfigError(
            f"intent(s) {', '.join(map(repr, unknown))} have no seeds",
            hint=f"known intents: {', '.join(known)}",
        )
    return list(dict.fromkeys(intents))


def _sample_loop(
    model: Any,
    tokenizer: Any,
    seeds: Sequence[Utterance],
    intents: list[str],
    make_prompts: PromptMaker,
    config: SampleConfig,
    provenance: dict[str, Any],
    source: str,
    classifier: Any,
    stats: GenerationStats | None,
) -> tuple[list[Utterance], FilterSummary]:
    from textsynth.lm.models import torch_threads

    with torch_threads(config.threads):
        return _sample_rounds(
            model,
            tokenizer,
            seeds,
            intents,
            make_prompts,
            config,
            provenance,
            source,
            classifier,
            stats,
        )


def _sample_rounds(
    model: Any,
    tokenizer: Any,
    seeds: Sequence[Utterance],
    intents: list[str],
    make_prompts: PromptMaker,
    config: SampleConfig,
    provenance: dict[str, Any],
    source: str,
    classifier: Any,
    stats: GenerationStats | None,
) -> tuple[list[Utterance], FilterSummary]:
    filters, disabled = build_filters(
        seeds, config, classifier, intents=intents, base_model=provenance.get("model")
    )
    chain = FilterChain(filters)
    chain.summary.disabled = disabled
    lang = _languages(seeds)
    constraint = None
    if config.constrain_markup:
        from textsynth.lm.constrain import build_constraint, labels_for

        constraint = build_constraint(tokenizer, labels_for(seeds, intents, config.label_scope))
        if constraint is None:
            chain.summary.disabled.append("constrained-markup")
    kept: dict[str, list[Utterance]] = {i: [] for i in intents}
    tried = dict.fromkeys(intents, 0)
    passed = dict.fromkeys(intents, 0)
    for rnd in range(config.max_rounds):
        todo = [
            (i, config.per_intent - len(kept[i]))
            for i in intents
            if len(kept[i]) < config.per_intent
        ]
        if not todo:
            break
        prompts: list[str] = []
        owners: list[str] = []
        for intent, missing in todo:
            n = _how_many(missing, tried[intent], passed[intent], config.oversample)
            tried[intent] += n
            prompts += make_prompts(intent, lang[intent], n, rnd)
            owners += [intent] * n
        raw = generate_batched(
            model,
            tokenizer,
            prompts,
            temperature=config.temperature,
            top_p=config.top_p,
            max_new_tokens=config.max_new_tokens,
            batch_size=config.batch_size,
            seed=config.seed * 1009 + rnd,
            stats=stats,
            constraint=constraint,
            keys=owners if constraint is not None else None,
        )
        cands = [Candidate(r, i, lang[i]) for r, i in zip(raw, owners, strict=True)]
        for c in chain.run(cands):
            passed[c.origin_intent] += 1
            if len(kept.get(c.intent, ())) >= config.per_intent or c.intent not in kept:
                chain.summary.surplus += 1
                continue
            assert c.utterance is not None
            meta = {**provenance, "round": rnd, "scores": dict(c.scores)}
            if c.changes:  # relabels by the verification filters, with their reasons
                meta["changes"] = list(c.changes)
            kept[c.intent].append(
                Utterance(
                    text=c.utterance.text,
                    intent=c.intent,
                    spans=c.utterance.spans,
                    language=c.language,
                    source=source,
                    meta=meta,
                )
            )
        logger.info(
            "round %d: %d generated, %d kept so far",
            rnd,
            len(raw),
            sum(len(v) for v in kept.values()),
        )
    out = [u for i in intents for u in kept[i]]
    chain.summary.kept = len(out)
    chain.summary.kept_by_intent = {i: len(kept[i]) for i in intents}
    short = [i for i in intents if len(kept[i]) < config.per_intent]
    if short:
        logger.warning(
            "fewer than %d utterances kept for %s; raise max_rounds or oversample",
            config.per_intent,
            ", ".join(short),
        )
    return out, chain.summary


def _how_many(missing: int, tried: int, passed: int, oversample: float) -> int:
    """Return how many to generate for ``missing`` utterances of an intent.

    The first round asks for ``oversample`` times the number missing; later rounds divide by the
    intent's observed pass rate (at least 5 %, with 20 % headroom, at most 10 times).
    """
    if not tried:
        return math.ceil(missing * oversample)
    rate = max(passed / tried, 0.05)
    return min(math.ceil(missing * 1.2 / rate), missing * 10)


def sample(
    run: str | Path | LoadedRun,
    config: SampleConfig | None = None,
    *,
    intents: Sequence[str] | None = None,
    classifier: Any = None,
    stats: GenerationStats | None = None,
) -> tuple[list[Utterance], FilterSummary]:
    """Sample ``config.per_intent`` filtered utterances per intent from a fine-tuned run.

    Args:
        run: a run directory written by :func:`textsynth.lm.finetune`, or a :class:`LoadedRun`.
        config: sampling and filter settings (defaults if ``None``).
        intents: the intents to generate (default: every intent of the seeds).
        classifier: a fitted fidelity classifier to use instead of training one on the seeds.
        stats: optional accumulator of generation throughput.

    Returns:
        The kept utterances (grouped by intent, in generation order) and the filter summary.
    """
    config = config or SampleConfig()
    loaded = (
        run
        if isinstance(run, LoadedRun)
        else load_run(run, device=config.device, dtype=config.dtype)
    )
    chosen = _pick_intents(loaded.seeds, intents)

    hints = slots_by_intent(loaded.seeds) if loaded.config.slot_hints else {}

    def make_prompts(intent: str, language: str, n: int, rnd: int) -> list[str]:
        slots = hints.get(intent, []) if loaded.config.slot_hints else None
        return [finetune_prompt(intent, language, slots)] * n

    provenance = {
        "generator": "lm-finetuned",
        "model": loaded.config.base_model,
        "method": loaded.config.method,
        "run": loaded.info.run_id,
        "seeds_hash": loaded.info.seeds_hash,
        "seed": config.seed,
        "sampling": config.sampling_params(),
    }
    return _sample_loop(
        loaded.model,
        loaded.tokenizer,
        loaded.seeds,
        chosen,
        make_prompts,
        config,
        provenance,
        f"lm:{loaded.info.run_id}",
        classifier,
        stats,
    )


def prompt_sample(
    seeds: Sequence[Utterance],
    config: SampleConfig | None = None,
    *,
    base_model: str = AUTO_BASE_MODEL,
    intents: Sequence[str] | None = None,
    classifier: Any = None,
    model: tuple[Any, Any] | None = None,
    stats: GenerationStats | None = None,
) -> tuple[list[Utterance], FilterSummary]:
    """Sample utterances by few-shot prompting the base model with seeds (no fine-tuning).

    Each prompt shows ``config.shots`` seeds of the intent, drawn anew for every
    ``config.completions_per_prompt`` completions from a ``random.Random`` seeded by
    ``(config.seed, round, intent)``; the sampler encodes a repeated prompt once.

    Args:
        seeds: labelled seed utterances (scrub them first if they hold real PII).
        config: sampling and filter settings.
        base_model: embedded alias, Hugging Face id or path; "auto" picks SmolLM2 for English
            seeds and Gemma 3 for other languages (when installed).
        intents: the intents to generate (default: every intent of the seeds).
        classifier: a fitted fidelity classifier to use instead of training one on the seeds.
        model: an already loaded ``(model, tokenizer)`` pair to use instead of ``base_model``.
        stats: optional accumulator of generation throughput.
    """
    from textsynth.lm.models import load_causal_lm

    config = config or SampleConfig()
    seeds = list(seeds)
    if not seeds:
        raise InputError("no seed utterances given", hint="pass a JSONL file of labelled seeds")
    chosen = _pick_intents(seeds, intents)
    from textsynth.lm.train import check_seeds

    check_seeds(seeds)
    if base_model == AUTO_BASE_MODEL:
        from textsynth.lm.embedded import default_for_languages

        base_model = default_for_languages(u.language for u in seeds)
    lm, tok = (
        model
        if model is not None
        else load_causal_lm(base_model, device=config.device, dtype=config.dtype)
    )
    by_intent: dict[str, list[Utterance]] = {}
    for u in seeds:
        by_intent.setdefault(u.intent, []).append(u)

    def make_prompts(intent: str, language: str, n: int, rnd: int) -> list[str]:
        rng = random.Random(f"{config.seed}:{rnd}:{intent}")
        out: list[str] = []
        while len(out) < n:
            prompt = few_shot_prompt(
                intent, pick_shots(by_intent[intent], config.shots, rng), language
            )
            out += [prompt] * min(config.completions_per_prompt, n - len(out))
        return out

    provenance = {
        "generator": "lm-prompt",
        "model": base_model,
        "run": "prompt",
        "seed": config.seed,
        "shots": config.shots,
        "sampling": config.sampling_params(),
    }
    return _sample_loop(
        lm,
        tok,
        seeds,
        chosen,
        make_prompts,
        config,
        provenance,
        f"lm:prompt:{base_model}",
        classifier,
        stats,
    )
