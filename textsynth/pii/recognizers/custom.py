"""Custom pattern recognizers, allow-lists and deny-lists declared in a YAML or TOML file.

Example (YAML)::

    recognizers:
      - name: employee-id
        entity: EMPLOYEE_ID
        patterns:
          - {name: emp, regex: "EMP-\\d{6}", score: 0.9}
        context: [employee, staff]
        validate: luhn            # optional: luhn | iban | none
    allow_list: [Acme Support]    # never PII
    deny_list:                    # always PII, by type
      PERSON: [Bobby Tables]
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textsynth.errors import ConfigError, InputError
from textsynth.pii.checksums import iban_valid, luhn_valid
from textsynth.pii.recognizers.base import Pattern, PatternRecognizer

__all__ = ["CustomConfig", "CustomPatternRecognizer", "load_custom"]

_VALIDATORS = {
    "none": None,
    "luhn": lambda s: luhn_valid("".join(c for c in s if c.isdigit())),
    "iban": iban_valid,
}


class CustomPatternRecognizer(PatternRecognizer):
    """A pattern recognizer built from data, with an optional named checksum validator."""

    def __init__(self, *, validator: str = "none", **kw: Any) -> None:
        if validator not in _VALIDATORS:
            raise ConfigError(
                f"unknown validator {validator!r}; choose one of: {', '.join(_VALIDATORS)}"
            )
        self._validator = _VALIDATORS[validator]
        super().__init__(**kw)

    def validate(self, match: str) -> bool | None:  # noqa: D102
        if self._validator is None:
            return None
        return True if self._validator(match) else False

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CustomPatternRecognizer:
        """Build a recognizer from its declaration (``name``, ``entity``, ``patterns``...)."""
        for key in ("name", "entity", "patterns"):
            if key not in d:
                raise ConfigError(f"custom recognizer {dict(d)!r} needs a {key!r} field")
        pats = d["patterns"]
        if not isinstance(pats, list) or not pats:
            raise ConfigError(
                f"custom recognizer {d['name']!r}: 'patterns' must be a non-empty list"
            )
        return cls(
            name=str(d["name"]),
            entity=str(d["entity"]).upper(),
            patterns=[Pattern.from_dict(p) for p in pats],
            context=[str(w) for w in d.get("context", [])],
            negative_context=[str(w) for w in d.get("negative_context", [])],
            languages=d.get("languages"),
            validator=str(d.get("validate", "none")),
        )


@dataclass
class CustomConfig:
    """What a custom file declares: recognizers, an allow-list and a deny-list."""

    recognizers: list[CustomPatternRecognizer] = field(default_factory=list)
    allow_list: list[str] = field(default_factory=list)
    deny_list: dict[str, list[str]] = field(default_factory=dict)


def load_custom(path: str | os.PathLike[str]) -> CustomConfig:
    """Read a YAML (``.yml``/``.yaml``) or TOML (``.toml``) recognizer file."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file", hint="check the --recognizers path")
    raw = p.read_text(encoding="utf-8")
    try:
        if p.suffix.lower() == ".toml":
            try:
                import tomllib
            except ImportError:  # Python 3.10
                from textsynth._compat import require

                tomllib = require("tomli", feature="TOML recognizer files")
            data = tomllib.loads(raw)
        else:
            import yaml

            data = yaml.safe_load(raw) or {}
    except Exception as exc:  # noqa: BLE001 - both parsers raise their own error types
        raise ConfigError(f"{p}: cannot parse recognizer file: {exc}") from None
    if not isinstance(data, Mapping):
        raise ConfigError(f"{p}: expected a mapping with 'recognizers', 'allow_list', 'deny_list'")
    try:
        recs = [CustomPatternRecognizer.from_dict(r) for r in data.get("recognizers", []) or []]
    except ConfigError as exc:
        raise ConfigError(f"{p}: {exc.message}") from None
    deny = data.get("deny_list", {}) or {}
    if not isinstance(deny, Mapping):
        raise ConfigError(f"{p}: 'deny_list' must map an entity type to a list of values")
    return CustomConfig(
        recognizers=recs,
        allow_list=[str(v) for v in data.get("allow_list", []) or []],
        deny_list={str(k).upper(): [str(v) for v in vs] for k, vs in deny.items()},
    )
