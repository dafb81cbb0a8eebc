"""Fine-tune and sample end to end on a tiny random Llama model (seconds, no download)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from textsynth.errors import ConfigError, InputError
from textsynth.lm import FinetuneConfig, SampleConfig, finetune, load_run, prompt_sample, sample
from textsynth.lm.generation import GenerationStats, generate_batched
from textsynth.lm.prompt import finetune_prompt
from textsynth.types import Utterance

# the slot tagger and the fluency filter (a real LM) have their own tests
FAST = SampleConfig(
    per_intent=4,
    fidelity_features="tfidf",
    max_new_tokens=24,
    max_rounds=2,
    slot_verify=False,
    fluency_percentile=0,
)


def full_config(base: str, **kw) -> FinetuneConfig:
    return FinetuneConfig(
        base_model=base,
        method="full",
        learning_rate=3e-3,
        batch_size=6,
        epochs=kw.pop("epochs", 20),
        **kw,
    )


@pytest.fixture(scope="module")
def full_run(tiny_model, tmp_path_factory):
    from .conftest import make_seeds

    out = tmp_path_factory.mktemp("runs") / "full"
    info = finetune(make_seeds(), out, full_config(tiny_model))
    return out, info


def test_full_run_directory_holds_weights_config_seeds_and_hash(full_run, seeds):
    out, info = full_run
    assert (out / "model" / "config.json").exists()
    assert (out / "tokenizer" / "tokenizer.json").exists()
    saved = json.loads((out / "config.json").read_text())
    assert saved["finetune"]["method"] == "full" and saved["finetune"]["seed"] == 0
    assert saved["run"]["seeds_hash"] == info.seeds_hash and len(info.seeds_hash) == 64
    assert saved["run"]["n_seeds"] == len(seeds) == 18
    assert [json.loads(x)["text"] for x in (out / "seeds.jsonl").read_text().splitlines()] == [
        u.text for u in seeds
    ]


def test_training_lowers_the_completion_loss(full_run):
    _, info = full_run
    assert info.steps == 20 * 3
    first, last = sum(info.losses[:3]) / 3, sum(info.losses[-3:]) / 3
    assert last < first - 1.0, (first, last)


def test_sample_end_to_end_returns_filtered_provenanced_utterances(full_run):
    out, info = full_run
    utts, summary = sample(out, FAST)
    assert summary.generated > 0 and summary.kept == len(utts)
    assert all(n <= FAST.per_intent for n in summary.kept_by_intent.values())
    assert set(summary.kept_by_intent) == {"BookRestaurant", "GetWeather", "PlayMusic"}
    # the counts add up: what reaches a filter is what passed the one before
    names = list(summary.seen)
    assert names[0] == "empty-value"
    assert names[-3:] == ["label-fidelity", "slot-rules", "slot-context"]
    assert summary.seen[names[0]] == summary.generated
    for a, b in zip(names, names[1:], strict=False):
        assert summary.seen[b] == summary.seen[a] - summary.rejected[a]
    last = names[-1]
    assert summary.passed == summary.seen[last] - summary.rejected[last]
    assert summary.kept + summary.surplus == summary.passed
    for u in utts:
        assert isinstance(u, Utterance) and u.source == f"lm:{info.run_id}"
        assert u.meta["run"] == info.run_id and u.meta["seed"] == FAST.seed
        assert u.meta["sampling"]["temperature"] == FAST.temperature
        assert {"seed_containment", "intent_prob"} <= set(u.meta["scores"])
        assert u.meta["scores"]["intent_prob"] >= FAST.fidelity_threshold


def test_sampling_is_deterministic_given_the_seed(full_run):
    out, _ = full_run
    run = load_run(out)
    stats = [GenerationStats(), GenerationStats()]
    a, sa = sample(run, FAST, stats=stats[0])
    b, sb = sample(run, FAST, stats=stats[1])
    assert [u.to_dict() for u in a] == [u.to_dict() for u in b]
    assert sa.to_dict() == sb.to_dict()
    assert stats[0].new_tokens == stats[1].new_tokens > 0


def test_another_seed_gives_other_generations(full_run):
    out, _ = full_run
    run = load_run(out)
    prompts = [finetune_prompt("PlayMusic")] * 8
    a = generate_batched(run.model, run.tokenizer, prompts, seed=0)
    b = generate_batched(run.model, run.tokenizer, prompts, seed=1)
    assert a != b
    assert generate_batched(run.model, run.tokenizer, prompts, seed=0) == a


def test_batching_with_left_padding_matches_one_by_one(full_run):
    out, _ = full_run
    run = load_run(out)
    prompts = [finetune_prompt("GetWeather"), finetune_prompt("BookRestaurant", "en") + "book"]
    kw = {"temperature": 1e-4, "top_p": 1.0, "max_new_tokens": 12}
    together = generate_batched(run.model, run.tokenizer, prompts, batch_size=2, **kw)
    alone = [
        generate_batched(run.model, run.tokenizer, [p], batch_size=1, **kw)[0] for p in prompts
    ]
    assert together == alone


def test_pruned_loop_matches_generate_when_greedy(tiny_model):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from textsynth.lm.generation import sample_pruned

    # the untrained tiny model: its greedy outputs differ from prompt to prompt
    model = AutoModelForCausalLM.from_pretrained(tiny_model).eval()
    tok = AutoTokenizer.from_pretrained(tiny_model)
    tok.padding_side = "left"
    # repeated prompts are encoded once and their cache rows copied: still the same tokens
    prompts = [
        finetune_prompt("GetWeather"),
        finetune_prompt("BookRestaurant") + "book a",
        finetune_prompt("PlayMusic") + "play",
        finetune_prompt("BookRestaurant") + "book a",
        finetune_prompt("RateBook") + "rate",
        finetune_prompt("GetWeather"),
    ]
    enc = tok(prompts, return_tensors="pt", padding=True)
    pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
    width_in = enc["input_ids"].shape[1]

    def both(eos):
        with torch.inference_mode():
            ref = model.generate(
                **enc, do_sample=False, max_new_tokens=16, pad_token_id=pad, eos_token_id=eos
            )[:, width_in:]
            got = sample_pruned(
                model, dict(enc), temperature=None, top_p=1.0, max_new_tokens=16, eos=eos, pad=pad
            )
        assert got is not None
        width = max(got.shape[1], ref.shape[1])
        return [
            torch.nn.functional.pad(t, (0, width - t.shape[1]), value=pad).tolist()
            for t in (got, ref)
        ]

    got, ref = both(tok.eos_token_id)
    assert got == ref

    # the tiny model never says eos: make a token it does say the end, so rows end at different
    # steps and really leave the batch mid-way
    def first_steps(t):
        return {row.index(t) if t in row else None for row in got}

    stop = next((t for row in got for t in row if len(first_steps(t)) > 1), None)
    assert stop is not None, got
    got, ref = both(stop)
    assert got == ref
    ends = {row.index(stop) if stop in row else None for row in got}
    assert len(ends) > 1, ends


def test_pruned_loop_hands_the_kv_cache_over_without_a_deprecated_keyword(tiny_model):
    import warnings

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from textsynth.lm.generation import sample_pruned

    model = AutoModelForCausalLM.from_pretrained(tiny_model).eval()
    tok = AutoTokenizer.from_pretrained(tiny_model)
    enc = tok([finetune_prompt("GetWeather")] * 2, return_tensors="pt", padding=True)
    with warnings.catch_warnings(record=True) as caught, torch.inference_mode():
        warnings.simplefilter("always")
        got = sample_pruned(
            model, dict(enc), temperature=None, top_p=1.0, max_new_tokens=6, eos=-1, pad=0
        )
    assert got is not None and got.shape == (2, 6)
    assert not [w for w in caught if "past_key_values" in str(w.message)]


def test_pruned_and_plain_sampling_agree_on_shape(full_run):
    out, _ = full_run
    run = load_run(out)
    prompts = [finetune_prompt("PlayMusic")] * 6
    kw = {"seed": 3, "max_new_tokens": 10}
    pruned = generate_batched(run.model, run.tokenizer, prompts, **kw)
    plain = generate_batched(run.model, run.tokenizer, prompts, prune=False, **kw)
    assert len(pruned) == len(plain) == 6 and all(isinstance(t, str) for t in pruned)


def test_generation_stats_count_new_tokens(full_run):
    out, _ = full_run
    run = load_run(out)
    st = GenerationStats()
    generate_batched(
        run.model, run.tokenizer, [finetune_prompt("PlayMusic")] * 3, max_new_tokens=5, stats=st
    )
    assert st.sequences == 3 and 3 <= st.new_tokens <= 15 and st.tokens_per_second > 0


def test_finetuning_is_deterministic_given_the_seed(tiny_model, seeds, tmp_path):
    a = finetune(seeds, tmp_path / "a", full_config(tiny_model, epochs=2))
    b = finetune(seeds, tmp_path / "b", full_config(tiny_model, epochs=2))
    c = finetune(seeds, tmp_path / "c", full_config(tiny_model, epochs=2, seed=1))
    assert a.losses == b.losses and a.losses != c.losses


def test_lora_run_saves_an_adapter_and_samples(tiny_model, seeds, tmp_path):
    cfg = FinetuneConfig(base_model=tiny_model, epochs=2, batch_size=6)
    info = finetune(seeds, tmp_path / "lora", cfg)
    assert (tmp_path / "lora" / "adapter" / "adapter_config.json").exists()
    assert not (tmp_path / "lora" / "model").exists()
    assert info.method == "lora" and info.steps == 6
    utts, summary = sample(
        tmp_path / "lora",
        SampleConfig(
            per_intent=2,
            fidelity_threshold=0.0,
            max_rounds=1,
            max_new_tokens=16,
            slot_verify=False,
            fluency_percentile=0,
        ),
    )
    assert summary.generated == 3 * 3 and summary.disabled[0] == "label-fidelity"
    assert len(utts) == summary.kept


def test_scrub_runs_before_training_and_is_what_the_run_keeps(tiny_model, seeds, tmp_path):
    seen = []

    def scrub(utts):
        for u in utts:
            seen.append(u.text)
            yield Utterance(u.text.replace("Paris", "Lille"), u.intent, u.spans, u.language)

    finetune(seeds, tmp_path / "s", full_config(tiny_model, epochs=1), scrub=scrub)
    kept = (tmp_path / "s" / "seeds.jsonl").read_text()
    assert len(seen) == len(seeds) and "Lille" in kept and "Paris" not in kept


def test_prompt_mode_samples_without_training(tiny_model, seeds):
    utts, summary = prompt_sample(
        seeds,
        SampleConfig(
            per_intent=2,
            shots=3,
            fidelity_features="tfidf",
            max_rounds=1,
            max_new_tokens=16,
            slot_verify=False,
            fluency_percentile=0,
        ),
        base_model=tiny_model,
        intents=["PlayMusic"],
    )
    assert summary.generated == 3 and set(summary.kept_by_intent) == {"PlayMusic"}
    assert all(u.meta["generator"] == "lm-prompt" and u.meta["shots"] == 3 for u in utts)


def test_unknown_intent_is_a_config_error(full_run):
    out, _ = full_run
    with pytest.raises(ConfigError, match="'Nope' have no seeds"):
        sample(out, FAST, intents=["Nope"])


def test_empty_seeds_and_non_run_dirs_are_input_errors(tiny_model, tmp_path):
    with pytest.raises(InputError, match="no seed utterances"):
        finetune([], tmp_path / "x", full_config(tiny_model))
    with pytest.raises(InputError, match="not a fine-tuning run"):
        sample(tmp_path, FAST)


def test_unknown_base_model_says_what_to_give(tmp_path, seeds):
    with pytest.raises(ConfigError, match="cannot load base model"):
        finetune(seeds, tmp_path / "x", FinetuneConfig(base_model=str(tmp_path / "missing")))
    with pytest.raises(ConfigError, match="unknown embedded model"):
        finetune(seeds, tmp_path / "x", FinetuneConfig(base_model="embedded:gpt-9"))


def test_lora_needs_matching_target_modules(tiny_model, seeds, tmp_path):
    cfg = FinetuneConfig(base_model=tiny_model, lora_target_modules=("c_attn",))
    with pytest.raises(ConfigError, match="c_attn"):
        finetune(seeds, tmp_path / "x", cfg)


def test_run_dir_is_reusable_across_processes(full_run):
    out, info = full_run
    run = load_run(Path(out))
    assert run.info.run_id == info.run_id and run.config.method == "full"
    assert len(run.seeds) == 18
