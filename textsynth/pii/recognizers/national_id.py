"""National identity numbers: US SSN, UK National Insurance number, French NIR."""

from __future__ import annotations

import re

from textsynth.pii.checksums import nir_key
from textsynth.pii.recognizers.base import Pattern, PatternRecognizer
from textsynth.registry import recognizers

# six digits in pairs: a cheap test that most texts fail, before the costly letter-led scan
_SIX_DIGITS = r"\d\d ?\d\d ?\d\d"


@recognizers.register()
class UsSsnRecognizer(PatternRecognizer):
    """US social security numbers; area 000/666/9xx, group 00 and serial 0000 are invalid."""

    needs_digit = True

    name = "us-ssn"
    entity = "US_SSN"
    PATTERNS = (
        Pattern("ssn-dashed", r"\d(?<![\d-]\d)\d{2}-\d{2}-\d{4}(?![\d-])", 0.6),
        Pattern("ssn-spaced", r"\d(?<![\d ]\d)\d{2} \d{2} \d{4}(?![\d])", 0.3),
        Pattern("ssn-plain", r"\d(?<![\d.-]\d)\d{8}(?![\d.-])", 0.1),
    )
    context = ("ssn", "social", "security", "ss#", "ssid", "taxpayer", "tax id", "itin")

    def validate(self, match: str) -> bool | float | None:  # noqa: D102
        d = re.sub(r"\D", "", match)
        if d[:3] in ("000", "666") or d[0] == "9" or d[3:5] == "00" or d[5:] == "0000":
            return 0.1  # never issued: only an SSN when a cue says so ("my SSN is")
        if len(set(d)) == 1 or d in ("123456789", "078051120", "219099999"):
            return 0.1  # a known test value, but still what the customer typed after a cue
        return None


@recognizers.register()
class UkNinoRecognizer(PatternRecognizer):
    """UK National Insurance numbers (``AB 12 34 56 C``)."""

    needs_digit = True

    name = "uk-nino"
    entity = "UK_NINO"
    context = ("national insurance", "nino", "ni number", "insurance")

    PATTERNS = (
        Pattern(
            "nino",
            r"[A-CEGHJ-PR-TW-Z](?<![\w][A-Z])[A-CEGHJ-NPR-TW-Z](?<!BG|GB|KN|NK|NT|TN|ZZ)"
            r" ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![\w])",
            0.7,
            re.IGNORECASE,
            trigger=_SIX_DIGITS,
        ),
        # HMRC's own examples and temporary numbers (QQ 12 34 56 C) only after a cue
        Pattern(
            "nino-any",
            r"[A-Z](?<![\w][A-Z])[A-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![\w])",
            0.15,
            re.IGNORECASE,
            trigger=_SIX_DIGITS,
        ),
    )


@recognizers.register()
class FrNirRecognizer(PatternRecognizer):
    """French social security numbers (NIR, 13 characters + 2-digit key)."""

    needs_digit = True

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

    def validate(self, match: str) -> bool | float | None:  # noqa: D102
        s = match.replace(" ", "").upper()
        if len(s) == 15:
            return True if nir_key(s[:13]) == int(s[13:]) else 0.3
        return None


_ID_CUES = (
    r"(?:ssn|social security(?: number| no\.?)?|"
    r"national (?:id|identity|insurance)(?: card)?(?: number| no\.?)?|"
    r"id(?:entity)? (?:number|card(?: number)?)|nric|passport(?: number| no\.?)?|tax (?:id|number)|"
    r"tin|itin|nif|nie|dni|bsn|pesel|codice fiscale|steuer-?id|steuer-?identifikationsnummer|"
    r"steuernummer|personalausweis(?:nummer)?|ausweisnummer|reisepass(?:nummer)?|"
    r"sozialversicherungsnummer|numéro de sécurité sociale|n° de sécurité sociale|"
    r"carte d'identité|numéro fiscal|passeport)"
)


@recognizers.register()
class CuedNationalIdRecognizer(PatternRecognizer):
    """A national identity number of any country right after the name of the identifier."""

    needs_digit = True

    name = "national-id-cued"
    entity = "ID"
    PATTERNS = (
        Pattern(
            "cued",
            rf"\b{_ID_CUES}\s*(?:is|was|est|ist|lautet|:|#|=|n°|no\.?)?\s*(?:is\s+|:\s*)?"
            r"(?P<pii>(?=(?:[\w -]*\d){4})[A-Z0-9](?:[A-Z0-9]|[ -](?=[A-Z0-9])){4,24})(?![\w-])",
            0.75,
            re.IGNORECASE,
            hints=(
                "ssn",
                "social",
                "national",
                "id",
                "nric",
                "passport",
                "tax",
                "tin",
                "nif",
                "nie",
                "dni",
                "bsn",
                "pesel",
                "fiscal",
                "steuer",
                "ausweis",
                "reisepass",
                "sozialversicherung",
                "sécurité",
                "passeport",
            ),
        ),
    )

    def validate(self, match: str) -> bool | float | None:  # noqa: D102
        return None if sum(c.isdigit() for c in match) >= 4 else False
