"""The pipeline's stages: seeds (+scrub), grammar, finetune, sample, merge, evaluate, export.

Each stage reads its inputs from upstream stage folders and writes its outputs into its own
folder; stages exchange only utterance files (our JSONL).
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

from textsynth import formats
from textsynth.errors import ConfigError
from textsynth.io import atomic_write, read_utterances, write_utterances_jsonl
from textsynth.pipeline.config import PipelineConfig
from textsynth.pipeline.runner import RunContext, Stage
from textsynth.types import Utterance

logger = logging.getLogger(__name__)


def _read(path: Path | None, name: str) -> list[Utterance]:
    if path is None or not (path / name).exists():
        return []
    return list(read_utterances(path / name))


def make_pseudonymiser(cfg: PipelineConfig, key: bytes) -> Any:
    """Return the configured :class:`textsynth.pii.Pseudonymiser` (``key``: the run's key)."""
    from textsynth.pii import Pseudonymiser

    ner = cfg.scrub.ner
    ner_arg: Any = False if ner == "none" else (None if ner == "auto" else ner)
    opts: dict[str, Any] = {}
    if cfg.scrub.entities:
        opts["entities"] = cfg.scrub.entities
    if cfg.scrub.allow_list:
        opts["allow_list"] = cfg.scrub.allow_list
    return Pseudonymiser(
        lang=cfg.language,
        operator=cfg.scrub.operator,
        key=key,
        ner=ner_arg,
        slots=cfg.scrub.slots,
        pii_slot_labels=cfg.scrub.pii_slot_labels,
        **opts,
    )


def run_seeds(ctx: RunContext, out: Path) -> dict[str, Any]:
    """Load the seeds and pseudonymise them (so nothing downstream sees real PII)."""
    cfg = ctx.config
    assert cfg.seeds is not None
    seeds = list(read_utterances(cfg.resolve(cfg.seeds.path), language=cfg.language))
    summary: dict[str, Any] = {"seeds": len(seeds), "intents": len({u.intent for u in seeds})}
    if cfg.scrub.enabled:
        scrubbed = list(make_pseudonymiser(cfg, ctx.pii_key()).scrub_utterances(seeds))
        changed = sum(a.text != b.text for a, b in zip(seeds, scrubbed, strict=True))
        summary["scrubbed_records_changed"] = changed
        seeds = scrubbed
    write_utterances_jsonl(seeds, out / "seeds.jsonl")
    return summary


def run_grammar(ctx: RunContext, out: Path) -> dict[str, Any]:
    """Expand the grammar (distinct utterances, seeded, with coverage)."""
    from textsynth.grammar import count, expand, load_grammar

    cfg = ctx.config
    assert cfg.grammar is not None
    g = load_grammar(cfg.resolve(cfg.grammar.path))
    counts = count(g)
    n = cfg.grammar.n or None
    utts = expand(g, n=n, seed=cfg.seed, dedupe=cfg.grammar.dedupe, coverage=cfg.grammar.coverage)
    k = write_utterances_jsonl(utts, out / "grammar.jsonl")
    return {"utterances": k, "space": {i: str(c) for i, c in counts.items()}}


def _training_set(ctx: RunContext) -> list[Utterance]:
    cfg = ctx.config
    data: list[Utterance] = []
    if "seeds" in cfg.lm.train_on:
        data += _read(ctx.output("seeds"), "seeds.jsonl")
    if "grammar" in cfg.lm.train_on:
        data += _read(ctx.output("grammar"), "grammar.jsonl")
    if cfg.lm.max_train_examples and len(data) > cfg.lm.max_train_examples:
        import random

        data = random.Random(cfg.seed).sample(data, cfg.lm.max_train_examples)
    if not data:
        raise ConfigError(
            "the LM has nothing to learn from: add seeds or set lm.train_on: [grammar]"
        )
    return data


def run_finetune(ctx: RunContext, out: Path) -> dict[str, Any]:
    """Fine-tune the base model (LoRA) on the training set."""
    from textsynth.lm import finetune

    cfg = ctx.config
    info = finetune(_training_set(ctx), out / "model", cfg.lm.finetune)
    return {"model": "model", "info": _plain(info)}


def run_sample(ctx: RunContext, out: Path) -> dict[str, Any]:
    """Sample new utterances per intent (fine-tuned or prompted), then filter them."""
    from textsynth.lm import prompt_sample, sample

    cfg = ctx.config
    scfg = cfg.lm.sample
    seeds = _training_set(ctx) if cfg.lm.mode == "prompt" else []
    from textsynth.lm.sample import pipeline_options

    model_dir = ctx.output("finetune") if cfg.lm.mode == "finetune" else None
    opts = pipeline_options(cfg.lm, model_dir / "model" if model_dir else None, cfg.seed)
    try:
        if cfg.lm.mode == "finetune":
            assert model_dir is not None
            utts, summary = sample(model_dir / "model", scfg, options=opts)
        else:
            utts, summary = prompt_sample(
                seeds, scfg, base_model=cfg.lm.finetune.base_model, options=opts
            )
    finally:
        if opts.backend is not None:
            opts.backend.close()
    write_utterances_jsonl(utts, out / "generated.jsonl")
    with atomic_write(out / "filters.json") as fh:
        json.dump(_plain(summary), fh, indent=2, default=str)
    return {"generated": len(utts), "filters": _plain(summary)}


def run_merge(ctx: RunContext, out: Path) -> dict[str, Any]:
    """Merge seeds, grammar output and generated utterances into one set (no duplicates).

    With ``merge.seed_weight: balanced`` (the default), when some seed weighs more than 1 every
    record gets ``meta.weight``: the seeds of an intent together weigh as much as the text added
    to them (``textsynth.weights``); added text weighs 1.
    """
    from textsynth.weights import training_weights

    seen: set[tuple[str, str]] = set()
    parts: dict[str, list[Utterance]] = {}
    for stage, name in (
        ("seeds", "seeds.jsonl"),
        ("grammar", "grammar.jsonl"),
        ("sample", "generated.jsonl"),
    ):
        for u in _read(ctx.output(stage), name):
            key = (u.text.casefold().strip(), u.intent)
            if key in seen:
                continue
            seen.add(key)
            parts.setdefault(stage, []).append(u)
    seeds = parts.get("seeds", [])
    added = parts.get("grammar", []) + parts.get("sample", [])
    merged = seeds + added
    weights = training_weights(seeds, added, ctx.config.merge.seed_weight)
    weighted = any(w != 1.0 for w in weights)
    if weighted:
        merged = [
            replace(u, meta={**u.meta, "weight": round(w, 4)})
            for u, w in zip(merged, weights, strict=True)
        ]
    write_utterances_jsonl(merged, out / "train.jsonl")
    summary: dict[str, Any] = {
        "utterances": len(merged),
        "by_source": {stage: len(us) for stage, us in parts.items()},
    }
    if weighted:
        summary["seed_weight"] = {"mode": ctx.config.merge.seed_weight, "max": max(weights)}
    return summary


def run_evaluate(ctx: RunContext, out: Path) -> dict[str, Any]:
    """Evaluate the synthetic part (grammar + generated) against the seeds."""
    from textsynth.metrics import evaluate

    cfg = ctx.config
    ev = cfg.evaluate
    synthetic = _read(ctx.output("grammar"), "grammar.jsonl") + _read(
        ctx.output("sample"), "generated.jsonl"
    )
    seeds = _read(ctx.output("seeds"), "seeds.jsonl") or synthetic[: max(1, len(synthetic) // 10)]
    opt: dict[str, Any] = {
        k: list(read_utterances(cfg.resolve(p)))
        for k, p in (("holdout", ev.holdout), ("reference", ev.reference), ("test", ev.test))
        if p
    }
    from textsynth.progress import enabled as progress_enabled

    report = evaluate(
        synthetic,
        seeds,
        embeddings=ev.embeddings,
        seed=cfg.seed,
        show_progress=progress_enabled(),
        **opt,
    )
    report.save(out / "report")
    return {
        "report": "report/report.html",
        "headline": _headline(report),
        "metrics": {m: report.value(m) for m in HEADLINE_METRICS if m in report},
    }


def run_export(ctx: RunContext, out: Path) -> dict[str, Any]:
    """Write the merged training set in every requested format."""
    merged = _read(ctx.output("merge"), "train.jsonl")
    written = {}
    for fmt in ctx.config.export.formats:
        cls = formats.registry.get(fmt)
        extensions = getattr(cls, "extensions", ())
        ext = extensions[0] if extensions else ""
        path = out / f"train{ext}"
        formats.write(merged, path, fmt)
        written[fmt] = path.name  # relative to the stage folder (this one is still temporary)
    return {"files": written}


# the metrics the demo and `textsynth run` print at the end (what each means: docs/safety.md)
HEADLINE_METRICS = (
    "intent-fidelity",
    "span-validity",
    "distinct-2",
    "self-bleu",
    "exact-match",
    "dcr-share",
    "tstr-accuracy",
)


def _headline(report: Any) -> str:
    return str(report.headline())


def _plain(obj: Any) -> Any:
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if hasattr(obj, "__dataclass_fields__"):
        from dataclasses import asdict

        return asdict(obj)
    return obj


def _key_fingerprint(ctx: RunContext) -> dict[str, Any]:
    """A digest of the PII key (never the key): a new key redoes the scrub and what follows."""
    if not ctx.config.scrub.enabled:
        return {}
    from textsynth.pii.keys import key_digest

    return {"pii_key": key_digest(ctx.pii_key())}


def build_stages(cfg: PipelineConfig) -> list[Stage]:
    """Return the stages this config asks for, in order."""
    stages: list[Stage] = []
    if cfg.seeds is not None:
        stages.append(
            Stage(
                "seeds",
                run_seeds,
                (),
                "scrub",
                lambda c: [c.resolve(c.seeds.path)] if c.seeds else [],
                _key_fingerprint,
            )
        )
    if cfg.grammar is not None:
        stages.append(
            Stage(
                "grammar",
                run_grammar,
                (),
                "grammar",
                lambda c: [c.resolve(c.grammar.path)] if c.grammar else [],
            )
        )
    up = tuple(s.name for s in stages)
    common = ("lm.mode", "lm.train_on", "lm.max_train_examples")
    if cfg.lm.mode == "finetune":
        stages.append(Stage("finetune", run_finetune, up, (*common, "lm.finetune")))
    if cfg.lm.mode != "off":
        sample_on = (*common, "lm.sample") + (("lm.finetune",) if cfg.lm.mode == "prompt" else ())
        stages.append(Stage("sample", run_sample, (*up, "finetune"), sample_on))
    every = tuple(s.name for s in stages)
    stages.append(Stage("merge", run_merge, every, "merge"))
    if cfg.evaluate.enabled:
        stages.append(Stage("evaluate", run_evaluate, every, "evaluate"))
    stages.append(Stage("export", run_export, ("merge",), "export"))
    return stages
