"""E-mail addresses."""

from __future__ import annotations

import re

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
        # "jane dot doe at gmail dot com", "jane(at)example.org", "jane [at] example [dot] org"
        Pattern(
            "spelled",
            r"(?<![\w.])[\w.+-]{1,64}(?:\s?(?:\(|\[)?\s?dot\s?(?:\)|\])?\s?[\w+-]+)*"
            r"\s?(?:\(at\)|\[at\]|\s+at\s+)\s?(?:[a-z0-9-]+(?:\.|\s?(?:\(|\[)?\s?dot\s?(?:\)|\])?\s?))+"
            r"(?:com|org|net|edu|gov|io|co|uk|fr|de|ch|be|nl|es|it|info|biz)(?![\w])",
            0.5,
            re.IGNORECASE,
            # led by a literal, not \b: the scan can skip to the few places that may start a match
            trigger=r"(?i)dot(?<![\w]dot)\b|\(at\)|\[at\]|\sat\s+[\w-]+\.",
        ),
    )
    context = ("email", "e-mail", "mail", "courriel", "contact")

    def validate(self, match: str) -> bool | None:  # noqa: D102
        # what a customer typed is theirs even when it is no valid address ("c..aucoin@x.com")
        return True
