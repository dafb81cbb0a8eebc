"""Which slot labels hold PII: the default scrubbing of labelled utterances keeps the others.

A labelled utterance's slots are the values an assistant must learn (``move [1,000](amount)
[GBP](currency) from [checking](account) [last friday](date)``). Rewriting them changes what the
utterance means, so by default (``slots="pii"``) a finding that overlaps a slot is replaced only
when the slot's label names personal data (the table below); findings outside every slot are
replaced as in free text. ``slots="all"`` replaces every finding, slot or not.

Labels are compared case-insensitively after turning ``camelCase``, spaces, dots and dashes into
``_``: ``contactName``, ``contact-name`` and ``Contact Name`` are all ``contact_name``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from textsynth.pii.entities import Finding
from textsynth.types import Span

__all__ = ["PII_SLOT_LABELS", "SLOT_POLICIES", "is_pii_label", "keep_for_slots"]

SLOT_POLICIES = ("pii", "all")

# normalised slot label -> the entity type it holds (documented in docs/safety.md)
PII_SLOT_LABELS: dict[str, str] = {
    **dict.fromkeys(
        "person name first_name last_name full_name surname given_name family_name forename "
        "middle_name maiden_name nickname username user_name contact recipient payee "
        "beneficiary account_holder cardholder card_holder customer_name".split(),
        "PERSON",
    ),
    **dict.fromkeys("email e_mail email_address mail_address".split(), "EMAIL"),
    **dict.fromkeys(
        "phone phone_number telephone tel mobile mobile_number cell cell_phone msisdn".split(),
        "PHONE",
    ),
    **dict.fromkeys(
        "address street street_address home_address postal_address billing_address "
        "shipping_address".split(),
        "ADDRESS",
    ),
    **dict.fromkeys("postcode post_code postal_code zip zip_code zipcode".split(), "POSTCODE"),
    **dict.fromkeys(
        "card_number credit_card_number debit_card_number pan cvv cvc".split(), "CREDIT_CARD"
    ),
    **dict.fromkeys(
        "iban account_number bank_account bank_account_number sort_code bic swift".split(), "IBAN"
    ),
    **dict.fromkeys(
        "ssn social_security_number nino national_insurance_number national_id id_number "
        "passport passport_number tax_id nir driver_license driving_licence licence_number "
        "license_number date_of_birth dob birth_date birthday".split(),
        "ID",
    ),
    **dict.fromkeys("ip ip_address".split(), "IP_ADDRESS"),
}
# "<role>_name" is a person's name for these roles (but "restaurant_name" is not)
_PERSON_ROLES = frozenset(
    "person contact customer sender recipient receiver payee beneficiary user holder caller "
    "client patient employee guest passenger owner".split()
)
# labels ending in these are PII whatever comes first ("sender_email", "home_phone")
_SUFFIXES = (
    "email",
    "email_address",
    "phone",
    "phone_number",
    "mobile",
    "iban",
    "account_number",
    "card_number",
    "first_name",
    "last_name",
    "full_name",
    "surname",
    "postcode",
    "postal_code",
    "zip_code",
    "ssn",
    "passport_number",
    "date_of_birth",
    "street_address",
    "ip_address",
)


def _normalise(label: str) -> str:
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", label)
    return re.sub(r"[^0-9a-z]+", "_", s.lower()).strip("_")


def is_pii_label(label: str, extra: Iterable[str] = ()) -> bool:
    """Return whether slots labelled ``label`` hold personal data (see :data:`PII_SLOT_LABELS`)."""
    n = _normalise(label)
    if n in PII_SLOT_LABELS or n in {_normalise(e) for e in extra}:
        return True
    if any(n.endswith("_" + s) for s in _SUFFIXES):
        return True
    head, _, last = n.rpartition("_")
    return last == "name" and head.rsplit("_", 1)[-1] in _PERSON_ROLES


def keep_for_slots(
    findings: Sequence[Finding],
    slots: Sequence[Span],
    policy: str = "pii",
    extra: Iterable[str] = (),
) -> list[Finding]:
    """Return the findings the ``policy`` replaces in a text with these slots.

    Under ``pii``, a finding that overlaps a slot whose label is not PII is dropped, unless it
    also overlaps PII slots: it is then cut down to those slots.
    """
    if policy == "all" or not slots:
        return list(findings)
    extra = tuple(extra)
    pii = [s for s in slots if is_pii_label(s.label, extra)]
    other = [s for s in slots if not is_pii_label(s.label, extra)]
    out: list[Finding] = []
    for f in findings:
        if not any(s.start < f.end and f.start < s.end for s in other):
            out.append(f)
            continue
        for s in pii:
            if s.start < f.end and f.start < s.end:
                out.append(Finding(s.start, s.end, f.entity, f.score, f.recognizer))
    return out
