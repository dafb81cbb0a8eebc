"""International bank account numbers (ISO 13616), validated by the mod-97 checksum."""

from __future__ import annotations

import re

from textsynth.pii.checksums import iban_valid
from textsynth.pii.recognizers.base import Pattern, PatternRecognizer
from textsynth.registry import recognizers


@recognizers.register()
class IbanRecognizer(PatternRecognizer):
    """IBANs written compact or in groups of four, any case."""

    name = "iban"
    entity = "IBAN"
    PATTERNS = (
        Pattern(
            "iban",
            r"[A-Z](?<![\w][A-Z])[A-Z]\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?(?![\w])",
            0.3,
            re.IGNORECASE,
        ),
    )
    context = ("iban", "account", "bank", "transfer", "compte", "virement")

    def validate(self, match: str) -> bool | None:  # noqa: D102
        return True if iban_valid(match) else False
