"""Sample new slot-labelled utterances per intent, filter them, and record their provenance.

Two sources share one loop: a fine-tuned run (:func:`sample`, prompts ``intent: X | lang: en``)
and few-shot prompting of the base instruct model (:func:`prompt_sample`, no training). Each
round generates ``oversample`` times the number still missing per intent, runs the
:class:`~textsynth.lm.filters.FilterChain` and keeps the first survivors; rounds repeat (up to
``max_rounds``) while an intent is short.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import math
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textsynth.errors import ConfigError, InputError
from textsynth.io import read_utterances
from textsynth.lm.backends import Backend, GenParams, Request
from textsynth.lm.cache import RequestCache
from textsynth.lm.config import AUTO_BASE_MODEL, DEFAULT_BASE_MODEL, FinetuneConfig, SampleConfig
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
from textsynth.lm.generation import GenerationStats
from textsynth.lm.prompt import few_shot_prompt, finetune_prompt, pick_shots, slots_by_intent
from textsynth.lm.train import RunInfo
from textsynth.types import Utterance

if TYPE_CHECKING:
    from textsynth.lm.plans import ValuePlan

__all__ = ["LoadedRun", "RunOptions", "build_filters", "load_run", "prompt_sample", "sample"]

logger = logging.getLogger(__name__)

# (intent, language, how many, round) -> one (prompt, value plan or None) per request
# (``plans``: False once the model has shown that it does not follow value plans)
PromptMaker = Callable[[str, str, int, int, bool], list[tuple[str, "ValuePlan | None"]]]
# planned outputs a round must have seen, and the least share keeping their plan, to go on
# asking with plans (below it the remaining rounds ask without)
PLAN_CHECK_AFTER, PLAN_MIN_FOLLOWED = 40, 0.2


@dataclass
class LoadedRun:
    """A fine-tuned model in memory, with the seeds and facts of its run."""

    model: Any
    tokenizer: Any
    seeds: list[Utterance]
    config: FinetuneConfig
    info: RunInfo
    timings: dict[str, float] = field(default_factory=dict)


def read_run(run_dir: str | Path) -> LoadedRun:
    """Read a run directory's facts and seeds, without loading its model (for remote backends).

    Raises:
        InputError: when ``run_dir`` has no ``config.json``.
    """
    run = Path(run_dir)
    cfg_path = run / "config.json"
    if not cfg_path.exists():
        raise InputError(
            f"{run} is not a fine-tuning run (no config.json)",
            hint="point --model at the folder written by `textsynth lm finetune`",
        )
    meta = json.loads(cfg_path.read_text(encoding="utf-8"))
    # runs saved before slot hints or value plans existed were trained without them
    config = FinetuneConfig.from_dict(
        {"slot_hints": False, "value_plans": False, **meta["finetune"]}
    )
    info = RunInfo.from_dict(meta["run"])
    seeds = list(read_utterances(run / "seeds.jsonl"))
    return LoadedRun(None, None, seeds, config, info)


def load_run(run_dir: str | Path, *, device: str | None = None, dtype: str = "auto") -> LoadedRun:
    """Load the model of a run directory written by :func:`textsynth.lm.finetune`.

    LoRA adapters are merged into the base weights, so sampling runs at the plain model's speed.
    """
    from textsynth.lm.models import load_causal_lm, load_tokenizer

    t0 = time.perf_counter()
    facts = read_run(run_dir)
    run = Path(run_dir)
    config, info, seeds = facts.config, facts.info, facts.seeds
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

    filters: list[Filter] = [EmptyValueFilter(), MarkupFilter()]
    if config.value_plans:
        from textsynth.lm.plan_filter import PlanFilter

        filters.append(PlanFilter())
    filters.append(UnknownLabelFilter(seeds, config.label_scope))
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


def pick_intents(seeds: Sequence[Utterance], intents: Sequence[str] | None) -> list[str]:
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


@dataclass
class RunOptions:
    """How a sampling run talks to its generator (shared by :func:`sample`/:func:`prompt_sample`).

    Attributes:
        backend: the generator backend (``None``: ``hf``, in-process transformers).
        cache: the request cache (``None``: in memory, this run only).
        on_kept: called with each kept utterance as soon as it passes (stream it to disk).
        judge: an :class:`~textsynth.lm.judge.Judge` run after the filters (relabel/reject).
        constrain: constrain the markup through the backend's facility (else validate).
    """

    backend: Backend | None = None
    cache: RequestCache | None = None
    on_kept: Callable[[Utterance], None] | None = None
    judge: Any = None
    constrain: bool = False
    progress: bool = True


def _request_seed(seed: int, rnd: int, intent: str, j: int) -> int:
    """Return the seed of request ``j`` of ``intent`` in round ``rnd`` (stable across runs)."""
    digest = hashlib.sha256(f"{seed}:{rnd}:{intent}:{j}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def _fluency_reference(
    backend: Backend, model: str | None, seeds: Sequence[Utterance], config: SampleConfig
) -> str | None:
    """Return the fluency filter's reference LM for a run on ``backend``.

    An in-process backend scores with its own base model. A server's or vLLM's model name is
    not one this process can load (nor should: it may be a 70B model on another machine), so
    the embedded default for the seeds' languages scores instead.
    ``SampleConfig.fluency_model`` overrides both.
    """
    if backend.name == "hf" or config.fluency_model or config.fluency_percentile <= 0:
        return model or None
    from textsynth.lm.embedded import default_for_languages

    ref = default_for_languages(u.language for u in seeds)
    logger.info("fluency reference: %s (the %s backend's model is not here)", ref, backend.name)
    return ref


def _sample_rounds(
    backend: Backend,
    seeds: Sequence[Utterance],
    intents: list[str],
    make_prompts: PromptMaker,
    config: SampleConfig,
    provenance: dict[str, Any],
    source: str,
    classifier: Any,
    stats: GenerationStats | None,
    opts: RunOptions,
) -> tuple[list[Utterance], FilterSummary]:
    from textsynth.lm.cache import RequestCache, RequestStats, run_requests
    from textsynth.progress import Meter

    filters, disabled = build_filters(
        seeds,
        config,
        classifier,
        intents=intents,
        base_model=_fluency_reference(backend, provenance.get("model"), seeds, config),
    )
    if opts.judge is not None:
        filters.append(opts.judge.filter(seeds))
    chain = FilterChain(filters)
    chain.summary.disabled = disabled
    lang = _languages(seeds)
    labels = slots_by_intent(seeds)
    scope_all = tuple(sorted({s.label for u in seeds for s in u.spans}))
    kept: dict[str, list[Utterance]] = {i: [] for i in intents}
    tried = dict.fromkeys(intents, 0)
    passed = dict.fromkeys(intents, 0)
    params = GenParams(
        temperature=config.temperature, top_p=config.top_p, max_new_tokens=config.max_new_tokens
    )
    cache = opts.cache if opts.cache is not None else RequestCache(None)
    rstats = RequestStats()
    backend.constrain = opts.constrain
    from textsynth.lm.backends.hf import HfBackend
    from textsynth.lm.constrain import constraint_key

    by_intent: dict[str, list[str]] = {}
    if config.constrain_markup and isinstance(backend, HfBackend):
        from textsynth.lm.constrain import build_constraint, labels_for

        backend.load()
        by_intent = labels_for(seeds, intents, config.label_scope)
        backend.markup_constraint = build_constraint(
            backend.tokenizer, {constraint_key(v): v for v in by_intent.values()}
        )
        if backend.markup_constraint is None:
            chain.summary.disabled.append("constrained-markup")
    backend.warn_constraints()
    from textsynth.lm.plan_filter import PlanFilter

    plan_filter = next((f for f in filters if isinstance(f, PlanFilter)), None)
    use_plans = plan_filter is not None
    wanted = config.per_intent * len(intents)
    kept_bar = Meter(total=wanted, desc="kept", unit="utt")
    req_bar = Meter(total=0, desc="requests", unit="req")
    try:
        for rnd in range(config.max_rounds):
            todo = [
                (i, config.per_intent - len(kept[i]))
                for i in intents
                if len(kept[i]) < config.per_intent
            ]
            if not todo:
                break
            requests: list[Request] = []
            owners: list[str] = []
            plans: list[ValuePlan | None] = []
            for intent, missing in todo:
                n = _how_many(missing, tried[intent], passed[intent], config.oversample)
                tried[intent] += n
                allowed = scope_all if config.label_scope == "all" else tuple(labels[intent])
                if isinstance(backend, HfBackend) and backend.markup_constraint is not None:
                    allowed = tuple(by_intent[intent])
                asks = make_prompts(intent, lang[intent], n, rnd, use_plans)
                requests += [
                    Request(p, _request_seed(config.seed, rnd, intent, j), allowed)
                    for j, (p, _plan) in enumerate(asks)
                ]
                plans += [plan for _p, plan in asks]
                owners += [intent] * n
            req_bar.set_total(req_bar.n + len(requests))
            done = run_requests(backend, requests, params, cache, rstats, req_bar)
            cands = []
            for comp, i, plan in zip(done, owners, plans, strict=True):
                rstats.truncated += comp.truncated
                if comp.text is None:
                    tried[i] -= 1  # a failed request says nothing about the pass rate
                    continue
                cands.append(Candidate(comp.text, i, lang[i], plan=plan))
            for c in chain.run(cands):
                passed[c.origin_intent] += 1
                if c.intent not in kept or len(kept[c.intent]) >= config.per_intent:
                    chain.summary.surplus += 1
                    continue
                assert c.utterance is not None
                meta = {**provenance, "round": rnd, "scores": dict(c.scores)}
                if c.plan is not None:
                    meta["plan"] = c.plan.render()
                if c.changes:  # relabels by the verification filters, with their reasons
                    meta["changes"] = list(c.changes)
                u = Utterance(
                    text=c.utterance.text,
                    intent=c.intent,
                    spans=c.utterance.spans,
                    language=c.language,
                    source=source,
                    meta=meta,
                )
                kept[c.intent].append(u)
                if opts.on_kept is not None:
                    opts.on_kept(u)
                kept_bar.set_postfix(**{i: f"{len(kept[i])}/{config.per_intent}" for i in intents})
                kept_bar.update(1)
            followed = plan_filter.followed() if plan_filter is not None else None
            if use_plans and followed is not None and followed < PLAN_MIN_FOLLOWED:
                assert plan_filter is not None
                if plan_filter.planned >= PLAN_CHECK_AFTER:
                    use_plans = False
                    chain.summary.disabled.append("value-plans (not followed)")
                    logger.warning(
                        "value plans: %.0f %% of %d planned outputs kept their slot values; "
                        "the model does not follow them (fine-tune longer, or sample with "
                        "value_plans=0), so the remaining rounds ask without plans",
                        100 * followed,
                        plan_filter.planned,
                    )
            logger.info(
                "round %d: %d requests (%d cached, %d failed), %d kept so far",
                rnd,
                len(requests),
                rstats.cached,
                rstats.failed,
                sum(len(v) for v in kept.values()),
            )
    finally:
        kept_bar.close()
        req_bar.close()
        if opts.cache is None:
            cache.close()
        if stats is not None:
            stats.sequences += rstats.sent
            stats.new_tokens += rstats.tokens
            stats.seconds += rstats.seconds
    out = [u for i in intents for u in kept[i]]
    s = chain.summary
    s.kept = len(out)
    s.kept_by_intent = {i: len(kept[i]) for i in intents}
    s.counters.update(
        {
            "requests": rstats.requests,
            "requests_cached": rstats.cached,
            "requests_failed": rstats.failed,
            "completions_truncated": rstats.truncated,
            "tokens": rstats.tokens,
        }
    )
    if opts.judge is not None:
        s.counters.update(opts.judge.counts)
    if rstats.failed:
        logger.warning(
            "%d of %d requests failed after retries (not in the output): %s",
            rstats.failed,
            rstats.requests,
            "; ".join(dict.fromkeys(rstats.errors[:3])),
        )
    short = [i for i in intents if len(kept[i]) < config.per_intent]
    if short:
        logger.warning(
            "fewer than %d utterances kept for %s; raise max_rounds or oversample",
            config.per_intent,
            ", ".join(short),
        )
    return out, s


def _run_ident(loaded: LoadedRun) -> str:
    """Return what identifies a fine-tuned run's outputs: base model, run id, config hash."""
    cfg = json.dumps(dataclasses.asdict(loaded.config), sort_keys=True, default=str)
    digest = hashlib.sha256(cfg.encode("utf-8")).hexdigest()[:12]
    return f"{loaded.info.base_model}+{loaded.info.run_id}+{digest}"


def _how_many(missing: int, tried: int, passed: int, oversample: float) -> int:
    """Return how many to generate for ``missing`` utterances of an intent.

    The first round asks for ``oversample`` times the number missing; later rounds divide by the
    intent's observed pass rate (at least 2 %, with 20 % headroom, at most 25 times): with strict
    verification an intent may keep only one output in 30, and rounds capped lower run out
    before its quota is met.
    """
    if not tried:
        return math.ceil(missing * oversample)
    rate = max(passed / tried, 0.02)
    return min(math.ceil(missing * 1.2 / rate), missing * 25)


def _backend_for(
    opts: RunOptions, config: SampleConfig, loaded: tuple[Any, Any] | None, ident: str = ""
) -> Backend:
    """Return the run's backend: the one given, or ``hf`` around a loaded model.

    ``ident`` names the loaded model (its base model, and the fine-tuned run): it is the
    backend's ``model`` in provenance and in the request cache's key, so that two models never
    share cached completions.
    """
    from textsynth.lm.backends.hf import HfBackend

    b = opts.backend
    if b is None or (isinstance(b, HfBackend) and b.lm is None):
        model = (b.model if b is not None else "") or ident
        b = HfBackend(
            model=model,
            lm=loaded[0] if loaded else None,
            tokenizer=loaded[1] if loaded else None,
            device=config.device,
            dtype=config.dtype,
            batch_size=config.batch_size,
            threads=config.threads,
        )
        if loaded is None:
            b.load()
    return b


def sample(
    run: str | Path | LoadedRun,
    config: SampleConfig | None = None,
    *,
    intents: Sequence[str] | None = None,
    classifier: Any = None,
    stats: GenerationStats | None = None,
    options: RunOptions | None = None,
) -> tuple[list[Utterance], FilterSummary]:
    """Sample ``config.per_intent`` filtered utterances per intent from a fine-tuned run.

    Args:
        run: a run directory written by :func:`textsynth.lm.finetune`, or a :class:`LoadedRun`.
        config: sampling and filter settings (defaults if ``None``).
        intents: the intents to generate (default: every intent of the seeds).
        classifier: a fitted fidelity classifier to use instead of training one on the seeds.
        stats: optional accumulator of generation throughput.
        options: backend, cache, streaming and judge (default: ``hf`` in-process); a remote
            backend must serve the run's adapter (``--base-model`` = its name on the server).

    Returns:
        The kept utterances (grouped by intent, in generation order) and the filter summary.
    """
    config = config or SampleConfig()
    opts = options or RunOptions()
    in_process = opts.backend is None or opts.backend.name == "hf"
    if isinstance(run, LoadedRun):
        loaded = run
    elif in_process:
        loaded = load_run(run, device=config.device, dtype=config.dtype)
    else:
        loaded = read_run(run)
    backend = (
        _backend_for(opts, config, (loaded.model, loaded.tokenizer), _run_ident(loaded))
        if in_process
        else opts.backend
    )
    assert backend is not None
    chosen = pick_intents(loaded.seeds, intents)
    trained = loaded.config.value_plans
    if config.value_plans is None:  # auto: plans for a run that learnt to follow them
        config = dataclasses.replace(config, value_plans=1.0 if trained else 0.0)
    hints = slots_by_intent(loaded.seeds) if loaded.config.slot_hints else {}
    planner = _planner(loaded.seeds, config, trained=trained)

    def make_prompts(
        intent: str, language: str, n: int, rnd: int, plans: bool
    ) -> list[tuple[str, Any]]:
        slots = hints.get(intent, []) if loaded.config.slot_hints else None
        rng = random.Random(f"{config.seed}:{rnd}:{intent}:plan")
        out = []
        for _ in range(n):
            plan = _maybe_plan(planner if plans else None, intent, rng, config.value_plans)
            out.append((finetune_prompt(intent, language, slots, plan), plan))
        return out

    provenance = {
        "generator": "lm-finetuned",
        "model": loaded.config.base_model,
        "backend": backend.describe(),
        "method": loaded.config.method,
        "run": loaded.info.run_id,
        "seeds_hash": loaded.info.seeds_hash,
        "seed": config.seed,
        "sampling": config.sampling_params(),
    }
    return _sample_rounds(
        backend,
        loaded.seeds,
        chosen,
        make_prompts,
        config,
        provenance,
        f"lm:{loaded.info.run_id}",
        classifier,
        stats,
        opts,
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
    options: RunOptions | None = None,
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
        options: backend, cache, streaming and judge (default: ``hf`` in-process, loading
            ``base_model``); a remote backend's own ``model`` is what it prompts.
    """
    config = config or SampleConfig()
    opts = options or RunOptions()
    seeds = list(seeds)
    if not seeds:
        raise InputError("no seed utterances given", hint="pass a JSONL file of labelled seeds")
    chosen = pick_intents(seeds, intents)
    from textsynth.lm.train import check_seeds

    check_seeds(seeds)
    if base_model == AUTO_BASE_MODEL:
        from textsynth.lm.embedded import default_for_languages

        base_model = default_for_languages(u.language for u in seeds)
    hf_loaded = opts.backend is not None and getattr(opts.backend, "lm", None) is not None
    if hf_loaded:
        backend = opts.backend
    elif opts.backend is None or opts.backend.name == "hf":
        if model is None:
            from textsynth.lm.backends.hf import HfBackend

            hf = opts.backend if opts.backend is not None else HfBackend(model=base_model)
            hf.check()
            from textsynth.lm.models import load_causal_lm

            model = load_causal_lm(hf.model or base_model, device=config.device, dtype=config.dtype)
        backend = _backend_for(opts, config, model, base_model)
    else:
        backend = opts.backend
        base_model = backend.model
    by_intent: dict[str, list[Utterance]] = {}
    for u in seeds:
        by_intent.setdefault(u.intent, []).append(u)
    if config.value_plans is None:  # auto: off, a small base model does not follow them
        config = dataclasses.replace(config, value_plans=0.0)

    planner = _planner(seeds, config, trained=True)

    def make_prompts(
        intent: str, language: str, n: int, rnd: int, plans: bool
    ) -> list[tuple[str, Any]]:
        rng = random.Random(f"{config.seed}:{rnd}:{intent}")
        plan_rng = random.Random(f"{config.seed}:{rnd}:{intent}:plan")  # unplanned prompts stay
        out: list[tuple[str, Any]] = []
        while len(out) < n:
            shots = pick_shots(by_intent[intent], config.shots, rng)
            plan = _maybe_plan(planner if plans else None, intent, plan_rng, config.value_plans)
            prompt = few_shot_prompt(intent, shots, language, plan)
            out += [(prompt, plan)] * min(config.completions_per_prompt, n - len(out))
        return out

    assert backend is not None
    provenance = {
        "generator": "lm-prompt",
        "model": base_model,
        "backend": backend.describe(),
        "run": "prompt",
        "seed": config.seed,
        "shots": config.shots,
        "sampling": config.sampling_params(),
    }
    return _sample_rounds(
        backend,
        seeds,
        chosen,
        make_prompts,
        config,
        provenance,
        f"lm:prompt:{base_model}",
        classifier,
        stats,
        opts,
    )


def _planner(seeds: Sequence[Utterance], config: SampleConfig, *, trained: bool) -> Any:
    """Return a :class:`~textsynth.lm.plans.ValuePlanner` when value plans are asked for."""
    if not config.value_plans:
        return None
    if not trained:
        raise ConfigError(
            f"value_plans={config.value_plans} but this run was fine-tuned without value plans",
            hint="fine-tune with value_plans on (lm finetune --value-plans), or sample without",
        )
    from textsynth.lm.plans import ValuePlanner

    return ValuePlanner(seeds)


def _maybe_plan(planner: Any, intent: str, rng: random.Random, share: float | None) -> Any:
    """Return a plan for one request with probability ``share`` (None without a planner)."""
    if planner is None or rng.random() >= (share or 0.0):
        return None
    return planner.draw(intent, rng)


def pipeline_options(lm: Any, run_dir: str | Path | None, seed: int = 0) -> RunOptions:
    """Return the run options of a pipeline's ``lm`` section (``backend``, ``base_url``...).

    The section's keys mirror ``textsynth lm sample``'s options; ``hf`` keeps today's
    in-process path.
    """
    from textsynth.lm import backends

    name = getattr(lm, "backend", "hf") or "hf"
    judge = None
    if getattr(lm, "judge", ""):
        from textsynth.lm.judge import Judge

        judge = Judge(
            lm.judge,
            base_url=lm.base_url,
            api_key_env=lm.api_key_env,
            timeout=lm.timeout,
            max_retries=lm.retries,
            seed=seed,
            min_seed_agreement=getattr(lm, "judge_min_agreement", 0.5),
        )
        judge.check()
    if name == "hf":
        return RunOptions(judge=judge, constrain=bool(getattr(lm, "constrain", False)))
    model = lm.base_model
    opts: dict[str, Any] = {}
    if name == "openai":
        if not model:
            raise ConfigError(
                "lm.backend: openai needs lm.base_model (the model's name on the server)"
            )
        opts = {
            "base_url": lm.base_url,
            "api": lm.api,
            "api_key_env": lm.api_key_env,
            "concurrency": lm.concurrency,
            "timeout": lm.timeout,
            "max_retries": lm.retries,
        }
    elif name == "vllm" and run_dir is not None:
        from textsynth.lm.models import resolve_base_model

        run = read_run(run_dir)
        model = resolve_base_model(run.config.base_model)
        opts = {"lora_path": str(Path(run_dir) / "adapter")}
    b = backends.create(name, model or DEFAULT_BASE_MODEL, **opts)
    b.check()
    return RunOptions(backend=b, judge=judge, constrain=bool(lm.constrain))
