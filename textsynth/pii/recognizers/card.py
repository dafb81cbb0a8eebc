"""Payment card numbers (12-19 digits, Luhn-valid; a known brand prefix scores higher)."""

from __future__ import annotations

import re

from textsynth.pii.checksums import luhn_valid
from textsynth.pii.recognizers.base import Pattern, PatternRecognizer
from textsynth.registry import recognizers

# issuer prefixes of the major brands (ISO/IEC 7812 IIN ranges)
_BRAND = re.compile(r"^(?:4|5[1-5]|2[2-7]|3[47]|3[0689]|6(?:011|5|4[4-9]|2)|35|50|5[6-9]|6[37])")


@recognizers.register()
class CreditCardRecognizer(PatternRecognizer):
    """Card numbers, plain or grouped by spaces or dashes, checked with Luhn."""

    needs_digit = True

    name = "credit-card"
    entity = "CREDIT_CARD"
    PATTERNS = (
        Pattern("card-grouped", r"\d(?<![\d-]\d)\d{3}(?:[ -]\d{4}){2}[ -]\d{1,7}(?![\d-])", 0.3),
        Pattern("card-amex", r"3(?<![\d-]3)[47]\d{2}[ -]\d{6}[ -]\d{5}(?![\d-])", 0.3),
        Pattern("card-plain", r"\d(?<![\d.,/-]\d)\d{11,18}(?![\d/-]|[.,]\d)", 0.2),
    )
    context = (
        "card",
        "credit",
        "debit",
        "visa",
        "mastercard",
        "amex",
        "cc",
        "carte",
        "payment",
        "karte",
        "kreditkarte",
        "kartennummer",
    )

    def validate(self, match: str) -> bool | float | None:  # noqa: D102
        digits = match.replace(" ", "").replace("-", "")
        if not 12 <= len(digits) <= 19 or len(set(digits)) < 2:
            return False
        if not luhn_valid(digits):
            # a card typed with a wrong digit is still the customer's: 4-4-4-4 near a cue word
            grouped = re.fullmatch(r"\d{4}([ -])\d{4}\1\d{4}\1\d{4}", match) is not None
            return 0.1 if grouped and _BRAND.match(digits) else False
        return True if _BRAND.match(digits) else None
