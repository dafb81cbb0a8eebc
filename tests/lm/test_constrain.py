"""Constrained markup decoding: the regex, the per-row matchers, and a random model kept in line."""

from __future__ import annotations

import logging
import re

import pytest

from textsynth import markup
from textsynth.errors import MarkupError
from textsynth.lm.constrain import (
    build_constraint,
    labels_for,
    markup_logits_processor,
    markup_regex,
)
from textsynth.lm.generation import generate_batched
from textsynth.lm.prompt import clean_completion, finetune_prompt

pytest.importorskip("llguidance")

GOOD = [
    "what is the weather in [Paris](city) [tomorrow](date)",
    "weather in [NYC](city:New York)",  # a synonym
    "call me on \\(212\\) 555-0199",  # escaped parentheses in text
    " will it rain in [New York](city) at 7:30",
    "weather for [Lyon](city)\n",
    "plain text without slots",
]
BAD = [
    "weather in [Paris](country)",  # label outside the intent
    "weather in [](city)",  # empty value
    "weather in [ Paris](city)",  # value starts with a space
    "weather in [Paris(city)",  # unbalanced
    "weather in [Paris]",  # no label
    "weather in [Paris](city:)",  # empty synonym
    "a \\\\ b",  # a backslash (markup escapes it as \\\\)
    "see <div>Paris</div>",  # HTML
    "go to https://example.com",  # URL
    "a || b",  # pipes
    "two\nlines",  # newline inside
    "",  # empty
]


def test_regex_accepts_well_formed_markup_and_rejects_junk():
    rx = re.compile(markup_regex(["city", "date"]))
    for s in GOOD:
        assert rx.fullmatch(s), s
    for s in BAD:
        assert not rx.fullmatch(s), s


def test_regex_without_labels_allows_no_span():
    rx = re.compile(markup_regex([]))
    assert rx.fullmatch("hello there")
    assert not rx.fullmatch("hello [there](x)")


def test_labels_for_scopes(seeds):
    by = labels_for(seeds, ["GetWeather", "PlayMusic"])
    assert by == {"GetWeather": ["city", "date"], "PlayMusic": ["artist", "genre"]}
    every = labels_for(seeds, ["GetWeather"], scope="all")
    assert "cuisine" in every["GetWeather"]


def _tiny(tiny_model):
    from textsynth.lm.models import load_causal_lm

    return load_causal_lm(tiny_model, device="cpu")


def _valid(raw: str, intent: str, labels: set[str]) -> bool:
    try:
        u = markup.parse(clean_completion(raw), intent)
    except MarkupError:
        return False
    return bool(u.text.strip()) and all(s.label in labels for s in u.spans)


@pytest.mark.parametrize("prune", [True, False])
def test_random_model_writes_only_valid_markup_when_constrained(tiny_model, seeds, prune):
    model, tok = _tiny(tiny_model)
    intents = ["GetWeather", "PlayMusic"]
    labels = labels_for(seeds, intents)
    prompts = [finetune_prompt(i) for i in intents for _ in range(24)]
    keys = [i for i in intents for _ in range(24)]
    kw = dict(temperature=1.0, top_p=1.0, max_new_tokens=60, batch_size=16, seed=3, prune=prune)
    free = generate_batched(model, tok, prompts, **kw)
    constraint = build_constraint(tok, labels)
    assert constraint is not None
    held = generate_batched(model, tok, prompts, constraint=constraint, keys=keys, **kw)
    free_ok = [_valid(r, k, set(labels[k])) for r, k in zip(free, keys, strict=True)]
    held_ok = [_valid(r, k, set(labels[k])) for r, k in zip(held, keys, strict=True)]
    banned = set("<>{}|\\\t\r")
    free_junk = [r for r in free if set(r.strip()) & banned or "\n" in r.strip()]
    assert len(free_junk) > len(free) // 4  # a random model writes junk when free
    # constrained, only rows cut by max_new_tokens inside a span can still fail to parse
    cut = [r for r in held if r.count("[") != r.count(")")]
    assert sum(held_ok) >= len(held) - len(cut)
    assert sum(held_ok) > sum(free_ok)
    assert len(cut) < len(held) // 2
    for r, k in zip(held, keys, strict=True):
        for label in re.findall(r"\]\(([^)]*)\)", r):
            assert label in labels[k]
        plain = re.sub(r"\\[\[\]()]", "", r)  # markup's escaped brackets are allowed
        assert not set(plain) & banned and "\n" not in r.rstrip("\n")


def test_logits_processor_masks_disallowed_tokens(tiny_model, seeds):
    import torch

    model, tok = _tiny(tiny_model)
    constraint = build_constraint(tok, {"GetWeather": ["city"]})
    proc = markup_logits_processor(constraint, ["GetWeather"])
    ids = tok([finetune_prompt("GetWeather")], return_tensors="pt")["input_ids"]
    scores = proc(ids, torch.zeros((1, model.config.vocab_size)))
    allowed = torch.isfinite(scores[0]).nonzero().flatten().tolist()
    lt = tok.convert_tokens_to_ids(tok.tokenize("<"))
    assert allowed and not set(lt) & set(allowed)


def test_unknown_tokenizer_falls_back_with_a_warning(caplog):
    class Odd:
        eos_token_id = 0

    with caplog.at_level(logging.WARNING):
        assert build_constraint(Odd(), {"x": ["a"]}) is None
    assert "NOT constrained" in caplog.text


def test_sampling_records_an_unconstrainable_tokenizer(tiny_model, seeds, monkeypatch, caplog):
    from textsynth.lm import constrain
    from textsynth.lm.config import SampleConfig
    from textsynth.lm.sample import prompt_sample

    def refuse(self, tokenizer, labels_by_key):
        raise ValueError("unknown tokenizer format")

    monkeypatch.setattr(constrain.MarkupConstraint, "__init__", refuse)
    cfg = SampleConfig(
        per_intent=1,
        max_rounds=1,
        max_new_tokens=8,
        fidelity_threshold=0,
        slot_verify=False,
        fluency_percentile=0,
    )
    with caplog.at_level(logging.WARNING):
        _, summary = prompt_sample(seeds, cfg, base_model=tiny_model, intents=["PlayMusic"])
    assert "constrained-markup" in summary.disabled
    assert "NOT constrained" in caplog.text and "unknown tokenizer format" in caplog.text
