"""SurrogateMap: consistent, keyed, format-preserving, never the original."""

from __future__ import annotations

import ipaddress
import re

import phonenumbers
import pytest

from textsynth.errors import ConfigError
from textsynth.pii.checksums import iban_valid, luhn_valid, nir_key
from textsynth.pii.surrogates import SurrogateMap

from .conftest import KEY


@pytest.fixture
def smap() -> SurrogateMap:
    return SurrogateMap(KEY)


def shape(s: str) -> str:
    return re.sub(r"[a-z]", "a", re.sub(r"[A-Z]", "A", re.sub(r"\d", "9", s)))


# fmt: off
VALUES = [
    ("PERSON", "Margaret Okonkwo"), ("PERSON", "H. K. Elban"), ("ORG", "Acme Bank"),
    ("LOCATION", "Paris"), ("ADDRESS", "221B Baker Street"), ("POSTCODE", "SW1A 1AA"),
    ("DATE", "21 March 2005"), ("DATE", "03/12/1984"), ("DATE", "Thursday 3 April"),
    ("EMAIL", "m.okonkwo@gmail.com"), ("PHONE", "+44 20 7946 0958"), ("PHONE", "(415) 555-2671"),
    ("CREDIT_CARD", "4111 1111 1111 1111"), ("IBAN", "GB82 WEST 1234 5698 7654 32"),
    ("IP_ADDRESS", "10.1.2.3"), ("IP_ADDRESS", "2001:db8::1"), ("URL", "https://www.acme.co.uk/x"),
    ("US_SSN", "536-22-8145"), ("UK_NINO", "JG 10 37 79 A"), ("FR_NIR", "1 84 12 76 451 089 46"),
    ("ID", "88213-B"),
]
# fmt: on


@pytest.mark.parametrize(("entity", "value"), VALUES)
def test_surrogate_is_consistent_and_differs(smap: SurrogateMap, entity: str, value: str) -> None:
    a = smap.surrogate(entity, value)
    assert a != value
    assert SurrogateMap(KEY).surrogate(entity, value) == a  # another map, same key: same value
    assert SurrogateMap(b"another-key-0123456789").surrogate(entity, value) != a


@pytest.mark.parametrize(
    "entity,value",
    [
        v
        for v in VALUES
        if v[0] in ("POSTCODE", "CREDIT_CARD", "IBAN", "US_SSN", "UK_NINO", "FR_NIR", "ID", "PHONE")
    ],
)
def test_codes_keep_their_layout(smap: SurrogateMap, entity: str, value: str) -> None:
    assert shape(smap.surrogate(entity, value)) == shape(value)


def test_cards_and_ibans_stay_valid(smap: SurrogateMap) -> None:
    for i in range(200):
        card = smap.surrogate("CREDIT_CARD", f"4{i:015d}")
        assert luhn_valid(card) and card[0] == "4" and len(card) == 16
        iban = smap.surrogate(
            "IBAN", "FR14 2004 1010 0505 0001 3M02 606" if i % 2 else "DE89370400440532013000"
        )
        assert iban_valid(iban)
    amex = smap.surrogate("CREDIT_CARD", "3782 822463 10005")
    assert amex.startswith("37") and luhn_valid(amex.replace(" ", ""))


def test_phone_keeps_country_code_and_validity(smap: SurrogateMap) -> None:
    out = smap.surrogate("PHONE", "+44 20 7946 0958")
    assert out.startswith("+44 ")
    assert phonenumbers.is_valid_number(phonenumbers.parse(out))


def test_email_ip_nir_stay_well_formed(smap: SurrogateMap) -> None:
    assert re.fullmatch(r"[\w.+-]+@example\.(com|org|net)", smap.surrogate("EMAIL", "a@b.com"))
    assert ipaddress.ip_address(smap.surrogate("IP_ADDRESS", "10.1.2.3")).version == 4
    nir = smap.surrogate("FR_NIR", "184127645108946").replace(" ", "")
    assert nir_key(nir[:13]) == int(nir[13:])


def test_name_parts_map_consistently(smap: SurrogateMap) -> None:
    full = smap.surrogate("PERSON", "Margaret Okonkwo")
    first, last = full.split()
    assert smap.surrogate("PERSON", "Margaret") == first
    assert smap.surrogate("PERSON", "Ms. Okonkwo") == f"Ms. {last}"
    assert smap.surrogate("PERSON", "margaret okonkwo") == full.lower()
    assert smap.surrogate("PERSON", "OKONKWO") == last.upper()
    assert len(smap.surrogate("PERSON", "Jean-Paul Marie Dupont").split()) == 3


def test_locale_follows_language(smap: SurrogateMap) -> None:
    assert smap.surrogate("PERSON", "Jean Dupont", "fr") != smap.surrogate(
        "PERSON", "Jean Dupont", "en"
    )


def test_key_is_never_shown(smap: SurrogateMap) -> None:
    assert KEY.decode() not in repr(smap)


def test_short_key_is_refused() -> None:
    with pytest.raises(ConfigError, match="at least 16 bytes"):
        SurrogateMap(b"short")


def test_codes_are_the_same_in_every_language(smap: SurrogateMap) -> None:
    for entity, value in [
        ("IBAN", "GB82 WEST 1234 5698 7654 32"),
        ("IP_ADDRESS", "10.1.2.3"),
        ("EMAIL", "a@b.com"),
        ("CREDIT_CARD", "4111 1111 1111 1111"),
    ]:
        assert smap.surrogate(entity, value, "en") == smap.surrogate(entity, value, "fr")


def test_first_names_of_other_locales_get_first_names(smap: SurrogateMap) -> None:
    # "Sophie" is not in Faker's en_US lists; it must still get a first name, not a surname
    from faker.providers.person.en_US import Provider

    firsts = {n for n in (*Provider.first_names_female, *Provider.first_names_male)}
    for name in ("Sophie", "Giulia", "Margaret"):
        assert smap.surrogate("PERSON", name, "en") in firsts, name
