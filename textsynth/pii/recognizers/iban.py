"""International bank account numbers (ISO 13616), validated by the mod-97 checksum."""

from __future__ import annotations

import re

from textsynth.pii.checksums import iban_valid
from textsynth.pii.recognizers.base import Pattern, PatternRecognizer
from textsynth.registry import recognizers


@recognizers.register()
class IbanRecognizer(PatternRecognizer):
    """IBANs written compact or in groups of four, any case."""

    needs_digit = True

    name = "iban"
    entity = "IBAN"
    PATTERNS = (
        Pattern(
            "iban",
            r"[A-Z](?<![\w][A-Z])[A-Z]\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?(?![\w])",
            0.3,
            re.IGNORECASE,
            trigger=r"(?i)\d\d ?[a-z0-9]{4} ?[a-z0-9]{4}",  # the check digits and two groups
        ),
    )
    context = ("iban", "account", "bank", "transfer", "compte", "virement")

    def validate(self, match: str) -> bool | float | None:  # noqa: D102
        if iban_valid(match):
            return True
        compact = match.replace(" ", "").upper()
        # a typed IBAN with a wrong check digit is still the customer's: the right length for
        # its country, or a cue word nearby (context adds to this score)
        if _LENGTHS.get(compact[:2]) == len(compact):
            return 0.6
        return 0.25 if compact[:2] in _LENGTHS else False


# IBAN lengths by country (ISO 13616 registry, the common ones)
_LENGTHS = {
    "AD": 24,
    "AT": 20,
    "BE": 16,
    "BG": 22,
    "CH": 21,
    "CY": 28,
    "CZ": 24,
    "DE": 22,
    "DK": 18,
    "EE": 20,
    "ES": 24,
    "FI": 18,
    "FR": 27,
    "GB": 22,
    "GR": 27,
    "HR": 21,
    "HU": 28,
    "IE": 22,
    "IS": 26,
    "IT": 27,
    "LI": 21,
    "LT": 20,
    "LU": 20,
    "LV": 21,
    "MC": 27,
    "MT": 31,
    "NL": 18,
    "NO": 15,
    "PL": 28,
    "PT": 25,
    "RO": 24,
    "SE": 24,
    "SI": 19,
    "SK": 24,
    "SM": 27,
    "TR": 26,
}
