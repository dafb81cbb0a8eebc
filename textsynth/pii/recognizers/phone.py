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
    r"(?<![\w+/.:-])(?:\+|00)?\(?\d{1,4}\)?(?:[ .\-]{0,2}\(?\d{1,5}\)?){1,6}"
    r"(?:[ ]?(?i:x|ext\.?|extension|poste|durchwahl)[ ]?\d{1,6})?(?![\w/]|[.-]\d)"
)
_EXTENSION = re.compile(r"[ ]?(?:x|ext\.?|extension|poste|durchwahl)[ ]?\d{1,6}$", re.IGNORECASE)
# spelled-out digits: "four one five, five five five...", "zéro six, vingt-deux", "null eins"
DIGIT_WORDS: dict[str, dict[str, str]] = {
    "en": dict(
        zip(
            "zero oh one two three four five six seven eight nine".split(),
            "0 0 1 2 3 4 5 6 7 8 9".split(),
            strict=True,
        )
    ),
    "fr": dict(
        zip(
            "zéro zero un deux trois quatre cinq six sept huit neuf".split(),
            "00123456789",
            strict=True,
        )
    ),
    "de": dict(
        zip(
            "null eins zwei zwo drei vier fünf fuenf sechs sieben acht neun".split(),
            "012234556789",
            strict=True,
        )
    ),
}
TENS_WORDS = {
    "fr": {
        "dix": 10,
        "onze": 11,
        "douze": 12,
        "treize": 13,
        "quatorze": 14,
        "quinze": 15,
        "seize": 16,
        "vingt": 20,
        "trente": 30,
        "quarante": 40,
        "cinquante": 50,
        "soixante": 60,
    },
    "en": {
        "ten": 10,
        "eleven": 11,
        "twelve": 12,
        "twenty": 20,
        "thirty": 30,
        "forty": 40,
        "fifty": 50,
        "sixty": 60,
        "seventy": 70,
        "eighty": 80,
        "ninety": 90,
    },
    "de": {
        "zehn": 10,
        "elf": 11,
        "zwölf": 12,
        "zwanzig": 20,
        "dreißig": 30,
        "vierzig": 40,
        "fünfzig": 50,
        "sechzig": 60,
        "siebzig": 70,
        "achtzig": 80,
        "neunzig": 90,
    },
}
_ALL_NUMBER_WORDS = sorted(
    {w for d in DIGIT_WORDS.values() for w in d}
    | {w for d in TENS_WORDS.values() for w in d}
    | {"double", "triple"},
    key=len,
    reverse=True,
)
_NUMBER_SET = frozenset(_ALL_NUMBER_WORDS)
_WORDS = re.compile(r"[^\W\d_]+")
# run on the lower-cased text: a case-insensitive scan is several times slower
_SPELLED_TRIGGER = re.compile(
    r"\b(?:one|two|five|six|nine|zero|deux|trois|cinq|neuf|zéro|null|eins|zwei|drei|fünf|neun)\b"
)
_NUM_WORD = r"(?:{})".format("|".join(_ALL_NUMBER_WORDS))
_SPELLED = re.compile(
    rf"(?<![\w-]){_NUM_WORD}(?:-{_NUM_WORD})*"
    rf"(?:[ ,\-]{{1,3}}(?:and |et )?{_NUM_WORD}(?:-{_NUM_WORD})*){{5,20}}(?![\w-])",
    re.IGNORECASE,
)


def spelled_digits(text: str) -> str:
    """Return the digits that the number words of ``text`` spell ("vingt-deux" -> "22")."""
    out = []
    words = re.findall(r"[^\W\d_]+", text.lower())
    repeat = 1
    i = 0
    while i < len(words):
        w = words[i]
        if w in ("double", "triple"):
            repeat = 2 if w == "double" else 3
            i += 1
            continue
        d = next((dw[w] for dw in DIGIT_WORDS.values() if w in dw), None)
        tens = next((tw[w] for tw in TENS_WORDS.values() if w in tw), None)
        if tens is not None:
            nxt = words[i + 1] if i + 1 < len(words) else ""
            unit = next((dw[nxt] for dw in DIGIT_WORDS.values() if nxt in dw), None)
            if tens % 10 == 0 and tens >= 20 and unit is not None and unit != "0":
                tens += int(unit)
                i += 1
            elif tens == 10 and unit is not None and unit in "789":  # dix-sept
                tens += int(unit)
                i += 1
            out.append(str(tens))
        elif d is not None:
            out.append(d * repeat)
        repeat = 1
        i += 1
    return "".join(out)


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

    @staticmethod
    def regions(language: str) -> tuple[str, ...]:
        """Regions to try for a text in ``language``."""
        return tuple(dict.fromkeys(REGION_HINTS.get(language, ()) + _FALLBACK_REGIONS))

    def score(self, cand: str, language: str) -> float:
        """Return how phone-like ``cand`` is in ``language``'s regions (0: not a phone)."""
        return self._score(cand, self.regions(language))

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
        regions = self.regions(language)
        low = text.lower()
        words = _WORDS.findall(low) if _SPELLED_TRIGGER.search(low) else ()
        spelled = sum(w in _NUMBER_SET for w in words) >= 6
        for m in _SPELLED.finditer(text) if spelled else ():
            spelled_out = spelled_digits(m.group())
            if 7 <= len(spelled_out) <= 15:
                out.append(Finding(m.start(), m.end(), "PHONE", 0.6, self.name))
        for m in _CANDIDATE.finditer(text):
            cand = _EXTENSION.sub("", m.group())
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
