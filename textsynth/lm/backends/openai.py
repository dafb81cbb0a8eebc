"""``openai``: any OpenAI-compatible HTTP server (vLLM, Ollama, llama.cpp, TGI, hosted APIs).

Uses the ``openai`` client: one kept HTTP connection pool, a per-request timeout, and retries
with exponential backoff and jitter on connection errors, timeouts, 408/409/429 and 5xx (the
client's own policy, ``max_retries`` times). Requests run ``concurrency`` at a time in threads;
results are handed back in the caller's thread as they finish, so the cache stores each one at
once. The API key is read from an environment variable (``OPENAI_API_KEY`` by default) and is
never logged, cached or written: every message this module builds is passed through
:func:`~textsynth.lm.backends.base.redact`.

Constrained markup: llama.cpp's server takes a GBNF ``grammar``; vLLM's takes a regex
(``structured_outputs``, or ``guided_regex`` on older servers). The server kind is read from
``/v1/models`` (``owned_by``) unless ``constraint_api`` names it; other servers fall back to
validation, with a warning.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from textsynth._compat import require
from textsynth.errors import ConfigError
from textsynth.lm.backends.base import (
    Backend,
    BackendAuthError,
    BackendUnavailableError,
    Completion,
    ContextOverflowError,
    GenParams,
    OnResult,
    Request,
    UnknownModelError,
    redact,
)
from textsynth.lm.backends.constraints import markup_gbnf, markup_regex

__all__ = ["CHAT_SYSTEM", "OpenAIBackend"]

logger = logging.getLogger(__name__)

CHAT_SYSTEM = (
    "Continue the user's list with exactly one new item, in the same [value](slot) markup. "
    "Reply with the item only, on one line."
)
_CONTEXT_WORDS = ("context", "too long", "maximum", "exceed", "n_ctx")
# llama-cpp-python's server answers a prompt + max_tokens over n_ctx with a 500 saying this
_LLAMACPP_OVERFLOW = "could not broadcast input array from shape"


@dataclass
class OpenAIBackend(Backend):
    """An OpenAI-compatible endpoint.

    Attributes:
        base_url: e.g. ``http://127.0.0.1:8000/v1``.
        api: ``completions`` (``/v1/completions``) or ``chat`` (``/v1/chat/completions``).
        api_key_env: the environment variable holding the key (unset: no key is sent).
        concurrency: requests in flight at once.
        timeout: seconds per request attempt.
        max_retries: retries per request (backoff on 429/5xx/timeouts/connection errors).
        constraint_api: ``auto`` (ask the server), ``grammar`` (llama.cpp GBNF), ``regex``
            (vLLM), or ``none``.
    """

    name = "openai"

    base_url: str = "http://127.0.0.1:8000/v1"
    api: str = "completions"
    api_key_env: str = "OPENAI_API_KEY"
    concurrency: int = 4
    timeout: float = 60.0
    max_retries: int = 4
    constraint_api: str = "auto"
    _client: Any = None
    _server: str = ""

    def __post_init__(self) -> None:
        if self.api not in ("completions", "chat"):
            raise ConfigError(f"api={self.api!r}; use 'completions' or 'chat'")
        if self.concurrency < 1:
            raise ConfigError(f"concurrency={self.concurrency!r} must be at least 1")
        if self.timeout <= 0:
            raise ConfigError(f"timeout={self.timeout!r} must be > 0")
        if self.constraint_api not in ("auto", "grammar", "regex", "none"):
            raise ConfigError(
                f"constraint_api={self.constraint_api!r}; use auto, grammar, regex or none"
            )

    @property
    def _key(self) -> str | None:
        return os.environ.get(self.api_key_env) or None

    def _msg(self, text: str) -> str:
        return redact(text, self._key)

    @property
    def constraint_facility(self) -> str:  # type: ignore[override]
        """Return ``grammar`` / ``regex`` when the server can constrain, else ``""``."""
        kind = self.constraint_api if self.constraint_api != "auto" else self._server
        return {"grammar": "gbnf grammar", "llamacpp": "gbnf grammar"}.get(
            kind, "structured-outputs regex" if kind in ("regex", "vllm") else ""
        )

    def describe(self) -> dict[str, Any]:  # noqa: D102
        return {"backend": self.name, "model": self.model, "api": self.api}

    def client(self) -> Any:
        """Return the kept ``openai.OpenAI`` client."""
        if self._client is None:
            openai = require("openai", feature="the openai backend", package="openai")
            import httpx

            self._client = openai.OpenAI(
                base_url=self.base_url,
                api_key=self._key or "no-key",
                timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 10.0)),
                max_retries=self.max_retries,
                http_client=httpx.Client(
                    limits=httpx.Limits(max_connections=self.concurrency + 2),
                    timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 10.0)),
                ),
            )
        return self._client

    def check(self) -> None:
        """Reach the server, check the key and that it serves ``model``; learn its kind."""
        import openai

        try:
            models = list(self.client().models.list())
        except openai.NotFoundError:  # some gateways have no /models: nothing to check
            return
        except Exception as exc:  # noqa: BLE001 - mapped to user-facing errors
            raise self._map(exc, fatal_only=False) from None
        ids = [m.id for m in models]
        owners = {getattr(m, "owned_by", "") for m in models}
        if "vllm" in owners:
            self._server = "vllm"
        elif "me" in owners or "llamacpp" in owners:  # llama-cpp-python's server
            self._server = "llamacpp"
        if ids and self.model not in ids:
            raise UnknownModelError(
                self._msg(f"the server at {self.base_url} does not serve model {self.model!r}"),
                hint=self._msg(f"it serves: {', '.join(ids[:20])}; pass one as --base-model"),
            )

    def _map(self, exc: BaseException, *, fatal_only: bool = True) -> Exception:
        """Turn a client exception into our error (or return it when not fatal)."""
        import openai

        text = self._msg(str(exc))
        if isinstance(exc, (openai.AuthenticationError, openai.PermissionDeniedError)):
            return BackendAuthError(
                f"the server at {self.base_url} refused the API key ({text})",
                hint=f"set the right key in ${self.api_key_env}",
            )
        if isinstance(exc, openai.NotFoundError):
            return UnknownModelError(
                f"the server at {self.base_url} has no model {self.model!r} ({text})",
                hint="check --base-model against the server's /v1/models",
            )
        overflow = isinstance(exc, openai.BadRequestError) and any(
            w in text.lower() for w in _CONTEXT_WORDS
        )
        if overflow or (isinstance(exc, openai.APIStatusError) and _LLAMACPP_OVERFLOW in text):
            return ContextOverflowError(
                f"the prompt does not fit model {self.model!r}'s context ({text})",
                hint="use fewer --shots, a smaller --max-new-tokens, or a longer server context",
            )
        if not fatal_only and isinstance(exc, (openai.APIConnectionError, openai.APIStatusError)):
            return BackendUnavailableError(
                f"cannot reach the server at {self.base_url} ({type(exc).__name__}: {text})",
                hint="start the server, or fix --base-url",
            )
        return exc if isinstance(exc, Exception) else RuntimeError(text)

    def _extra(self, labels: tuple[str, ...] | None) -> dict[str, Any]:
        if not self.constrain or labels is None:
            return {}
        kind = self.constraint_api if self.constraint_api != "auto" else self._server
        if kind in ("grammar", "llamacpp"):
            return {"grammar": markup_gbnf(labels)}
        if kind in ("regex", "vllm"):
            rx = markup_regex(labels)
            return {"structured_outputs": {"regex": rx}, "guided_regex": rx}
        return {}

    def _one(self, r: Request, params: GenParams) -> Completion:
        cl = self.client()
        common: dict[str, Any] = {
            "model": self.model,
            "max_tokens": params.max_new_tokens,
            "temperature": params.temperature,
            "top_p": params.top_p,
            "seed": r.seed,
            "stop": list(params.stop) or None,
        }
        extra = self._extra(r.labels)
        if extra:
            common["extra_body"] = extra
        if self.api == "chat":
            res = cl.chat.completions.create(
                messages=[
                    {"role": "system", "content": CHAT_SYSTEM},
                    {"role": "user", "content": r.prompt},
                ],
                **common,
            )
            text = (res.choices[0].message.content or "").strip()
            text = " " + text[1:].lstrip() if text.startswith("-") else " " + text
        else:
            res = cl.completions.create(prompt=r.prompt, **common)
            text = res.choices[0].text or ""
        tokens = int(getattr(res.usage, "completion_tokens", 0) or 0) if res.usage else 0
        return Completion(text, tokens, truncated=res.choices[0].finish_reason == "length")

    def _generate(
        self, requests: list[Request], params: GenParams, on_result: OnResult
    ) -> list[Completion]:
        import openai

        out: list[Completion | None] = [None] * len(requests)
        pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="openai")
        futures: dict[Future[Completion], int] = {}
        nxt = 0
        try:
            while nxt < len(requests) or futures:
                while nxt < len(requests) and len(futures) < self.concurrency:
                    futures[pool.submit(self._one, requests[nxt], params)] = nxt
                    nxt += 1
                done, _ = wait(futures, return_when=FIRST_COMPLETED)
                for f in done:
                    i = futures.pop(f)
                    try:
                        c = f.result()
                    except Exception as exc:  # noqa: BLE001 - classified below
                        mapped = self._map(exc)
                        if mapped is not exc:
                            raise mapped from None
                        if not isinstance(exc, openai.OpenAIError):
                            raise
                        c = Completion(None, error=self._msg(f"{type(exc).__name__}: {exc}"))
                        logger.warning(
                            "request failed after %d retries: %s", self.max_retries, c.error
                        )
                    out[i] = c
                    on_result(i, c)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        done_all = [c for c in out if c is not None]
        if (
            done_all
            and all(c.text is None for c in done_all)
            and len(done_all) >= min(len(requests), 2)
        ):
            raise BackendUnavailableError(
                f"all {len(done_all)} requests of this round to {self.base_url} failed "
                f"(last: {done_all[-1].error})",
                hint="check the server; rerun the same command to resume (finished requests "
                "are cached)",
            )
        return [c for c in out if c is not None]

    def close(self) -> None:  # noqa: D102
        if self._client is not None:
            self._client.close()
            self._client = None
