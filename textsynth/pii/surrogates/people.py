"""Surrogates from Faker: names (part by part), organisations, places, addresses, e-mails, URLs.

A name is replaced token by token, each token from its own keyed digest, so ``Margaret
Okonkwo -> X Y`` implies ``Margaret -> X`` and ``Ms. Okonkwo -> Ms. Y`` anywhere in the corpus.
Whether a token is a first name (and which gender) comes from Faker's name lists, never from its
position, so the choice is the same wherever the token appears. Casing is kept per token.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

from textsynth.pii.names import TITLES
from textsynth.pii.surrogates.base import SurrogateContext
from textsynth.registry import surrogates

_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# leading titles are kept as they are ("M. Dupont" -> "M. Martin")
TITLE_BEFORE_NAME = re.compile(
    r"(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Madam|Mme|Mlle|Monsieur|Madame|Lord|Lady|Mister|"
    r"Ma[îi]tre|Professeur|Professor|Docteur|Doktor|Herr|Frau|Fräulein|Hr|Fr|Pr|M(?=\.)|Me)"
    r"\.?\s+)+",
    re.IGNORECASE,
)


def match_case(template: str, word: str) -> str:
    """Return ``word`` cased like ``template`` (UPPER, lower, Title)."""
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template.islower():
        return word.lower()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _name_pools(locale: str) -> dict[str, Any]:
    pools: dict[str, Any] = {}
    for loc in (locale, "en_US"):
        try:
            prov = importlib.import_module(f"faker.providers.person.{loc}").Provider
        except ImportError:
            continue
        # one-word entries only, so that a name keeps its number of parts
        female = [n for n in getattr(prov, "first_names_female", ()) or () if " " not in n]
        male = [n for n in getattr(prov, "first_names_male", ()) or () if " " not in n]
        last = [n for n in getattr(prov, "last_names", ()) or () if " " not in n]
        if female and male and last:
            pools = {"female": female, "male": male, "last": last}
            break
    pools["female_set"] = {n.lower() for n in pools["female"]}
    pools["male_set"] = {n.lower() for n in pools["male"]}
    # other locales' lists too, so that "Sophie" or "Giulia" is known as a first name in any
    # text (otherwise it would get a surname): a name's role never depends on the text's locale
    for loc in _ROLE_LOCALES:
        try:
            prov = importlib.import_module(f"faker.providers.person.{loc}").Provider
        except ImportError:
            continue
        female_set = {n.lower() for n in getattr(prov, "first_names_female", ()) or ()}
        male_set = {n.lower() for n in getattr(prov, "first_names_male", ()) or ()}
        pools["female_set"] |= female_set - pools["male_set"]
        pools["male_set"] |= male_set - pools["female_set"]
    return pools


_ROLE_LOCALES = ("en_US", "en_GB", "fr_FR", "de_DE", "es_ES", "it_IT", "nl_NL", "pt_PT")


# an initial's surrogate is a consonant: "I", "A" or "O" would read as a word ("I had left")
_INITIALS = "BCDFGHJKLMNPQRSTVWXZ"


def _initial(letter: str, ctx: SurrogateContext) -> str:
    """A consonant initial moves one step along a keyed cycle of all consonants, so two people
    never share a surrogate (``A, B and H`` stay three people) and none keeps its letter; a vowel
    or ``Y`` (no consonant left to pair it with) gets a keyed consonant of its own."""
    if letter in _INITIALS:
        cycle = list(_INITIALS)
        ctx.derive("PERSON-initial-cycle", "").shuffle(cycle)
        return cycle[(cycle.index(letter) + 1) % len(cycle)]
    return ctx.derive("PERSON-initial", letter.lower()).choice(_INITIALS)


def _name_token(token: str, ctx: SurrogateContext, pools: dict[str, Any]) -> str:
    low = token.lower()
    if low in TITLES:
        return token
    if len(token) == 1:  # an initial
        return match_case(token, _initial(token.upper(), ctx))
    if low in pools["female_set"]:
        pool, role = pools["female"], "female"
    elif low in pools["male_set"]:
        pool, role = pools["male"], "male"
    else:
        pool, role = pools["last"], "last"
    rng = ctx.derive(f"PERSON-{role}", low)
    i = rng.randrange(len(pool))
    for k in range(len(pool)):
        cand = pool[(i + k) % len(pool)]
        if cand.lower() != low:
            return match_case(token, cand)
    return match_case(token, "Alex")  # pragma: no cover


@surrogates.register("PERSON")
def person(value: str, ctx: SurrogateContext) -> str:
    """A name with the same number of parts, the same casing and the same titles."""
    pools = ctx.map.pool(ctx.locale, "names", _name_pools)
    m = TITLE_BEFORE_NAME.match(value)
    head, rest = (value[: m.end()], value[m.end() :]) if m else ("", value)
    out = _TOKEN.sub(lambda t: _name_token(t.group(), ctx, pools), rest)
    if out == rest:  # nothing but titles: fall back to a whole name
        out = ctx.faker().last_name()
    return head + out


def _cased(value: str, new: str) -> str:
    if value.isupper() and any(c.isalpha() for c in value):
        return new.upper()
    if value.islower():
        return new.lower()
    return new


@surrogates.register("ORG")
def org(value: str, ctx: SurrogateContext) -> str:
    """A company name in the text's locale."""
    return _cased(value, ctx.faker().company())


@surrogates.register("LOCATION")
def location(value: str, ctx: SurrogateContext) -> str:
    """A city in the text's locale."""
    return _cased(value, ctx.faker().city())


@surrogates.register("ADDRESS")
def address(value: str, ctx: SurrogateContext) -> str:
    """An address with the same parts in the same layout: each comma- or line-separated part
    (street, unit, city, state and zip, postcode and city) is replaced by one of its kind, in
    the text's locale, with its case; so no city, state or postcode of the original is left."""
    from textsynth.pii.recognizers.address import ADDRESS_PART

    fk = ctx.faker()
    pieces = re.split(r"(\s*(?:,|\n)\s*)", value)
    out = []
    for i, piece in enumerate(pieces):
        if i % 2 == 1 or not piece.strip():
            out.append(piece)
            continue
        out.append(_cased(piece, _address_piece(piece, i == 0, fk, ctx, ADDRESS_PART)))
    new = "".join(out)
    return new


def _address_piece(piece: str, first: bool, fk: Any, ctx: SurrogateContext, part: Any) -> str:
    unit = re.match(
        r"(?i)(apt|apartment|suite|ste|unit|flat|fl|floor|bldg|app|appt|bât|étage)\.?\s*#?\s*\w+$",
        piece,
    )
    if unit:
        return unit.group(1) + " " + str(ctx.rng.randint(1, 99))
    uk = re.search(r"(?i)\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$", piece)
    if uk:
        gb = ctx.faker("en_GB")
        city = piece[: uk.start()].strip()
        return ((gb.city() + " ") if city else "") + gb.postcode()
    m = re.fullmatch(r"(?i)(.*?)\b([A-Z]{2})\.?\s+(\d{5}(?:-\d{4})?)", piece)
    if m and part.fullmatch(piece) and not first:
        us = ctx.faker("en_US")
        city = (us.city() + " ") if m.group(1).strip(" ,") else ""
        return f"{city}{us.state_abbr()} {us.zipcode()}"
    m = re.fullmatch(r"(\d{4,5})\s+(.+)", piece)
    if m and not first:
        code = "".join(ctx.rng.choice("0123456789") for _ in m.group(1))
        return f"{code} {fk.city()}"
    if re.fullmatch(r"\d{4,5}(?:-\d{4})?", piece.strip()):
        return "".join(ctx.rng.choice("0123456789") if c.isdigit() else c for c in piece)
    if first or any(c.isdigit() for c in piece):
        return fk.street_address() if "\n" not in piece else fk.address()
    return fk.city()


@surrogates.register("EMAIL")
def email(value: str, ctx: SurrogateContext) -> str:
    """A valid address on a reserved example domain (never a real mailbox)."""
    fk = ctx.faker("en_US")  # the same address whatever the text's language
    local = re.sub(r"[^a-z0-9._-]", "", fk.user_name().lower()) or "user"
    domain = ctx.rng.choice(("example.com", "example.org", "example.net"))
    new = f"{local}@{domain}"
    return new.upper() if value.isupper() else new


@surrogates.register("URL")
def url(value: str, ctx: SurrogateContext) -> str:
    """A URL keeping the scheme, ``www.`` and a trailing slash; the path is dropped."""
    m = re.match(r"(?i)((?:https?|ftp)://)?(www\.)?", value)
    assert m is not None  # every group is optional: the pattern matches any string
    scheme, www = (m.group(1) or ""), (m.group(2) or "")
    rest = value[m.end() :]
    host = re.split(r"[/?#]", rest, maxsplit=1)[0]
    tld = host.rsplit(".", 1)[-1] if "." in host else "com"
    word = re.sub(r"[^a-z0-9-]", "", ctx.faker("en_US").domain_word().lower()) or "site"
    new = f"{scheme}{www}{word}.{tld.lower()}"
    if rest[len(host) :].startswith("/") or value.endswith("/"):
        new += "/"
    return new
