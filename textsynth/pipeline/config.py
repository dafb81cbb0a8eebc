"""The declarative pipeline file (``PIPELINE.yaml``) as validated dataclasses."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textsynth.errors import ConfigError, InputError, Location
from textsynth.io import read_text
from textsynth.registry import did_you_mean


@dataclass
class GrammarStage:
    """Expand a template grammar into labelled utterances."""

    path: str = field(default="", metadata={"help": "grammar file (.tsg, .chatette, .chatito)"})
    n: int = field(default=500, metadata={"help": "distinct utterances to sample (0 = all)"})
    dedupe: str = field(default="casefold", metadata={"help": "exact or casefold"})
    coverage: bool = field(
        default=True, metadata={"help": "every slot value and rule at least once"}
    )


@dataclass
class SeedsStage:
    """Real labelled seeds (our JSONL)."""

    path: str = field(default="", metadata={"help": "seed utterances, JSONL"})


@dataclass
class ScrubStage:
    """Pseudonymise the seeds before anything learns from them."""

    enabled: bool = True
    operator: str = field(default="surrogate", metadata={"help": "surrogate|tag|mask|redact|hash"})
    ner: str = field(
        default="auto", metadata={"help": "spaCy model name, 'auto' (by language) or 'none'"}
    )
    key_env: str = field(
        default="TEXTSYNTH_PII_KEY", metadata={"help": "env var holding the HMAC key"}
    )
    key_file: str = field(
        default="", metadata={"help": "file holding the HMAC key (overrides key_env)"}
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


@dataclass
class LmStage:
    """Fine-tune a causal LM on the (scrubbed) seeds and sample new utterances."""

    mode: str = field(default="finetune", metadata={"help": "finetune | prompt | off"})
    base_model: str = field(
        default="", metadata={"help": "HF id or path; '' = the embedded SmolLM2"}
    )
    train_on: list[str] = field(
        default_factory=lambda: ["seeds"], metadata={"help": "seeds and/or grammar"}
    )
    epochs: float = 0.0
    max_train_examples: int = field(
        default=0, metadata={"help": "cap on training examples (0 = all)"}
    )
    per_intent: int = 30
    temperature: float = 0.9
    top_p: float = 0.95
    fidelity_threshold: float = 0.5
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
    extra: dict[str, Any] = field(
        default_factory=dict, metadata={"help": "passed to the LM configs"}
    )


@dataclass
class EvaluateStage:
    """Evaluate the synthetic utterances against the seeds (and an optional holdout)."""

    enabled: bool = True
    holdout: str = ""
    reference: str = ""
    test: str = ""
    embeddings: bool = True


@dataclass
class ExportStage:
    """Write the merged training set in the chosen formats."""

    formats: list[str] = field(default_factory=lambda: ["jsonl", "rasa-yaml"])


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
    evaluate: EvaluateStage = field(default_factory=EvaluateStage)
    export: ExportStage = field(default_factory=ExportStage)
    base_dir: str = field(default=".", metadata={"help": "relative paths resolve from here"})

    def __post_init__(self) -> None:
        if self.lm.mode is False:  # YAML 1.1 reads a bare `off` as false
            self.lm.mode = "off"
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


_SECTIONS = {
    "grammar": GrammarStage,
    "seeds": SeedsStage,
    "scrub": ScrubStage,
    "lm": LmStage,
    "evaluate": EvaluateStage,
    "export": ExportStage,
}


def _build(cls: type, data: Any, where: str, path: str) -> Any:
    if data is None:
        return cls()
    if not isinstance(data, dict):
        raise InputError(f"'{where}' must be a mapping, got {type(data).__name__}", Location(path))
    names = [f.name for f in dataclasses.fields(cls)]
    for key in data:
        if key not in names:
            raise InputError(
                f"unknown key '{where}.{key}'{did_you_mean(key, names)}",
                Location(path),
                hint=f"'{where}' accepts: {', '.join(names)}",
            )
    try:
        return cls(**data)
    except TypeError as exc:
        raise InputError(f"bad value in '{where}': {exc}", Location(path)) from None


def from_dict(
    data: dict[str, Any], *, path: str = "<pipeline>", base_dir: str = "."
) -> PipelineConfig:
    """Build a validated :class:`PipelineConfig` from plain data; errors name the key."""
    if not isinstance(data, dict):
        raise InputError("a pipeline file must be a YAML mapping", Location(path))
    top = {f.name for f in dataclasses.fields(PipelineConfig)}
    kwargs: dict[str, Any] = {"base_dir": base_dir}
    for key, value in data.items():
        if key not in top or key == "base_dir":
            raise InputError(
                f"unknown key {key!r}{did_you_mean(key, sorted(top))}",
                Location(path),
                hint=f"top-level keys: {', '.join(sorted(top - {'base_dir'}))}",
            )
        kwargs[key] = _build(_SECTIONS[key], value, key, path) if key in _SECTIONS else value
    try:
        return PipelineConfig(**kwargs)
    except ConfigError as exc:
        raise ConfigError(exc.message, Location(path), hint=exc.hint) from None


def load(path: str | os.PathLike[str]) -> PipelineConfig:
    """Read and validate a pipeline YAML file."""
    import yaml

    src = read_text(path)
    try:
        data = yaml.safe_load(src) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        loc = Location(str(path), mark.line + 1, mark.column + 1) if mark else Location(str(path))
        line = src.splitlines()[mark.line] if mark and mark.line < len(src.splitlines()) else None
        raise InputError(
            f"invalid YAML: {getattr(exc, 'problem', exc)}", loc, source_line=line
        ) from None
    return from_dict(data, path=str(path), base_dir=str(Path(path).resolve().parent))
