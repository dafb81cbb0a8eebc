"""LM generator: fine-tune a small causal LM on labelled seeds, sample slot-labelled utterances.

Public API::

    info = finetune(seeds, "runs/demo", FinetuneConfig(epochs=6), scrub=pseudonymiser)
    utts, summary = sample("runs/demo", SampleConfig(per_intent=30))
    utts, summary = prompt_sample(seeds, SampleConfig(per_intent=30))   # no training

torch, transformers and peft are imported only when these functions run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from textsynth.errors import InputError
from textsynth.lm.config import DEFAULT_BASE_MODEL, FinetuneConfig, SampleConfig
from textsynth.lm.filters import FilterSummary
from textsynth.lm.sample import LoadedRun, load_run, prompt_sample, sample
from textsynth.types import Utterance

if TYPE_CHECKING:
    from textsynth.lm.train import RunInfo

__all__ = [
    "DEFAULT_BASE_MODEL",
    "FilterSummary",
    "FinetuneConfig",
    "LoadedRun",
    "SampleConfig",
    "finetune",
    "load_run",
    "prompt_sample",
    "sample",
]

Scrubber = Callable[[Iterable[Utterance]], Iterable[Utterance]]


def finetune(
    seeds: Iterable[Utterance],
    out_dir: str | os.PathLike[str],
    config: FinetuneConfig | None = None,
    *,
    scrub: Scrubber | None = None,
) -> RunInfo:
    """Fine-tune a causal LM on intent-conditioned seeds; save the run into ``out_dir``.

    Args:
        seeds: labelled seed utterances (intent and slot spans).
        out_dir: run directory: adapter or weights, tokenizer, ``config.json``, ``seeds.jsonl``.
        config: fine-tuning settings (defaults: LoRA on the embedded SmolLM2-135M).
        scrub: optional pseudonymiser applied to the seeds first, so the model never sees real
            PII (e.g. ``textsynth.pii`` 's scrubber); the scrubbed seeds are what the run keeps.

    Returns:
        The run facts (also in ``out_dir/config.json``).

    Raises:
        InputError: when there are no seeds.
    """
    from textsynth.lm.train import run_finetune

    items = list(seeds)
    if scrub is not None:
        items = list(scrub(items))
    if not items:
        raise InputError(
            "no seed utterances to fine-tune on",
            hint="give a JSONL file with at least one labelled utterance",
        )
    return run_finetune(items, out_dir, config or FinetuneConfig())
