"""Batched, seeded sampling from a causal LM: a thin wrapper over ``model.generate``.

Prompts are tokenised with left padding so every row's next token sits in the last column, and
generated with the KV cache on. Each batch re-seeds torch from ``(seed, batch index)`` inside
``torch.random.fork_rng``, so the output depends only on the seed and the prompts, never on what
ran before, and the caller's global RNG is left untouched.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["GenerationStats", "generate_batched"]


@dataclass
class GenerationStats:
    """Totals of one or more ``generate_batched`` calls."""

    sequences: int = 0
    new_tokens: int = 0
    seconds: float = 0.0

    @property
    def tokens_per_second(self) -> float:
        """Return new tokens generated per second of wall time."""
        return self.new_tokens / self.seconds if self.seconds else 0.0


def generate_batched(
    model: Any,
    tokenizer: Any,
    prompts: Sequence[str],
    *,
    temperature: float = 0.9,
    top_p: float = 0.95,
    max_new_tokens: int = 40,
    batch_size: int = 32,
    seed: int = 0,
    min_new_tokens: int = 0,
    stats: GenerationStats | None = None,
) -> list[str]:
    """Return one sampled completion (new text only, special tokens removed) per prompt.

    Args:
        model: a causal LM (``eval()`` mode, on its device).
        tokenizer: its tokenizer; ``padding_side`` is set to ``left`` here.
        prompts: the prompts, in order; identical prompts give independent samples.
        temperature: softmax temperature.
        top_p: nucleus mass.
        max_new_tokens: the longest completion.
        batch_size: rows per ``generate`` call.
        seed: sampling seed; batch ``i`` uses ``seed * 1_000_003 + i``.
        min_new_tokens: suppress end-of-sequence before this many tokens (for timing runs).
        stats: optional accumulator of sequences, new tokens and wall time.
    """
    import torch

    tokenizer.padding_side = "left"
    device = next(model.parameters()).device
    eos = tokenizer.eos_token_id
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos
    out: list[str] = []
    for b, start in enumerate(range(0, len(prompts), batch_size)):
        batch = list(prompts[start : start + batch_size])
        enc = tokenizer(batch, return_tensors="pt", padding=True)
        enc = {k: v.to(device) for k, v in enc.items() if k in ("input_ids", "attention_mask")}
        width = enc["input_ids"].shape[1]
        t0 = time.perf_counter()
        with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
            torch.manual_seed(seed * 1_000_003 + b)
            with torch.inference_mode():
                gen = model.generate(
                    **enc, do_sample=True, temperature=temperature, top_p=top_p, top_k=0,
                    max_new_tokens=max_new_tokens, min_new_tokens=min_new_tokens or None,
                    pad_token_id=pad, eos_token_id=eos, use_cache=True,
                )
        new = gen[:, width:]
        if stats is not None:
            stats.seconds += time.perf_counter() - t0
            stats.sequences += len(batch)
            stats.new_tokens += _count_new_tokens(new, eos, pad)
        out.extend(tokenizer.batch_decode(new, skip_special_tokens=True))
    return out


def _count_new_tokens(new: Any, eos: int, pad: int) -> int:
    """Count generated tokens up to and including each row's first end-of-sequence token."""
    total = 0
    for row in new.tolist():
        n = 0
        for t in row:
            n += 1
            if t == eos:
                break
        else:
            # a row that never hit eos is all real tokens, unless it is padding after the end
            while n and row[n - 1] == pad and pad != eos:
                n -= 1
        total += n
    return total
