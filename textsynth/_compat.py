"""Optional heavy dependencies: probe once, import lazily, fail with an install hint."""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from textsynth.errors import MissingDependencyError


def has(module: str) -> bool:
    """Return whether ``module`` can be imported (without importing it)."""
    return importlib.util.find_spec(module) is not None


def require(module: str, *, feature: str, package: str | None = None) -> ModuleType:
    """Import ``module`` or raise ``MissingDependencyError`` saying what to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        pkg = package or module
        raise MissingDependencyError(
            f"textsynth {feature} needs {pkg!r} ({exc}); install it with: pip install {pkg}"
        ) from exc


has_torch = has("torch")
has_spacy = has("spacy")
has_transformers = has("transformers")
