"""The secret key: one policy for every command, the pipeline and the library.

The key comes from a file, else an environment variable, else (where a run folder can keep it)
a fresh random key stored there with owner-only permissions. It is never derived from public
values and never written to any output, log or error; only :func:`key_digest`, a keyed one-way
digest, may appear in fingerprints.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path

from textsynth.errors import ConfigError, InputError, file_error

__all__ = ["KEY_ENV", "MIN_KEY_BYTES", "key_digest", "load_key", "new_key_file"]

KEY_ENV = "TEXTSYNTH_PII_KEY"
MIN_KEY_BYTES = 16
logger = logging.getLogger(__name__)


def _read_key_file(p: Path) -> bytes:
    if not p.exists():
        raise InputError(
            f"{p}: no such key file",
            hint=f'create one: python -c "import secrets; print(secrets.token_hex(32))" > {p}'
            f" && chmod 600 {p}",
        )
    if p.is_dir():
        raise InputError(f"{p}: is a directory, not a key file", hint="give the key file's path")
    try:
        key = p.read_bytes().strip()
    except OSError as exc:
        raise file_error(exc, str(p), "read the key file") from None
    if len(key) < MIN_KEY_BYTES:
        raise ConfigError(
            f"{p}: the key must be at least {MIN_KEY_BYTES} bytes (it has {len(key)})",
            hint='use 32 random bytes: python -c "import secrets; print(secrets.token_hex(32))"',
        )
    return key


def new_key_file(path: str | os.PathLike[str]) -> bytes:
    """Write a fresh random key (64 hex characters) to ``path``, readable by its owner only."""
    from textsynth.io import atomic_write

    key = secrets.token_hex(32).encode()
    with atomic_write(path, "wb", private=True) as fh:
        fh.write(key + b"\n")
    return key


def load_key(
    key_file: str | os.PathLike[str] | None = None,
    *,
    env: str = KEY_ENV,
    required: bool = False,
    store: str | os.PathLike[str] | None = None,
) -> bytes:
    """Return the key from ``key_file``, else ``$TEXTSYNTH_PII_KEY``, else a random one.

    Args:
        key_file: a file holding the key (at least 16 bytes, surrounding whitespace ignored).
        env: the environment variable read when there is no key file.
        required: raise ``ConfigError`` rather than make a random key.
        store: where a random key is kept (a run folder's key file, 0600): an existing file
            there is reused, so a resumed run keeps its surrogates; a new one is announced.

    A random key that is not stored makes surrogates consistent within this process only (a
    warning says so).
    """
    if key_file is not None and str(key_file) != "":
        return _read_key_file(Path(key_file))
    value = os.environ.get(env)
    if value:
        if len(value.encode()) < MIN_KEY_BYTES:
            raise ConfigError(
                f"${env} must hold at least {MIN_KEY_BYTES} bytes (it has {len(value.encode())})"
            )
        return value.encode()
    if required:
        raise ConfigError("no key given", hint=f"pass --key-file or set ${env}")
    if store is not None:
        p = Path(store)
        if p.exists():
            return _read_key_file(p)
        key = new_key_file(p)
        logger.warning(
            "no key given (key_file or $%s): generated a random key in %s (mode 0600). Keep it "
            "secret; reuse it (key_file: %s) for surrogates consistent across runs",
            env,
            p,
            p,
        )
        return key
    logger.warning(
        "no key given (--key-file or $%s): using a random key; surrogates will not "
        "match those of other runs",
        env,
    )
    return secrets.token_bytes(32)


def key_digest(key: bytes) -> str:
    """Return a short one-way digest of ``key`` for fingerprints (never the key itself)."""
    return hmac.new(key, b"textsynth key fingerprint v1", hashlib.sha256).hexdigest()[:16]
