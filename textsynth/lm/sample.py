"""Sample new slot-labelled utterances per intent, filter them, and record their provenance.

Two sources share one loop (:mod:`textsynth.lm.rounds`): a fine-tuned run (:func:`sample`,
prompts ``intent: X | lang: en``) and few-shot prompting of the base instruct model
(:func:`prompt_sample`, no training). This module loads the run or the model, makes the
prompts (with value plans, :mod:`textsynth.lm.plans`) and sets the provenance.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textsynth.errors import ConfigError, InputError
from textsynth.io import read_utterances
from textsynth.lm.backends import Backend
from textsynth.lm.config import AUTO_BASE_MODEL, DEFAULT_BASE_MODEL, FinetuneConfig, SampleConfig
from textsynth.lm.filters import FilterSummary
from textsynth.lm.generation import GenerationStats
from textsynth.lm.prompt import few_shot_prompt, finetune_prompt, pick_shots, slots_by_intent
from textsynth.lm.rounds import RunOptions, sample_rounds
from textsynth.lm.train import RunInfo, read_run_meta
from textsynth.types import Utterance

__all__ = ["LoadedRun", "RunOptions", "load_run", "prompt_sample", "read_run", "sample"]

logger = logging.getLogger(__name__)


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
        InputError: when ``run_dir`` has no ``config.json``, or a broken one.
    """
    run = Path(run_dir)
    meta = read_run_meta(
        run, name=str(run), hint="point --model at the folder written by `textsynth lm finetune`"
    )
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


def _focus(config: SampleConfig) -> dict[str, str]:
    """Return the provenance entry that flags unchecked slot spans (``focus='intents'``)."""
    return {"focus": "intents (slot spans unchecked)"} if config.focus == "intents" else {}


def _run_ident(loaded: LoadedRun) -> str:
    """Return what identifies a fine-tuned run's outputs: base model, run id, config hash."""
    cfg = json.dumps(dataclasses.asdict(loaded.config), sort_keys=True, default=str)
    digest = hashlib.sha256(cfg.encode("utf-8")).hexdigest()[:12]
    return f"{loaded.info.base_model}+{loaded.info.run_id}+{digest}"


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
    if trained and config.focus == "intents":
        logger.warning(
            "focus='intents' samples without value plans, but run %s was fine-tuned with them: "
            "its prompts without a plan were only those of seeds without slots; fine-tune with "
            "value_plans off (lm finetune --no-value-plans) for free text",
            loaded.info.run_id,
        )
    if config.value_plans is None:  # auto: plans for a run that learnt to follow them
        config = dataclasses.replace(config, value_plans=1.0 if trained else 0.0)
    if config.slot_context is None:  # auto: on for a fine-tuned run (where it was measured)
        config = dataclasses.replace(config, slot_context=True)
    hints = slots_by_intent(loaded.seeds) if loaded.config.slot_hints else {}
    planner = _planner(loaded.seeds, config, trained=trained)
    # in process, the run's base model continues the value lists (see _propose)
    lister = (
        _backend_for(RunOptions(), config, None, loaded.config.base_model)
        if in_process and planner is not None and config.propose_values
        else backend
    )
    proposals = _propose(planner, loaded.seeds, chosen, config, opts, lister)
    del lister  # the base model is not needed for the rest of the run

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
        **_focus(config),
    }
    kept, summary = sample_rounds(
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
    if proposals is not None:
        summary.proposed_values = proposals.to_dict()
    return kept, summary


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
    if config.slot_context is None:  # auto: off, a prompted model may word beyond the seeds
        config = dataclasses.replace(config, slot_context=False)

    planner = _planner(seeds, config, trained=True)
    assert backend is not None
    proposals = _propose(planner, seeds, chosen, config, opts, backend)

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
        **_focus(config),
    }
    kept, summary = sample_rounds(
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
    if proposals is not None:
        summary.proposed_values = proposals.to_dict()
    return kept, summary


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


def _propose(
    planner: Any,
    seeds: Sequence[Utterance],
    intents: list[str],
    config: SampleConfig,
    opts: RunOptions,
    backend: Backend,
) -> Any:
    """Widen ``planner``'s values with ``backend``'s proposals (``config.propose_values``).

    ``backend`` continues the lists: the run's *base* model for a fine-tuned run in process
    (the fine-tuned one has learnt to write utterances, not lists), else the model sampled.
    Returns the :class:`~textsynth.lm.values.ValueProposals`, or ``None`` when none were asked.
    """
    if config.propose_values <= 0:
        return None
    if planner is None:
        logger.warning(
            "propose_values=%d has no effect: value plans are off for this run (set "
            "value_plans above 0, or a run fine-tuned with them)",
            config.propose_values,
        )
        return None
    from textsynth.lm.cache import RequestCache, RequestStats, run_requests
    from textsynth.lm.values import propose_values
    from textsynth.progress import Meter

    cache = opts.cache if opts.cache is not None else RequestCache(None)
    rstats = RequestStats()
    bar = Meter(total=0, desc="value lists", unit="req")

    def run(b: Backend, reqs: list[Any], params: Any) -> list[Any]:
        bar.set_total(len(reqs))
        return run_requests(b, reqs, params, cache, rstats, bar)

    try:
        proposals = propose_values(
            backend,
            seeds,
            intents,
            per_label=config.propose_values,
            min_votes=config.propose_min_votes,
            seed=config.seed,
            run=run,
        )
    finally:
        bar.close()
        if opts.cache is None:
            cache.close()
    added = planner.extend(proposals.values)
    logger.info(
        "value proposals: %d requests (%d cached), %d values proposed, %d added to the plans",
        proposals.requests,
        rstats.cached,
        proposals.proposed,
        added,
    )
    return proposals


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
