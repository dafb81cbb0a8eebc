"""URLs and bare domain names."""

from __future__ import annotations

import re

from textsynth.pii.recognizers.base import Pattern, PatternRecognizer
from textsynth.registry import recognizers

# generic and common country TLDs; bare domains need one of these (URLs with a scheme do not)
_TLDS = (
    "com|org|net|edu|gov|info|biz|io|ai|app|dev|co|me|tv|uk|us|ca|au|nz|ie|fr|de|es|it|nl|be|ch|at|"
    "se|no|dk|fi|pl|pt|cz|sk|hu|gr|ro|bg|ee|lv|lt|cy|ru|ua|jp|cn|in|br|mx|ar|za|il|tr|sg|hk|kr|eu"
)


@recognizers.register()
class UrlRecognizer(PatternRecognizer):
    """``http(s)://`` and ``www.`` URLs (score 0.9) and bare domains with a known TLD (0.6)."""

    name = "url"
    entity = "URL"
    PATTERNS = (
        Pattern(
            "url-scheme",
            r"\b(?:https?|ftp)://[^\s<>\"'()\[\]{}]+[^\s<>\"'()\[\]{}.,;:!?]",
            0.9,
            re.IGNORECASE,
            trigger="://",
        ),
        Pattern(
            "url-www",
            r"(?<![\w./@-])www\.[^\s<>\"'()\[\]{}]+[^\s<>\"'()\[\]{}.,;:!?]",
            0.9,
            re.IGNORECASE,
            trigger=r"(?i)www\.",
        ),
        Pattern(
            "domain",
            rf"(?<![\w./@-])(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)+(?:{_TLDS})"
            r"(?:/[^\s<>\"']*[^\s<>\"'.,;:!?)])?(?![\w@-])",
            0.6,
            re.IGNORECASE,
            trigger=r"\.(?<=[^\W_]\.)[a-zA-Z]",  # "x.y"; led by the dot, a fast scan
        ),
    )
    context = ("website", "site", "url", "link", "web", "domain", "page")
