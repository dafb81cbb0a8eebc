"""``textsynth lm``: fine-tune a causal LM on labelled seeds and sample new utterances."""

from __future__ import annotations

import importlib.util
import json
import logging
from collections.abc import Iterable
from typing import Any

import click

from textsynth.lm.config import DEFAULT_BASE_MODEL, FinetuneConfig, SampleConfig
from textsynth.types import Utterance

logger = logging.getLogger(__name__)

_F = FinetuneConfig.help
_S = SampleConfig.help


def _read_seeds(path: str, fmt: str | None) -> list[Utterance]:
    from textsynth import formats

    return list(formats.read(path, fmt))


def _scrubber() -> Any:
    """Return ``textsynth.pii.scrub`` (surrogate pseudonymiser), or ``None`` when unavailable."""
    if importlib.util.find_spec("textsynth.pii") is None:
        return None
    from textsynth.pii import scrub

    return lambda utts: list(scrub(utts))


@click.group()
def lm() -> None:
    """Fine-tune a small language model on seeds and sample slot-labelled utterances."""


@lm.command()
@click.option(
    "--seeds",
    "seeds_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="Labelled seed utterances (JSONL by default).",
)
@click.option("--seeds-format", default=None, help="Format of --seeds (default: by extension).")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Run directory to write (adapter/weights, config.json, seeds).",
)
@click.option(
    "--base-model", default=FinetuneConfig.base_model, show_default=True, help=_F("base_model")
)
@click.option(
    "--lora/--full",
    "lora",
    default=True,
    show_default=True,
    help="LoRA adapters (default) or full fine-tuning.",
)
@click.option(
    "--epochs", type=int, default=FinetuneConfig.epochs, show_default=True, help=_F("epochs")
)
@click.option("--lr", type=float, default=None, help=_F("learning_rate"))
@click.option(
    "--batch-size",
    type=int,
    default=FinetuneConfig.batch_size,
    show_default=True,
    help=_F("batch_size"),
)
@click.option(
    "--lora-r", type=int, default=FinetuneConfig.lora_r, show_default=True, help=_F("lora_r")
)
@click.option(
    "--dtype",
    type=click.Choice(["auto", "float32", "bfloat16"]),
    default="auto",
    show_default=True,
    help=_F("dtype"),
)
@click.option("--device", default=None, help=_F("device"))
@click.option("--seed", type=int, default=0, show_default=True, help=_F("seed"))
@click.option(
    "--scrub/--no-scrub",
    default=True,
    show_default=True,
    help="Pseudonymise the seeds first (when textsynth.pii is available).",
)
@click.option(
    "--slot-hints/--no-slot-hints", default=True, show_default=True, help=_F("slot_hints")
)
def finetune(
    seeds_path: str,
    seeds_format: str | None,
    out_dir: str,
    base_model: str,
    lora: bool,
    epochs: int,
    lr: float | None,
    batch_size: int,
    lora_r: int,
    dtype: str,
    device: str | None,
    seed: int,
    scrub: bool,
    slot_hints: bool,
) -> None:
    """Fine-tune BASE_MODEL on intent-conditioned seeds (loss on the utterance markup only)."""
    from textsynth.lm import finetune as run

    config = FinetuneConfig(
        base_model=base_model,
        method="lora" if lora else "full",
        epochs=epochs,
        learning_rate=lr,
        batch_size=batch_size,
        lora_r=lora_r,
        dtype=dtype,
        device=device,
        seed=seed,
        slot_hints=slot_hints,
    )
    seeds = _read_seeds(seeds_path, seeds_format)
    scrubber = _scrubber() if scrub else None
    if scrub and scrubber is None:
        click.echo("warning: textsynth.pii is not available; seeds are NOT scrubbed", err=True)
    info = run(seeds, out_dir, config, scrub=scrubber)
    last = sum(info.losses[-5:]) / max(1, len(info.losses[-5:]))
    click.echo(
        f"fine-tuned {info.base_model} ({info.method}) on {info.n_seeds} seeds, "
        f"{len(info.intents)} intents, {info.steps} steps in {info.train_seconds:.1f}s; "
        f"final loss {last:.3f} -> {out_dir}",
        err=True,
    )


def _write(utts: Iterable[Utterance], out: str, fmt: str | None) -> int:
    from textsynth import formats

    return formats.write(utts, out, fmt)


@lm.command()
@click.option(
    "--model",
    "run_dir",
    default=None,
    type=click.Path(file_okay=False),
    help="Run directory from `textsynth lm finetune` (mode finetuned).",
)
@click.option(
    "--mode",
    type=click.Choice(["finetuned", "prompt"]),
    default="finetuned",
    show_default=True,
    help="Sample a fine-tuned run, or few-shot prompt the base model.",
)
@click.option(
    "--seeds",
    "seeds_path",
    default=None,
    type=click.Path(dir_okay=False),
    help="Seeds for --mode prompt.",
)
@click.option("--seeds-format", default=None, help="Format of --seeds (default: by extension).")
@click.option(
    "--base-model",
    default=DEFAULT_BASE_MODEL,
    show_default=True,
    help="Model to prompt in --mode prompt.",
)
@click.option(
    "--per-intent",
    type=int,
    default=SampleConfig.per_intent,
    show_default=True,
    help=_S("per_intent"),
)
@click.option("--intents", default=None, help="Comma-separated intents (default: all).")
@click.option(
    "--temperature",
    type=float,
    default=SampleConfig.temperature,
    show_default=True,
    help=_S("temperature"),
)
@click.option(
    "--top-p", type=float, default=SampleConfig.top_p, show_default=True, help=_S("top_p")
)
@click.option(
    "--max-new-tokens",
    type=int,
    default=SampleConfig.max_new_tokens,
    show_default=True,
    help=_S("max_new_tokens"),
)
@click.option(
    "--batch-size",
    type=int,
    default=SampleConfig.batch_size,
    show_default=True,
    help=_S("batch_size"),
)
@click.option(
    "--oversample",
    type=float,
    default=SampleConfig.oversample,
    show_default=True,
    help=_S("oversample"),
)
@click.option(
    "--tau",
    type=float,
    default=SampleConfig.fidelity_threshold,
    show_default=True,
    help=_S("fidelity_threshold"),
)
@click.option(
    "--near-copy",
    type=float,
    default=SampleConfig.near_copy_threshold,
    show_default=True,
    help=_S("near_copy_threshold"),
)
@click.option("--shots", type=int, default=SampleConfig.shots, show_default=True, help=_S("shots"))
@click.option(
    "--dtype",
    type=click.Choice(["auto", "float32", "bfloat16"]),
    default="auto",
    show_default=True,
    help=_S("dtype"),
)
@click.option("--device", default=None, help=_S("device"))
@click.option("--seed", type=int, default=0, show_default=True, help=_S("seed"))
@click.option("-o", "--output", required=True, help="Output file ('-' for standard output).")
@click.option("--format", "fmt", default=None, help="Output format (guessed from the extension).")
@click.option(
    "--summary",
    "summary_path",
    default=None,
    type=click.Path(dir_okay=False),
    help="Also write the filter summary as JSON here.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="ray: one actor per GPU (else per CPU) of the Ray cluster ($RAY_ADDRESS, else a "
    "local one), intents sharded across them. Needs textsynth[ray].",
)
def sample(
    run_dir: str | None,
    mode: str,
    seeds_path: str | None,
    seeds_format: str | None,
    base_model: str,
    per_intent: int,
    intents: str | None,
    temperature: float,
    top_p: float,
    max_new_tokens: int,
    batch_size: int,
    oversample: float,
    tau: float,
    near_copy: float,
    shots: int,
    dtype: str,
    device: str | None,
    seed: int,
    output: str,
    fmt: str | None,
    summary_path: str | None,
    engine: str,
) -> None:
    """Sample, filter and write PER_INTENT new slot-labelled utterances per intent."""
    from textsynth.io import atomic_write
    from textsynth.lm import prompt_sample
    from textsynth.lm import sample as run_sample

    config = SampleConfig(
        per_intent=per_intent,
        temperature=temperature,
        top_p=top_p,
        max_new_tokens=max_new_tokens,
        batch_size=batch_size,
        oversample=oversample,
        fidelity_threshold=tau,
        near_copy_threshold=near_copy,
        shots=shots,
        dtype=dtype,
        device=device,
        seed=seed,
    )
    chosen = [i.strip() for i in intents.split(",") if i.strip()] if intents else None
    if engine == "ray":
        from textsynth.engine import require_ray

        require_ray()
    if engine == "ray" and mode == "finetuned" and run_dir:
        from textsynth.engine.ray_lm import sample_ray

        utts, summary = sample_ray("finetuned", run_dir, config, intents=chosen)
    elif engine == "ray" and mode == "prompt" and seeds_path:
        from textsynth.engine.ray_lm import sample_ray

        seeds = _read_seeds(seeds_path, seeds_format)
        utts, summary = sample_ray("prompt", base_model, config, intents=chosen, seeds=seeds)
    elif mode == "finetuned":
        if not run_dir:
            raise click.UsageError("--mode finetuned needs --model RUN_DIR")
        utts, summary = run_sample(run_dir, config, intents=chosen)
    else:
        if not seeds_path:
            raise click.UsageError("--mode prompt needs --seeds SEEDS")
        seeds = _read_seeds(seeds_path, seeds_format)
        utts, summary = prompt_sample(seeds, config, base_model=base_model, intents=chosen)
    n = _write(utts, output, fmt)
    click.echo(summary.format(), err=True)
    click.echo(f"wrote {n} utterances to {output}", err=True)
    if summary_path:
        with atomic_write(summary_path) as fh:
            json.dump(summary.to_dict(), fh, indent=2)
            fh.write("\n")
