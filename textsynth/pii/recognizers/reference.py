"""Reference numbers announced by a cue word: account, order, case, ticket, application..."""

from __future__ import annotations

import re

from textsynth.pii.recognizers.base import Pattern, PatternRecognizer
from textsynth.registry import recognizers

_CUES = (
    r"(?:account|acct|order|ticket|case|customer|client|member|membership|policy|invoice|"
    r"booking|reservation|reference|ref|application|passport|licen[cs]e|driver'?s? licen[cs]e|"
    r"contract|tracking|dossier|commande|compte|référence|numéro)"
)


@recognizers.register()
class ReferenceNumberRecognizer(PatternRecognizer):
    """An identifier with digits right after a cue (``order no. 88213-B``, ``ticket #4411``)."""

    needs_digit = True

    name = "reference-number"
    entity = "ID"
    PATTERNS = (
        Pattern(
            "cued-id",
            rf"\b{_CUES}\s*(?:(?:number|num|no|nr|n°|#|id)\.?\s*)?(?:is\s+|:\s*|#\s*)?"
            r"(?P<pii>(?=[\w/-]*\d)[A-Z0-9][\w/-]{3,}[A-Z0-9])",
            0.6,
            re.IGNORECASE,
            hints=(
                "account",
                "acct",
                "order",
                "ticket",
                "case",
                "customer",
                "client",
                "member",
                "policy",
                "invoice",
                "booking",
                "reservation",
                "ref",
                "réf",
                "application",
                "passport",
                "licen",
                "contract",
                "tracking",
                "dossier",
                "commande",
                "compte",
                "numéro",
            ),
        ),
        # case and file numbers written number/year: 10424/05, 682/02
        Pattern("slashed", r"\d(?<![\w/.-]\d)\d{2,5}/\d{2}(?![\w/]|[.,]\d)", 0.45),
        Pattern(
            "numbered",
            r"\b(?:no|nos|nr|n°)\.\s?(?P<pii>\d[\d/-]{3,}\d)",
            0.55,
            re.IGNORECASE,
            trigger=r"(?i)(?:no|nos|nr|n°)\.\s?\d",
        ),
    )

    def validate(self, match: str) -> bool | None:  # noqa: D102
        return False if match.isalpha() else None
