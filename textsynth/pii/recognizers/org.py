"""Organisations by legal form (``Acme Ltd``, ``Barnett, Melton and Garcia``); countries."""

from __future__ import annotations

import importlib
import re

from textsynth.pii.entities import Finding
from textsynth.pii.recognizers.base import Pattern, PatternRecognizer, Recognizer
from textsynth.registry import recognizers

_CAP = r"[A-Z][\w&'’.-]*"
_FORMS = (
    r"(?:(?:Inc|Ltd|Corp|Co|Bros)\.?|Incorporated|LLC|LLP|Limited|PLC|plc|Corporation|Group|"
    r"GmbH|AG|SA|SAS|SARL|S\.A\.|NV|BV|Oy|AB|AS|ApS|Partners|Holdings|Company|Bank|"
    r"Associates|Foundation)"
)


@recognizers.register()
class OrganisationRecognizer(PatternRecognizer):
    """Capitalised names ending in a legal form, and ``X, Y and Z`` partnership names."""

    name = "organisation"
    entity = "ORG"
    PATTERNS = (
        Pattern(
            "legal-form",
            rf"[A-Z](?<![\w][A-Z])[\w&'’.-]*[ \t]+(?:{_CAP}[ \t]+){{0,2}}"
            rf"(?:&[ \t]+{_CAP}[ \t]+)?{_FORMS}(?![\w])",
            0.6,
        ),
        Pattern(
            "partnership",
            r"[A-Z](?<![\w][A-Z])[a-z]+(?:-[A-Z][a-z]+)?,[ \t][A-Z][a-z]+[ \t](?:and|&)"
            r"[ \t][A-Z][a-z]+(?![\w])",
            0.55,
            trigger=",",
        ),
    )
    context = ("company", "firm", "employer", "works", "société", "entreprise")


def _countries() -> list[str]:
    names: set[str] = set()
    for loc in ("en", "fr_FR", "de_DE", "es_ES"):
        try:
            prov = importlib.import_module(f"faker.providers.address.{loc}").Provider
        except ImportError:
            continue
        names.update(c for c in getattr(prov, "countries", ()) if len(c) > 3)
    return sorted(names, key=len, reverse=True)


_WORD = re.compile(r"[^\W\d_]+")


@recognizers.register()
class CountryRecognizer(Recognizer):
    """Country names (from Faker's lists, in four languages), any case.

    Words are looked up by their first word in a table, so the cost does not grow with the
    number of names (a regex alternation of 600 names would).
    """

    name = "country"
    entities = ("LOCATION",)

    def __init__(self) -> None:
        self._by_first: dict[str, list[str]] = {}
        for c in _countries():
            first = _WORD.match(c)
            if first:
                self._by_first.setdefault(first.group().lower(), []).append(c.lower())

    def analyze(self, text: str, language: str) -> list[Finding]:  # noqa: D102
        out: list[Finding] = []
        table = self._by_first
        low = text.lower()
        if len(low) == len(text):  # same offsets: look the words up in one pass, in C
            if table.keys().isdisjoint(_WORD.findall(low)):
                return out
        else:
            low = ""
        pos = 0
        for m in _WORD.finditer(low or text):
            if m.start() < pos:
                continue
            cands = table.get(m.group() if low else m.group().lower())
            if not cands:
                continue
            s = m.start()
            for c in cands:  # longest first
                e = s + len(c)
                if text[s:e].lower() == c and (e == len(text) or not text[e].isalnum()):
                    out.append(Finding(s, e, "LOCATION", 0.6, self.name))
                    pos = e
                    break
        return out
