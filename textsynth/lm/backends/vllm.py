"""``vllm``: offline ``vllm.LLM`` batches on a GPU, with the fine-tuned LoRA adapter served.

``vllm`` is imported only when this backend runs. Constrained markup uses vLLM's structured
outputs (``StructuredOutputsParams(regex=...)``, or ``GuidedDecodingParams`` on older vLLM).
The PEFT adapter that ``textsynth lm finetune`` writes (``RUN/adapter``) is served through
``LoRARequest``; the base model must then be a Hugging Face id or folder vLLM can load.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textsynth._compat import require
from textsynth.errors import ConfigError
from textsynth.lm.backends.base import Backend, Completion, GenParams, OnResult, Request
from textsynth.lm.backends.constraints import markup_regex

__all__ = ["VllmBackend"]


@dataclass
class VllmBackend(Backend):
    """One ``vllm.LLM``; each call is one offline batch, one ``SamplingParams`` per request."""

    name = "vllm"
    constraint_facility = "structured-outputs regex"

    lora_path: str | None = None
    dtype: str = "auto"
    gpu_memory_utilization: float = 0.85
    max_model_len: int = 2048
    seed: int = 0
    _llm: Any = None
    _vllm: Any = None

    def check(self) -> None:  # noqa: D102
        self._vllm = require("vllm", feature="the vllm backend", package="vllm")
        if self.model.startswith("embedded:"):
            raise ConfigError(
                "the vllm backend cannot load the embedded GGUF model",
                hint="pass --base-model with a Hugging Face id or folder (e.g. the converted "
                "cache folder of the embedded model)",
            )
        if self.lora_path and not Path(self.lora_path, "adapter_config.json").exists():
            raise ConfigError(f"{self.lora_path} is not a PEFT adapter (no adapter_config.json)")

    def engine_args(self) -> dict[str, Any]:
        """Return the keyword arguments of ``vllm.LLM``."""
        kw: dict[str, Any] = {
            "model": self.model,
            "dtype": self.dtype,
            "seed": self.seed,
            "gpu_memory_utilization": self.gpu_memory_utilization,
            "max_model_len": self.max_model_len,
        }
        if self.lora_path:
            kw.update(enable_lora=True, max_lora_rank=64)
        return kw

    def sampling_params(self, request: Request, params: GenParams) -> Any:
        """Return the ``vllm.SamplingParams`` of one request (seeded, maybe constrained)."""
        vllm = self._vllm
        kw: dict[str, Any] = {
            "n": 1,
            "temperature": params.temperature,
            "top_p": params.top_p,
            "max_tokens": params.max_new_tokens,
            "seed": request.seed,
            "stop": list(params.stop),
        }
        if self.constrain and request.labels is not None:
            regex = markup_regex(request.labels)
            sp = getattr(vllm, "sampling_params", None)
            if sp is not None and hasattr(sp, "StructuredOutputsParams"):
                kw["structured_outputs"] = sp.StructuredOutputsParams(regex=regex)
            elif sp is not None and hasattr(sp, "GuidedDecodingParams"):
                kw["guided_decoding"] = sp.GuidedDecodingParams(regex=regex)
        return vllm.SamplingParams(**kw)

    def lora_request(self) -> Any:
        """Return the ``LoRARequest`` of the run's adapter, or ``None``."""
        if not self.lora_path:
            return None
        from vllm.lora.request import LoRARequest

        return LoRARequest("textsynth-adapter", 1, str(self.lora_path))

    def _generate(
        self, requests: list[Request], params: GenParams, on_result: OnResult
    ) -> list[Completion]:
        if self._vllm is None:
            self.check()
        if self._llm is None:
            self._llm = self._vllm.LLM(**self.engine_args())
        sps = [self.sampling_params(r, params) for r in requests]
        t0 = time.perf_counter()
        outs = self._llm.generate(
            [r.prompt for r in requests], sps, lora_request=self.lora_request(), use_tqdm=False
        )
        self.options["last_batch_seconds"] = time.perf_counter() - t0
        result = []
        for i, o in enumerate(outs):
            seq = o.outputs[0]
            c = Completion(seq.text, len(seq.token_ids))
            result.append(c)
            on_result(i, c)
        return result
