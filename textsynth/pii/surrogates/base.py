"""SurrogateMap: consistent, order-independent surrogates from a keyed HMAC of the value.

The same ``(entity type, normalised value, language)`` always gives the same surrogate, whatever
the order or process: the HMAC-SHA256 of it under a secret key seeds a ``random.Random`` that the
type's generator draws from. Without the key nothing links a surrogate back to its value.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import random
import re
import string
from collections.abc import Callable
from typing import Any

from textsynth.registry import surrogates as registry

__all__ = ["LOCALES", "SurrogateContext", "SurrogateMap", "fill_like", "identity_form"]

LOCALES: dict[str, str] = {
    "en": "en_US",
    "fr": "fr_FR",
    "de": "de_DE",
    "es": "es_ES",
    "it": "it_IT",
    "nl": "nl_NL",
    "pt": "pt_PT",
    "pl": "pl_PL",
    "sv": "sv_SE",
    "da": "da_DK",
    "fi": "fi_FI",
    "no": "no_NO",
}
_MAX_TRIES = 16
# types whose surrogates follow the text's locale; the others are the same in every language
LOCALISED = frozenset({"PERSON", "ORG", "LOCATION", "ADDRESS", "DATE"})
# types whose generator may give the value back: the parts that identify (a calendar date, a
# time) change, but words that identify no one ("the 60s", "this month") are kept as they are
MAY_KEEP = frozenset({"DATE"})


def identity_form(entity: str, value: str) -> str:
    """Return the form of ``value`` that identifies the entity (layout and case removed)."""
    if entity in ("PHONE", "CREDIT_CARD", "US_SSN"):
        digits = re.sub(r"\D", "", value)
        if not digits:  # spelled out ("four one five..."): the words
            return " ".join(re.findall(r"[^\W\d_]+", value.casefold()))
        return ("+" if value.lstrip().startswith("+") else "") + digits
    if entity in ("IBAN", "UK_NINO", "FR_NIR", "POSTCODE", "ID"):
        return re.sub(r"[\W_]", "", value).upper()
    if entity in ("EMAIL", "URL", "IP_ADDRESS"):
        return value.strip().lower()
    return " ".join(value.split()).casefold()


class SurrogateContext:
    """What a generator may use: a seeded ``rng``, a seeded Faker, per-part derivations."""

    def __init__(
        self, smap: SurrogateMap, entity: str, language: str, rng: random.Random, attempt: int
    ) -> None:
        self.map = smap
        self.entity = entity
        self.language = language
        self.locale = LOCALES.get(language, "en_US")
        self.rng = rng
        self.attempt = attempt

    def faker(self, locale: str | None = None) -> Any:
        """Return this locale's (or ``locale``'s) Faker, seeded from the value's digest."""
        return self.map.faker(locale or self.locale, self.rng.getrandbits(64))

    def derive(self, label: str, value: str) -> random.Random:
        """Return an rng for a part of the value (e.g. one name token), consistent everywhere."""
        return random.Random(self.map.digest(label, value, self.language, self.attempt))


class SurrogateMap:
    """Maps PII values to surrogates with a secret key; owned by the caller (no global state).

    Args:
        key: the secret HMAC key (bytes or str). Never logged or written anywhere.
        cache_size: how many recent ``value -> surrogate`` results are memoised.
    """

    def __init__(self, key: bytes | str, *, cache_size: int = 200_000) -> None:
        if isinstance(key, str):
            key = key.encode("utf-8")
        if len(key) < 16:
            from textsynth.errors import ConfigError

            raise ConfigError(
                "the pseudonymisation key must be at least 16 bytes",
                hint="generate one with: head -c 32 /dev/urandom | base64",
            )
        self._key = key
        self._fakers: dict[str, Any] = {}
        self._cache: dict[tuple[str, str, str], str] = {}
        self._cache_size = cache_size
        self._pools: dict[tuple[str, str], Any] = {}

    def __repr__(self) -> str:  # never show the key
        return f"SurrogateMap(<key hidden>, {len(self._cache)} cached)"

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_fakers": {}, "_cache": {}}

    def digest(self, entity: str, normalised: str, language: str, attempt: int = 0) -> int:
        """Return the keyed digest of a normalised value as an integer seed."""
        msg = f"{entity}\x1f{language}\x1f{normalised}\x1f{attempt}".encode()
        return int.from_bytes(hmac.new(self._key, msg, hashlib.sha256).digest()[:16], "big")

    def hash(self, entity: str, value: str, length: int = 16) -> str:
        """Return a keyed hex hash of the normalised value (the ``hash`` operator)."""
        msg = f"{entity}\x1f{identity_form(entity, value)}".encode()
        return hmac.new(self._key, msg, hashlib.sha256).hexdigest()[:length]

    def faker(self, locale: str, seed: int) -> Any:
        """Return the Faker of ``locale`` (created once per map), seeded with ``seed``."""
        fk = self._fakers.get(locale)
        if fk is None:
            from faker import Faker

            try:
                fk = Faker(locale)
            except AttributeError:
                fk = Faker("en_US")
            self._fakers[locale] = fk
        fk.seed_instance(seed)
        return fk

    def pool(self, locale: str, name: str, build: Callable[[str], Any]) -> Any:
        """Return a cached per-locale word pool built by ``build(locale)``."""
        key = (locale, name)
        if key not in self._pools:
            self._pools[key] = build(locale)
        return self._pools[key]

    def surrogate(self, entity: str, value: str, language: str = "en") -> str:
        """Return the surrogate of ``value``; never equal to it (after normalisation)."""
        ck = (entity, value, language)
        hit = self._cache.get(ck)
        if hit is not None:
            return hit
        gen = _generator(entity)
        norm = identity_form(entity, value)
        scope = language if entity in LOCALISED else "*"
        out = value
        for attempt in range(_MAX_TRIES):
            rng = random.Random(self.digest(entity, norm, scope, attempt))
            out = gen(value, SurrogateContext(self, entity, language, rng, attempt))
            if (identity_form(entity, out) != norm and out.strip()) or (
                entity in MAY_KEEP and out == value
            ):
                break
        else:  # pragma: no cover - generators vary enough; never leave a placeholder though
            out = fill_like(value, random.Random(self.digest(entity, norm, scope, _MAX_TRIES)))
        if len(self._cache) >= self._cache_size:
            self._cache.clear()
        self._cache[ck] = out
        return out


def _generator(entity: str) -> Callable[[str, SurrogateContext], str]:
    if entity not in registry:
        importlib.import_module("textsynth.pii.surrogates")  # registers the built-ins
    if entity in registry:
        return registry.get(entity)
    return registry.get("*")


def fill_like(template: str, rng: random.Random, keep: int = 0) -> str:
    """Replace each digit/letter after the first ``keep`` by a random one of the same class.

    Separators, spacing and letter case are kept, so the layout is unchanged.
    """
    out = []
    seen = 0
    for ch in template:
        if ch.isalnum() and ch.isascii():
            seen += 1
            if seen <= keep:
                out.append(ch)
            elif ch.isdigit():
                out.append(rng.choice(string.digits))
            elif ch.isupper():
                out.append(rng.choice(string.ascii_uppercase))
            else:
                out.append(rng.choice(string.ascii_lowercase))
        else:
            out.append(ch)
    return "".join(out)
