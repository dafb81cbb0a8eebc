"""Format-preserving surrogates for numbers and codes: phone, card, IBAN, IP, national ids."""

from __future__ import annotations

import ipaddress
import re
import string

from textsynth.pii.checksums import iban_check_digits, luhn_check_digit, nir_key
from textsynth.pii.surrogates.base import SurrogateContext, fill_like
from textsynth.registry import surrogates

__all__ = ["fill_like"]


def _pour(template: str, alnums: str) -> str:
    """Write ``alnums`` into the alphanumeric positions of ``template`` (case of the template)."""
    it = iter(alnums)
    out = []
    for ch in template:
        if ch.isalnum() and ch.isascii():
            c = next(it)
            out.append(c.lower() if ch.islower() else c)
        else:
            out.append(ch)
    return "".join(out)


@surrogates.register("*")
def generic(value: str, ctx: SurrogateContext) -> str:
    """Any other type: same layout, other characters."""
    if any(c.isalnum() and c.isascii() for c in value):
        return fill_like(value, ctx.rng)
    return ctx.faker("en_US").word()


@surrogates.register("ID")
def reference(value: str, ctx: SurrogateContext) -> str:
    """Reference numbers: same layout."""
    return fill_like(value, ctx.rng)


@surrogates.register("POSTCODE")
def postcode(value: str, ctx: SurrogateContext) -> str:
    """Postcodes: same layout (UK/CA letters stay letters)."""
    return fill_like(value, ctx.rng)


@surrogates.register("CREDIT_CARD")
def card(value: str, ctx: SurrogateContext) -> str:
    """A card of the same brand (first two digits) and length that passes Luhn."""
    digits = re.sub(r"\D", "", value)
    keep = 1 if digits[0] == "4" else 2
    body = digits[:keep] + "".join(
        ctx.rng.choice(string.digits) for _ in range(len(digits) - keep - 1)
    )
    return _pour(value, body + luhn_check_digit(body))


@surrogates.register("IBAN")
def iban(value: str, ctx: SurrogateContext) -> str:
    """An IBAN of the same country, length and layout whose check digits are valid."""
    compact = re.sub(r"\s", "", value).upper()
    country = compact[:2]
    bban = fill_like(compact[4:], ctx.rng)
    return _pour(value, country + iban_check_digits(country, bban) + bban)


@surrogates.register("PHONE")
def phone(value: str, ctx: SurrogateContext) -> str:
    """A phone number with the same layout, country code and leading digits, valid if it was."""
    import phonenumbers as pn

    if not any(c.isdigit() for c in value):
        return _spelled_phone(value, ctx)
    digits = re.sub(r"\D", "", value)
    region = {"fr": "FR", "de": "DE", "es": "ES", "it": "IT", "nl": "NL"}.get(ctx.language, "US")
    keep, valid_region = 1, None
    try:
        num = pn.parse(value, region)
        cc = str(num.country_code)
        intl = value.lstrip().startswith(("+", "00"))
        keep = len(cc) + (2 if value.lstrip().startswith("00") else 0) if intl else 0
        keep += 1 + (1 if digits[keep : keep + 1] == "0" else 0)  # trunk 0 and the first digit
        if pn.is_valid_number(num):
            valid_region = pn.region_code_for_number(num)
    except pn.NumberParseException:
        pass
    keep = min(keep, max(len(digits) - 4, 1))
    cand = value
    for _ in range(25):
        cand = fill_like(value, ctx.rng, keep=keep)
        if valid_region is None:
            break
        try:
            if pn.is_valid_number(pn.parse(cand, valid_region)):
                break
        except pn.NumberParseException:
            continue
    return cand


@surrogates.register("IP_ADDRESS")
def ip(value: str, ctx: SurrogateContext) -> str:
    """An address of the same version (IPv4 stays dotted, IPv6 compressed)."""
    addr = ipaddress.ip_address(value.strip())
    if addr.version == 4:
        return ".".join(str(ctx.rng.randint(1, 254)) for _ in range(4))
    return str(ipaddress.IPv6Address(ctx.rng.getrandbits(128)))


@surrogates.register("US_SSN")
def us_ssn(value: str, ctx: SurrogateContext) -> str:
    """A valid-looking SSN (area not 000/666/9xx, group and serial non-zero), same layout."""
    r = ctx.rng
    area = r.choice([a for a in range(1, 900) if a != 666])
    body = f"{area:03d}{r.randint(1, 99):02d}{r.randint(1, 9999):04d}"
    return _pour(value, body)


@surrogates.register("UK_NINO")
def uk_nino(value: str, ctx: SurrogateContext) -> str:
    """A NINO with valid prefix letters and suffix, same spacing and case."""
    r = ctx.rng
    first, second = "ABCEGHJKLMNOPRSTWXYZ", "ABCEGHJKLMNPRSTWXYZ"
    while True:
        prefix = r.choice(first) + r.choice(second)
        if prefix not in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ"):
            break
    body = prefix + "".join(r.choice(string.digits) for _ in range(6)) + r.choice("ABCD")
    return _pour(value, body)


@surrogates.register("FR_NIR")
def fr_nir(value: str, ctx: SurrogateContext) -> str:
    """A NIR with plausible sex/month/department fields and a correct key when present."""
    r = ctx.rng
    compact = re.sub(r"\s", "", value)
    body = (
        f"{r.randint(1, 2)}{r.randint(0, 99):02d}{r.randint(1, 12):02d}{r.randint(1, 95):02d}"
        f"{r.randint(1, 999):03d}{r.randint(1, 999):03d}"
    )
    if len(compact) == 15:
        body += f"{nir_key(body):02d}"
    return _pour(value, body[: len(compact)])


def _spelled_phone(value: str, ctx: SurrogateContext) -> str:
    """A spelled-out number ("four one five...") with other digit words, same language and
    layout; the first word is kept (like a phone's leading digit)."""
    from textsynth.pii.recognizers.phone import DIGIT_WORDS, TENS_WORDS

    first = True

    def swap(m: re.Match[str]) -> str:
        nonlocal first
        w = m.group()
        low = w.lower()
        for table in (DIGIT_WORDS, TENS_WORDS):
            for words in table.values():
                if low in words:
                    if first:
                        first = False
                        return w
                    choices = [x for x in words if x != low and x not in ("oh", "zero", "fuenf")]
                    new = ctx.rng.choice(choices)
                    return new.capitalize() if w[:1].isupper() else new
        return w

    return re.sub(r"[^\W\d_]+", swap, value)
