"""The sampler's nucleus (top-p) step: the top-k fast path keeps exactly the full sort's set."""

from __future__ import annotations

import torch

from textsynth.lm.generation import _next_token


def full_sort_kept(logits: torch.Tensor, top_p: float) -> set[int]:
    """The tokens HF's TopPLogitsWarper keeps for one row (ascending sort, drop <= 1 - p)."""
    ordered, order = torch.sort(logits, descending=False)
    cumulative = ordered.softmax(-1).cumsum(-1)
    drop = cumulative <= 1 - top_p
    drop[-1] = False
    return set(order[~drop].tolist())


def sampled(logits: torch.Tensor, top_p: float, rows: int = 4000) -> set[int]:
    torch.manual_seed(0)
    return set(_next_token(logits.repeat(rows, 1), 1.0, top_p, None).tolist())


def test_small_nucleus_uses_the_fast_path_and_keeps_the_same_tokens():
    g = torch.Generator().manual_seed(1)
    logits = torch.randn(1000, generator=g)
    logits[:6] += torch.tensor([14.0, 13.5, 13.0, 12.0, 11.5, 10.0])
    kept = full_sort_kept(logits, 0.95)
    assert 2 <= len(kept) <= 20
    assert sampled(logits[None], 0.95) == kept


def test_wide_nucleus_falls_back_to_the_full_sort():
    # a flat distribution: the nucleus is far wider than the fast path's 256 tokens
    g = torch.Generator().manual_seed(2)
    logits = torch.randn(600, generator=g) * 0.05
    kept = full_sort_kept(logits, 0.95)
    assert len(kept) > 256
    got = sampled(logits[None], 0.95, rows=20000)
    assert got <= kept and len(got) > 256


def test_banned_token_is_never_drawn_and_greedy_is_argmax():
    logits = torch.tensor([[0.0, 5.0, 1.0], [3.0, 0.0, 1.0]])
    assert _next_token(logits.clone(), None, 1.0, 1).tolist() == [2, 0]
    assert _next_token(logits.clone(), None, 1.0, None).tolist() == [1, 0]


def test_a_wide_row_is_sorted_alone_and_a_narrow_row_keeps_its_nucleus():
    # one batch, two rows: the flat row needs the full sort, the peaked row does not; each row
    # must draw only from its own full-sort nucleus, and the wide one from more than 256 tokens
    g = torch.Generator().manual_seed(3)
    flat = torch.randn(600, generator=g) * 0.05
    peaked = torch.randn(600, generator=g)
    peaked[:4] += torch.tensor([14.0, 13.5, 13.0, 11.0])
    rows = 8000
    torch.manual_seed(0)
    tok = _next_token(torch.stack([flat, peaked]).repeat(rows, 1), 1.0, 0.95, None)
    got_flat, got_peaked = set(tok[0::2].tolist()), set(tok[1::2].tolist())
    assert got_flat <= full_sort_kept(flat, 0.95) and len(got_flat) > 256
    assert got_peaked == full_sort_kept(peaked, 0.95)
