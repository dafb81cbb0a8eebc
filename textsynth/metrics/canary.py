"""Canary exposure (Carlini et al., "The Secret Sharer", 2019) for fine-tuned generators.

Canary utterances holding a random secret ("my account number is 493027") are inserted into the
seeds; the generator is fine-tuned on them; each canary's likelihood is then ranked among the
same template filled with random candidate secrets it never saw. Exposure is
``log2(candidates + 1) - log2(rank)``: about 1/ln 2 ≈ 1.44 on average for an unremarkable
canary (uniform rank), its maximum ``log2(C+1)`` when the canary is the most likely of all,
i.e. memorised.

This module does not import the LM: the caller passes ``finetune``, a function that trains on
utterances and returns a scorer (texts -> log-likelihoods), so it works with any generator.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from textsynth.metrics.base import Goal, IncomputableMetricError, Metric, MetricResult
from textsynth.metrics.context import EvalContext
from textsynth.registry import metrics as registry
from textsynth.types import Utterance

__all__ = ["CanaryConfig", "CanaryExposure", "FineTune", "Scorer", "exposure", "make_canaries"]

Scorer = Callable[[Sequence[str]], Sequence[float]]
"""Texts -> log-likelihood of each under the fine-tuned model (higher = more likely)."""
FineTune = Callable[[Sequence[Utterance]], Scorer]
"""Training utterances -> a scorer for the model fine-tuned on them."""


@dataclass
class CanaryConfig:
    """How canaries are made and ranked (saved in the result's breakdown)."""

    n_canaries: int = field(default=5, metadata={"help": "canaries inserted"})
    n_candidates: int = field(default=999, metadata={"help": "random secrets each is ranked among"})
    repeats: int = field(default=1, metadata={"help": "copies of each canary in the seeds"})
    template: str = field(
        default="my account number is {secret}",
        metadata={"help": "canary text; {secret} is replaced"},
    )
    digits: int = field(default=6, metadata={"help": "digits in a secret"})
    intent: str | None = field(default=None, metadata={"help": "canary intent; None = commonest"})
    seed: int = field(default=0, metadata={"help": "seed of secrets, candidates and shuffling"})

    def __post_init__(self) -> None:
        from textsynth.errors import ConfigError

        if "{secret}" not in self.template:
            raise ConfigError(f"canary template {self.template!r} has no '{{secret}}'")
        if self.n_canaries < 1 or self.n_candidates < 1 or self.repeats < 1:
            raise ConfigError("n_canaries, n_candidates and repeats must be at least 1")
        if self.n_candidates + self.n_canaries > 10**self.digits // 2:
            raise ConfigError(
                f"{self.digits} digits are too few for {self.n_candidates} candidates"
            )

    def to_dict(self) -> dict[str, Any]:
        """Return the config as a dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CanaryConfig:
        """Build a config from :meth:`to_dict` output."""
        return cls(**d)


def exposure(canary_score: float, candidate_scores: Sequence[float]) -> tuple[float, float]:
    """Return ``(rank, exposure)`` of a canary among candidates (rank 1 = most likely; ties half).

    Args:
        canary_score: the canary's log-likelihood.
        candidate_scores: log-likelihoods of the same template with other secrets.
    """
    c = np.asarray(candidate_scores, dtype=np.float64)
    rank = 1.0 + float(np.sum(c > canary_score)) + 0.5 * float(np.sum(c == canary_score))
    return rank, math.log2(len(c) + 1) - math.log2(rank)


def make_canaries(config: CanaryConfig, intent: str) -> tuple[list[str], list[Utterance]]:
    """Return the secrets and canary utterances (seeded by ``config.seed``)."""
    rng = random.Random(config.seed)
    secrets = [
        f"{x:0{config.digits}d}" for x in rng.sample(range(10**config.digits), config.n_canaries)
    ]
    utts = [
        Utterance(config.template.format(secret=s), intent, source="canary", meta={"canary": s})
        for s in secrets
    ]
    return secrets, utts


@registry.register()
class CanaryExposure(Metric):
    """Mean exposure of canaries inserted into the seeds of a fine-tuned generator.

    Args:
        finetune: trains on utterances, returns a scorer (see :data:`FineTune`).
        config: canary settings.
    """

    name = "canary-exposure"
    category = "memorisation"
    goal = Goal.MINIMIZE
    min_value = 0.0
    max_value = math.log2(1000)
    description = (
        "Canaries with random secrets are inserted into the seeds before fine-tuning; each "
        "canary's likelihood is ranked among random secrets: exposure = log2(C+1) - log2(rank)."
    )
    good = "Near 1.44 (a random rank: not memorised); near log2(C+1) means the secret leaked."

    def __init__(self, finetune: FineTune | None = None, config: CanaryConfig | None = None):
        self.finetune = finetune
        self.config = config or CanaryConfig()

    def compute(self, ctx: EvalContext) -> MetricResult:  # noqa: D102
        if self.finetune is None:
            raise IncomputableMetricError(
                "canary-exposure needs a fine-tuning function: pass "
                "CanaryExposure(finetune=...) in metrics (textsynth.lm wires one)"
            )
        cfg = self.config
        seeds = list(ctx.seeds)
        intent = cfg.intent or max(
            sorted({u.intent for u in seeds}), key=[u.intent for u in seeds].count
        )
        secrets, canaries = make_canaries(cfg, intent)
        training = seeds + canaries * cfg.repeats
        random.Random(cfg.seed).shuffle(training)
        scorer = self.finetune(training)
        rng = random.Random(cfg.seed + 1)
        taken = set(secrets)
        per: list[dict[str, Any]] = []
        for secret, canary in zip(secrets, canaries, strict=True):
            cands: list[str] = []
            while len(cands) < cfg.n_candidates:
                s = f"{rng.randrange(10**cfg.digits):0{cfg.digits}d}"
                if s not in taken:
                    taken.add(s)
                    cands.append(s)
            scores = list(scorer([canary.text] + [cfg.template.format(secret=s) for s in cands]))
            rank, exp = exposure(scores[0], scores[1:])
            per.append({"secret": secret, "rank": rank, "exposure": exp})
        max_exp = math.log2(cfg.n_candidates + 1)
        return MetricResult(
            name=self.name,
            value=float(np.mean([p["exposure"] for p in per])),
            goal=self.goal,
            category=self.category,
            min_value=0.0,
            max_value=max_exp,
            description=self.description,
            good=self.good,
            breakdown={
                "canaries": per,
                "max_exposure": max_exp,
                "config": cfg.to_dict(),
                "intent": intent,
            },
        )
