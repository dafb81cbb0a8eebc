"""E-mail addresses."""

from __future__ import annotations

from textsynth.pii.recognizers.base import Pattern, PatternRecognizer
from textsynth.registry import recognizers


@recognizers.register()
class EmailRecognizer(PatternRecognizer):
    """RFC 5322-ish addresses with a dotted domain and an alphabetic top-level domain."""

    name = "email"
    entity = "EMAIL"
    PATTERNS = (
        Pattern(
            "email",
            r"(?<![\w.+-])[\w.+%'-]{1,64}@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,24}(?![\w-])",
            0.95,
            trigger="@",
        ),
    )
    context = ("email", "e-mail", "mail", "courriel", "contact")

    def validate(self, match: str) -> bool | None:  # noqa: D102
        local = match.split("@", 1)[0]
        if local.startswith(".") or local.endswith(".") or ".." in local:
            return False
        return True
