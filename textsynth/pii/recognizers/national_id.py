"""National identity numbers: US SSN, UK National Insurance number, French NIR."""

from __future__ import annotations

import re

from textsynth.pii.checksums import nir_key
from textsynth.pii.recognizers.base import Pattern, PatternRecognizer
from textsynth.registry import recognizers


@recognizers.register()
class UsSsnRecognizer(PatternRecognizer):
    """US social security numbers; area 000/666/9xx, group 00 and serial 0000 are invalid."""

    name = "us-ssn"
    entity = "US_SSN"
    PATTERNS = (
        Pattern("ssn-dashed", r"\d(?<![\d-]\d)\d{2}-\d{2}-\d{4}(?![\d-])", 0.6),
        Pattern("ssn-spaced", r"\d(?<![\d ]\d)\d{2} \d{2} \d{4}(?![\d])", 0.3),
        Pattern("ssn-plain", r"\d(?<![\d.-]\d)\d{8}(?![\d.-])", 0.1),
    )
    context = ("ssn", "social", "security", "ss#", "ssid")

    def validate(self, match: str) -> bool | None:  # noqa: D102
        d = re.sub(r"\D", "", match)
        if d[:3] in ("000", "666") or d[0] == "9" or d[3:5] == "00" or d[5:] == "0000":
            return False
        if len(set(d)) == 1 or d in ("123456789", "078051120"):
            return False
        return None


@recognizers.register()
class UkNinoRecognizer(PatternRecognizer):
    """UK National Insurance numbers (``AB 12 34 56 C``)."""

    name = "uk-nino"
    entity = "UK_NINO"
    PATTERNS = (
        Pattern(
            "nino",
            r"[A-CEGHJ-PR-TW-Z](?<![\w][A-Z])[A-CEGHJ-NPR-TW-Z](?<!BG|GB|KN|NK|NT|TN|ZZ)"
            r" ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![\w])",
            0.7,
            re.IGNORECASE,
        ),
    )
    context = ("national insurance", "nino", "ni number", "insurance")


@recognizers.register()
class FrNirRecognizer(PatternRecognizer):
    """French social security numbers (NIR, 13 characters + 2-digit key)."""

    name = "fr-nir"
    entity = "FR_NIR"
    PATTERNS = (
        Pattern(
            "nir",
            r"[12](?<![\w][12]) ?\d{2} ?(?:0[1-9]|1[0-2]|[2-9]\d) ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3}"
            r"(?: ?\d{2})?(?![\w])",
            0.4,
            re.IGNORECASE,
        ),
    )
    context = ("sécurité sociale", "securite sociale", "nir", "insee", "social security", "vitale")

    def validate(self, match: str) -> bool | None:  # noqa: D102
        s = match.replace(" ", "").upper()
        if len(s) == 15:
            return True if nir_key(s[:13]) == int(s[13:]) else False
        return None
