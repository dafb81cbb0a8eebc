"""``textsynth lm``: fine-tune a causal LM on labelled seeds and sample new utterances."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import logging
import os
from collections.abc import Iterable
from typing import Any

import click

from textsynth.lm.config import DEFAULT_BASE_MODEL, SELECTIONS, FinetuneConfig, SampleConfig
from textsynth.types import Utterance

logger = logging.getLogger(__name__)

_F = FinetuneConfig.help
_S = SampleConfig.help
_DTYPE = click.Choice(["auto", "float32", "bfloat16"])


def config_option(cls: type, name: str, *flags: str, **overrides: Any) -> Any:
    """Return a click option for field ``name`` of the config dataclass ``cls``.

    The option takes the field's default and help text, and the type of a number or flag
    default; ``overrides`` set anything else (a ``type`` such as a ``click.Choice``). The value
    reaches the command under the field's name, so ``cls(**{name: kw[name]})`` builds the
    config.
    """
    f = next(f for f in dataclasses.fields(cls) if f.name == name)
    default = f.default
    opts: dict[str, Any] = {"default": default, "help": str(f.metadata.get("help", ""))}
    if default is not None:
        opts["show_default"] = True
        if isinstance(default, int | float) and not isinstance(default, bool):
            opts["type"] = type(default)
    opts.update(overrides)
    return click.option(*flags, name, **opts)


def _options(*decorators: Any) -> Any:
    """Return one decorator applying ``decorators`` in order (the first is the topmost)."""

    def apply(f: Any) -> Any:
        for d in reversed(decorators):
            f = d(f)
        return f

    return apply


# `lm finetune` options that are FinetuneConfig fields, in --help order (after --lr)
_FINETUNE_FIELDS = (
    ("batch_size", "--batch-size"),
    ("lora_r", "--lora-r"),
    ("dtype", "--dtype"),
    ("device", "--device"),
    ("seed", "--seed"),
    ("slot_hints", "--slot-hints/--no-slot-hints"),
    ("value_plans", "--value-plans/--no-value-plans"),
    ("init_from", "--init-from"),
)
_FINETUNE_TYPES: dict[str, dict[str, Any]] = {
    "dtype": {"type": _DTYPE},
    "init_from": {"type": click.Path(file_okay=False)},
}

# `lm sample` options that are SampleConfig fields, in --help order
_SAMPLE_FIELDS = (
    ("per_intent", "--per-intent"),
    ("focus", "--focus"),
    ("temperature", "--temperature"),
    ("top_p", "--top-p"),
    ("max_new_tokens", "--max-new-tokens"),
    ("batch_size", "--batch-size"),
    ("oversample", "--oversample"),
    ("select", "--select"),
    ("pool", "--pool"),
    ("fidelity_threshold", "--tau"),
    ("near_copy_threshold", "--near-copy"),
    ("slot_unmarked", "--slot-unmarked"),
    ("slot_context", "--slot-context/--no-slot-context"),
    ("value_plans", "--value-plans"),
    ("propose_values", "--propose-values"),
    ("shots", "--shots"),
    ("dtype", "--dtype"),
    ("device", "--device"),
    ("seed", "--seed"),
)
_SAMPLE_TYPES: dict[str, dict[str, Any]] = {
    "slot_unmarked": {"type": click.Choice(["off", "reject", "mark"])},
    "focus": {"type": click.Choice(["slots", "intents"])},
    "select": {"type": click.Choice(SELECTIONS)},
    "pool": {"type": click.FloatRange(min=1.0)},
    "value_plans": {"type": click.FloatRange(0, 1)},
    "propose_values": {"type": click.IntRange(min=0)},
    "dtype": {"type": _DTYPE},
}


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
@config_option(FinetuneConfig, "base_model", "--base-model")
@click.option(
    "--lora/--full",
    "lora",
    default=True,
    show_default=True,
    help="LoRA adapters (default) or full fine-tuning.",
)
@config_option(FinetuneConfig, "epochs", "--epochs")
@config_option(FinetuneConfig, "learning_rate", "--lr", type=float)
@_options(
    *(
        config_option(FinetuneConfig, name, flag, **_FINETUNE_TYPES.get(name, {}))
        for name, flag in _FINETUNE_FIELDS
    )
)
@click.option(
    "--scrub/--no-scrub",
    default=True,
    show_default=True,
    help="Pseudonymise the seeds first (when textsynth.pii is available).",
)
def finetune(**kw: Any) -> None:
    """Fine-tune BASE_MODEL on intent-conditioned seeds (loss on the utterance markup only)."""
    from textsynth.lm import finetune as run
    from textsynth.lm.backends.hf import check_base_model, check_device

    config = FinetuneConfig(
        method="lora" if kw["lora"] else "full",
        **{name: kw[name] for name in ("base_model", "epochs", "learning_rate")},
        **{name: kw[name] for name, _flag in _FINETUNE_FIELDS},
    )
    check_base_model(config.base_model)
    check_device(config.device)
    seeds = _read_seeds(kw["seeds_path"], kw["seeds_format"])
    scrubber = _scrubber() if kw["scrub"] else None
    if kw["scrub"] and scrubber is None:
        click.echo("warning: textsynth.pii is not available; seeds are NOT scrubbed", err=True)
    info = run(seeds, kw["out_dir"], config, scrub=scrubber)
    last = sum(info.losses[-5:]) / max(1, len(info.losses[-5:]))
    click.echo(
        f"fine-tuned {info.base_model} ({info.method}) on {info.n_seeds} seeds, "
        f"{len(info.intents)} intents, {info.steps} steps in {info.train_seconds:.1f}s; "
        f"final loss {last:.3f} -> {kw['out_dir']}",
        err=True,
    )


def _check_outputs(output: str, fmt: str | None, extra: dict[str, str | None]) -> str:
    """Check the format and every output path before any model loads; return the format.

    Args:
        output: ``-o`` (``-`` = standard output).
        fmt: ``--format`` or ``None`` (from the extension).
        extra: other output paths by option name (``--summary``...), ``None`` when unset.
    """
    from pathlib import Path

    from textsynth import formats
    from textsynth.errors import ConfigError

    name = fmt or formats.guess(output)
    formats.get(name)  # unknown names raise with the list of formats
    paths = {"-o/--output": output, **{k: v for k, v in extra.items() if v}}
    seen: dict[str, str] = {}
    for opt, raw in paths.items():
        if raw == "-":
            continue
        p = Path(raw).expanduser()
        key = str(p.resolve())
        if key in seen:
            raise ConfigError(
                f"{opt} and {seen[key]} are the same file ({raw})", hint="give each its own path"
            )
        seen[key] = opt
        if p.is_dir():
            raise ConfigError(f"{opt} {raw} is a directory", hint="give a file path")
        parent = p.parent
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
        if not parent.is_dir():
            raise ConfigError(f"{opt} {raw}: {parent} is not a directory")
        if not os.access(parent, os.W_OK):
            raise ConfigError(
                f"{opt} {raw}: cannot write in {parent}", hint="choose a writable folder"
            )
    return name


def _write(utts: Iterable[Utterance], out: str, fmt: str | None) -> int:
    from textsynth import formats

    return formats.write(utts, out, fmt)


def backend_options(f: Any) -> Any:
    """Add the generator-backend options (``--backend``, ``--base-url``...) to a command."""
    opts = [
        click.option(
            "--backend",
            default="hf",
            show_default=True,
            help="Generator: hf (in-process transformers), openai (any OpenAI-compatible "
            "server), vllm (offline, GPU), llamacpp (in-process GGUF).",
        ),
        click.option(
            "--base-url",
            default="http://127.0.0.1:8000/v1",
            show_default=True,
            help="--backend openai: the server's /v1 URL.",
        ),
        click.option(
            "--api",
            type=click.Choice(["completions", "chat"]),
            default="completions",
            show_default=True,
            help="--backend openai: /v1/completions or /v1/chat/completions.",
        ),
        click.option(
            "--api-key-env",
            default="OPENAI_API_KEY",
            show_default=True,
            help="Environment variable holding the API key (never logged or written).",
        ),
        click.option(
            "--concurrency", type=int, default=4, show_default=True, help="Requests in flight."
        ),
        click.option(
            "--timeout",
            "request_timeout",
            type=float,
            default=60.0,
            show_default=True,
            help="Seconds per request attempt.",
        ),
        click.option(
            "--retries",
            type=int,
            default=4,
            show_default=True,
            help="Retries per request, with backoff, on 429/5xx/timeouts/connection errors.",
        ),
        click.option(
            "--cache",
            "cache_path",
            default=None,
            type=click.Path(dir_okay=False),
            help="Request cache (SQLite) kept across runs; default: OUTPUT.requests.sqlite, "
            "removed when the run finishes.",
        ),
        click.option("--no-cache", is_flag=True, help="Keep no request cache on disk."),
        click.option(
            "--constrain/--no-constrain",
            default=False,
            show_default=True,
            help="Constrain the markup to the intent's slot labels through the backend "
            "(llama.cpp grammar, vLLM regex); else validated afterwards.",
        ),
        click.option(
            "--lora-gguf",
            default=None,
            type=click.Path(dir_okay=False),
            help="--backend llamacpp --mode finetuned: the adapter as a GGUF LoRA file "
            "(default RUN/adapter.gguf).",
        ),
        click.option(
            "--judge",
            default=None,
            help="LLM judge BACKEND/MODEL (openai/NAME or llamacpp/MODEL): relabels or "
            "rejects each kept utterance; counted in the summary.",
        ),
        click.option(
            "--judge-base-url",
            default=None,
            help="--judge openai/...: its server (default: --base-url).",
        ),
        click.option(
            "--judge-min-agreement",
            default=0.5,
            show_default=True,
            type=click.FloatRange(0, 1),
            help="the share of checked seeds (2 per intent) the judge must label right for "
            "its verdicts to be used; 0 uses them whatever it scores.",
        ),
    ]
    for o in reversed(opts):
        f = o(f)
    return f


def make_backend(
    kw: dict[str, Any], mode: str, run_dir: str | None, base_model: str, base_given: bool
) -> Any:
    """Return the backend the options ask for, checked (nothing loaded for ``hf``)."""
    from pathlib import Path

    from textsynth.lm import backends
    from textsynth.lm.backends.hf import check_base_model, check_device

    name = kw["backend"]
    cls = backends.get(name)  # unknown names list the backends
    if name == "hf":
        b = cls(model=base_model if mode == "prompt" else "", device=kw["device"])
        if mode == "prompt":
            check_base_model(base_model)
        check_device(kw["device"])
        return b
    if name == "openai":
        if not base_given:
            raise click.UsageError(
                "--backend openai needs --base-model NAME (the model's name on the server; "
                "in --mode finetuned, the name under which it serves the adapter)"
            )
        b = cls(
            model=base_model,
            base_url=kw["base_url"],
            api=kw["api"],
            api_key_env=kw["api_key_env"],
            concurrency=kw["concurrency"],
            timeout=kw["request_timeout"],
            max_retries=kw["retries"],
        )
    elif name == "vllm":
        model, lora = base_model, None
        if mode == "finetuned":
            from textsynth.lm.models import resolve_base_model
            from textsynth.lm.sample import read_run

            assert run_dir is not None
            run = read_run(run_dir)
            if run.config.method != "lora":
                model = str(Path(run_dir) / "model")
            else:
                model = resolve_base_model(run.config.base_model)
                lora = str(Path(run_dir) / "adapter")
        elif base_model.startswith("embedded:"):
            from textsynth.lm.models import resolve_base_model

            model = resolve_base_model(base_model)
        b = cls(model=model, lora_path=lora)
    elif name == "llamacpp":
        lora = kw.get("lora_gguf")
        if mode == "finetuned":
            from textsynth.lm.sample import read_run

            assert run_dir is not None
            run = read_run(run_dir)
            base_model = run.config.base_model
            lora = lora or str(Path(run_dir) / "adapter.gguf")
            if not Path(lora).is_file():
                raise click.UsageError(
                    f"--backend llamacpp --mode finetuned needs the adapter as GGUF ({lora}); "
                    "convert RUN/adapter with llama.cpp's convert_lora_to_gguf.py, or pass "
                    "--lora-gguf"
                )
        b = cls(model=base_model, lora_path=lora)
    else:  # a third-party backend: model and nothing else
        b = backends.create(name, base_model)
    b.check()
    return b


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
@click.option("--intents", default=None, help="Comma-separated intents (default: all).")
@_options(
    *(
        config_option(SampleConfig, name, flag, **_SAMPLE_TYPES.get(name, {}))
        for name, flag in _SAMPLE_FIELDS
    )
)
@backend_options
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
@click.pass_context
def sample(ctx: click.Context, **kw: Any) -> None:
    """Sample, filter and write PER_INTENT new slot-labelled utterances per intent.

    Kept utterances stream to OUTPUT.partial.jsonl as they pass; an interrupted run keeps
    them, and the same command resumes (finished requests come from OUTPUT.requests.sqlite).
    """
    from pathlib import Path

    from textsynth.io import dumps
    from textsynth.lm import prompt_sample
    from textsynth.lm import sample as run_sample
    from textsynth.lm.cache import RequestCache
    from textsynth.lm.sample import RunOptions

    mode, output = kw["mode"], kw["output"]
    if mode == "finetuned" and not kw["run_dir"]:
        raise click.UsageError("--mode finetuned needs --model RUN_DIR")
    if mode == "prompt" and not kw["seeds_path"]:
        raise click.UsageError("--mode prompt needs --seeds SEEDS")
    partial = f"{output}.partial.jsonl" if output != "-" else None
    default_cache = f"{output}.requests.sqlite" if output != "-" else None
    cache_path = None if kw["no_cache"] else (kw["cache_path"] or default_cache)
    fmt = _check_outputs(
        output,
        kw["fmt"],
        {"--summary": kw["summary_path"], "--cache": cache_path, "partial file": partial},
    )
    config = SampleConfig(**{name: kw[name] for name, _flag in _SAMPLE_FIELDS})
    chosen = [i.strip() for i in kw["intents"].split(",") if i.strip()] if kw["intents"] else None
    if kw["engine"] == "ray":
        from textsynth.engine import require_ray
        from textsynth.engine.ray_lm import sample_ray

        require_ray()
        if mode == "finetuned":
            utts, summary = sample_ray("finetuned", kw["run_dir"], config, intents=chosen)
        else:
            ray_seeds = _read_seeds(kw["seeds_path"], kw["seeds_format"])
            utts, summary = sample_ray(
                "prompt", kw["base_model"], config, intents=chosen, seeds=ray_seeds
            )
        _report(summary, _write(utts, output, fmt), output, kw["summary_path"])
        return
    if mode == "finetuned" and not Path(kw["run_dir"], "config.json").exists():
        from textsynth.lm.sample import read_run

        read_run(kw["run_dir"])  # raises the located "not a fine-tuning run" error
    seeds = _read_seeds(kw["seeds_path"], kw["seeds_format"]) if mode == "prompt" else None
    base_given = ctx.get_parameter_source("base_model") is not click.core.ParameterSource.DEFAULT
    backend = make_backend(kw, mode, kw["run_dir"], kw["base_model"], base_given)
    judge = None
    if kw["judge"]:
        from textsynth.lm.judge import Judge

        judge = Judge(
            kw["judge"],
            base_url=kw["judge_base_url"] or kw["base_url"],
            api_key_env=kw["api_key_env"],
            timeout=kw["request_timeout"],
            max_retries=kw["retries"],
            seed=kw["seed"],
            min_seed_agreement=kw["judge_min_agreement"],
        )
        judge.check()
    cache = RequestCache(cache_path) if cache_path else None
    sink = open(partial, "w", encoding="utf-8") if partial else None  # noqa: SIM115

    def on_kept(u: Utterance) -> None:
        if sink is not None:
            sink.write(dumps(u.to_dict()) + "\n")
            sink.flush()

    opts = RunOptions(
        backend=backend, cache=cache, on_kept=on_kept, judge=judge, constrain=kw["constrain"]
    )
    finished = False
    try:
        if mode == "finetuned":
            utts, summary = run_sample(kw["run_dir"], config, intents=chosen, options=opts)
        else:
            assert seeds is not None
            utts, summary = prompt_sample(
                seeds, config, base_model=kw["base_model"], intents=chosen, options=opts
            )
        n = _write(utts, output, fmt)
        finished = True
    finally:
        backend.close()
        if judge is not None:
            judge.close()
        if sink is not None:
            sink.close()
        if cache is not None:
            if finished and not kw["cache_path"]:
                cache.remove()
            else:
                cache.close()
        if partial:
            if finished:
                Path(partial).unlink(missing_ok=True)
            elif Path(partial).exists():
                click.echo(
                    f"interrupted: the utterances kept so far are in {partial}; run the same "
                    "command again to resume (finished requests are not asked again)",
                    err=True,
                )
    _report(summary, n, output, kw["summary_path"])


def _report(summary: Any, n: int, output: str, summary_path: str | None) -> None:
    """Print the filter summary and failures, and write it as JSON to ``summary_path``."""
    from textsynth.io import atomic_write

    click.echo(summary.format(), err=True)
    failed = summary.counters.get("requests_failed", 0)
    if failed:
        click.echo(
            f"warning: {failed} of {summary.counters['requests']} requests failed after "
            "retries; they are not in the output (rerun to ask them again)",
            err=True,
        )
    click.echo(f"wrote {n} utterances to {output}", err=True)
    if summary_path:
        with atomic_write(summary_path) as fh:
            json.dump(summary.to_dict(), fh, indent=2)
            fh.write("\n")
