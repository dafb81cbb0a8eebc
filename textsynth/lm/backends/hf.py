"""``hf``: the in-process transformers path (:func:`textsynth.lm.generation.generate_batched`)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textsynth.errors import ConfigError
from textsynth.lm.backends.base import Backend, Completion, GenParams, OnResult, Request

__all__ = ["HfBackend", "check_base_model", "check_device"]

logger = logging.getLogger(__name__)


def check_base_model(name: str) -> None:
    """Reject a base model that names a local path which does not exist (before any load).

    A name that starts like a path (``/``, ``./``, ``../``, ``~``) or holds the OS separator
    twice is a path, not a hub id; transformers would report it as a malformed repo id.
    """
    if name.startswith("embedded:"):
        return
    looks_like_path = (
        name.startswith(("/", "./", "../", "~", ".\\"))
        or name.count("/") > 1
        or (os.sep != "/" and os.sep in name)
    )
    p = Path(os.path.expanduser(name))
    if looks_like_path and not p.exists():
        raise ConfigError(
            f"base model path {name!r} does not exist",
            hint="give an existing folder with config.json and weights, a hub id "
            "(org/name), or the default 'embedded:smollm2-135m'",
        )
    if p.exists() and p.is_dir() and not (p / "config.json").exists():
        raise ConfigError(
            f"base model folder {name!r} has no config.json",
            hint="point --base-model at a folder saved with save_pretrained",
        )


def check_device(device: str | None) -> None:
    """Refuse ``cuda``/``mps`` when this machine has none (instead of ignoring the request)."""
    if not device or device == "cpu":
        return
    try:
        import torch
    except ImportError:  # pragma: no cover - the hf path needs torch anyway
        return
    kind = device.split(":", 1)[0]
    if kind == "cuda" and not torch.cuda.is_available():
        raise ConfigError(
            f"--device {device} was asked for, but torch sees no CUDA GPU on this machine",
            hint="drop --device (CPU is used) or install a CUDA build of torch",
        )
    if kind == "mps" and not (
        getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()
    ):
        raise ConfigError(f"--device {device}: MPS is not available here", hint="drop --device")


@dataclass
class HfBackend(Backend):
    """A transformers causal LM in this process; ``lm``/``tokenizer`` may be given loaded."""

    name = "hf"
    constraint_facility = ""

    lm: Any = None
    tokenizer: Any = None
    device: str | None = None
    dtype: str = "auto"
    batch_size: int = 64
    threads: int | None = None
    #: a :class:`textsynth.lm.constrain.MarkupConstraint` keyed by label set (``None``: free)
    markup_constraint: Any = None

    def check(self) -> None:  # noqa: D102
        if self.lm is None:
            check_base_model(self.model)
        check_device(self.device)

    def load(self) -> None:
        """Load the model named ``model`` unless one was given."""
        if self.lm is None:
            from textsynth.lm.models import load_causal_lm

            self.lm, self.tokenizer = load_causal_lm(
                self.model, device=self.device, dtype=self.dtype
            )

    def _generate(
        self, requests: list[Request], params: GenParams, on_result: OnResult
    ) -> list[Completion]:
        from textsynth.lm.constrain import constraint_key
        from textsynth.lm.generation import GenerationStats, generate_batched
        from textsynth.lm.models import torch_threads

        self.load()
        out: list[Completion] = []
        with torch_threads(self.threads):
            for start in range(0, len(requests), self.batch_size):
                batch = requests[start : start + self.batch_size]
                stats = GenerationStats()
                texts = generate_batched(
                    self.lm,
                    self.tokenizer,
                    [r.prompt for r in batch],
                    temperature=params.temperature,
                    top_p=params.top_p,
                    max_new_tokens=params.max_new_tokens,
                    batch_size=len(batch),
                    seed=batch[0].seed,
                    stats=stats,
                    constraint=self.markup_constraint,
                    keys=(
                        [constraint_key(r.labels or ()) for r in batch]
                        if self.markup_constraint is not None
                        else None
                    ),
                )
                each, extra = divmod(stats.new_tokens, len(batch))
                for j, text in enumerate(texts):
                    c = Completion(text, each + (1 if j < extra else 0))
                    out.append(c)
                    on_result(start + j, c)
        return out
