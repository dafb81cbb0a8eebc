"""Reversible mode: the surrogate -> original mapping, encrypted (Fernet) under the secret key.

Without the vault (and the key) the output cannot be reversed. The Fernet key is derived from
the secret key with HKDF under its own label, so the vault key differs from the HMAC key.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

from textsynth.errors import ConfigError, InputError
from textsynth.io import atomic_write

__all__ = ["Vault"]


def _fernet(key: bytes):  # noqa: ANN202 - cryptography type
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"textsynth-pii", info=b"vault-v1"
    ).derive(key)
    return Fernet(base64.urlsafe_b64encode(derived))


class Vault:
    """Collects ``(entity, replacement) -> original`` pairs; saved encrypted, loaded to re-identify.

    Args:
        key: the secret key (the same one that keys the surrogates).
    """

    def __init__(self, key: bytes) -> None:
        self._key = key
        # entity -> replacement -> originals (realistic surrogates come from finite pools, so two
        # values may share one; re-identification then lists both)
        self._map: dict[str, dict[str, list[str]]] = {}

    def __repr__(self) -> str:
        return f"Vault({len(self)} entries)"

    def __len__(self) -> int:
        return sum(len(o) for m in self._map.values() for o in m.values())

    def add(self, entity: str, replacement: str, original: str) -> None:
        """Record that ``replacement`` stands for ``original``."""
        originals = self._map.setdefault(entity, {}).setdefault(replacement, [])
        if original not in originals:
            originals.append(original)

    def update(self, other: Vault | list[tuple[str, str, str]]) -> None:
        """Merge another vault or a list of ``(entity, replacement, original)`` triples."""
        items = other.items() if isinstance(other, Vault) else other
        for e, r, o in items:
            self.add(e, r, o)

    def items(self) -> list[tuple[str, str, str]]:
        """Return every ``(entity, replacement, original)`` triple."""
        return [(e, r, o) for e, m in self._map.items() for r, os_ in m.items() for o in os_]

    def lookup(self, entity: str, replacement: str) -> str | None:
        """Return the original behind ``replacement`` (``None`` if unknown or ambiguous)."""
        originals = self.lookup_all(entity, replacement)
        return originals[0] if len(originals) == 1 else None

    def lookup_all(self, entity: str, replacement: str) -> list[str]:
        """Return every original that was replaced by ``replacement``."""
        return list(self._map.get(entity, {}).get(replacement, []))

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the vault encrypted, atomically."""
        token = _fernet(self._key).encrypt(json.dumps(self._map, ensure_ascii=False).encode())
        with atomic_write(path, "wb") as fh:
            fh.write(token)

    @classmethod
    def load(cls, path: str | os.PathLike[str], key: bytes) -> Vault:
        """Decrypt a saved vault (``ConfigError`` if the key is wrong)."""
        from cryptography.fernet import InvalidToken

        p = Path(path)
        if not p.exists():
            raise InputError(f"{p}: no such vault file")
        try:
            data = json.loads(_fernet(key).decrypt(p.read_bytes()))
        except InvalidToken:
            raise ConfigError(f"{p}: cannot decrypt the vault: wrong key or damaged file") from None
        v = cls(key)
        v._map = {e: {r: list(o) for r, o in m.items()} for e, m in data.items()}
        return v
