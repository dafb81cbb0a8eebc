"""The declarative pipeline file (``PIPELINE.yaml``) as validated dataclasses."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textsynth.errors import ConfigError
from textsynth.io import read_text
from textsynth.lm.config import FinetuneConfig, SampleConfig
from textsynth.pipeline.schema import Marks, build, compose
from textsynth.weights import SEED_WEIGHTS


@dataclass
class GrammarStage:
    """Expand a template grammar into labelled utterances."""

    path: str = field(default="", metadata={"help": "grammar file (.tsg, .chatette, .chatito)"})
    n: int = field(default=500, metadata={"help": "distinct utterances to sample (0 = all)"})
    dedupe: str = field(
        default="casefold",
        metadata={"help": "exact or casefold", "choices": ["exact", "casefold", "none"]},
    )
    coverage: bool = field(
        default=True, metadata={"help": "every slot value and rule at least once"}
    )

    def __post_init__(self) -> None:
        if self.n < 0:
            raise ConfigError(f"n={self.n} must be 0 (all) or more")


@dataclass
class SeedsStage:
    """Real labelled seeds (our JSONL)."""

    path: str = field(default="", metadata={"help": "seed utterances, JSONL"})


@dataclass
class ScrubStage:
    """Pseudonymise the seeds before anything learns from them."""

    enabled: bool = True
    operator: str = field(
        default="surrogate",
        metadata={
            "help": "surrogate|tag|mask|redact|hash",
            "choices": ["surrogate", "tag", "mask", "redact", "hash"],
        },
    )
    ner: str = field(
        default="auto", metadata={"help": "spaCy model name, 'auto' (by language) or 'none'"}
    )
    key_env: str = field(
        default="TEXTSYNTH_PII_KEY", metadata={"help": "env var holding the HMAC key"}
    )
    key_file: str = field(
        default="",
        metadata={
            "help": "file holding the HMAC key (overrides key_env); with neither, a random key "
            "is made once and kept in <run folder>.pii.key (mode 0600)"
        },
    )
    entities: list[str] = field(
        default_factory=list,
        metadata={
            "help": "entity types to replace (default: all), e.g. [PERSON, EMAIL, PHONE, IBAN]"
        },
    )
    allow_list: list[str] = field(
        default_factory=list,
        metadata={"help": "values never treated as PII (case-insensitive), e.g. product names"},
    )
    slots: str = field(
        default="pii",
        metadata={
            "help": "in labelled seeds, replace slot values only when the slot's label is a PII "
            "type (pii; see docs/safety.md) or every finding (all)",
            "choices": ["pii", "all"],
        },
    )
    pii_slot_labels: list[str] = field(
        default_factory=list,
        metadata={"help": "further slot labels whose values are personal data"},
    )

    def __post_init__(self) -> None:
        from textsynth.pii.entities import ENTITY_TYPES
        from textsynth.registry import did_you_mean

        for name in self.entities:  # a typo would scrub nothing and export raw PII
            if name not in ENTITY_TYPES:
                raise ConfigError(
                    f"entities: unknown entity type {name!r}"
                    f"{did_you_mean(name.upper(), list(ENTITY_TYPES))}",
                    hint=f"valid entity types: {', '.join(ENTITY_TYPES)}",
                )


@dataclass
class LmStage:
    """Fine-tune a causal LM on the (scrubbed) seeds and sample new utterances.

    ``finetune`` and ``sample`` are :class:`~textsynth.lm.FinetuneConfig` and
    :class:`~textsynth.lm.SampleConfig` themselves (as trl's configs are): every field of
    ``textsynth lm finetune`` / ``lm sample`` can be set here, checked the same way. Their
    ``seed`` defaults to the pipeline's. ``finetune.base_model`` is also the model of the
    ``prompt`` mode. ``sample.focus: intents`` also turns ``finetune.value_plans`` off.
    """

    mode: str = field(
        default="finetune",
        metadata={"help": "finetune | prompt | off", "choices": ["finetune", "prompt", "off"]},
    )
    train_on: list[str] = field(
        default_factory=lambda: ["seeds"], metadata={"help": "seeds and/or grammar"}
    )
    max_train_examples: int = field(
        default=0, metadata={"help": "cap on training examples (0 = all)"}
    )
    # generator backend (as `textsynth lm sample --backend ...`); see docs/backends.md
    backend: str = field(default="hf", metadata={"help": "hf | openai | vllm | llamacpp"})
    base_url: str = field(
        default="http://127.0.0.1:8000/v1", metadata={"help": "openai: the server's /v1 URL"}
    )
    api: str = field(default="completions", metadata={"help": "openai: completions | chat"})
    api_key_env: str = field(
        default="OPENAI_API_KEY", metadata={"help": "variable holding the key (never written)"}
    )
    concurrency: int = 4
    timeout: float = 60.0
    retries: int = 4
    constrain: bool = field(default=False, metadata={"help": "constrained markup via backend"})
    judge: str = field(default="", metadata={"help": "LLM judge BACKEND/MODEL ('' = none)"})
    judge_min_agreement: float = field(
        default=0.5,
        metadata={"help": "share of checked seeds the judge must get right to be used (0-1)"},
    )
    finetune: FinetuneConfig = field(
        default_factory=FinetuneConfig, metadata={"help": "textsynth.lm.FinetuneConfig fields"}
    )
    sample: SampleConfig = field(
        default_factory=SampleConfig, metadata={"help": "textsynth.lm.SampleConfig fields"}
    )

    def __post_init__(self) -> None:
        for t in self.train_on:
            if t not in ("seeds", "grammar"):
                raise ConfigError(f"train_on: {t!r} is neither 'seeds' nor 'grammar'")
        if self.sample.focus == "intents":  # free text: the fine-tune learns no value plans
            self.finetune.value_plans = False

    @property
    def base_model(self) -> str:
        """The base model (``finetune.base_model``; also the model of ``prompt`` mode)."""
        return self.finetune.base_model


@dataclass
class EvaluateStage:
    """Evaluate the synthetic utterances against the seeds (and an optional holdout)."""

    enabled: bool = True
    holdout: str = ""
    reference: str = ""
    test: str = ""
    embeddings: bool = True


@dataclass
class MergeStage:
    """Merge seeds, grammar output and generated text into one training set."""

    seed_weight: str = field(
        default="balanced",
        metadata={
            "help": "balanced: each merged record carries meta.weight, each seed weighing "
            "max(1, added / seeds) of its intent so that the real seeds weigh as much as the "
            "text added to them (textsynth.weights); none: no weights",
            "choices": list(SEED_WEIGHTS),
        },
    )


@dataclass
class ExportStage:
    """Write the merged training set in the chosen formats."""

    formats: list[str] = field(default_factory=lambda: ["jsonl", "rasa-yaml"])

    def __post_init__(self) -> None:
        from textsynth import formats

        for f in self.formats:
            formats.registry.get(f)  # UnknownNameError lists the formats


@dataclass
class PipelineConfig:
    """A whole pipeline.

    Grammar and/or seeds -> scrub -> fine-tune -> sample -> merge -> evaluate -> export.
    """

    name: str = "pipeline"
    language: str = "en"
    seed: int = 0
    run_dir: str = ""
    grammar: GrammarStage | None = None
    seeds: SeedsStage | None = None
    scrub: ScrubStage = field(default_factory=ScrubStage)
    lm: LmStage = field(default_factory=LmStage)
    merge: MergeStage = field(default_factory=MergeStage)
    evaluate: EvaluateStage = field(default_factory=EvaluateStage)
    export: ExportStage = field(default_factory=ExportStage)
    base_dir: str = field(default=".", metadata={"help": "relative paths resolve from here"})
    engine: str = field(
        default="local",
        metadata={"help": "local (in-process, the default) or ray (needs textsynth[ray])"},
    )

    def __post_init__(self) -> None:
        if self.engine != "local":
            from textsynth.engine import check_engine

            check_engine(self.engine)
        if self.grammar is None and self.seeds is None:
            raise ConfigError("a pipeline needs a 'grammar' or a 'seeds' section (or both)")
        if self.lm.mode not in ("finetune", "prompt", "off"):
            raise ConfigError(f"lm.mode must be finetune, prompt or off, not {self.lm.mode!r}")
        if self.lm.mode != "off" and self.seeds is None and "grammar" not in self.lm.train_on:
            raise ConfigError("lm needs seeds, or lm.train_on: [grammar]")

    def resolve(self, path: str) -> Path:
        """Return ``path`` resolved against the pipeline file's folder."""
        p = Path(os.path.expandvars(path)).expanduser()
        return p if p.is_absolute() else Path(self.base_dir) / p

    def to_dict(self) -> dict[str, Any]:
        """Return the config as plain data (saved in the run directory)."""
        return dataclasses.asdict(self)


def from_dict(
    data: dict[str, Any],
    *,
    path: str = "<pipeline>",
    base_dir: str = ".",
    marks: Marks | None = None,
) -> PipelineConfig:
    """Build a validated :class:`PipelineConfig` from plain data; errors name the key.

    Every key and value is checked against the dataclasses' types up front (with
    ``file:line:col`` when ``marks`` come from :func:`load`), so nothing fails hours later.
    """
    marks = marks or Marks(path)
    if not isinstance(data, dict):
        raise marks.error("a pipeline file must be a YAML mapping of sections", ())
    lm = data.get("lm")
    if isinstance(lm, dict) and lm.get("mode") is False:  # YAML 1.1 reads a bare `off` as false
        data = {**data, "lm": {**lm, "mode": "off"}}
    cfg = build(PipelineConfig, data, marks, skip=frozenset({"base_dir"}))
    cfg.base_dir = base_dir
    raw_lm = data.get("lm")
    lm_data: dict[str, Any] = raw_lm if isinstance(raw_lm, dict) else {}
    for sub in ("finetune", "sample"):  # their seed follows the pipeline's unless set
        sub_data = lm_data.get(sub)
        if not isinstance(sub_data, dict) or "seed" not in sub_data:
            getattr(cfg.lm, sub).seed = cfg.seed
    return cfg


def load(path: str | os.PathLike[str]) -> PipelineConfig:
    """Read and validate a pipeline YAML file (every value, up front, at file:line:col)."""
    src = read_text(path)
    data, marks = compose(src, str(path))
    return from_dict(data, path=str(path), base_dir=str(Path(path).resolve().parent), marks=marks)
