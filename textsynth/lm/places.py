"""Country and region names (ISO 3166, through ``pycountry``), for place-typed slot labels.

A label whose seed values are countries (``Portugal``, ``Greenland``) or first-level regions
(``Oregon``, ``Bavaria``, ``ND``) is a *closed* place label: only a country or a region can fill
it. :func:`place_kinds` says which of the two a value is, in English and in the seeds' language
where pycountry ships a translation. Cities are an open class and are not listed: a value that
is neither a country nor a region (``San Francisco``) cannot fill a closed place label.
"""

from __future__ import annotations

import gettext
import logging
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

__all__ = ["KINDS", "place_kinds"]

logger = logging.getLogger(__name__)

KINDS = ("country", "region")
# first words of country names that are not a country on their own
_COMMON_FIRST_WORDS = frozenset(
    "saint st united new north south east west central republic democratic islamic "
    "federated french british american virgin cocos heard bonaire sint holy papua "
    "sao trinidad antigua bosnia turks svalbard wallis equatorial dominican marshall "
    "solomon cook cayman faroe falkland northern western great isle".split()
)
_THE_RE = re.compile(r"^(the|la|le|les|l'|el|die|der|das)\s+", re.IGNORECASE)


# common English names that ISO 3166 does not use (any more); ISO's own names are listed anyway
_ALIASES = (
    "Burma", "Cape Verde", "Czech Republic", "East Timor", "Ivory Coast", "Kosovo", "Macedonia",
    "Russia", "Swaziland", "Turkey", "Vatican", "Vatican City", "Holland", "Great Britain",
    "England", "Scotland", "Wales", "Northern Ireland", "USA", "UK", "UAE", "America",
)  # fmt: skip


def _norm(name: str) -> str:
    """Lower-case, accents and a leading article dropped, spaces collapsed."""
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return " ".join(_THE_RE.sub("", folded.strip()).lower().split())


def _variants(name: str) -> set[str]:
    """Return a name's spellings: whole, before its comma, without and inside brackets."""
    out = {name, name.split(",")[0]}
    bare = re.sub(r"\s*\([^)]*\)", "", name)
    out.add(bare)
    for inner in re.findall(r"\(([^)]*)\)", name):
        out.add(inner)
        out.add(re.sub(r"\s*\([^)]*\)", " " + inner, name))  # Cocos (Keeling) Islands
        out.add(re.sub(r"\s*\([^)]*\)\s*", " ", name))
    return {_norm(v) for v in out if v.strip()}


@lru_cache(maxsize=8)
def _names(language: str) -> dict[str, frozenset[str]]:
    """Return kind -> normalised names (English and ``language``'s), plus region codes."""
    import pycountry

    tr: dict[str, Callable[[str], str] | None] = {}
    for kind, domain in (("country", "iso3166-1"), ("region", "iso3166-2")):
        try:
            t = gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language])
            tr[kind] = t.gettext
        except OSError:
            tr[kind] = None
    countries: set[str] = {_norm(a) for a in _ALIASES}
    for c in [*pycountry.countries, *pycountry.historic_countries]:
        for attr in ("name", "common_name", "official_name"):
            v = getattr(c, attr, None)
            if not v:
                continue
            countries |= _variants(v)
            translate = tr["country"]
            if translate is not None:
                countries |= _variants(translate(v))
    # a leading part of a longer name: "Burkina" (Faso), "Brunei" (Darussalam)
    countries |= {
        " ".join(n.split()[:k]) for n in list(countries) for k in (1, 2) if len(n.split()) > k
    } - _COMMON_FIRST_WORDS
    regions: set[str] = set()
    for s in pycountry.subdivisions:
        if s.parent_code is not None:
            continue
        regions |= _variants(s.name)
        translate = tr["region"]
        if translate is not None:
            regions |= _variants(translate(s.name))
    return {"country": frozenset(countries), "region": frozenset(regions)}


@lru_cache(maxsize=8)
def _region_codes() -> frozenset[str]:
    import pycountry

    return frozenset(
        s.code.split("-", 1)[1] for s in pycountry.subdivisions if s.parent_code is None
    )


def place_kinds(value: str, language: str = "en") -> frozenset[str]:
    """Return the kinds (``country``, ``region``) ``value`` names; empty when neither.

    Region codes count only in capitals and from two letters (``ND``, ``BY``), so that ``in``,
    ``me`` or ``A`` are not read as regions.
    """
    lang = (language or "en").split("-")[0].lower()
    names = _names(lang)
    v = _norm(value)
    kinds = {k for k in KINDS if v in names[k]}
    code = value.strip()
    if len(code) >= 2 and code.isupper() and code in _region_codes():
        kinds.add("region")
    return frozenset(kinds)
