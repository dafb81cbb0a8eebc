"""The fine-tuning loop's batching and loss: every seed once per epoch, less padding, same loss."""

from __future__ import annotations

import random

import pytest

from textsynth.lm.train import _collate, completion_loss, encode_examples, length_grouped_batches


def test_length_grouped_batches_cover_every_example_once_per_epoch():
    lengths = [random.Random(1).randint(5, 90) for _ in range(203)]
    batches = length_grouped_batches(lengths, 8, random.Random(0))
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(203))
    assert all(1 <= len(b) <= 8 for b in batches)


def test_length_grouped_batches_pad_less_than_a_plain_shuffle():
    rng = random.Random(3)
    lengths = [rng.randint(5, 90) for _ in range(256)]

    def padding(batches):
        return sum(
            max(lengths[i] for i in b) * len(b) - sum(lengths[i] for i in b) for b in batches
        )

    order = list(range(256))
    random.Random(0).shuffle(order)
    plain = [order[i : i + 8] for i in range(0, 256, 8)]
    grouped = length_grouped_batches(lengths, 8, random.Random(0))
    assert padding(grouped) < 0.3 * padding(plain)


def test_length_grouped_batches_depend_on_the_seed_only():
    lengths = list(range(40))
    a = length_grouped_batches(lengths, 4, random.Random(5))
    b = length_grouped_batches(lengths, 4, random.Random(5))
    c = length_grouped_batches(lengths, 4, random.Random(6))
    assert a == b and a != c


def test_completion_loss_equals_the_models_own_loss(tiny_model, seeds):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model)
    model = AutoModelForCausalLM.from_pretrained(tiny_model).eval()
    ex = encode_examples(seeds, tok, 96)
    batch = _collate(ex[:7], tok.pad_token_id)
    with torch.no_grad():
        ours = completion_loss(model, batch)
        theirs = model(**batch).loss
    assert float(ours) == pytest.approx(float(theirs), rel=1e-5)


def test_completion_loss_backpropagates(tiny_model, seeds):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model)
    model = AutoModelForCausalLM.from_pretrained(tiny_model)
    batch = _collate(encode_examples(seeds, tok, 96)[:4], tok.pad_token_id)
    completion_loss(model, batch).backward()
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    assert grads and any(float(g.abs().sum()) > 0 for g in grads)
