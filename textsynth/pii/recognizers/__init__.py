"""Pattern recognizers, one module per family, registered in ``textsynth.registry.recognizers``.

Third parties add recognizers through the ``textsynth_recognizers`` entry-point group or the
decorator ``@textsynth.registry.recognizers.register()`` on a :class:`Recognizer` subclass.
"""

from __future__ import annotations

from textsynth.pii.recognizers import (  # noqa: F401 - importing registers the built-ins
    address,
    card,
    date,
    email,
    iban,
    ip,
    national_id,
    org,
    phone,
    reference,
    url,
    username,
)
from textsynth.pii.recognizers.base import Pattern, PatternRecognizer, Recognizer
from textsynth.pii.recognizers.custom import CustomConfig, CustomPatternRecognizer, load_custom
from textsynth.registry import recognizers as registry

__all__ = [
    "CustomConfig",
    "CustomPatternRecognizer",
    "Pattern",
    "PatternRecognizer",
    "Recognizer",
    "build_recognizers",
    "load_custom",
]


def build_recognizers(names: list[str] | None = None) -> list[Recognizer]:
    """Instantiate the named recognizers (default: every registered one marked ``default``)."""
    if names is None:
        names = [n for n in registry.names() if getattr(registry.get(n), "default", True)]
    out = []
    for n in names:
        cls = registry.get(n)
        out.append(cls() if isinstance(cls, type) else cls)
    return out
