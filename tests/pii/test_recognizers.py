"""Each built-in recognizer on a table of texts: found, or not found."""

from __future__ import annotations

import pytest

from textsynth.errors import ConfigError
from textsynth.pii.recognizers import build_recognizers
from textsynth.pii.recognizers.base import Pattern
from textsynth.registry import recognizers as registry

RECS = {r.name: r for r in build_recognizers()}


# fmt: off
CASES = [
    # (recognizer, text, expected surface strings)
    ("email", "write to j.doe+x@mail.example.co.uk today", ["j.doe+x@mail.example.co.uk"]),
    ("email", "no address here: a@b", []),
    ("credit-card", "card 4111 1111 1111 1111 ok", ["4111 1111 1111 1111"]),
    ("credit-card", "card 4111-1111-1111-1111", ["4111-1111-1111-1111"]),
    ("credit-card", "amex 3782 822463 10005", ["3782 822463 10005"]),
    ("credit-card", "number 4111111111111112 fails Luhn", []),
    ("iban", "IBAN GB82 WEST 1234 5698 7654 32.", ["GB82 WEST 1234 5698 7654 32"]),
    ("iban", "iban fr1420041010050500013m02606", ["fr1420041010050500013m02606"]),
    # a typed IBAN with a wrong check digit is still the customer's (issue 15)
    ("iban", "GB82 WEST 1234 5698 7654 33 (bad checksum)", ["GB82 WEST 1234 5698 7654 33"]),
    ("iban", "ref XX82 WEST 1234 5698 7654 33", []),
    ("ip", "from 192.168.0.17 and 2001:db8::ff00:4", ["192.168.0.17", "2001:db8::ff00:4"]),
    ("ip", "version 1.2.3 and 300.1.1.1", []),
    ("url", "see https://www.example.com/a?b=1.", ["https://www.example.com/a?b=1"]),
    ("url", "visit shop.example.fr now", ["shop.example.fr"]),
    ("phone", "call +44 20 7946 0958 now", ["+44 20 7946 0958"]),
    ("phone", "call (415) 555-2671 now", ["(415) 555-2671"]),
    ("phone", "appelez le 01 42 68 53 00", ["01 42 68 53 00"]),
    ("phone", "born 12/03/1984, ssn 123-45-6789", []),
    ("us-ssn", "my ssn is 536-22-8145", ["536-22-8145"]),
    ("us-ssn", "the sample 123-45-6789 is not real", []),
    # never-issued or test numbers count after a cue (what was typed), not without one
    ("us-ssn", "ssn 666-45-6789 and 123-00-6789", ["666-45-6789", "123-00-6789"]),
    ("us-ssn", "code 666-45-6789 and 123-00-6789", []),
    ("uk-nino", "NI number JG 10 37 79 A", ["JG 10 37 79 A"]),
    ("uk-nino", "code BG 12 34 56 C", []),
    ("fr-nir", "numéro de sécurité sociale 1 84 12 76 451 089 46", ["1 84 12 76 451 089 46"]),
    ("fr-nir", "numéro 1 84 12 76 451 089 47", []),
    ("street-address", "I live at 221B Baker Street, London", ["221B Baker Street, London"]),
    ("street-address", "send it to 12 rue de la Paix, Paris", ["12 rue de la Paix, Paris"]),
    ("street-address", "my address is 6750 Koskikatu 25 Apt. 864\nArtilleros",
     ["6750 Koskikatu 25 Apt. 864\nArtilleros"]),
    ("street-address", "see Article 34 of the Convention", []),
    ("postcode", "my zip code is 94103", ["94103"]),
    ("postcode", "London SW1A 1AA", ["SW1A 1AA"]),
    ("postcode", "it costs 2500 dollars", []),
    ("reference-number", "my order number is 88213-B", ["88213-B"]),
    ("reference-number", "application no. 10424/05 against", ["10424/05"]),
    ("date", "born on 12/03/1984", ["12/03/1984"]),
    ("date", "ratio 45/67/2000", []),
]
# fmt: on


@pytest.mark.parametrize(("name", "text", "expected"), CASES)
def test_recognizer_table(name: str, text: str, expected: list[str]) -> None:
    from textsynth.pii.context import ContextScorer
    from textsynth.pii.resolve import resolve

    rec = RECS[name]
    got = resolve(ContextScorer([rec]).apply(text, rec.analyze(text, "en")), 0.4)
    assert [text[f.start : f.end] for f in got] == expected


def test_every_builtin_is_registered_by_name() -> None:
    for name in (
        "email",
        "phone",
        "credit-card",
        "iban",
        "ip",
        "url",
        "us-ssn",
        "uk-nino",
        "fr-nir",
        "street-address",
        "postcode",
        "reference-number",
        "date",
    ):
        assert name in registry


def test_bad_pattern_is_rejected_at_construction() -> None:
    with pytest.raises(ConfigError, match="invalid regular expression"):
        Pattern("broken", "([a-z", 0.5)
    with pytest.raises(ConfigError, match="score must be in"):
        Pattern("p", "x", 1.5)
