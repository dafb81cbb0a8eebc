"""Configuration of LM fine-tuning and sampling: dataclasses saved next to every artefact.

Each field documents itself through ``field(metadata={"help": ...})`` (trl's ``SFTConfig``); the
CLI reads these help strings, and ``to_dict``/``from_dict`` round-trip through ``config.json``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, TypeVar

from textsynth.errors import ConfigError

__all__ = ["AUTO_BASE_MODEL", "DEFAULT_BASE_MODEL", "FinetuneConfig", "SampleConfig"]

DEFAULT_BASE_MODEL = "embedded:smollm2-135m"
AUTO_BASE_MODEL = "auto"
"""Pick the embedded model by the seeds' language: SmolLM2 for English, Gemma 3 otherwise."""

_DTYPES = ("auto", "float32", "bfloat16")
# which filtered utterances the sampler keeps (textsynth.lm.select)
SELECTIONS = ("first", "diverse", "hard")
C = TypeVar("C", bound="_Config")


class _Config:
    """to_dict/from_dict shared by the config dataclasses."""

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a JSON-ready dict (tuples become lists)."""
        d = dataclasses.asdict(self)  # type: ignore[call-overload]
        return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}

    @classmethod
    def from_dict(cls: type[C], d: dict[str, Any]) -> C:
        """Build a config from ``d``; unknown keys raise ``ConfigError`` naming them."""
        names = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(set(d) - set(names))
        if unknown:
            raise ConfigError(
                f"unknown {cls.__name__} field(s): {', '.join(unknown)}",
                hint=f"known fields: {', '.join(names)}",
            )
        kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in d.items()}
        return cls(**kwargs)

    @classmethod
    def help(cls, name: str) -> str:
        """Return the help text of field ``name``."""
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            if f.name == name:
                return str(f.metadata.get("help", ""))
        raise KeyError(name)


def _check(cond: bool, message: str, hint: str = "") -> None:
    if not cond:
        raise ConfigError(message, hint=hint)


@dataclass
class FinetuneConfig(_Config):
    """How to fine-tune a causal LM on intent-conditioned seed utterances."""

    base_model: str = field(
        default=AUTO_BASE_MODEL,
        metadata={
            "help": "base model: 'auto' (embedded:smollm2-135m for English seeds, "
            "embedded:gemma3-270m for other languages when installed), an embedded alias, "
            "a hub id or a path"
        },
    )
    method: str = field(
        default="lora",
        metadata={
            "help": "'lora' (adapters via peft) or 'full' (every weight)",
            "choices": ["lora", "full"],
        },
    )
    epochs: int = field(
        default=4,
        metadata={
            "help": "passes over the seeds (4: on SNIPS 10-shot, 6 gave about 4x the share of "
            "exact seed copies among raw generations, for 1.5x the training time; 2 copies less "
            "but its text helped intent classifiers less on SNIPS and HWU64)"
        },
    )
    learning_rate: float | None = field(
        default=None,
        metadata={"help": "peak learning rate; None = 2e-3 for LoRA, 5e-5 for full fine-tuning"},
    )
    batch_size: int = field(default=8, metadata={"help": "examples per optimiser step"})
    warmup_ratio: float = field(
        default=0.1, metadata={"help": "share of steps with linear warm-up"}
    )
    weight_decay: float = field(default=0.0, metadata={"help": "AdamW weight decay"})
    max_length: int = field(default=96, metadata={"help": "longest example in tokens (truncated)"})
    lora_r: int = field(default=16, metadata={"help": "LoRA rank"})
    lora_alpha: int = field(default=32, metadata={"help": "LoRA scaling numerator"})
    lora_dropout: float = field(default=0.05, metadata={"help": "dropout on the LoRA input"})
    lora_target_modules: tuple[str, ...] = field(
        default=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
        metadata={"help": "module names that get LoRA adapters (Llama-style names by default)"},
    )
    dtype: str = field(
        default="auto",
        metadata={
            "help": "'auto' (bf16 on GPU, fp32 on CPU), 'float32' or 'bfloat16'",
            "choices": list(_DTYPES),
        },
    )
    device: str | None = field(
        default=None, metadata={"help": "'cpu', 'cuda'...; None = the GPU when there is one"}
    )
    threads: int | None = field(
        default=None,
        metadata={
            "help": "CPU threads for torch while training; None = torch's default. On a busy "
            "machine 1 can be several times faster than 2"
        },
    )
    slot_hints: bool = field(
        default=True,
        metadata={
            "help": "name the intent's slot labels in the prompt, so that the model keeps to them"
        },
    )
    value_plans: bool = field(
        default=True,
        metadata={
            "help": "name each seed's slot values in its prompt, so that the run can be asked "
            "for an utterance around given values (sampling's value_plans)"
        },
    )
    init_from: str | None = field(
        default=None,
        metadata={
            "help": "a LoRA run directory of the same base model (e.g. a generator pre-trained "
            "across many intents by eval/pretrain_generator.py) whose adapter this run starts "
            "from and goes on training; its LoRA rank and targets apply; None = a fresh adapter"
        },
    )
    seed: int = field(
        default=0, metadata={"help": "random seed of initialisation, dropout and order"}
    )

    def __post_init__(self) -> None:
        _check(self.method in ("lora", "full"), f"method={self.method!r}; use 'lora' or 'full'")
        _check(self.dtype in _DTYPES, f"dtype={self.dtype!r}; use one of {', '.join(_DTYPES)}")
        _check(self.epochs >= 1, f"epochs={self.epochs!r} must be at least 1")
        _check(self.batch_size >= 1, f"batch_size={self.batch_size!r} must be at least 1")
        _check(self.max_length >= 8, f"max_length={self.max_length!r} must be at least 8")
        _check(0.0 <= self.warmup_ratio < 1.0, f"warmup_ratio={self.warmup_ratio!r} not in [0, 1)")
        _check(
            self.lora_r >= 1,
            f"lora_r={self.lora_r!r} must be at least 1",
            hint="LoRA rank: 8 to 64 are usual (--lora-r)",
        )
        _check(self.lora_alpha > 0, f"lora_alpha={self.lora_alpha!r} must be > 0")
        _check(0 <= self.lora_dropout < 1, f"lora_dropout={self.lora_dropout!r} not in [0, 1)")
        if self.learning_rate is not None:
            _check(self.learning_rate > 0, f"learning_rate={self.learning_rate!r} must be > 0")
        self.lora_target_modules = tuple(self.lora_target_modules)

    @property
    def lr(self) -> float:
        """Return the learning rate, resolving the method-dependent default."""
        if self.learning_rate is not None:
            return self.learning_rate
        return 2e-3 if self.method == "lora" else 5e-5


@dataclass
class SampleConfig(_Config):
    """How to sample, filter and keep new utterances."""

    per_intent: int = field(default=30, metadata={"help": "utterances to keep per intent"})
    focus: str = field(
        default="slots",
        metadata={
            "help": "what the kept text trains: 'slots' (joint intent + slot models: value plans "
            "and every slot check) or 'intents' (intent classifiers: free text, no value plans, "
            "no slot checks; the spans the model marked are kept but unchecked, so do not train "
            "a slot tagger on them; fine-tune with value_plans off to match)",
            "choices": ["slots", "intents"],
        },
    )
    oversample: float = field(
        default=1.5,
        metadata={
            "help": "first round: generate this many times the number wanted, to leave room for "
            "filters; later rounds use each intent's observed pass rate"
        },
    )
    select: str = field(
        default="first",
        metadata={
            "help": "which filtered utterances to keep: the 'first' per_intent generated, or "
            "per_intent of pool x per_intent (costs pool x the sampling): the most 'diverse' "
            "(farthest-first in sentence-embedding space from the seeds and each other) or the "
            "'hard' ones (those the label-fidelity classifier is least sure of; needs that "
            "filter)",
            "choices": list(SELECTIONS),
        },
    )
    pool: float = field(
        default=3.0,
        metadata={
            "help": "with select='diverse' or 'hard': filtered utterances gathered per intent, "
            "as a multiple of per_intent, to choose from"
        },
    )
    max_rounds: int = field(
        default=8,
        metadata={
            "help": "generation rounds per intent while fewer than per_intent survive the filters"
        },
    )
    temperature: float = field(default=0.9, metadata={"help": "softmax temperature (> 0)"})
    top_p: float = field(default=0.95, metadata={"help": "nucleus sampling mass, in (0, 1]"})
    max_new_tokens: int = field(default=40, metadata={"help": "longest completion in tokens"})
    batch_size: int = field(
        default=64,
        metadata={
            "help": "sequences generated at once (on a 2-core CPU 64 gives 1.46x the tokens/s of "
            "32, eval/results/lm.json: the 49k-vocabulary output layer streams its "
            "weights once per step)"
        },
    )
    threads: int | None = field(
        default=None,
        metadata={"help": "CPU threads for torch while sampling; None = torch's default"},
    )
    seed: int = field(
        default=0, metadata={"help": "random seed of sampling (deterministic on CPU)"}
    )
    near_copy_ngram: int = field(
        default=3, metadata={"help": "word n-gram size of the near-copy test"}
    )
    near_copy_threshold: float = field(
        default=0.75,
        metadata={"help": "reject an output when this share of its n-grams occurs in one seed"},
    )
    label_scope: str = field(
        default="intent",
        metadata={
            "help": "slot labels allowed: those of the seeds of the same 'intent', "
            "or of 'all' seeds",
            "choices": ["intent", "all"],
        },
    )
    fidelity_threshold: float = field(
        default=0.5,
        metadata={
            "help": "keep an output only if the seed classifier gives its intent at least this "
            "probability (tau), and no other intent more; the most tau may be when "
            "fidelity_quantile calibrates it; 0 disables the filter"
        },
    )
    fidelity_quantile: float = field(
        default=0.0,
        metadata={
            "help": "calibrate tau from the seeds: hold out folds of them and take this quantile "
            "of the probability the classifier gives their own intent (0.25: three in four "
            "held-out seeds would pass), never above fidelity_threshold; 0 (the default) keeps "
            "fidelity_threshold as tau"
        },
    )
    fidelity_features: str = field(
        default="embeddings",
        metadata={
            "help": "features of the seed classifier: 'embeddings' (MiniLM) or 'tfidf'",
            "choices": ["embeddings", "tfidf"],
        },
    )
    embedding_model: str | None = field(
        default=None,
        metadata={"help": "sentence-transformers model of the classifier; None = embedded MiniLM"},
    )
    intent_relabel_threshold: float = field(
        default=0.8,
        metadata={
            "help": "intent relabelling: an output whose own intent fails the fidelity filter "
            "moves to the intent the seed classifier gives at least this probability "
            "(recorded in meta['changes']); 0 rejects it instead"
        },
    )
    repeated_words: bool = field(
        default=True,
        metadata={
            "help": "reject utterances with one to three words repeated back to back outside "
            "a slot value ('in in the area', 'the The Wire'), unless a seed repeats them"
        },
    )
    slot_context: bool | None = field(
        default=None,
        metadata={
            "help": "reject utterances with more than slot_context_max_unseen slot contexts "
            "(a word next to a value, the value written as its label) that no seed of the "
            "intent has: 'at a [close](spatial_relation) party'. None = on for a fine-tuned "
            "run, off in prompt mode (a prompted model may word a request beyond the seeds)"
        },
    )
    slot_context_max_unseen: int = field(
        default=2,
        metadata={"help": "slot-context filter: the most new slot contexts an utterance may have"},
    )
    typed_values: bool = field(
        default=True,
        metadata={
            "help": "typed value checks: a slot label whose seed values are numbers, amounts, "
            "dates, e-mails or phone numbers only accepts generated values of that type"
        },
    )
    typed_min_share: float = field(
        default=0.9,
        metadata={"help": "share of a label's seed values that must parse to give it a type"},
    )
    slot_rules: bool = field(
        default=True,
        metadata={
            "help": "slot rules learnt from the seeds: no label name written as text, no "
            "punctuation at a span's edge, a seed value's own label, no bare number where the "
            "seeds have none, numbers within the seeds' range and order, no more of a label "
            "than any seed has"
        },
    )
    slot_range_factor: float = field(
        default=2.0,
        metadata={
            "help": "slot rules: a number label's values must lie within [min / f, max * f] of "
            "its seed values; 0 disables the range check"
        },
    )
    slot_verify: bool = field(
        default=True,
        metadata={
            "help": "check every span against a slot tagger trained on the seeds: relabel when "
            "it is confident of another label of the intent, reject when it gives the written "
            "label little probability"
        },
    )
    slot_relabel_threshold: float = field(
        default=0.7, metadata={"help": "slot tagger probability needed to relabel a span"}
    )
    slot_keep_threshold: float = field(
        default=0.05,
        metadata={"help": "least slot tagger probability of a span's written label"},
    )
    slot_confirm_new: bool = field(
        default=True,
        metadata={
            "help": "a slot value no seed gives its label must be the seed tagger's most "
            "likely reading of its span"
        },
    )
    slot_unmarked: str = field(
        default="off",
        metadata={
            "help": "slot recall: an utterance with a slot value outside every span (a value "
            "the seeds always mark, words the seed tagger reads as one of the intent's labels, "
            "or a number where the seeds mark every number) is rejected ('reject'), given the "
            "span ('mark'), or let through ('off'); measured to help prompt mode"
        },
    )
    value_plans: float | None = field(
        default=None,
        metadata={
            "help": "share of requests that name the slot values to write around (one seed's "
            "labels, values drawn from the intent's seeds); a kept planned utterance carries "
            "exactly those spans. None = 1 for a run fine-tuned with value plans, 0 in prompt "
            "mode (a small base model does not follow them); 0 = off"
        },
    )
    propose_values: int = field(
        default=0,
        metadata={
            "help": "value plans: ask the base model for up to this many new values per "
            "open-class label (continuing the list of its seed values; only values most "
            "completions agree on, shaped like the seeds') and plan with them beside the "
            "seeds' values; 0 = seed values only"
        },
    )
    propose_min_votes: int = field(
        default=2,
        metadata={
            "help": "value proposals: how many of a label's 8 completions must propose a "
            "value for it to be kept (1 keeps every well-shaped one)"
        },
    )
    slot_unmarked_threshold: float = field(
        default=0.3,
        metadata={
            "help": "slot recall: the seed tagger's least probability of a label on unmarked "
            "words; 0 uses the seed values only"
        },
    )
    fluency_percentile: float = field(
        default=5.0,
        metadata={
            "help": "fluency filter: reject outputs whose mean token log-likelihood under the "
            "reference LM is below this percentile of the seeds'; 0 disables"
        },
    )
    fluency_model: str | None = field(
        default=None,
        metadata={"help": "reference LM of the fluency filter; None = the run's embedded base"},
    )
    slot_labels: tuple[str, ...] = field(
        default=(),
        metadata={
            "help": "generate only these slot labels (default: all the seeds use); a label "
            "no seed carries is refused"
        },
    )
    constrain_markup: bool = field(
        default=True,
        metadata={
            "help": "constrained decoding: only well-formed [value](label) markup with the "
            "intent's labels, no newline, HTML, URL or pipes can be generated (llguidance; "
            "falls back with a warning for tokenizers it cannot read)"
        },
    )
    shots: int = field(default=8, metadata={"help": "prompt mode: seeds shown in each prompt"})
    completions_per_prompt: int = field(
        default=8,
        metadata={
            "help": "prompt mode: completions sampled from each few-shot prompt (one fresh draw of "
            "shots per group; the long prompt is encoded once per group)"
        },
    )
    dtype: str = field(
        default="auto",
        metadata={
            "help": "'auto' (bf16 on GPU, fp32 on CPU), 'float32' or 'bfloat16'",
            "choices": list(_DTYPES),
        },
    )
    device: str | None = field(
        default=None, metadata={"help": "'cpu', 'cuda'...; None = the GPU when there is one"}
    )

    def __post_init__(self) -> None:
        _check(self.per_intent >= 1, f"per_intent={self.per_intent!r} must be at least 1")
        _check(
            self.focus in ("slots", "intents"),
            f"focus={self.focus!r}; use 'slots' or 'intents'",
        )
        if self.focus == "intents":
            _check(
                not self.value_plans,
                f"value_plans={self.value_plans!r} asks for value plans, but focus='intents' "
                "generates free text",
                hint="leave value_plans unset (or 0) with focus='intents'",
            )
            self._intents_only()
        _check(self.oversample >= 1.0, f"oversample={self.oversample!r} must be >= 1")
        _check(
            self.select in SELECTIONS,
            f"select={self.select!r}; use one of {', '.join(SELECTIONS)}",
        )
        _check(
            self.select != "hard" or self.fidelity_threshold > 0,
            "select='hard' picks by the label-fidelity filter's score, but "
            "fidelity_threshold=0 turns that filter off",
            hint="set fidelity_threshold above 0, or use select='first' or 'diverse'",
        )
        _check(self.pool >= 1.0, f"pool={self.pool!r} must be >= 1")
        _check(
            self.propose_values >= 0,
            f"propose_values={self.propose_values!r} must be 0 (off) or more",
        )
        _check(
            self.propose_min_votes >= 1,
            f"propose_min_votes={self.propose_min_votes!r} must be at least 1",
        )
        _check(self.max_rounds >= 1, f"max_rounds={self.max_rounds!r} must be at least 1")
        _check(
            self.temperature > 0,
            f"temperature={self.temperature!r} must be > 0",
            hint="use a small value such as 0.1 for nearly greedy output",
        )
        _check(0 < self.top_p <= 1, f"top_p={self.top_p!r} must be in (0, 1]")
        _check(self.max_new_tokens >= 1, f"max_new_tokens={self.max_new_tokens!r} must be >= 1")
        _check(self.batch_size >= 1, f"batch_size={self.batch_size!r} must be at least 1")
        _check(self.near_copy_ngram >= 1, f"near_copy_ngram={self.near_copy_ngram!r} must be >= 1")
        _check(
            0 < self.near_copy_threshold <= 1,
            f"near_copy_threshold={self.near_copy_threshold!r} must be in (0, 1]",
        )
        _check(
            0 <= self.fidelity_threshold <= 1,
            f"fidelity_threshold={self.fidelity_threshold!r} must be in [0, 1]",
        )
        _check(
            0 <= self.fidelity_quantile < 1,
            f"fidelity_quantile={self.fidelity_quantile!r} must be in [0, 1)",
        )
        _check(
            self.label_scope in ("intent", "all"),
            f"label_scope={self.label_scope!r}; use 'intent' or 'all'",
        )
        _check(
            self.fidelity_features in ("embeddings", "tfidf"),
            f"fidelity_features={self.fidelity_features!r}; use 'embeddings' or 'tfidf'",
        )
        _check(
            self.slot_unmarked in ("reject", "mark", "off"),
            f"slot_unmarked={self.slot_unmarked!r}; use 'reject', 'mark' or 'off'",
        )
        for name in (
            "intent_relabel_threshold",
            "typed_min_share",
            "slot_relabel_threshold",
            "slot_unmarked_threshold",
            "value_plans",
        ):
            v = getattr(self, name)
            _check(v is None or 0 <= v <= 1, f"{name}={v!r} must be in [0, 1]")
        _check(
            0 <= self.slot_keep_threshold <= 1,
            f"slot_keep_threshold={self.slot_keep_threshold!r} must be in [0, 1]",
        )
        _check(
            self.slot_range_factor == 0 or self.slot_range_factor >= 1,
            f"slot_range_factor={self.slot_range_factor!r} must be 0 (off) or at least 1",
        )
        _check(
            self.slot_context_max_unseen >= 0,
            f"slot_context_max_unseen={self.slot_context_max_unseen!r} must be at least 0",
        )
        _check(
            0 <= self.fluency_percentile < 100,
            f"fluency_percentile={self.fluency_percentile!r} must be in [0, 100)",
        )
        self.slot_labels = tuple(self.slot_labels)
        _check(self.shots >= 1, f"shots={self.shots!r} must be at least 1")
        _check(
            self.completions_per_prompt >= 1,
            f"completions_per_prompt={self.completions_per_prompt!r} must be at least 1",
        )
        _check(self.dtype in _DTYPES, f"dtype={self.dtype!r}; use one of {', '.join(_DTYPES)}")

    def _intents_only(self) -> None:
        """Switch off what serves slot spans only: value plans and the slot checks."""
        self.value_plans = 0.0
        self.slot_rules = self.slot_verify = self.typed_values = self.slot_context = False
        self.slot_unmarked = "off"
        self.propose_values = 0

    def sampling_params(self) -> dict[str, Any]:
        """Return the parameters recorded in each output's provenance."""
        return {
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_new_tokens": self.max_new_tokens,
            "seed": self.seed,
        }
