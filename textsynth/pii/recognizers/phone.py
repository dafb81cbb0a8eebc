"""Telephone numbers: a cheap candidate pattern, then :mod:`phonenumbers` validation.

The text's language gives the first region to try (``en``: US, GB; ``fr``: FR, BE, CH...);
numbers with a ``+`` country code are parsed as international.
"""

from __future__ import annotations

import re

from textsynth.pii.entities import Finding
from textsynth.pii.recognizers.base import Recognizer
from textsynth.registry import recognizers

REGION_HINTS: dict[str, tuple[str, ...]] = {
    "en": ("US", "GB", "CA", "AU", "IE", "IN"),
    "fr": ("FR", "BE", "CH", "CA"),
    "de": ("DE", "AT", "CH"),
    "es": ("ES", "MX", "AR"),
    "it": ("IT", "CH"),
    "nl": ("NL", "BE"),
    "pt": ("PT", "BR"),
}
_FALLBACK_REGIONS = ("US", "GB", "FR", "DE")

_CANDIDATE = re.compile(
    r"(?<![\w+/.:-])(?:\+|00)?\(?\d{1,4}\)?(?:[ .\-]{0,2}\(?\d{1,5}\)?){1,6}(?![\w/]|[.-]\d)"
)
# shapes that are something else: SSN, dotted date or IPv4 address
_NOT_PHONE = re.compile(r"\d{3}-\d{2}-\d{4}|\d{1,2}[.-]\d{1,2}[.-]\d{2,4}|\d{1,3}(?:\.\d{1,3}){3}")


@recognizers.register()
class PhoneRecognizer(Recognizer):
    """Phone numbers valid in a hinted region (0.75), or merely possible there (0.4)."""

    name = "phone"
    entities = ("PHONE",)
    context = (
        "phone",
        "telephone",
        "tel",
        "mobile",
        "cell",
        "call",
        "number",
        "fax",
        "reach",
        "contact",
        "whatsapp",
        "sms",
        "text",
        "téléphone",
        "portable",
        "numéro",
        "appeler",
        "office",
    )
    negative_context = ("order", "invoice", "version", "isbn", "ref", "reference")

    def __init__(self) -> None:
        self._setup()

    def _setup(self) -> None:
        import phonenumbers

        self._pn = phonenumbers
        self._cache: dict[tuple[str, str], float] = {}

    def __getstate__(self) -> dict[str, object]:
        return {"_cache": {}}

    def __setstate__(self, state: dict[str, object]) -> None:
        self._setup()

    def _score(self, cand: str, regions: tuple[str, ...]) -> float:
        """Return 0.75 if valid in a region, 0.4 if merely possible there, else 0."""
        pn = self._pn
        best = 0.0
        intl = cand.startswith(("+", "00"))
        for region in (None,) if intl else regions:
            try:
                num = pn.parse(cand if not cand.startswith("00") else "+" + cand[2:], region)
            except pn.NumberParseException:
                continue
            if not pn.is_possible_number(num):  # cheap length check before the costly one
                continue
            if pn.is_valid_number(num):
                return 0.75
            best = 0.4
        return best

    def analyze(self, text: str, language: str) -> list[Finding]:  # noqa: D102
        out: list[Finding] = []
        regions = tuple(dict.fromkeys(REGION_HINTS.get(language, ()) + _FALLBACK_REGIONS))
        for m in _CANDIDATE.finditer(text):
            cand = m.group()
            digits = sum(c.isdigit() for c in cand)
            if not 7 <= digits <= 15 or _NOT_PHONE.fullmatch(cand):
                continue
            if cand.isdigit() and digits >= 12:  # a bare run this long is a card or an id
                continue
            start, end = m.span()
            # a bare run of digits (no separators, no +) is more often an id than a phone
            bare = cand.isdigit()
            key = (cand, language)
            best = self._cache.get(key)
            if best is None:
                best = self._score(cand, regions)
                if len(self._cache) > 50_000:
                    self._cache.clear()
                self._cache[key] = best
            if best and bare:
                best -= 0.2
            if best:
                out.append(Finding(start, end, "PHONE", best, self.name))
        return out
