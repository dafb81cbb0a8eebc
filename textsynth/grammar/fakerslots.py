"""Slot values drawn from Faker providers at compile time (``faker:city`` in a slot rule).

Each provider gives a fixed list of K distinct values, drawn with a Faker seeded from the
grammar's ``%faker_seed`` (default 0) and the provider name, in the grammar's ``%locale``. The
values do not depend on the generation seed, so counts stay exact and output reproducible.
Faker is imported only when a grammar uses a ``faker:`` rule.
"""

from __future__ import annotations

import difflib
import zlib
from typing import Any

from textsynth.errors import GrammarError, Location
from textsynth.grammar import messages as msg

__all__ = ["FakerValues"]

DEFAULT_K = 50


class FakerValues:
    """Draw and cache provider values for one grammar.

    Args:
        locale: Faker locale such as ``fr_FR`` (``None`` = ``en_US``).
        k: default number of values per provider (``%faker_count``).
        seed: ``%faker_seed``.
        sources: file lines for error context.
        locale_loc: where ``%locale`` was set.
        file_locales: ``{path: (locale, location)}`` for files with their own ``%locale``
            (a ``faker:`` rule uses its own file's locale, else the main one).
    """

    def __init__(
        self,
        locale: str | None,
        k: int,
        seed: int,
        sources: dict[str, list[str]],
        locale_loc: Location | None = None,
        file_locales: dict[str, tuple[str, Location]] | None = None,
    ) -> None:
        self.locale = locale or "en_US"
        self.k = k
        self.seed = seed
        self.sources = sources
        self.locale_loc = locale_loc
        self.file_locales = file_locales or {}
        self.errors: list[GrammarError] = []
        self._fakers: dict[str, Any] = {}
        self._cache: dict[tuple[str, str, int], list[str]] = {}

    def _src(self, loc: Location | None) -> str | None:
        if loc is None:
            return None
        lines = self.sources.get(loc.path, [])
        return lines[loc.line - 1] if 0 < loc.line <= len(lines) else None

    def _get_faker(self, loc: Location) -> Any:
        locale, where = self.file_locales.get(loc.path, (self.locale, self.locale_loc))
        if locale not in self._fakers:
            from faker import Faker
            from faker.config import AVAILABLE_LOCALES

            use = locale
            if locale not in AVAILABLE_LOCALES:
                where = where or loc
                self.errors.append(
                    GrammarError(
                        msg.BAD_HEADER_VALUE.format(value=locale, key="locale"),
                        where,
                        hint="use a Faker locale such as en_US, fr_FR, de_DE",
                        source_line=self._src(where),
                    )
                )
                use = "en_US"
            self._fakers[locale] = Faker(use)
        return self._fakers[locale]

    def __call__(self, provider: str, k: int | None, loc: Location) -> list[str]:
        """Return ``k`` distinct values of ``provider`` (an empty list after an error)."""
        k = k or self.k
        fake = self._get_faker(loc)
        key = (str(fake.locales), provider, k)
        if key in self._cache:
            return self._cache[key]
        fn = getattr(fake, provider, None) if not provider.startswith("_") else None
        if not callable(fn):
            names = [n for n in dir(fake) if not n.startswith("_")]
            close = difflib.get_close_matches(provider, names, n=1, cutoff=0.6)
            sugg = f" (did you mean '{close[0]}'?)" if close else ""
            self.errors.append(
                GrammarError(
                    msg.BAD_FAKER.format(name=provider, suggestion=sugg),
                    loc,
                    hint="see https://faker.readthedocs.io for provider names",
                    source_line=self._src(loc),
                )
            )
            self._cache[key] = []
            return []
        fake.seed_instance(self.seed ^ zlib.crc32(provider.encode()))
        values: list[str] = []
        seen: set[str] = set()
        for _ in range(k * 20):
            try:
                v = " ".join(str(fn()).split())
            except TypeError:
                break  # the provider needs arguments
            if v and v not in seen:
                seen.add(v)
                values.append(v)
                if len(values) >= k:
                    break
        if not values:
            self.errors.append(
                GrammarError(
                    msg.FAKER_EMPTY.format(name=provider),
                    loc,
                    hint="pick a provider that returns short text",
                    source_line=self._src(loc),
                )
            )
        self._cache[key] = values
        return values
