"""The secret key: from a file or an environment variable; never written to any output or log."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from textsynth.errors import ConfigError, InputError

__all__ = ["KEY_ENV", "load_key"]

KEY_ENV = "TEXTSYNTH_PII_KEY"
logger = logging.getLogger(__name__)


def load_key(
    key_file: str | os.PathLike[str] | None = None, *, env: str = KEY_ENV, required: bool = False
) -> bytes:
    """Return the key from ``key_file``, else ``$TEXTSYNTH_PII_KEY``, else a random one.

    A random key makes surrogates consistent within this run only (a warning says so);
    ``required=True`` turns that case into a ``ConfigError``.
    """
    if key_file is not None:
        p = Path(key_file)
        if not p.exists():
            raise InputError(
                f"{p}: no such key file", hint="create one: head -c 32 /dev/urandom > K"
            )
        key = p.read_bytes().strip()
        if len(key) < 16:
            raise ConfigError(f"{p}: the key must be at least 16 bytes (it has {len(key)})")
        return key
    value = os.environ.get(env)
    if value:
        if len(value.encode()) < 16:
            raise ConfigError(f"${env} must hold at least 16 bytes")
        return value.encode()
    if required:
        raise ConfigError("no key given", hint=f"pass --key-file or set ${env}")
    logger.warning(
        "no key given (--key-file or $%s): using a random key; surrogates will not "
        "match those of other runs",
        env,
    )
    return secrets.token_bytes(32)
