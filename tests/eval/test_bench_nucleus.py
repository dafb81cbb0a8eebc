"""The nucleus benchmark compares like with like: its peer (the previous all-rows step) and this
tree's step draw from the same per-row nucleus, and its reference sets are the full-sort ones."""

from __future__ import annotations

import torch

from eval.bench_nucleus import all_rows_step, nucleus_sets
from textsynth.lm.generation import _next_token


def test_both_steps_draw_only_from_each_rows_full_sort_nucleus() -> None:
    g = torch.Generator().manual_seed(5)
    flat = torch.randn(700, generator=g) * 0.05  # nucleus wider than 256 tokens
    peaked = torch.randn(700, generator=g)
    peaked[:3] += torch.tensor([12.0, 11.5, 10.0])
    batch = torch.stack([flat, peaked]).repeat(3000, 1)
    sets = nucleus_sets(batch[:2], 0.95)
    assert len(sets[0]) > 256 and len(sets[1]) <= 5
    for step in (all_rows_step, lambda x, p: _next_token(x, 1.0, p, None)):
        torch.manual_seed(0)
        drawn = step(batch.clone(), 0.95)
        assert set(drawn[1::2].tolist()) == sets[1]
        assert set(drawn[0::2].tolist()) <= sets[0] and len(set(drawn[0::2].tolist())) > 256
