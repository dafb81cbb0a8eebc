"""Cleaning the spans NER and the name finders report, before they compete.

* punctuation, greetings and possessives off the edges (``Sorry Margaret's`` -> ``Margaret``);
* a field name a model ran on into (``Name: Ann Lee Phone: ...`` -> ``Ann Lee``);
* field names and bare institutions NER takes for entities (``IBAN``, ``the Court``);
* a titled name typed as an organisation is a person (``Dr Price``);
* a "date" holding a number no date is written as (``86365852 after 5pm``) is no date.
"""

from __future__ import annotations

import datetime as dt
import re

from textsynth.pii.entities import Finding
from textsynth.pii.names import UNIT_AFTER
from textsynth.pii.not_pii import field_word

__all__ = ["EDGE", "NER_SCORE", "clean_ner", "trim_names"]

NER_SCORE = 0.85
_DATE_WORDS = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"fifteen|eighteen|half|un|une|deux|trois|quatre|cinq|dix|"
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun|"
    r"janv|févr|fevr|mars|avr|mai|juin|juil|août|aout|sept|déc|lundi|mardi|mercredi|jeudi|"
    r"vendredi|samedi|dimanche)",
    re.IGNORECASE,
)
EDGE = " \t\n\r.,;:!?\"'“”‘’()[]{}"
# words NER glues to names ("Sorry Margaret") and field names it mistakes for entities ("IBAN")
_LEADING = frozenset(
    "hi hello hey sorry thanks thank dear ok okay yes no bonjour merci salut "
    "allo hallo cher chère good morning afternoon evening guten tag morgen abend bonsoir "
    "danke servus moin liebe lieber cheers".split()
)
_KEYWORDS = frozenset(
    "iban ssn email e-mail phone card visa mastercard amex nino nir url ip dob "
    "pin cvv zip postcode bic swift sms".split()
)
# an institution named by a bare common noun ("the Court", "the Government") identifies no one
_GENERIC_ORGS = frozenset(
    "court courts commission chamber government state states registrar board tribunal committee "
    "council ministry parliament police department office agency authority authorities company "
    "bank prosecutor prosecution administration army navy section registry assembly senate "
    "congress cabinet team support service services customer management".split()
)


def clean_ner(text: str, start: int, end: int, label: str, recognizer: str) -> Finding | None:
    """Trim punctuation, titles and possessives off an NER span; drop date words without a date."""
    while start < end and text[start] in EDGE:
        start += 1
    while end > start and text[end - 1] in EDGE:
        end -= 1
    surface = text[start:end].lower()
    if surface in _KEYWORDS or (label == "ORG" and surface.removeprefix("the ") in _GENERIC_ORGS):
        return None
    if label == "PERSON":
        while m := re.match(r"(\w+)[\s,]+", text[start:end]):
            if m.group(1).lower() not in _LEADING:
                break
            start += m.end()
    if text[start:end].endswith(("'s", "’s")):  # "K’s evidence", "Acme's offer"
        end -= 2
    if label in ("ORG", "LOCATION") and _TITLED.match(text, start, end):
        label = "PERSON"  # "Dr Price" read as an organisation: a title names a person
    if label in ("PERSON", "ORG") and (unit := UNIT_AFTER.search(text, start, end)):
        end = unit.start()  # "Mrs. Ann Lee Apt. 4": the unit starts the address after the name
    if end - start < 2:
        return None
    if label == "DATE" and any(
        not _compact_date(m.group()) for m in _LONG_RUN.finditer(text, start, end)
    ):
        return None  # "86365852 after 5pm": a number no date is written as (a phone, an id)
    score = NER_SCORE
    if label == "DATE" and not _DATE_WORDS.search(text[start:end]):
        score = 0.3  # "today", "this year": not a date that identifies anyone
    return Finding(start, end, label, score, recognizer)


_TITLED = re.compile(
    r"(?:Mr|Mrs|Ms|Miss|Dr|Prof|Mme|Mlle|Monsieur|Madame|Herr|Frau|Ma[îi]tre)\.?[ \t]+[A-ZÀ-Ý]"
)
_COLON_AFTER = re.compile(r"[ \t]*:")
_LAST_WORDS = re.compile(r"(?:^|(?<=[\s,;]))([^\W\d_][\w-]*(?:[ \t]+[^\W\d_][\w-]*)?)$")


def trim_names(text: str, findings: list[Finding]) -> list[Finding]:
    """Cut the possessive off every name, organisation and place (``Okafor’s`` -> ``Okafor``),
    and the field name it ran on into (``Ann Lee Phone: ...``)."""
    out = []
    for f in findings:
        if f.entity in ("PERSON", "ORG", "LOCATION"):
            end = f.end - 2 if text.endswith(("'s", "’s"), f.start, f.end) else f.end
            if _COLON_AFTER.match(text, end):
                end = _before_field(text, f.start, end)
            if end - f.start < 1:
                continue
            if end != f.end:
                f = Finding(f.start, end, f.entity, f.score, f.recognizer)
        out.append(f)
    return out


def _before_field(text: str, start: int, end: int) -> int:
    """Return the end of an entity span cut before the field name NER ran on into.

    In a record typed on one line (``Name: Ann Lee Phone: 0161…``) a model reads ``Ann Lee
    Phone`` as one name; the field name before the colon is not part of it and must stay.
    """
    while _COLON_AFTER.match(text, end):
        span = text[start:end]
        for m in (_LAST_WORDS.search(span), re.search(r"([^\W\d_][\w-]*)$", span)):
            if m is not None and m.start(1) > 0 and field_word(m.group(1)):
                end = start + len(span[: m.start(1)].rstrip(" \t,;"))
                break
        else:
            return end
    return end


_LONG_RUN = re.compile(r"(?<!\d)\d{7,}(?!\d)")


def _compact_date(digits: str) -> bool:
    """Whether a run of digits is a date written without separators (``19610304``, ``04031961``)."""
    if len(digits) != 8:
        return False
    for fmt in ("%Y%m%d", "%d%m%Y", "%m%d%Y"):
        try:
            if 1900 <= dt.datetime.strptime(digits, fmt).year <= 2100:
                return True
        except ValueError:
            continue
    return False
