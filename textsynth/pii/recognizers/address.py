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

_W = r"(?:[^\W\d_][\w'’.-]*|\d{1,3}(?:st|nd|rd|th))"  # a word in any script, or "3rd"
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
        rf"\d(?<![\w-]\d)\d{{0,5}}[A-Za-z]?,?(?:[ \t]+{_W}){{1,4}}[ \t]+{_SUFFIX}(?![\w])"
        r"(?:[ \t]+(?:N|S|E|W|NE|NW|SE|SW)\.?(?![\w]))?",
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
        hints=(
            "rue",
            "av",
            "bd",
            "boulevard",
            "place",
            "chemin",
            "allée",
            "allee",
            "impasse",
            "quai",
            "route",
            "cours",
            "square",
            "via",
            "piazza",
            "calle",
            "rua",
            "travessa",
            "praça",
            "carrer",
            "plaza",
            "camino",
        ),
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
    # Lindenstraße 12 / Hauptstraße 45a / Am Alten Weg 3 (German: the number after the name)
    Pattern(
        "germanic",
        r"(?<![\w-])(?:(?-i:[A-ZÄÖÜ])[\wäöüß.-]*[ \t-])?[A-ZÄÖÜa-zäöü][\wäöüß-]*"
        r"(?:straße|strasse|str\.|weg|gasse|platz|allee|ring|damm|ufer|chaussee|steig|pfad)"
        r"[ \t]+\d{1,4}[ \t]?[a-zA-Z]?(?![\w])",
        0.6,
        re.IGNORECASE,
        trigger=r"(?i)(?:stra(?:ß|ss)e|str\.|weg|gasse|platz|allee|ring|damm|ufer|chaussee|steig|"
        r"pfad)[ \t]+\d",
        hints=(
            "straße",
            "strasse",
            "str.",
            "weg",
            "gasse",
            "platz",
            "allee",
            "ring",
            "damm",
            "ufer",
            "chaussee",
            "steig",
            "pfad",
        ),
    ),
    # Ringvej 144 / Snellmaninkatu 55 / Nybyvägen 65 / Brixtonlaan 380 (Nordic, Finnish and
    # Dutch compounds: the street type is the end of the word, the number follows)
    Pattern(
        "nordic",
        r"(?<![\w-])(?:\d{1,6}[ \t]+)?(?-i:[A-ZÆØÅÄÖÜ])[^\W\d_]{3,}"
        r"(?:vej|gade|gata|gatan|vägen|veien|vegen|veg|stien|katu|kuja|tie|polku|laan|straat|"
        r"gracht|utca)[ \t]+\d{1,4}[ \t]?[a-zA-Z]?(?![\w])",
        0.55,
        re.IGNORECASE,
        trigger=r"(?i)(?:vej|gade|gata|gatan|vägen|veien|vegen|veg|stien|katu|kuja|tie|polku|laan|"
        r"straat|gracht|utca)[ \t]+\d",
    ),
    # Apt. 675 62314 Mellemvej 32 / Suite 541 / Flat 3: a unit designator and its number (the
    # street may follow it, the other lines of the block are taken by _extend)
    Pattern(
        "unit",
        r"(?<![\w])(?:apt|apartment|suite|ste|(?-i:Unit|Flat))\.?[ \t]*#?[ \t]*\d{1,5}[A-Za-z]?"
        r"(?![\w])(?:[ \t]+\d{1,6}[ \t]+[^\W\d_][\w'’.-]*(?:[ \t]+[^\W\d_][\w'’.-]*){0,2}"
        r"[ \t]+\d{1,4}[a-zA-Z]?(?![\w]))?",
        0.5,
        re.IGNORECASE,
        trigger=r"(?i)(?:apt|apartment|suite|ste|unit|flat)\.?[ \t]*#?[ \t]*\d",
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
    rf"[ \t]*(?:,[ \t]*|\n[ \t,>|*?]*(?:\n[ \t,>|*?]*)?)"
    rf"((?:{_W}|\d[\w-]{{1,9}})(?:[ \t]+(?:{_W}|\d[\w-]{{0,9}})){{0,3}})"
)
_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|"
    "NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR"
)
_UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}"
# a segment that can only be part of an address: "MI 85971", "75009 Paris", "Bristol BS6 7AE"
ADDRESS_PART = re.compile(
    rf"(?:(?:{_W}[ \t]+){{0,2}}{_W}[ \t]+)?(?:{_STATES})\.?[ \t]+\d{{5}}(?:-\d{{4}})?|"
    rf"\d{{4,5}}[ \t]+{_W}(?:[ \t-]+{_W}){{0,3}}|"
    rf"(?:{_W}[ \t]+){{0,2}}{_UK_POSTCODE}|\d{{5}}(?:-\d{{4}})?",
    re.IGNORECASE,
)
_PHONE_LIKE = re.compile(r"\d(?:[ ().-]*\d){6}")
ZIP4 = re.compile(r"\d{5}-\d{4}")
_SENTENCE_WORDS = frozenset(
    "i you we they he she it is are was and but or for to the a an my your please can could "
    "would will if then after before when because so this that there here "
    "et ou mais je il elle nous vous le la les un une est sont pour avec merci "
    "und oder aber ich er sie wir ist sind der die das ein eine für mit danke bitte "
    "since until from depuis dès jusqu jusqu'au seit bis ab".split()
)
_LEAD_WORDS = _SENTENCE_WORDS | frozenset(
    "in at to from near of on live lives living moved move ship send sent delivered address "
    "adresse à au aux chez nach bei von zu wohne wohnt".split()
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
    pos, pending = end, 0
    for _ in range(4):
        m = _SEGMENT_RX.match(text, pos)
        if not m:
            break
        seg = m.group(1)
        newline = "\n" in text[pos : m.start(1)]
        cut = next(
            (w.start() for w in re.finditer(r"\S+", seg) if w.group().lower() in _SENTENCE_WORDS),
            None,
        )
        if cut is not None:  # the sentence goes on after the address: "..., MI 85971 please"
            seg = seg[:cut].rstrip()
            if not seg:
                break
        if _PHONE_LIKE.search(seg) and not ZIP4.fullmatch(seg.split()[-1]):
            break  # the phone line under an address block is not part of it
        words = seg.split()
        capitalised = all(w[0].isupper() or w[0].isdigit() for w in words)
        part = ADDRESS_PART.fullmatch(seg) is not None
        pos = m.start(1) + len(seg)
        if capitalised or newline or multiline or part:
            end, added, pending = pos, added + 1 + pending, 0
            if cut is not None:
                break
        elif pending < 1:  # a lower-case city counts once a state/postcode follows it
            pending += 1
        else:
            break
    return end, added


_DIGIT = re.compile(r"\d")
_HOUSE = re.compile(r"[ \t]+\d{1,5}[a-zA-Z]?\.?(?![\w])")
_LEAD_NUMBER = re.compile(r"(?<![\w.,/-])\d{1,6}[ \t]+$")
_FIVE_DIGITS = re.compile(r"\d{5}")
# what every city-state-ZIP has, as a cheap test on the lower-cased text: "ny 10012"
_STATE_ZIP = re.compile(rf"(?:{_STATES.lower()})\.?[ \t]+\d{{5}}")
_CITY_STATE_ZIP = re.compile(
    rf"(?<![\w-])(?:{_W}[ \t]+){{0,2}}{_W},?[ \t]+(?:{_STATES})\.?[ \t]+"
    r"\d{5}(?:-\d{4})?(?![\w-])",
    re.IGNORECASE,
)


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
        # "Newark, MI 85971", "new york, ny 10012" without a street
        low = text.lower()
        maybe = _FIVE_DIGITS.search(text) and _STATE_ZIP.search(low)
        for m in _CITY_STATE_ZIP.finditer(text) if maybe else ():
            city = text[m.start() : m.group().rfind(",") + m.start()] if "," in m.group() else ""
            words = list(re.finditer(r"\S+", city))
            start = m.start()
            for w in words:  # "live in newark, nj": the city starts after the last lead word
                if w.group().lower() in _LEAD_WORDS:
                    start = m.start() + w.end() + 1
            if m.end() > start:
                out.append(Finding(start, m.end(), "ADDRESS", 0.45, self.name))
        digits = _DIGIT.search(text) is not None
        for pat in _PATTERNS:
            if not digits and pat.name != "romance":  # every other shape has a number
                continue
            if not pat.triggered(text, low):
                continue
            for m in pat.finditer(text, low):
                start, end = m.span()
                found = text[start:end]
                if _MONTHS.search(found):  # "1 November 1998" is a date
                    continue
                if pat.name != "romance" and _PROSE.search(found):  # "1 of the Rules of Court"
                    continue
                house = _HOUSE.match(text, end)  # "Erzsébet tér 19."
                if house:
                    end = house.end()
                lead = _LEAD_NUMBER.search(text, max(0, start - 8), start)  # "17151 2450 Crown St"
                if lead:
                    start = lead.start()
                end, added = _extend(
                    text, end, "\n" in text[start:end] or "\n" in text[end : end + 2]
                )
                score = pat.score + (0.3 if added >= 2 else 0.0)
                out.append(Finding(start, end, "ADDRESS", score, self.name))
        return _merge(out)


def _merge(found: list[Finding]) -> list[Finding]:
    """Join overlapping address findings into one (a street and the unit line found by another
    pattern are one address), with the best score of the parts."""
    out: list[Finding] = []
    for f in sorted(found, key=lambda f: (f.start, -f.end)):
        if out and f.start < out[-1].end:
            last = out[-1]
            if f.end > last.end or f.score > last.score:
                out[-1] = Finding(
                    last.start,
                    max(last.end, f.end),
                    "ADDRESS",
                    max(last.score, f.score),
                    last.recognizer,
                )
        else:
            out.append(f)
    return out


@recognizers.register()
class PostcodeRecognizer(PatternRecognizer):
    """Postcodes: UK and Canadian forms alone; 4-5 digit codes only near a context word."""

    needs_digit = True

    name = "postcode"
    entity = "POSTCODE"
    PATTERNS = (
        Pattern(
            "uk",
            r"[A-Z](?<![\w][A-Z])(?:[A-Z]?\d[A-Z\d]?|IR) ?\d[A-Z]{2}(?![\w])",
            0.5,
            trigger=r"\d[A-Z][A-Z]",  # the inward code
        ),
        Pattern(
            "ca",
            r"[A-Z](?<![\w][A-Z])\d[A-Z] ?\d[A-Z]\d(?![\w])",
            0.5,
            trigger=r"\d[A-Z] ?\d[A-Z]\d",
        ),
        # lower-case chat ("nw1 6xe"): only near a cue word
        Pattern(
            "uk-any-case",
            r"[a-z](?<![\w][a-z])(?:[a-z]?\d[a-z\d]?) ?\d[a-z]{2}(?![\w])",
            0.2,
            re.IGNORECASE,
            trigger=r"(?i)\d[a-z][a-z]",
        ),
        Pattern("digits", r"\d(?<![\w.,-]\d)\d{3,4}(?:-\d{4})?(?![\w.,-]\d|[\w])", 0.1),
        # "my zip code is 880": three digits only right after a postcode cue word
        Pattern(
            "digits-short",
            r"(?i:zip|postcode|postal code|post code|code postal|plz)\b[ \t]*(?:code)?[ \t]*"
            r"(?:is|:|=)?[ \t]*(?P<pii>\d{3})(?![\w.,-]\d|[\w])",
            0.5,
            trigger=r"(?i)zip|post|plz",
        ),
        Pattern("digits-spaced", r"\d(?<![\w.,-]\d)\d{2} \d{2}(?![\w.,-]\d|[\w])", 0.1),
    )
    context = ("zip", "zipcode", "postcode", "postal", "post code", "code postal", "cp", "plz")


_CODE_AFTER = re.compile(r"[ \t]*,?[ \t]*(\d{4,5}|\d{3} \d{2})(?![\w/:-]|[.,]\d)")
_YEAR = re.compile(r"(?:1[89]|20)\d\d")


def postcodes_after_places(text: str, findings: list[Finding]) -> list[Finding]:
    """Postcodes written after a place already found (``Bjert 6091``, ``Arendal 4844``,
    ``Överturingen 840 24``): in most of Europe the code follows the town. A number that
    could be a year (``Paris 2024``) is left alone."""
    out = []
    for f in findings:
        if f.entity != "LOCATION":
            continue
        m = _CODE_AFTER.match(text, f.end)
        if m and not _YEAR.fullmatch(m.group(1)):
            out.append(Finding(*m.span(1), "POSTCODE", 0.5, "postcode-after-place"))
    return out


_NOT_TOWNS = (
    "room|gate|version|article|art|section|chapter|page|paragraph|para|flight|order|case|"
    "ticket|no|number|model|windows|office|suite|apt|unit|flat|floor|level|platform|bus|"
    "route|line|box|rule|rules|table|figure|annex|appendix|item|step|group|class|grade|year|"
    "week|day|invoice|account|reference|ref|code|pin|iso|en|din|tel|fax|phone|mobile"
)


@recognizers.register()
class TownPostcodeRecognizer(PatternRecognizer):
    """A town followed by its postcode after ``in``/``at``/``near``... (``in Bjert 6091``,
    ``near ARENDAL 4844``, ``to Överturingen 840 24``): the European order, without a street."""

    needs_digit = True

    name = "town-postcode"
    entity = "ADDRESS"
    PATTERNS = (
        Pattern(
            "town-code",
            r"(?<![\w])(?i:in|at|near|to|from|of)[ \t]+"
            rf"(?P<pii>(?!(?i:{_NOT_TOWNS})\b|[A-Z]{{2,4}}\b)(?-i:[A-ZÀ-ÝÄÖÜÆØÅ])[^\W\d_'’-]*"
            r"(?:[ \t-]+(?-i:[A-ZÀ-ÝÄÖÜÆØÅ])[^\W\d_'’.-]*){0,2}[ \t]+"
            r"(?!(?:1[89]|20)\d\d(?!\d))(?:\d{4,5}|\d{3} \d{2}))(?![\w/:-]|[.,]\d)",
            0.45,
            # the code after a space, no year: led by the space, true in few texts
            trigger=r"[ \t](?!(?:1[89]|20)\d\d(?!\d))(?:\d{4,5}|\d{3} \d{2})(?![\w/:-]|[.,]\d)",
        ),
    )
