"""Check digits shared by recognizers (to validate) and surrogates (to stay valid)."""

from __future__ import annotations

__all__ = ["iban_check_digits", "iban_valid", "luhn_check_digit", "luhn_valid", "nir_key"]


def luhn_valid(digits: str) -> bool:
    """Return whether the digit string passes the Luhn (mod 10) check."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_check_digit(payload: str) -> str:
    """Return the digit that makes ``payload + digit`` pass Luhn."""
    for d in "0123456789":
        if luhn_valid(payload + d):
            return d
    raise AssertionError("unreachable")  # pragma: no cover


def _iban_number(rearranged: str) -> int:
    return int("".join(str(int(c, 36)) for c in rearranged))


def iban_valid(iban: str) -> bool:
    """Return whether ``iban`` (spaces allowed, any case) passes the ISO 13616 mod-97 check."""
    s = iban.replace(" ", "").upper()
    if not (15 <= len(s) <= 34) or not s[:2].isalpha() or not s[2:4].isdigit() or not s.isalnum():
        return False
    return _iban_number(s[4:] + s[:4]) % 97 == 1


def iban_check_digits(country: str, bban: str) -> str:
    """Return the two check digits for ``country`` + ``bban`` (upper-case alphanumerics)."""
    n = _iban_number(bban.upper() + country.upper() + "00")
    return f"{98 - n % 97:02d}"


def nir_key(nir13: str) -> int:
    """Return the 2-digit key of a French NIR's first 13 characters (Corsica 2A/2B handled)."""
    s = nir13.upper().replace("2A", "19").replace("2B", "18")
    return 97 - int(s) % 97
