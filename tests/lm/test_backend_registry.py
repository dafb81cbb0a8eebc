"""The backend registry, the request cache, the markup constraints and the vllm path (fast)."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import types

import pytest

from textsynth import markup
from textsynth.errors import ConfigError, UnknownNameError
from textsynth.lm import backends
from textsynth.lm.backends.constraints import fallback_markup_gbnf, fallback_markup_regex
from textsynth.lm.cache import RequestCache, RequestStats, request_key, run_requests


def test_registry_names_and_errors():
    assert backends.names() == ["hf", "llamacpp", "openai", "vllm"]
    with pytest.raises(UnknownNameError, match="did you mean 'openai'"):
        backends.get("opneai")
    with pytest.raises(ConfigError, match="takes no option"):
        backends.create("openai", "m", bogus=1)
    assert backends.parse_spec("openai/gpt-4o-mini") == ("openai", "gpt-4o-mini")
    assert backends.parse_spec("llamacpp//m/x.gguf") == ("llamacpp", "/m/x.gguf")
    with pytest.raises(ConfigError, match="BACKEND/MODEL"):
        backends.parse_spec("openai")


def test_heavy_clients_are_imported_lazily():
    code = (
        "import sys, textsynth.lm.backends, textsynth.cli.lm, textsynth.lm.sample;"
        "print(sorted(m for m in ('vllm', 'llama_cpp', 'openai', 'torch') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@dataclasses.dataclass
class Echo(backends.Backend):
    """A backend that returns its prompt's seed, counting what it is asked."""

    name = "echo"
    asked: list = dataclasses.field(default_factory=list)

    def _generate(self, requests, params, on_result):
        out = []
        for i, r in enumerate(requests):
            self.asked.append(r.seed)
            c = (
                backends.Completion(None, error="boom")
                if r.seed == 13
                else backends.Completion(f"text {r.seed}", 3)
            )
            out.append(c)
            on_result(i, c)
        return out


def test_cache_hits_skip_the_backend_and_failures_are_not_cached(tmp_path):
    reqs = [backends.Request("p", s) for s in (1, 2, 13)]
    params = backends.GenParams()
    path = tmp_path / "c.sqlite"
    b = Echo(model="m")
    stats = RequestStats()
    first = run_requests(b, reqs, params, RequestCache(path), stats)
    assert [c.text for c in first] == ["text 1", "text 2", None]
    assert stats.failed == 1 and stats.tokens == 6
    b2 = Echo(model="m")
    stats2 = RequestStats()
    again = run_requests(b2, reqs, params, RequestCache(path), stats2)
    assert b2.asked == [13]  # only the failed one is asked again
    assert [c.text for c in again[:2]] == ["text 1", "text 2"] and stats2.cached == 2


def test_cache_key_covers_backend_model_prompt_params_seed():
    r = backends.Request("p", 1)
    p = backends.GenParams()
    ident = {"backend": "openai", "model": "m"}
    k = request_key(ident, r, p, False)
    assert k == request_key(dict(ident), backends.Request("p", 1), backends.GenParams(), False)
    others = {
        request_key({"backend": "vllm", "model": "m"}, r, p, False),
        request_key({"backend": "openai", "model": "m2"}, r, p, False),
        request_key(ident, backends.Request("q", 1), p, False),
        request_key(ident, backends.Request("p", 2), p, False),
        request_key(ident, r, backends.GenParams(temperature=0.5), False),
        request_key(ident, backends.Request("p", 1, ("city",)), p, True),
    }
    assert k not in others and len(others) == 6


@pytest.mark.parametrize(
    "text,ok",
    [
        (" weather in [Paris](city) [today](date)", True),
        (" play some music", True),
        (" weather in [Paris](artist)", False),
        (" weather in [](city)", False),
        (" weather in [Paris](city", False),
        (" two\nlines", False),
    ],
)
def test_markup_regex(text, ok):
    rx = re.compile(fallback_markup_regex(["city", "date"]))
    assert bool(rx.fullmatch(text)) is ok
    if ok:
        markup.parse(text.strip(), "GetWeather")


def test_gbnf_grammar_compiles_in_llama_cpp():
    llama_cpp = pytest.importorskip("llama_cpp")
    g = fallback_markup_gbnf(["city", 'we"ird'])
    assert 'label ::= "city" | "we\\"ird"' in g
    llama_cpp.LlamaGrammar.from_string(g, verbose=False)


def fake_vllm(calls):
    """A stand-in ``vllm`` module recording the calls (the GPU test runs the real one)."""
    mod = types.ModuleType("vllm")
    sp = types.ModuleType("vllm.sampling_params")

    class StructuredOutputsParams:
        def __init__(self, **kw):
            self.kw = kw

    class SamplingParams:
        def __init__(self, **kw):
            self.kw = kw

    class Seq:
        def __init__(self, text):
            self.text, self.token_ids = text, [0] * len(text.split())

    class LLM:
        def __init__(self, **kw):
            calls["engine"] = kw

        def generate(self, prompts, sps, lora_request=None, use_tqdm=True):
            calls.setdefault("generate", []).append((prompts, sps, lora_request))
            return [
                types.SimpleNamespace(outputs=[Seq(f" weather in [Paris](city) take {i}")])
                for i, _ in enumerate(prompts)
            ]

    sp.StructuredOutputsParams = StructuredOutputsParams
    mod.SamplingParams, mod.LLM, mod.sampling_params = SamplingParams, LLM, sp
    lora = types.ModuleType("vllm.lora")
    lreq = types.ModuleType("vllm.lora.request")

    class LoRARequest:
        def __init__(self, name, id_, path):
            self.args = (name, id_, path)

    lreq.LoRARequest = LoRARequest
    return {"vllm": mod, "vllm.sampling_params": sp, "vllm.lora": lora, "vllm.lora.request": lreq}


def test_vllm_path_up_to_the_call(monkeypatch, tmp_path, seeds):
    from textsynth.lm import SampleConfig, prompt_sample
    from textsynth.lm.backends.vllm import VllmBackend
    from textsynth.lm.sample import RunOptions

    calls: dict = {}
    for name, m in fake_vllm(calls).items():
        monkeypatch.setitem(sys.modules, name, m)
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text("{}")
    b = VllmBackend(model=str(tmp_path), lora_path=str(adapter))
    b.check()
    gw = [u for u in seeds if u.intent == "GetWeather"]
    utts, summary = prompt_sample(
        gw,
        SampleConfig(
            per_intent=2,
            fidelity_threshold=0,
            near_copy_threshold=1.0,
            seed=3,
            fluency_percentile=0,
            slot_unmarked="off",  # the fake's "take 0" reads as an unmarked date to 6 seeds
        ),
        options=RunOptions(backend=b, constrain=True),
    )
    assert calls["engine"]["enable_lora"] is True and calls["engine"]["model"] == str(tmp_path)
    prompts, sps, lora = calls["generate"][0]
    assert lora.args[2] == str(adapter)
    seeds_used = [sp.kw["seed"] for sp in sps]
    assert len(set(seeds_used)) == len(seeds_used)  # one seed per request
    rx = sps[0].kw["structured_outputs"].kw["regex"]
    assert re.fullmatch(rx, " weather in [Paris](city)") and not re.fullmatch(rx, "[x](genre)")
    assert len(utts) == 2 and utts[0].meta["backend"]["backend"] == "vllm"


def test_vllm_missing_is_a_clear_error(monkeypatch):
    from textsynth.errors import MissingDependencyError
    from textsynth.lm.backends.vllm import VllmBackend

    monkeypatch.setitem(sys.modules, "vllm", None)
    with pytest.raises(MissingDependencyError, match="pip install vllm"):
        VllmBackend(model="x").check()


def test_in_process_models_get_their_own_cache_keys():
    from textsynth.lm import FinetuneConfig, SampleConfig
    from textsynth.lm.backends.base import GenParams, Request
    from textsynth.lm.sample import LoadedRun, RunOptions, _backend_for, _run_ident
    from textsynth.lm.train import RunInfo

    def run(seed: int, epochs: int) -> LoadedRun:
        info = RunInfo(
            "d", f"run-abc-s{seed}", "embedded:smollm2-135m", "lora", "abc", 3, [], seed, "cpu"
        )
        cfg = FinetuneConfig(seed=seed, epochs=epochs)
        return LoadedRun(object(), object(), [], cfg, info)  # type: ignore[arg-type]

    idents = {_run_ident(run(0, 4)), _run_ident(run(1, 4)), _run_ident(run(0, 6))}
    assert len(idents) == 3 and all(i.startswith("embedded:smollm2-135m+run-abc-s") for i in idents)
    req, params = Request("p", 1), GenParams()
    keys = set()
    for ident in ("embedded:smollm2-135m", "some/other-model", *idents):
        b = _backend_for(RunOptions(), SampleConfig(), (object(), object()), ident)
        assert b.describe()["model"] == ident
        keys.add(request_key(b.describe(), req, params, False))
    assert len(keys) == 5
