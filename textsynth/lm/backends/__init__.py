"""Generator backends behind one registry: ``hf``, ``openai``, ``vllm``, ``llamacpp``.

``get(name)`` returns the backend class; heavy clients (transformers, ``openai``, ``vllm``,
``llama_cpp``) are imported only when a backend runs. Third parties add backends through the
``textsynth_backends`` entry-point group.
"""

from __future__ import annotations

from typing import Any

from textsynth.lm.backends.base import (
    Backend,
    BackendAuthError,
    BackendError,
    BackendUnavailableError,
    Completion,
    ContextOverflowError,
    GenParams,
    Request,
    UnknownModelError,
    parse_spec,
    redact,
)
from textsynth.registry import Registry

__all__ = [
    "Backend",
    "BackendAuthError",
    "BackendError",
    "BackendUnavailableError",
    "Completion",
    "ContextOverflowError",
    "GenParams",
    "Request",
    "UnknownModelError",
    "create",
    "get",
    "names",
    "parse_spec",
    "redact",
    "registry",
]

registry: Registry[type] = Registry("backend", "textsynth_backends")


def _lazy(module: str, attr: str) -> type:
    import importlib

    return getattr(importlib.import_module(module), attr)


# the backend modules only import their heavy client inside methods; still load them lazily
_BUILTIN = {
    "hf": ("textsynth.lm.backends.hf", "HfBackend"),
    "openai": ("textsynth.lm.backends.openai", "OpenAIBackend"),
    "vllm": ("textsynth.lm.backends.vllm", "VllmBackend"),
    "llamacpp": ("textsynth.lm.backends.llamacpp", "LlamaCppBackend"),
}
for _name, (_mod, _attr) in _BUILTIN.items():
    registry.add(_name, _lazy(_mod, _attr))


def get(name: str) -> type:
    """Return the backend class registered as ``name`` (``UnknownNameError`` lists them)."""
    return registry.get(name)


def names() -> list[str]:
    """Return the registered backend names."""
    return registry.names()


def create(name: str, model: str, **options: Any) -> Backend:
    """Return backend ``name`` for ``model``; options it does not take raise ``ConfigError``."""
    import dataclasses

    from textsynth.errors import ConfigError

    cls = get(name)
    fields = {f.name for f in dataclasses.fields(cls) if not f.name.startswith("_")}
    unknown = sorted(k for k in options if k not in fields)
    if unknown:
        raise ConfigError(
            f"backend {name!r} takes no option(s) {', '.join(unknown)}",
            hint=f"its options: {', '.join(sorted(fields - {'model', 'options'}))}",
        )
    return cls(model=model, **options)
