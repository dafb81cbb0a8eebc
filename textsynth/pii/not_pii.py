"""What is not PII though NER or a loose pattern may take it for some: kept as it is.

* currency codes and names (``CHF``, ``20 euros``), units (``kg``, ``GB``);
* identifier labels (``my NRIC is``, ``IBAN``, ``Steuer-ID``): the name of a field, not a value;
* relative dates and durations (``the last 90 days``, ``2 weeks``, ``6 to 9 months``,
  ``yesterday``): a date is only PII when it has an absolute part (a month, a year, a day of a
  month, a weekday, a clock time, a numeric date).
"""

from __future__ import annotations

import functools
import re

__all__ = ["absolute_date", "field_word", "identifier_label", "not_pii_word"]

_UNITS = frozenset(
    "kg g mg km m cm mm mi mph kmh km/h kb mb gb tb kwh kw w v l ml lb lbs oz ft in h hr hrs min "
    "sec ms".split()
)
_CURRENCY_WORDS = frozenset(
    "euro euros dollar dollars pound pounds sterling franc francs yen yuan rupee rupees cent "
    "cents pence centime centimes eur usd gbp chf".split()
)
# magnitude words of an amount: "SEK 10.7 million", "2,5 Mio. EUR", "3 milliards d'euros"
_MAGNITUDES = frozenset(
    "thousand thousands million millions billion billions trillion k m bn mn mio mrd "
    "mille millier milliers milliard milliards tausend millionen milliarde milliarden".split()
)
_LABELS = frozenset(
    "iban bic swift ssn sin nric nin nino nir insee tin vat ein itin dob pin cvv cvc otp id "
    "ip url email e-mail phone sms zip postcode plz cp passport passeport reisepass "
    "steuer-id steuernummer steuer-identifikationsnummer personalausweis personalausweisnummer "
    "ausweis ausweisnummer sozialversicherungsnummer svnr username login userid user-id "
    "identifiant benutzername kundennummer iban-nummer".split()
)

# names of the fields of a form or a CRM record, en/fr/de ("Phone:", "Adresse :", "Geburtsdatum:")
_FIELDS = frozenset(
    "name names surname firstname lastname fullname phone tel telephone mobile cell fax mail "
    "address addr street city town state county country region zip postcode postal dob birth "
    "birthday born date account acct card customer client patient contact company employer "
    "title ref reference order ticket case user nationality gender age occupation job website "
    "nom prénom prenom téléphone telephone tél portable courriel adresse rue ville pays "
    "naissance compte carte société entreprise dossier "
    "vorname nachname telefon telefonnummer handy mobil adresse straße strasse stadt ort land "
    "geburtsdatum geburtstag konto karte firma kunde kundin".split()
)


@functools.cache
def _currency_codes() -> frozenset[str]:
    try:
        from faker.providers.currency import Provider

        return frozenset(code for code, _name in Provider.currencies)
    except ImportError:  # pragma: no cover - Faker is a dependency of the pii extra
        return frozenset("EUR USD GBP CHF JPY CAD AUD".split())


@functools.lru_cache(maxsize=1 << 16)  # pure; the same surfaces recur in a corpus
def not_pii_word(surface: str) -> bool:
    """Return whether ``surface`` is only a currency, a unit or an identifier label."""
    s = surface.strip(" .,;:!?()[]\"'").strip()
    if not s:
        return True
    unit = s.lower() in _UNITS and len(s.rstrip(".")) > 1  # "M." alone is an initial
    if s in _currency_codes() or s.lower() in _CURRENCY_WORDS or unit:
        return True
    if identifier_label(s):
        return True
    # an amount: "GBP 50,000", "NOK 625", "20 CHF", "5 GB"; "SEK 10.7 million" (a magnitude word
    # only next to a number: "K" alone is an initial)
    has_digit = any(ch.isdigit() for ch in s)
    rest = [
        w
        for w in re.findall(r"[^\W\d_]+|\d[\d.,']*", s)
        if not (w[0].isdigit() or w in _currency_codes() or w.lower() in _CURRENCY_WORDS)
        and not (w.lower() in _UNITS and (has_digit or len(w) > 1))
        and not (has_digit and w.lower() in _MAGNITUDES)
    ]
    return not rest


def identifier_label(surface: str) -> bool:
    """Return whether ``surface`` names an identifier field (``NRIC``, ``my SSN``)."""
    words = re.sub(
        r"^(?:my|your|the|his|her|mon|ma|votre|mein|meine|ihr|ihre)\s+", "", surface.lower()
    )
    words = re.sub(r"\s+(?:number|no|nr|num|nummer|numéro)\.?$", "", words).strip()
    return words in _LABELS


def field_word(word: str) -> bool:
    """Return whether ``word`` names a field of a form or a record (``Phone``, ``Adresse``)."""
    return word.lower() in _FIELDS or identifier_label(word)


_ANCHOR = re.compile(
    r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2}|(?<!\d)(?:1[5-9]|20|21)\d\d(?![\d])|"
    r"\d{1,2}(?::\d{2})?\s?(?:[ap]\.?m\b|uhr\b)|\d{1,2}[:h]\d{2}|(?<![\w])\d{1,2}h(?![\w])|"
    r"\b\d{1,2}(?:st|nd|rd|th|er|e)\b|\b\d{1,2}\.?\s+[^\W\d_]{3,}|\b[^\W\d_]{3,}\.?\s+\d{1,2}\b",
    re.IGNORECASE,
)
_RELATIVE = re.compile(
    r"\b(?:ago|last|past|next|within|later|earlier|following|previous|same|this|these|those|"
    r"today|yesterday|tomorrow|tonight|several|few|couple|each|every|per|dernier|derniers|"
    r"dernière|dernières|prochain|prochaine|hier|demain|aujourd'hui|letzte|letzten|letzter|"
    r"nächste|nächsten|gestern|morgen|heute|seit|vor)\b",
    re.IGNORECASE,
)


@functools.cache
def _calendar_words() -> frozenset[str]:
    from textsynth.pii.surrogates.dates import MONTHS, WEEKDAYS

    words = {w for ws in (*MONTHS.values(), *WEEKDAYS.values()) for w in ws}
    words |= {w.replace("é", "e").replace("û", "u").replace("ä", "a") for w in words}
    words |= set(
        "jan feb mar apr jun jul aug sep sept oct nov dec janv févr avr juil déc okt dez mär "
        "mon tue tues wed thu thur thurs fri sat sun".split()
    )
    return frozenset(words)


@functools.lru_cache(maxsize=1 << 16)  # pure; the same surfaces recur in a corpus
def absolute_date(surface: str) -> bool:
    """Return whether a date expression has a part that pins a calendar day, month or time.

    ``21 March 2005``, ``March``, ``1988``, ``Monday``, ``3:45 PM``, ``12/03/1984`` do; ``the last
    90 days``, ``2 weeks``, ``three years later``, ``yesterday`` do not.
    """
    words = set(re.findall(r"[^\W\d_]+", surface.lower()))
    if words & _calendar_words():
        if "may" in words and len(words) == 1 and not re.search(r"\d", surface):
            return False  # the modal verb
        return True
    m = _ANCHOR.search(surface)
    if m is None:
        return False
    if _RELATIVE.search(surface) and not re.search(r"(?<!\d)(?:1[5-9]|20|21)\d\d(?!\d)", surface):
        return False
    # "3 weeks", "14 days of receipt", "6 to 9 months": a count of time units is a duration
    if _UNIT_OF_TIME.search(surface) and not _FIXED.search(surface):
        return False
    return True


_UNIT_OF_TIME = re.compile(
    r"\b(?:days?|weeks?|months?|years?|hours?|minutes?|seconds?|decades?|jours?|semaines?|mois|"
    r"ans|années?|heures?|tage?n?|wochen?|monate?n?|jahre?n?|stunden?|minuten?|werktage?n?)\b",
    re.IGNORECASE,
)
_FIXED = re.compile(
    r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2}|(?<!\d)(?:1[5-9]|20|21)\d\d(?!\d)|"
    r"\d{1,2}[:h]\d{2}|\d(?:st|nd|rd|th|er)\b",
    re.IGNORECASE,
)
