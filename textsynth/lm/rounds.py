"""The sampling loop both generators share: ask, filter, keep, and ask again for what is short.

Each round asks ``oversample`` times the number still missing per intent (later rounds divide by
the intent's observed pass rate), runs the completions through the
:class:`~textsynth.lm.filters.FilterChain` and keeps the first survivors; rounds repeat, up to
``max_rounds``, while an intent is short. With ``select="diverse"`` (or ``"hard"``) the loop
gathers ``pool`` times ``per_intent`` survivors per intent and keeps the most diverse (or the
least certain) ``per_intent`` of them
(:mod:`textsynth.lm.select`). :func:`textsynth.lm.sample.sample` (a fine-tuned run)
and :func:`~textsynth.lm.sample.prompt_sample` (few-shot prompts) differ only in the prompts
they make, through a :data:`PromptMaker`.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from textsynth.lm.backends import Backend, GenParams, Request
from textsynth.lm.cache import RequestCache, RequestStats
from textsynth.lm.chain import build_filters
from textsynth.lm.config import SampleConfig
from textsynth.lm.filters import Candidate, FidelityFilter, FilterChain, FilterSummary
from textsynth.lm.generation import GenerationStats
from textsynth.lm.prompt import slots_by_intent
from textsynth.types import Utterance

if TYPE_CHECKING:
    from textsynth.lm.plan_filter import PlanFilter
    from textsynth.lm.plans import ValuePlan

__all__ = ["PromptMaker", "RunOptions", "how_many", "sample_rounds"]

logger = logging.getLogger(__name__)

# (intent, language, how many, round) -> one (prompt, value plan or None) per request
# (``plans``: False once the model has shown that it does not follow value plans)
PromptMaker = Callable[[str, str, int, int, bool], list[tuple[str, "ValuePlan | None"]]]
# planned outputs a round must have seen, and the least share keeping their plan, to go on
# asking with plans (below it the remaining rounds ask without)
PLAN_CHECK_AFTER, PLAN_MIN_FOLLOWED = 40, 0.2


@dataclass
class RunOptions:
    """How a sampling run talks to its generator (shared by ``sample``/``prompt_sample``).

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


def languages(seeds: Sequence[Utterance]) -> dict[str, str]:
    """Return each intent's most common seed language."""
    by: dict[str, Counter[str]] = {}
    for u in seeds:
        by.setdefault(u.intent, Counter())[u.language] += 1
    return {i: c.most_common(1)[0][0] for i, c in by.items()}


def request_seed(seed: int, rnd: int, intent: str, j: int) -> int:
    """Return the seed of request ``j`` of ``intent`` in round ``rnd`` (stable across runs)."""
    digest = hashlib.sha256(f"{seed}:{rnd}:{intent}:{j}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def how_many(missing: int, tried: int, passed: int, oversample: float) -> int:
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


def fluency_reference(
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


def sample_rounds(
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
    """Sample ``config.per_intent`` filtered utterances for each of ``intents``.

    Returns:
        The kept utterances (grouped by intent, in generation order) and the filter summary.
    """
    filters, disabled = build_filters(
        seeds,
        config,
        classifier,
        intents=intents,
        base_model=fluency_reference(backend, provenance.get("model"), seeds, config),
    )
    if opts.judge is not None:
        filters.append(opts.judge.filter(seeds))
    if config.select == "hard" and FidelityFilter.name in disabled:
        logger.warning(
            "select='hard' needs the label-fidelity filter's scores, and that filter is "
            "disabled here; keeping the first %d per intent instead",
            config.per_intent,
        )
        config = replace(config, select="first")
        disabled.append("select-hard")
    chain = FilterChain(filters)
    chain.summary.disabled = disabled
    loop = _Rounds(backend, seeds, intents, make_prompts, config, chain, opts)
    try:
        loop.run(provenance, source)
    finally:
        loop.close(stats)
    return loop.finish(opts)


class _Rounds:
    """The state of one sampling loop: what each intent has kept, tried and passed."""

    def __init__(
        self,
        backend: Backend,
        seeds: Sequence[Utterance],
        intents: list[str],
        make_prompts: PromptMaker,
        config: SampleConfig,
        chain: FilterChain,
        opts: RunOptions,
    ) -> None:
        from textsynth.lm.plan_filter import PlanFilter
        from textsynth.progress import Meter

        self.backend, self.intents, self.config = backend, intents, config
        self.make_prompts, self.chain = make_prompts, chain
        self.lang = languages(seeds)
        self.labels = slots_by_intent(seeds)
        self.scope_all = tuple(sorted({s.label for u in seeds for s in u.spans}))
        self.seed_texts: dict[str, list[str]] = {}
        for u in seeds:
            self.seed_texts.setdefault(u.intent, []).append(u.text)
        # utterances to gather per intent: per_intent, or a pool to choose per_intent from
        self.quota = (
            config.per_intent
            if config.select == "first"
            else math.ceil(config.per_intent * config.pool)
        )
        self.kept: dict[str, list[Utterance]] = {i: [] for i in intents}
        self.tried = dict.fromkeys(intents, 0)
        self.passed = dict.fromkeys(intents, 0)
        self.cache = opts.cache if opts.cache is not None else RequestCache(None)
        self.own_cache = opts.cache is None
        self.on_kept = opts.on_kept
        self.rstats = RequestStats()
        self.by_intent = self._constrain(seeds, opts.constrain)
        self.plan_filter: PlanFilter | None = next(
            (f for f in chain.filters if isinstance(f, PlanFilter)), None
        )
        self.use_plans = self.plan_filter is not None
        self.kept_bar = Meter(
            total=self.quota * len(intents),
            desc="kept" if self.quota == config.per_intent else "pool",
            unit="utt",
        )
        self.req_bar = Meter(total=0, desc="requests", unit="req")

    def _constrain(self, seeds: Sequence[Utterance], constrain: bool) -> dict[str, list[str]]:
        """Set up the backend's markup constraint; return the labels each intent may use."""
        from textsynth.lm.backends.hf import HfBackend
        from textsynth.lm.constrain import build_constraint, constraint_key, labels_for

        backend = self.backend
        backend.constrain = constrain
        by_intent: dict[str, list[str]] = {}
        if self.config.constrain_markup and isinstance(backend, HfBackend):
            backend.load()
            by_intent = labels_for(seeds, self.intents, self.config.label_scope)
            backend.markup_constraint = build_constraint(
                backend.tokenizer, {constraint_key(v): v for v in by_intent.values()}
            )
            if backend.markup_constraint is None:
                self.chain.summary.disabled.append("constrained-markup")
        backend.warn_constraints()
        return by_intent

    def run(self, provenance: dict[str, Any], source: str) -> None:
        """Run rounds until every intent has its quota or ``max_rounds`` are spent."""
        from textsynth.lm.cache import run_requests

        params = GenParams(
            temperature=self.config.temperature,
            top_p=self.config.top_p,
            max_new_tokens=self.config.max_new_tokens,
        )
        for rnd in range(self.config.max_rounds):
            requests, owners, plans = self._ask(rnd)
            if not requests:
                break
            self.req_bar.set_total(self.req_bar.n + len(requests))
            done = run_requests(
                self.backend, requests, params, self.cache, self.rstats, self.req_bar
            )
            cands = []
            for comp, i, plan in zip(done, owners, plans, strict=True):
                self.rstats.truncated += comp.truncated
                if comp.text is None:
                    self.tried[i] -= 1  # a failed request says nothing about the pass rate
                    continue
                cands.append(Candidate(comp.text, i, self.lang[i], plan=plan))
            for c in self.chain.run(cands):
                self._keep(c, rnd, provenance, source)
            self._check_plans()
            logger.info(
                "round %d: %d requests (%d cached, %d failed), %d kept so far",
                rnd,
                len(requests),
                self.rstats.cached,
                self.rstats.failed,
                sum(len(v) for v in self.kept.values()),
            )

    def _ask(self, rnd: int) -> tuple[list[Request], list[str], list[ValuePlan | None]]:
        """Return round ``rnd``'s requests, the intent of each, and its plan (or ``None``)."""
        from textsynth.lm.backends.hf import HfBackend

        config = self.config
        requests: list[Request] = []
        owners: list[str] = []
        plans: list[ValuePlan | None] = []
        for intent in self.intents:
            missing = self.quota - len(self.kept[intent])
            if missing <= 0:
                continue
            n = how_many(missing, self.tried[intent], self.passed[intent], config.oversample)
            self.tried[intent] += n
            allowed = self.scope_all if config.label_scope == "all" else tuple(self.labels[intent])
            if isinstance(self.backend, HfBackend) and self.backend.markup_constraint is not None:
                allowed = tuple(self.by_intent[intent])
            asks = self.make_prompts(intent, self.lang[intent], n, rnd, self.use_plans)
            requests += [
                Request(p, request_seed(config.seed, rnd, intent, j), allowed)
                for j, (p, _plan) in enumerate(asks)
            ]
            plans += [plan for _p, plan in asks]
            owners += [intent] * n
        return requests, owners, plans

    def _keep(self, c: Candidate, rnd: int, provenance: dict[str, Any], source: str) -> None:
        """Keep a candidate that passed the chain, unless its intent's quota is met."""
        self.passed[c.origin_intent] += 1
        if c.intent not in self.kept or len(self.kept[c.intent]) >= self.quota:
            self.chain.summary.surplus += 1
            return
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
        self.kept[c.intent].append(u)
        if self.on_kept is not None and self.quota == self.config.per_intent:
            self.on_kept(u)
        self.kept_bar.set_postfix(**{i: f"{len(self.kept[i])}/{self.quota}" for i in self.intents})
        self.kept_bar.update(1)

    def _check_plans(self) -> None:
        """Stop asking with plans once enough planned outputs show the model ignores them."""
        pf = self.plan_filter
        if not self.use_plans or pf is None or pf.planned < PLAN_CHECK_AFTER:
            return
        followed = pf.followed()
        if followed is None or followed >= PLAN_MIN_FOLLOWED:
            return
        self.use_plans = False
        self.chain.summary.disabled.append("value-plans (not followed)")
        logger.warning(
            "value plans: %.0f %% of %d planned outputs kept their slot values; "
            "the model does not follow them (fine-tune longer, or sample with "
            "value_plans=0), so the remaining rounds ask without plans",
            100 * followed,
            pf.planned,
        )

    def close(self, stats: GenerationStats | None) -> None:
        """Close the progress bars and the run's own cache; add to ``stats``."""
        self.kept_bar.close()
        self.req_bar.close()
        if self.own_cache:
            self.cache.close()
        if stats is not None:
            stats.sequences += self.rstats.sent
            stats.new_tokens += self.rstats.tokens
            stats.seconds += self.rstats.seconds

    def finish(self, opts: RunOptions) -> tuple[list[Utterance], FilterSummary]:
        """Return the kept utterances and the summary, warning of failures and short intents."""
        s = self.chain.summary
        if self.quota > self.config.per_intent:
            self._select()
        out = [u for i in self.intents for u in self.kept[i]]
        s.kept = len(out)
        s.kept_by_intent = {i: len(self.kept[i]) for i in self.intents}
        rstats = self.rstats
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
        note = s.low_yield_note()
        if note:
            logger.warning(note)
        short = [i for i in self.intents if len(self.kept[i]) < self.config.per_intent]
        if short:
            logger.warning(
                "fewer than %d utterances kept for %s; raise max_rounds or oversample",
                self.config.per_intent,
                ", ".join(short),
            )
        return out, s

    def _select(self) -> None:
        """Keep ``per_intent`` of each intent's pool: the most diverse or the hardest."""
        from textsynth.lm.select import select_diverse, select_hard

        k = self.config.per_intent
        embedder: Any = None
        if self.config.select == "diverse":
            fidelity = next((f for f in self.chain.filters if isinstance(f, FidelityFilter)), None)
            embedder = getattr(getattr(fidelity, "classifier", None), "embedder", None)
            if embedder is None:  # the fidelity filter is off or uses TF-IDF
                from textsynth.classifier import Embedder

                embedder = Embedder(self.config.embedding_model)
        dropped = 0
        for intent in self.intents:
            pool = self.kept[intent]
            chosen = (
                select_diverse(pool, self.seed_texts.get(intent, []), k, embedder)
                if self.config.select == "diverse"
                else select_hard(pool, k)
            )
            dropped += len(pool) - len(chosen)
            self.kept[intent] = chosen
            if self.on_kept is not None:
                for u in chosen:
                    self.on_kept(u)
        self.chain.summary.surplus += dropped
        self.chain.summary.counters["not_selected"] = dropped
