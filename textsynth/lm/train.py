"""Fine-tune a causal LM on intent-conditioned seed utterances (LoRA by default, or full).

Each seed becomes ``prompt + completion + eos`` (see :mod:`textsynth.lm.prompt`); the labels of
the prompt and of padding are ``-100``, so the loss covers the completion only (trl's
``completion_only_loss``). ``accelerate`` puts the model on the GPU in bf16 when there is one,
and on the CPU otherwise. Every random choice (LoRA initialisation, dropout, batch order) comes
from ``config.seed``.

The run directory holds ``config.json`` (the :class:`FinetuneConfig` and run facts: seed-set
hash, losses, timings), ``seeds.jsonl`` (the seeds as trained on, after scrubbing), the
tokenizer, and ``adapter/`` (LoRA) or ``model/`` (full fine-tuning).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textsynth.io import atomic_write, write_utterances_jsonl
from textsynth.lm.config import FinetuneConfig
from textsynth.lm.prompt import slots_by_intent, to_example
from textsynth.types import Utterance

__all__ = [
    "RunInfo",
    "completion_loss",
    "encode_examples",
    "length_grouped_batches",
    "check_seeds",
    "run_finetune",
    "seeds_hash",
]

logger = logging.getLogger(__name__)


@dataclass
class RunInfo:
    """What a fine-tuning run produced (also saved under ``"run"`` in ``config.json``)."""

    run_dir: str
    run_id: str
    base_model: str
    method: str
    seeds_hash: str
    n_seeds: int
    intents: list[str]
    seed: int
    device: str
    steps: int = 0
    losses: list[float] = field(default_factory=list)
    load_seconds: float = 0.0
    train_seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RunInfo:
        """Build from :meth:`to_dict` output."""
        return cls(**d)


def seeds_hash(seeds: Sequence[Utterance]) -> str:
    """Return a SHA-256 of the seeds' JSONL records (order-sensitive), as hex."""
    h = hashlib.sha256()
    for u in seeds:
        d = u.to_dict()
        d.pop("meta", None)
        h.update(json.dumps(d, sort_keys=True, ensure_ascii=False).encode())
        h.update(b"\n")
    return h.hexdigest()


def encode_examples(
    seeds: Sequence[Utterance],
    tokenizer: Any,
    max_length: int,
    slot_hints: bool = True,
    value_plans: bool = False,
) -> list[dict]:
    """Tokenise seeds into ``input_ids``/``labels`` with the prompt masked out (-100).

    Prompt and completion are tokenised separately, so the boundary is exactly where generation
    starts at sampling time (where the prompt is tokenised alone).
    """
    out = []
    eos = tokenizer.eos_token_id
    hints = slots_by_intent(seeds) if slot_hints else {}
    for u in seeds:
        ex = to_example(u, hints.get(u.intent) if slot_hints else None, planned=value_plans)
        p = tokenizer(ex.prompt)["input_ids"]
        c = tokenizer(ex.completion, add_special_tokens=False)["input_ids"] + [eos]
        ids = (p + c)[:max_length]
        labels = ([-100] * len(p) + c)[:max_length]
        out.append({"input_ids": ids, "labels": labels})
    return out


def _collate(batch: list[dict], pad_id: int) -> dict:
    import torch

    width = max(len(b["input_ids"]) for b in batch)
    ids, labels, mask = [], [], []
    for b in batch:
        n = len(b["input_ids"])
        ids.append(b["input_ids"] + [pad_id] * (width - n))  # right padding for training
        labels.append(b["labels"] + [-100] * (width - n))
        mask.append([1] * n + [0] * (width - n))
    return {
        "input_ids": torch.tensor(ids),
        "labels": torch.tensor(labels),
        "attention_mask": torch.tensor(mask),
    }


def length_grouped_batches(
    lengths: Sequence[int], batch_size: int, rng: random.Random
) -> list[list[int]]:
    """Return one epoch's batches: shuffled, then similar lengths grouped to cut padding.

    The order is shuffled, cut into mega-batches of 16 batches, each sorted by length and split
    into batches (the ``group_by_length`` of transformers' Trainer); the batches are shuffled
    again so long and short ones alternate.
    """
    order = list(range(len(lengths)))
    rng.shuffle(order)
    mega = batch_size * 16
    batches: list[list[int]] = []
    for i in range(0, len(order), mega):
        chunk = sorted(order[i : i + mega], key=lambda j: -lengths[j])
        batches += [chunk[k : k + batch_size] for k in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def completion_loss(model: Any, batch: dict) -> Any:
    """Return the mean next-token loss over the completion tokens of a right-padded batch.

    Only the positions from the earliest completion token onward go through the LM head
    (``logits_to_keep``): prompt positions never carry a label, and the head over a 49k
    vocabulary is a fifth of a small model's cost per position.
    """
    import torch

    labels = batch["labels"]
    scored = (labels != -100).any(dim=0).nonzero()
    first = int(scored[0]) if len(scored) else labels.shape[1] - 1
    keep = labels.shape[1] - first + 1  # the logit before the first label predicts it
    logits = model(
        input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], logits_to_keep=keep
    ).logits
    lab = labels[:, labels.shape[1] - keep :]
    return torch.nn.functional.cross_entropy(
        logits[:, :-1].reshape(-1, logits.shape[-1]).float(),
        lab[:, 1:].reshape(-1),
        ignore_index=-100,
    )


def _progress_bar(total: int, desc: str) -> Any:
    """Return a :class:`textsynth.progress.Meter`: a bar on a terminal, periodic lines otherwise."""
    from textsynth.progress import Meter

    return Meter(total=total, desc=desc, unit="step")


def _wrap_lora(model: Any, config: FinetuneConfig) -> Any:
    from textsynth._compat import require

    peft = require("peft", feature="LoRA fine-tuning")
    present = {name.rsplit(".", 1)[-1] for name, _ in model.named_modules()}
    targets = [m for m in config.lora_target_modules if m in present]
    if not targets:
        from textsynth.errors import ConfigError

        raise ConfigError(
            f"none of the LoRA target modules {list(config.lora_target_modules)} is in "
            f"{config.base_model!r}",
            hint="set lora_target_modules to the model's linear layers",
        )
    lora = peft.LoraConfig(
        r=config.lora_r,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules=targets,
        bias="none",
        task_type="CAUSAL_LM",
    )
    return peft.get_peft_model(model, lora)


def read_run_meta(run_dir: str | Path, *, name: str, hint: str) -> dict[str, Any]:
    """Return the parsed ``config.json`` that :func:`finetune` wrote in ``run_dir``.

    ``name`` is how errors name the folder (e.g. ``"init_from DIR"``); ``hint`` says which
    folder to give instead.

    Raises:
        InputError: no ``config.json`` there, or one that is not valid JSON.
    """
    from textsynth.errors import InputError

    path = Path(run_dir) / "config.json"
    if not path.is_file():
        raise InputError(f"{name} is not a fine-tuning run (no config.json)", hint=hint)
    try:
        meta: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise InputError(
            f"{path} is not valid JSON: {exc}",
            hint="rebuild that run with `textsynth lm finetune`",
        ) from None
    return meta


def check_init_from(config: FinetuneConfig) -> Path:
    """Return the adapter folder of ``config.init_from``, refusing a run that cannot be continued.

    Raises:
        InputError: the folder is not a textsynth LoRA run.
        ConfigError: full fine-tuning, or a run of another base model.
    """
    from textsynth.errors import ConfigError, InputError

    assert config.init_from is not None
    if config.method != "lora":
        raise ConfigError(
            f"init_from needs method='lora' (got {config.method!r})",
            hint="continue a LoRA run with LoRA, or drop init_from",
        )
    adapter = Path(config.init_from) / "adapter"
    meta = read_run_meta(
        config.init_from,
        name=f"init_from {config.init_from}",
        hint="give --init-from a folder written by `textsynth lm finetune` (LoRA), e.g. "
        "by eval/pretrain_generator.py",
    )
    method = meta.get("finetune", {}).get("method")
    base = meta.get("run", {}).get("base_model")
    if method != "lora" or not adapter.is_dir():
        raise InputError(
            f"{config.init_from} is not a LoRA run (no adapter/ folder)",
            hint="point init_from at a folder written by `textsynth lm finetune --method lora`",
        )
    if base != config.base_model:
        raise ConfigError(
            f"init_from {config.init_from} was trained on {base!r}, "
            f"this run on {config.base_model!r}",
            hint=f"fine-tune with --base-model {base}",
        )
    return adapter


def _continue_lora(model: Any, config: FinetuneConfig) -> Any:
    from textsynth._compat import require

    peft = require("peft", feature="LoRA fine-tuning")
    adapter = check_init_from(config)
    logger.info("starting from the LoRA adapter of %s", config.init_from)
    return peft.PeftModel.from_pretrained(model, str(adapter), is_trainable=True)


def run_finetune(
    seeds: Sequence[Utterance], out_dir: str | os.PathLike[str], config: FinetuneConfig
) -> RunInfo:
    """Fine-tune ``config.base_model`` on ``seeds`` with ``config.threads`` CPU threads."""
    import dataclasses

    from textsynth.lm.config import AUTO_BASE_MODEL
    from textsynth.lm.embedded import default_for_languages
    from textsynth.lm.models import torch_threads

    check_seeds(seeds)
    if config.base_model == AUTO_BASE_MODEL:
        chosen = default_for_languages(u.language for u in seeds)
        logger.info("base model 'auto' -> %s", chosen)
        config = dataclasses.replace(config, base_model=chosen)
    if config.init_from:
        check_init_from(config)  # before the model loads
    with torch_threads(config.threads):
        return _run_finetune(seeds, out_dir, config)


MIN_SEEDS_PER_INTENT = 2
"""The fewest seeds an intent needs: one example cannot show the model what varies."""


def check_seeds(seeds: Sequence[Utterance], minimum: int = MIN_SEEDS_PER_INTENT) -> None:
    """Refuse seed sets where an intent has fewer than ``minimum`` examples, naming it.

    Raises:
        InputError: naming each short intent, its count and the minimum.
    """
    from collections import Counter

    from textsynth.errors import InputError

    counts = Counter(u.intent for u in seeds)
    short = sorted(i for i, n in counts.items() if n < minimum)
    if short:
        listed = ", ".join(f"{i!r} ({counts[i]})" for i in short)
        raise InputError(
            f"intent(s) with fewer than {minimum} seed utterances: {listed}",
            hint=f"give at least {minimum} labelled examples per intent, or drop these intents",
        )


def _run_finetune(
    seeds: Sequence[Utterance], out_dir: str | os.PathLike[str], config: FinetuneConfig
) -> RunInfo:
    """Fine-tune ``config.base_model`` on ``seeds`` and save the run into ``out_dir``.

    Args:
        seeds: labelled seed utterances (already scrubbed if that was wanted).
        out_dir: the run directory (created; existing files in it are replaced).
        config: the fine-tuning configuration.

    Returns:
        The :class:`RunInfo`, also saved in ``out_dir/config.json``.
    """
    import torch
    from accelerate import Accelerator

    from textsynth.lm.models import load_causal_lm, pick_device, pick_dtype

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    device = pick_device(config.device)
    on_gpu = device.startswith("cuda")
    t0 = time.perf_counter()
    # weights are loaded in fp32 for training; on GPU accelerate adds bf16 autocast
    dtype = "float32" if config.dtype == "auto" or on_gpu else config.dtype
    model, tok = load_causal_lm(config.base_model, device="cpu", dtype=dtype)
    load_s = time.perf_counter() - t0

    rng = random.Random(config.seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        if config.method == "lora" and config.init_from:
            model = _continue_lora(model, config)
        elif config.method == "lora":
            model = _wrap_lora(model, config)
        model.train()
        examples = encode_examples(
            seeds, tok, config.max_length, config.slot_hints, config.value_plans
        )
        acc = Accelerator(cpu=not on_gpu, mixed_precision="bf16" if on_gpu else "no")
        params = [p for p in model.parameters() if p.requires_grad]
        opt = torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay)
        steps_per_epoch = math.ceil(len(examples) / config.batch_size)
        total = steps_per_epoch * config.epochs
        warm = max(1, int(total * config.warmup_ratio))

        def schedule(step: int) -> float:  # linear warm-up, then linear decay to 10 %
            if step < warm:
                return (step + 1) / warm
            return max(0.1, 1.0 - 0.9 * (step - warm) / max(1, total - warm))

        sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule)
        model, opt, sched = acc.prepare(model, opt, sched)
        pad = tok.pad_token_id
        losses: list[float] = []
        bar = _progress_bar(total, "fine-tuning")
        t1 = time.perf_counter()
        lengths = [len(e["input_ids"]) for e in examples]
        for _epoch in range(config.epochs):
            for idx in length_grouped_batches(lengths, config.batch_size, rng):
                batch = _collate([examples[j] for j in idx], pad)
                batch = {k: v.to(acc.device) for k, v in batch.items()}
                loss = completion_loss(model, batch)
                acc.backward(loss)
                opt.step()
                sched.step()
                opt.zero_grad(set_to_none=True)
                losses.append(round(float(loss.detach()), 4))
                bar.set_postfix(loss=f"{losses[-1]:.3f}")
                bar.update(1)
        bar.close()
        train_s = time.perf_counter() - t1
        model = acc.unwrap_model(model)

    info = RunInfo(
        run_dir=str(out),
        run_id=f"{out.name}-{seeds_hash(seeds)[:8]}-s{config.seed}",
        base_model=config.base_model,
        method=config.method,
        seeds_hash=seeds_hash(seeds),
        n_seeds=len(seeds),
        intents=sorted({u.intent for u in seeds}),
        seed=config.seed,
        device=device,
        steps=len(losses),
        losses=losses,
        load_seconds=round(load_s, 3),
        train_seconds=round(train_s, 3),
    )
    _save_run(model, tok, seeds, out, config, info, pick_dtype(dtype, "cpu"))
    return info


def _save_run(
    model: Any,
    tok: Any,
    seeds: Sequence[Utterance],
    out: Path,
    config: FinetuneConfig,
    info: RunInfo,
    dtype: Any,
) -> None:
    model = model.to("cpu").to(dtype)
    model.eval()
    sub = out / ("adapter" if config.method == "lora" else "model")
    model.save_pretrained(str(sub))
    tok.save_pretrained(str(out / "tokenizer"))
    from textsynth.lm.embedded import ship_licence_files

    # a fine-tuned Gemma adapter is a derivative: it carries the Gemma terms and a notice
    ship_licence_files(config.base_model, [sub, out])
    write_utterances_jsonl(seeds, out / "seeds.jsonl")
    with atomic_write(out / "config.json") as fh:
        json.dump({"finetune": config.to_dict(), "run": info.to_dict()}, fh, indent=2)
        fh.write("\n")
    logger.info("saved run %s to %s", info.run_id, out)
