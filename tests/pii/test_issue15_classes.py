"""Issue 15: one regression test per class of leak or broken meaning, from our own text.

Each row of a table is (document turns, what must hold). The NER is a fake (model-free) that
knows only what a real model got wrong in the issue's report, so the tests show that the
patterns, the name finders and the document-level consistency close each class by themselves.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from textsynth.pii import FakeNer, Pseudonymiser
from textsynth.pii.surrogates import SurrogateMap
from textsynth.pii.surrogates.dates import MONTHS, WEEKDAYS

KEY = b"issue-15-test-key-0123456789"


_PS: dict[tuple, Pseudonymiser] = {}


def scrub(turns: list[str], lang: str = "en", lexicon: dict | None = None) -> list[str]:
    key = tuple(sorted((lexicon or {}).items()))
    if key not in _PS:
        _PS[key] = Pseudonymiser(lang="auto", key=KEY, ner=FakeNer(lexicon or {}))
    ps = _PS[key]
    return [r.text for r in ps.scrub_documents([turns], languages=[lang])[0]]


def gone(value: str, out: list[str]) -> bool:
    """``value`` no longer occurs anywhere in the output (whole words, any case)."""
    rx = re.compile(rf"(?<!\w){re.escape(value)}(?!\w)", re.IGNORECASE)
    return not any(rx.search(t) for t in out)


# (language, turns, values that must be gone, strings that must stay)
LEAK_CASES = [
    # a name sent alone as a turn, after the agent asked for it, in any case
    ("en", ["Could I take your full name?", "Orla Brennigan"], ["Orla Brennigan"], []),
    ("en", ["who am I speaking with?", "vasquez pilar"], ["vasquez pilar"], []),
    ("de", ["Wie ist Ihr Name?", "Brandauer"], ["Brandauer"], []),
    # a lower-case sign-off; a name after a greeting
    ("en", ["ok that's sorted, thanks\nmartin"], ["martin"], ["thanks"]),
    ("fr", ["merci beaucoup élodie, bonne journée"], ["élodie"], ["merci beaucoup"]),
    ("de", ["hallo jonas, meine karte geht nicht"], ["jonas"], ["meine karte"]),
    # an agent naming themselves
    ("en", ["Hi, you're chatting with Anjali from billing."], ["Anjali"], ["billing"]),
    ("fr", ["Bonjour, vous êtes en ligne avec Capucine."], ["Capucine"], []),
    ("de", ["Guten Tag, Sie sprechen mit Friederike."], ["Friederike"], ["Guten Tag"]),
    # titled surnames, en/fr/de, any case
    (
        "fr",
        ["Merci Maître Delaunay, le Professeur Garnier vous rappelle."],
        ["Delaunay", "Garnier"],
        ["Maître", "Professeur"],
    ),
    (
        "de",
        ["Danke Herr Kowalczyk, und Frau Dr. Lindqvist?"],
        ["Kowalczyk", "Lindqvist"],
        ["Herr", "Frau Dr."],
    ),
    ("en", ["thanks mr pemberton"], ["pemberton"], ["mr"]),
    # usernames and handles
    (
        "en",
        ["my username is rhartley552", "and on the forum I'm @quietfox_12"],
        ["rhartley552", "quietfox_12"],
        ["username"],
    ),
    ("fr", ["mon identifiant c'est cgarnier31"], ["cgarnier31"], ["identifiant"]),
    ("de", ["mein benutzername ist t.weber_88"], ["t.weber_88"], []),
    # a full address, in any case, as one unit: no part of it is left
    (
        "en",
        ["send it to 48 birchwood avenue, dayton, oh 45402 please"],
        ["48 birchwood avenue", "dayton", "oh 45402"],
        ["please"],
    ),
    ("en", ["It's 9 Quarry Lane, Leeds LS6 2QT"], ["Quarry Lane", "Leeds", "LS6 2QT"], []),
    ("en", ["postcode is se15 4rf"], ["se15 4rf"], ["postcode"]),
    (
        "fr",
        ["j'habite au 12 rue des Lilas, 33000 Bordeaux depuis mars"],
        ["rue des Lilas", "33000 Bordeaux"],
        ["depuis"],
    ),
    (
        "de",
        ["Neue Adresse: Kastanienweg 8, 04109 Leipzig"],
        ["Kastanienweg 8", "04109 Leipzig"],
        ["Neue Adresse"],
    ),
    # phone numbers split over two turns, or spelled out
    ("en", ["my cell is 617 555", "0148"], ["617 555", "0148"], []),
    (
        "en",
        ["it's two one two, five five five, zero one six three"],
        ["two one two, five five five, zero one six three"],
        [],
    ),
    (
        "de",
        ["null eins fünf zwei, drei drei vier, fünf sechs sieben acht"],
        ["null eins fünf zwei, drei drei vier, fünf sechs sieben acht"],
        [],
    ),
    # what a customer typed: a double-dotted e-mail, an IBAN with a wrong check digit
    ("en", ["email me at m..oduya@corpmail.com"], ["m..oduya@corpmail.com"], []),
    ("de", ["meine IBAN: DE12 5001 0517 5407 3249 30"], ["DE12 5001 0517 5407 3249 30"], []),
    # a card typed with a wrong digit, right after the agent asked for it
    (
        "fr",
        ["Quel est le numéro de la carte ?", "4970 1012 3456 7899"],
        ["4970 1012 3456 7899"],
        [],
    ),
    # national ids in context, even the known test values
    ("en", ["my SSN is 123-45-6789"], ["123-45-6789"], ["SSN"]),
    ("en", ["NI number QQ 12 34 56 C"], ["QQ 12 34 56 C"], ["NI number"]),
    ("en", ["national id card number X1234567"], ["X1234567"], ["national id card number"]),
    ("de", ["meine Steuer-ID lautet 12 345 678 901"], ["12 345 678 901"], ["Steuer-ID"]),
]


@pytest.mark.parametrize(("lang", "turns", "must_go", "must_stay"), LEAK_CASES)
def test_leak_classes(lang: str, turns: list[str], must_go: list[str], must_stay: list[str]):
    out = scrub(turns, lang)
    for v in must_go:
        assert gone(v, out), (v, out)
    for v in must_stay:
        assert any(v in t for t in out), (v, out)


def test_a_person_named_as_a_place_elsewhere_stays_a_person() -> None:
    # NER calls the second mention a place: it must get the person's surrogate, not a city's
    lexicon = {"Teodora Vlahos": "LOCATION"}
    turns = ["Can I have your name?", "Teodora Vlahos", "I pulled up the file for Teodora Vlahos."]
    out = scrub(turns, "en", lexicon)
    assert gone("Teodora", out) and gone("Vlahos", out)
    assert out[2].removeprefix("I pulled up the file for ").rstrip(".") == out[1]


def test_person_type_is_shared_across_entity_types_of_a_document() -> None:
    lexicon = {"Ingrid Solberg": "PERSON", "Solberg": "ORG"}
    out = scrub(["Name: Ingrid Solberg", "Thanks, I'll note it for Solberg."], "en", lexicon)
    last = out[0].split()[-1]
    assert out[1].endswith(f"for {last}.")  # the same surname surrogate, not a company


# what must hold of surrogates and of the text that is not PII
MEANING_CASES = [
    (
        "en",
        "We refund within the last 90 days; it takes 2 weeks, or 6 to 9 months.",
        ["the last 90 days", "2 weeks", "6 to 9 months"],
    ),
    (
        "fr",
        "Le remboursement prend 5 jours ouvrés, le préavis est de 1 mois.",
        ["5 jours ouvrés", "1 mois"],
    ),
    (
        "de",
        "Die Gutschrift dauert etwa 2 Wochen, die Kündigung 3 Monate.",
        ["2 Wochen", "3 Monate"],
    ),
    ("en", "the court awarded GBP 50,000 and PLN 7,500", ["GBP 50,000", "PLN 7,500"]),
    ("en", "The fee is 20 CHF, or 18.50 EUR, up to 5 GB.", ["CHF", "EUR", "GB"]),
    ("en", "my NRIC is S7712345D", ["my NRIC is"]),
    ("en", "and my IBAN is GB33 BUKB 2020 1555 5555 55", ["my IBAN is"]),
]


@pytest.mark.parametrize(
    ("surface", "kept"),
    [
        ("NOK 4.2 million", True),
        ("DKK 300 thousand", True),
        ("2,5 Mio. EUR", True),
        ("3 milliards", True),
        ("GBP 50,000", True),
        ("Nordvik million", False),
        ("K", False),
        ("Mr K", False),
        ("Bn", False),
        ("Nordvik AB", False),
    ],
)
def test_amounts_with_a_magnitude_are_not_pii(surface: str, kept: bool) -> None:
    from textsynth.pii.not_pii import not_pii_word

    assert not_pii_word(surface) is kept


@pytest.mark.parametrize(("lang", "text", "kept"), MEANING_CASES)
def test_durations_currencies_and_labels_are_kept(lang: str, text: str, kept: list[str]) -> None:
    (out,) = scrub([text], lang)
    for k in kept:
        assert k in out, (k, out)
    assert "<" not in out  # no placeholder


def _weekday_of(text: str, lang: str) -> int | None:
    for i, w in enumerate(WEEKDAYS[lang]):
        if re.search(rf"\b{w}\b", text, re.IGNORECASE):
            return i
    return None


# (language, date value, checks): "parts" = day, month and year all change
DATE_CASES = [
    ("en", "Monday, 3 June 2024", {"weekday", "parts"}),
    ("en", "Friday, March 14, 2025", {"weekday", "parts"}),
    ("en", "March 12, 1985", {"parts"}),
    ("en", "07/14/1979", {"parts"}),
    ("en", "2024-11-30", {"parts"}),
    ("fr", "lundi 3 mars 2025", {"weekday", "parts"}),
    ("fr", "12/02/2025", {"parts"}),
    ("de", "Montag, 3. März 2025", {"weekday", "parts"}),
    ("de", "04.09.1988", {"parts"}),
    ("en", "3:45 PM", {"time"}),
    ("en", "12:05 a.m.", {"time"}),
    ("en", "11:59 pm", {"time"}),
    ("fr", "18h30", {"time"}),
    ("de", "14:20 Uhr", {"time"}),
    ("en", "23:55", {"time"}),
]


def _parse(value: str, lang: str) -> dt.date:
    """An independent reading of the dates the table uses (numeric, or day/month names)."""
    m = re.search(r"(\d{4})-(\d{2})-(\d{2})", value)
    if m:
        return dt.date(*map(int, m.groups()))
    m = re.search(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", value)
    if m:
        a, b, y = map(int, m.groups())
        return dt.date(y, a, b) if lang == "en" else dt.date(y, b, a)
    low = value.lower()
    month = next(i + 1 for i, n in enumerate(MONTHS[lang]) if re.search(rf"\b{n}\b", low))
    year = int(re.search(r"\b(\d{4})\b", value).group(1))
    day = int(re.search(r"\b(\d{1,2})\b(?!\d)(?=\.?\s|,|st|nd|rd|th|$)", value).group(1))
    return dt.date(year, month, day)


@pytest.mark.parametrize(("lang", "value", "checks"), DATE_CASES)
def test_date_surrogates_keep_form_and_validity(lang: str, value: str, checks: set[str]) -> None:
    smap = SurrogateMap(KEY)
    for key_suffix in range(5):  # several keys: the property must hold for any draw
        smap = SurrogateMap(KEY + bytes([key_suffix]))
        new = smap.surrogate("DATE", value, lang)
        assert new != value and "<" not in new
        # the same shape: letters stay letters, digits digits, separators kept
        assert re.sub(r"\d", "9", re.sub(r"[^\W\d_]+", "a", new)).replace("99", "9") == re.sub(
            r"\d", "9", re.sub(r"[^\W\d_]+", "a", value)
        ).replace("99", "9")
        if "parts" in checks:
            old_d, new_d = _parse(value, lang), _parse(new, lang)  # parses: a real date
            assert (new_d.day, new_d.month, new_d.year) != (old_d.day, old_d.month, old_d.year)
            assert new_d.day != old_d.day and new_d.month != old_d.month
            assert new_d.year != old_d.year
        if "weekday" in checks:
            assert _weekday_of(new, lang) == _parse(new, lang).weekday()
        if "time" in checks:
            m = re.search(r"(\d{1,2})[:h](\d{2})\s*([ap])?", new, re.IGNORECASE)
            h, mi, ampm = int(m.group(1)), int(m.group(2)), m.group(3)
            assert mi <= 59 and (1 <= h <= 12 if ampm else 0 <= h <= 23)


# (language, date value, whether a day or month below 10 is written with a leading zero)
PADDING_CASES = [
    ("en", "19 February 1993", False),  # a two-digit day alone says nothing of padding
    ("en", "On 3 November 1988", False),
    ("en", "March 12, 1985", False),
    ("en", "03 March 2001", True),
    ("en", "07/14/1979", True),  # both numeric fields written with two digits
    ("en", "7/4/1979", False),
    ("de", "04.09.1988", True),
    ("fr", "12 février 2025", False),
]


@pytest.mark.parametrize(("lang", "value", "padded"), PADDING_CASES)
def test_date_surrogates_pad_only_as_the_original_did(lang: str, value: str, padded: bool) -> None:
    seen_small = 0
    for key_suffix in range(40):  # enough draws to meet days and months below 10
        new = SurrogateMap(KEY + bytes([key_suffix])).surrogate("DATE", value, lang)
        for num in re.findall(r"(?<!\d)\d{1,2}(?!\d)", new):
            if int(num) < 10:
                seen_small += 1
                assert (len(num) == 2) is padded, (value, new)
    assert seen_small, value  # the property was exercised


def test_date_surrogates_are_keyed_and_order_independent() -> None:
    values = [v for _l, v, _c in DATE_CASES]
    a = SurrogateMap(KEY)
    b = SurrogateMap(KEY)
    first = {v: a.surrogate("DATE", v, "en") for v in values}
    second = {v: b.surrogate("DATE", v, "en") for v in reversed(values)}
    assert first == second
