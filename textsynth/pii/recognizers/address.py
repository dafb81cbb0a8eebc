"""Street addresses (with the lines that follow them: unit, city, region, postcode) and postcodes.

Three shapes are recognised: a number and a street type (``221B Baker Street``,
``12 rue de la Paix``), a post-office box (``PO Box 12``, ``PSC 0413, Box 8144``), and the
European ``<number> <Street name> <number>`` form, which is only trusted near a context word
(``address``, ``lives at``...). The match then grows over unit designators and the short
``,``/newline-separated segments of an address block.
"""

from __future__ import annotations

import re

from textsynth.pii.entities import Finding
from textsynth.pii.recognizers.base import Pattern, PatternRecognizer, Recognizer
from textsynth.registry import recognizers

_W = r"[^\W\d_][\w'’.-]*"  # a word in any script
_SUFFIX = (
    r"(?:street|st|avenue|ave|av|road|rd|lane|ln|drive|dr|boulevard|blvd|court|ct|way|place|pl|"
    r"terrace|close|crescent|cres|square|sq|parkway|pkwy|highway|hwy|circle|cir|row|walk|"
    r"gardens|park|trail|ridge|alley|plaza|mews|grove|hill|view|str|straße|strasse|weg|gasse|"
    r"platz|laan|straat|plein|vej|gade|gatan|vägen|veien|katu|tie|utca|út|tér|u)\.?"
)
_FR_TYPES = (
    r"(?:rue|avenue|av\.|boulevard|bd|place|chemin|allée|allee|impasse|quai|route|cours|square|"
    r"via|viale|piazza|calle|avenida|rua|travessa|praça|carrer|plaza|camino)"
)
_UNIT = (
    r"(?:[ ,]+(?:apt|apartment|suite|ste|unit|flat|fl|floor|bldg|building|#|app|appt|bât|étage)"
    r"\.?\s*#?\s*\w{1,6})"
)

_PATTERNS = (
    # 221B Baker Street / 1668 Glyn St / 74 Diakou Street
    Pattern(
        "number-street",
        rf"\d(?<![\w-]\d)\d{{0,5}}[A-Za-z]?,?(?:[ \t]+{_W}){{1,4}}[ \t]+{_SUFFIX}(?![\w])",
        0.55,
        re.IGNORECASE,
    ),
    # 12 rue de la Paix / Via Franscini 71 / Rua do Arenque 1634
    Pattern(
        "romance",
        rf"(?<![\w-])(?:\d{{1,5}}(?: ?(?:bis|ter))?,?[ \t]+)?{_FR_TYPES}[ \t]+"
        rf"(?:{_W}[ \t]+){{0,4}}(?:{_W}|\d{{1,5}})(?:[ \t]+\d{{1,5}}[a-z]?)?(?![\w])",
        0.55,
        re.IGNORECASE,
    ),
    # PO Box 12 / PSC 0413, Box 8144 / APO AA 42323
    Pattern(
        "box",
        r"(?<![\w])(?:P\.?\s?O\.?\s+Box\s+\d{1,6}|PSC\s+\d{3,5},\s+Box\s+\d{3,5}"
        r"(?:\s+APO\s+A[AEP]\s+\d{5})?|Unit\s+\d{3,5}\s+Box\s+\d{3,5}"
        r"(?:\s+DPO\s+A[AEP]\s+\d{5})?|(?:APO|FPO|DPO)\s+A[AEP]\s+\d{5})(?![\w])",
        0.7,
        re.IGNORECASE,
        trigger=r"(?i)box|[adf]po\b",
    ),
    # 6750 Koskikatu 25 (needs context)
    Pattern(
        "number-name-number",
        rf"\d(?<![\w.,-]\d)\d{{0,5}}[ \t]+{_W}(?:[ \t]+{_W}){{0,2}}[ \t]+"
        r"\d{1,4}[a-zA-Z]?"
        r"(?![\w/.,-]\d|[\w/])",
        0.2,
    ),
)
_UNIT_RX = re.compile(_UNIT, re.IGNORECASE)
_PROSE = re.compile(r"\b(?:of|the|and|in|on|at|to|for|from|with|by|is|was|a|an|or)\b")
_MONTHS = re.compile(
    r"\b(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december|janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|"
    r"décembre)\b",
    re.IGNORECASE,
)
_SEGMENT_RX = re.compile(
    rf"[ \t]*(?:,[ \t]*|\n[ \t,]*(?:\n[ \t,]*)?)"
    rf"((?:{_W}|\d[\w-]{{1,9}})(?:[ \t]+(?:{_W}|\d[\w-]{{1,9}})){{0,3}})"
)
_SENTENCE_WORDS = frozenset(
    "i you we they he she it is are was and but or for to the a an my your please can could "
    "would will if then after before when because so this that there here".split()
)


def _extend(text: str, end: int, multiline: bool) -> tuple[int, int]:
    """Grow an address match over unit designators and short city/region/postcode segments.

    Returns the new end and how many units and segments were added (the structure of an
    address block is itself evidence that this is an address).
    """
    added = 0
    while True:
        m = _UNIT_RX.match(text, end)
        if not m:
            break
        end = m.end()
        added += 1
    for _ in range(4):
        m = _SEGMENT_RX.match(text, end)
        if not m:
            break
        seg = m.group(1)
        words = seg.split()
        newline = "\n" in text[end : m.start(1)]
        if any(w.lower() in _SENTENCE_WORDS for w in words):
            break
        capitalised = all(w[0].isupper() or w[0].isdigit() for w in words)
        if not (capitalised or newline or multiline):
            break
        end = m.end(1)
        added += 1
    return end, added


@recognizers.register()
class StreetAddressRecognizer(Recognizer):
    """Street addresses, grown over the unit/city/postcode segments that follow them."""

    name = "street-address"
    entities = ("ADDRESS",)
    context = (
        "address",
        "adresse",
        "lives",
        "live",
        "living",
        "located",
        "send",
        "sent",
        "ship",
        "shipping",
        "deliver",
        "delivery",
        "moved",
        "billing",
        "street",
        "office",
        "domicile",
        "habite",
        "corner",
        "drops",
        "mailing",
        "postal",
        "residence",
        "restaurant",
    )

    def analyze(self, text: str, language: str) -> list[Finding]:  # noqa: D102
        out: list[Finding] = []
        for pat in _PATTERNS:
            if pat.compiled_trigger is not None and pat.compiled_trigger.search(text) is None:
                continue
            for m in pat.compiled.finditer(text):
                start, end = m.span()
                if _MONTHS.search(m.group()):  # "1 November 1998" is a date
                    continue
                if pat.name != "romance" and _PROSE.search(m.group()):  # "1 of the Rules of Court"
                    continue
                end, added = _extend(text, end, "\n" in text[start:end])
                score = pat.score + (0.3 if added >= 2 else 0.0)
                out.append(Finding(start, end, "ADDRESS", score, self.name))
        return out


@recognizers.register()
class PostcodeRecognizer(PatternRecognizer):
    """Postcodes: UK and Canadian forms alone; 4-5 digit codes only near a context word."""

    name = "postcode"
    entity = "POSTCODE"
    PATTERNS = (
        Pattern("uk", r"[A-Z](?<![\w][A-Z])(?:[A-Z]?\d[A-Z\d]?|IR) ?\d[A-Z]{2}(?![\w])", 0.5),
        Pattern("ca", r"[A-Z](?<![\w][A-Z])\d[A-Z] ?\d[A-Z]\d(?![\w])", 0.5),
        Pattern("digits", r"\d(?<![\w.,-]\d)\d{3,4}(?:-\d{4})?(?![\w.,-]\d|[\w])", 0.1),
    )
    context = ("zip", "zipcode", "postcode", "postal", "post code", "code postal", "cp", "plz")
