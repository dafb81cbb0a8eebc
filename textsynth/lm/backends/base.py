"""The generator backend interface: requests in, completions out, one per request.

A backend turns :class:`Request` s (a prompt, a per-request seed, optional allowed slot labels
for constrained markup) into :class:`Completion` s. The sampling loop
(:mod:`textsynth.lm.sample`) is the same for every backend: it builds the prompts, looks each
request up in the on-disk cache (:mod:`textsynth.lm.cache`), sends the misses to the backend,
and runs one filter chain over the texts. A request that fails after its retries comes back as
a ``Completion`` with ``text=None`` and an ``error``; the loop counts and reports it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from textsynth.errors import ConfigError, TextsynthError

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
    "redact",
]

logger = logging.getLogger(__name__)

# called in the caller's thread as each request finishes: (index in the batch, completion)
OnResult = Callable[[int, "Completion"], None]


class BackendError(TextsynthError):
    """A generator backend failed at run time (exit code 1); ``hint`` says what to do."""

    def __init__(self, message: str, *, hint: str = "") -> None:
        self.message = message
        self.hint = hint
        super().__init__(f"{message}\n  hint: {hint}" if hint else message)


class BackendUnavailableError(BackendError):
    """The server cannot be reached, or stopped answering during the run."""


class BackendAuthError(BackendError):
    """The server refused the API key (exit code 2: fix the key)."""

    exit_code = 2


class UnknownModelError(BackendError):
    """The server does not serve the model asked for (exit code 2)."""

    exit_code = 2


class ContextOverflowError(BackendError):
    """A prompt plus ``max_new_tokens`` does not fit the model's context (exit code 2)."""

    exit_code = 2


def redact(text: str, *secrets: str | None) -> str:
    """Return ``text`` with every non-empty secret replaced by ``***``."""
    for s in secrets:
        if s and len(s) >= 4:
            text = text.replace(s, "***")
    return text


@dataclass(frozen=True)
class GenParams:
    """Per-request sampling parameters (part of every cache key)."""

    temperature: float = 0.9
    top_p: float = 0.95
    max_new_tokens: int = 40
    stop: tuple[str, ...] = ("\n",)

    def to_dict(self) -> dict[str, Any]:
        """Return the parameters as plain data."""
        return {
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_new_tokens": self.max_new_tokens,
            "stop": list(self.stop),
        }


@dataclass(frozen=True)
class Request:
    """One completion to make.

    Attributes:
        prompt: the full prompt text.
        seed: the request's own sampling seed (so a replayed run asks the same questions).
        labels: the slot labels allowed in the completion's markup, for constrained decoding;
            ``None`` = unconstrained.
    """

    prompt: str
    seed: int
    labels: tuple[str, ...] | None = None


@dataclass
class Completion:
    """What came back for one request: ``text`` is ``None`` when it finally failed."""

    text: str | None
    tokens: int = 0
    error: str = ""
    cached: bool = False
    truncated: bool = False  # stopped by max_new_tokens (finish_reason "length")


@dataclass
class Backend:
    """Base class of generator backends; subclasses set ``name`` and implement ``_generate``.

    Attributes:
        model: what the backend runs (a model name on a server, a path, an embedded alias).
        constrain: route the allowed-markup constraint through the backend's own facility.
    """

    name = ""
    #: the constrained-decoding facility, or "" when the backend can only validate afterwards
    constraint_facility = ""

    model: str = ""
    constrain: bool = False
    options: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        """Return what identifies this backend's outputs (cache key, provenance; no secrets)."""
        return {"backend": self.name, "model": self.model}

    def check(self) -> None:
        """Fail early (before any long work) when the backend cannot run; default: nothing."""

    def warn_constraints(self) -> None:
        """Log once that constrained markup falls back to validation, when it does."""
        if self.constrain and not self.constraint_facility:
            logger.warning(
                "backend %s has no constrained decoding here: markup is validated after "
                "generation instead (the markup filter rejects what does not parse)",
                self.name,
            )

    def generate(
        self,
        requests: Sequence[Request],
        params: GenParams,
        on_result: OnResult | None = None,
    ) -> list[Completion]:
        """Return one completion per request, calling ``on_result`` as each one finishes."""
        if not requests:
            return []
        return self._generate(list(requests), params, on_result or (lambda i, c: None))

    def _generate(
        self, requests: list[Request], params: GenParams, on_result: OnResult
    ) -> list[Completion]:  # pragma: no cover - abstract
        raise NotImplementedError

    def close(self) -> None:
        """Release clients, servers or models."""


def parse_spec(spec: str) -> tuple[str, str]:
    """Split ``BACKEND/MODEL`` (e.g. ``openai/gpt-4o-mini``, ``llamacpp/embedded:smollm2-135m``).

    Raises:
        ConfigError: when there is no ``/`` or either part is empty.
    """
    name, sep, model = spec.partition("/")
    if not sep or not name or not model:
        raise ConfigError(
            f"{spec!r} is not BACKEND/MODEL",
            hint="e.g. --judge openai/NAME (served at --base-url) or "
            "llamacpp/embedded:smollm2-135m",
        )
    return name, model
