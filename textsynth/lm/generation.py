"""Batched, seeded sampling from a causal LM, with finished rows dropped from the batch.

Prompts are tokenised with left padding so every row's next token sits in the last column, and
generated with the KV cache on. ``model.generate`` keeps computing a row after it has produced its
end-of-sequence token until the whole batch is done, so one rambling row makes 31 short
utterances pay for 40 steps; here a row leaves the batch (and its slice of the KV cache) as soon
as it ends. Identical prompts in a batch are run through the model once and their cache rows
copied, so a long few-shot prompt reused for several completions costs one prefill. Models whose
cache cannot drop rows fall back to ``model.generate``. Sampling is temperature, then nucleus
(top-p), then a multinomial draw, as in ``generate``.

Each batch re-seeds torch from ``(seed, batch index)`` inside ``torch.random.fork_rng``, so the
output depends only on the seed and the prompts, never on what ran before, and the caller's
global RNG is left untouched.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textsynth.lm.constrain import MarkupConstraint

__all__ = ["GenerationStats", "generate_batched", "sample_pruned"]


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
    prune: bool = True,
    constraint: MarkupConstraint | None = None,
    keys: Sequence[str] | None = None,
) -> list[str]:
    """Return one sampled completion (new text only, special tokens removed) per prompt.

    Args:
        model: a causal LM (``eval()`` mode, on its device).
        tokenizer: its tokenizer (left-padded per call; the tokenizer itself is not changed).
        prompts: the prompts, in order; identical prompts give independent samples.
        temperature: softmax temperature.
        top_p: nucleus mass.
        max_new_tokens: the longest completion.
        batch_size: rows per ``generate`` call.
        seed: sampling seed; batch ``i`` uses ``seed * 1_000_003 + i``.
        min_new_tokens: suppress end-of-sequence before this many tokens (for timing runs).
        stats: optional accumulator of sequences, new tokens and wall time.
        prune: drop finished rows from the batch (``False``: plain ``model.generate``).
        constraint: allowed-markup matchers (:mod:`textsynth.lm.constrain`); ``None``: free.
        keys: with ``constraint``, the label-set key (intent) of each prompt.
    """
    import torch

    device = next(model.parameters()).device
    eos = tokenizer.eos_token_id
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos
    out: list[str] = []
    for b, start in enumerate(range(0, len(prompts), batch_size)):
        batch = list(prompts[start : start + batch_size])
        matchers = None
        if constraint is not None:
            if keys is None or len(keys) != len(prompts):
                raise ValueError("a constraint needs one key per prompt")
            matchers = constraint.matchers(keys[start : start + batch_size])
        enc = tokenizer(batch, return_tensors="pt", padding=True, padding_side="left")
        enc = {k: v.to(device) for k, v in enc.items() if k in ("input_ids", "attention_mask")}
        width = enc["input_ids"].shape[1]
        t0 = time.perf_counter()
        with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
            torch.manual_seed(seed * 1_000_003 + b)
            with torch.inference_mode():
                new = None
                if prune:
                    new = sample_pruned(
                        model,
                        enc,
                        temperature=temperature,
                        top_p=top_p,
                        max_new_tokens=max_new_tokens,
                        min_new_tokens=min_new_tokens,
                        eos=eos,
                        pad=pad,
                        constraint=constraint,
                        matchers=matchers,
                    )
                if new is None:
                    extra = {}
                    if constraint is not None:
                        from textsynth.lm.constrain import markup_logits_processor

                        row_keys = list(keys[start : start + batch_size])  # type: ignore[index]
                        extra["logits_processor"] = [markup_logits_processor(constraint, row_keys)]
                    gen = model.generate(
                        **enc,
                        do_sample=True,
                        temperature=temperature,
                        top_p=top_p,
                        top_k=0,
                        max_new_tokens=max_new_tokens,
                        min_new_tokens=min_new_tokens or None,
                        pad_token_id=pad,
                        eos_token_id=eos,
                        use_cache=True,
                        **extra,
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


def sample_pruned(
    model: Any,
    enc: dict[str, Any],
    *,
    temperature: float | None,
    top_p: float,
    max_new_tokens: int,
    eos: int,
    pad: int,
    min_new_tokens: int = 0,
    constraint: MarkupConstraint | None = None,
    matchers: list[Any] | None = None,
) -> Any:
    """Return the new tokens of a left-padded batch (rows padded with ``pad`` after ``eos``).

    A row leaves the batch, and the KV cache, once it has produced ``eos``. ``temperature=None``
    decodes greedily (used to check this loop against ``model.generate``). Returns ``None`` when
    the model's cache cannot drop rows, so that the caller can use ``model.generate``. With
    ``constraint``, ``matchers`` holds one matcher per row; each step's logits are masked to the
    tokens its matcher allows, and the matcher is fed the sampled token.
    """
    import torch

    ids, mask = enc["input_ids"], enc["attention_mask"]
    rows = ids.shape[0]
    positions = (mask.long().cumsum(-1) - 1).clamp(min=0)
    # identical prompts (one intent's prompt, or a few-shot prompt reused for several
    # completions) are run through the model once; their cache rows are then copied
    first: dict[tuple[int, ...], int] = {}
    owner = [first.setdefault(tuple(r), len(first)) for r in ids.tolist()]
    uniq = torch.tensor([owner.index(u) for u in range(len(first))], device=ids.device)
    out = model(
        input_ids=ids[uniq], attention_mask=mask[uniq], position_ids=positions[uniq], use_cache=True
    )
    cache_kw = _cache_keyword(model)
    cache = _cache_of(out)
    if not hasattr(cache, "batch_select_indices"):
        return None
    expand = torch.tensor(owner, device=ids.device)
    if len(first) < rows:
        cache.batch_select_indices(expand)
    logits = out.logits[expand, -1, :]
    alive = torch.arange(rows, device=ids.device)
    next_pos = positions[:, -1] + 1
    new = torch.full((rows, max_new_tokens), pad, dtype=ids.dtype, device=ids.device)
    width = 0
    live = list(matchers) if matchers is not None else None
    for step in range(max_new_tokens):
        banned = eos if step < min_new_tokens else None
        tok = _next_token(logits, temperature, top_p, banned)
        if constraint is not None and live is not None:
            tok = _constrained(constraint, live, logits, tok, temperature, top_p, banned)
        new[alive, step] = tok
        width = step + 1
        if step + 1 == max_new_tokens:
            break
        done = tok == eos
        if bool(done.any()):
            keep = (~done).nonzero().squeeze(1)
            if keep.numel() == 0:
                break
            cache.batch_select_indices(keep)
            alive, tok, mask, next_pos = alive[keep], tok[keep], mask[keep], next_pos[keep]
            if live is not None:
                live = [live[j] for j in keep.tolist()]
        mask = torch.cat([mask, mask.new_ones((mask.shape[0], 1))], dim=1)
        out = model(
            input_ids=tok[:, None],
            attention_mask=mask,
            position_ids=next_pos[:, None],
            use_cache=True,
            **{cache_kw: cache},
        )
        cache = _cache_of(out)
        next_pos = next_pos + 1
        logits = out.logits[:, -1, :]
    return new[:, :width]


def _cache_keyword(model: Any) -> str:
    """Return the forward keyword that takes the KV cache: ``cache`` (transformers >= 5.2x),
    else ``past_key_values`` (deprecated there, removed in 5.40)."""
    import inspect

    base = model.get_base_model() if hasattr(model, "get_base_model") else model  # peft
    params = inspect.signature(base.forward).parameters
    return "cache" if "cache" in params else "past_key_values"


def _cache_of(out: Any) -> Any:
    """Return the KV cache of a forward's output, under either name."""
    cache = getattr(out, "cache", None)
    return cache if cache is not None else out.past_key_values


def _constrained(
    constraint: MarkupConstraint,
    matchers: list[Any],
    logits: Any,
    tok: Any,
    temperature: float | None,
    top_p: float,
    banned: int | None,
) -> Any:
    """Return ``tok`` with every row the grammar refuses resampled under the grammar's mask.

    A row's free draw is kept when its matcher accepts it: conditioned on landing in the
    allowed set, a free draw has exactly the masked distribution (for ``top_p=1``), so the mask
    (12 ms a row over Gemma's 262k vocabulary on a loaded 2-core CPU) is computed only for
    the rows that drew a refused token.
    """
    ok = constraint.try_advance(matchers, tok.tolist())
    bad = [i for i, good in enumerate(ok) if not good]
    if not bad:
        return tok
    rows = [matchers[i] for i in bad]
    sub = logits[bad]
    allowed = constraint.allowed(rows, sub.shape[-1], sub.device)
    redrawn = _next_token(sub.masked_fill(~allowed, float("-inf")), temperature, top_p, banned)
    constraint.advance(rows, redrawn.tolist())
    tok = tok.clone()
    tok[bad] = redrawn
    return tok


def _next_token(logits: Any, temperature: float | None, top_p: float, banned: int | None) -> Any:
    """Sample one token per row: temperature, nucleus filter, multinomial (greedy if no T)."""
    import torch

    logits = logits.float()
    if banned is not None:
        logits[:, banned] = float("-inf")
    if temperature is None:
        return logits.argmax(-1)
    logits = logits / temperature
    if top_p >= 1.0:
        return torch.multinomial(logits.softmax(-1), 1).squeeze(1)
    # Fast path: the nucleus of a fine-tuned model is a handful of tokens, so sorting the whole
    # vocabulary (a quarter of a CPU decoding step for a 49k vocabulary) is wasted. Take the top
    # _NUCLEUS_K; for each row whose nucleus they hold, the kept set is exactly the one a full
    # sort gives. Only the other rows (a wide nucleus) pay for the full sort.
    k = min(_NUCLEUS_K, logits.shape[-1])
    top, idx = torch.topk(logits, k, dim=-1)  # descending
    probs = logits.softmax(-1)
    top_probs = probs.gather(1, idx)
    before = top_probs.cumsum(-1) - top_probs  # mass of the tokens ranked above each one
    keep = before < top_p  # the smallest prefix whose mass passes top_p (ties aside)
    keep[:, 0] = True
    p = torch.where(keep, top_probs, torch.zeros_like(top_probs))
    tok = idx.gather(1, torch.multinomial(p, 1)).squeeze(1)
    wide = (top_probs.sum(-1) <= top_p).nonzero().squeeze(1)
    if wide.numel():
        tok[wide] = _full_sort_token(logits[wide], top_p)
    return tok


def _full_sort_token(logits: Any, top_p: float) -> Any:
    """Sample one token per row under a nucleus found by sorting the whole vocabulary."""
    import torch

    ordered, order = torch.sort(logits, descending=False)
    cumulative = ordered.softmax(-1).cumsum(-1)
    drop = cumulative <= 1 - top_p
    drop[:, -1] = False  # always keep the most likely token
    logits = logits.masked_fill(drop.scatter(1, order, drop), float("-inf"))
    return torch.multinomial(logits.softmax(-1), 1).squeeze(1)


_NUCLEUS_K = 256
