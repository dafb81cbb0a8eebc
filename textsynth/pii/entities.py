"""What a detector reports: :class:`Finding`, the entity types and their coarse groups."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

__all__ = ["COARSE", "ENTITY_TYPES", "Finding", "check_entity_names", "coarse"]

# fine entity type -> coarse group (the groups of eval/data/pii/label_map.json)
COARSE: dict[str, str] = {
    "PERSON": "PERSON",
    "ORG": "ORG",
    "LOCATION": "LOCATION",
    "ADDRESS": "LOCATION",
    "POSTCODE": "LOCATION",
    "DATE": "DATE",
    "EMAIL": "EMAIL",
    "PHONE": "PHONE",
    "CREDIT_CARD": "CREDIT_CARD",
    "IBAN": "IBAN",
    "IP_ADDRESS": "IP",
    "URL": "URL",
    "US_SSN": "ID",
    "UK_NINO": "ID",
    "FR_NIR": "ID",
    "ID": "ID",
    "USERNAME": "ID",
}
ENTITY_TYPES: tuple[str, ...] = tuple(COARSE)


def coarse(entity_type: str) -> str:
    """Return the coarse group of ``entity_type`` (unknown custom types map to ``ID``)."""
    return COARSE.get(entity_type, "ID")


@dataclass(frozen=True, slots=True)
class Finding:
    """One detected PII span: ``text[start:end]`` is of type ``entity`` (no value is stored).

    Attributes:
        start: first character.
        end: one past the last character.
        entity: entity type, e.g. ``PERSON`` or ``IBAN``.
        score: confidence in [0, 1].
        recognizer: name of the recognizer that found it.
    """

    start: int
    end: int
    entity: str
    score: float
    recognizer: str

    def __post_init__(self) -> None:
        if self.start < 0 or self.end <= self.start:
            raise ValueError(f"finding [{self.start}, {self.end}) is empty or negative")
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"finding score must be in [0, 1], got {self.score!r}")

    def __len__(self) -> int:
        return self.end - self.start

    def overlaps(self, other: Finding) -> bool:
        """Return whether the two findings share at least one character."""
        return self.start < other.end and other.start < self.end

    def with_score(self, score: float) -> Finding:
        """Return a copy with ``score`` clipped to [0, 1]."""
        return replace(self, score=min(1.0, max(0.0, score)))

    def to_dict(self) -> dict[str, object]:
        """Return the spans-file record fields (offsets, type, recognizer, score)."""
        return {
            "start": self.start,
            "end": self.end,
            "type": self.entity,
            "recognizer": self.recognizer,
            "score": round(self.score, 3),
        }


def check_entity_names(
    names: Iterable[str], extra: Iterable[str] = (), where: str = "entities"
) -> None:
    """Raise ``ConfigError`` for a name that is no entity type (a typo would scrub nothing).

    Args:
        names: the entity types asked for.
        extra: further valid types (those of custom recognizers and deny-lists).
        where: the option or key named in the message.
    """
    from textsynth.errors import ConfigError
    from textsynth.registry import did_you_mean

    valid = sorted(set(ENTITY_TYPES) | set(extra))
    for name in names:
        if not isinstance(name, str) or name not in valid:
            hint_name = name.upper() if isinstance(name, str) else str(name)
            close = did_you_mean(hint_name, valid)
            if not close and isinstance(name, str) and name.upper() in valid:
                close = f" (did you mean {name.upper()!r}?)"
            raise ConfigError(
                f"unknown entity type {name!r} in {where}{close}",
                hint=f"valid entity types: {', '.join(valid)}",
            )
