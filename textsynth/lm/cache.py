"""An on-disk request cache, so that a killed run resumes without paying for finished requests.

Each finished completion is stored in SQLite (WAL, one commit per result) under a key hashed
from ``(backend, model, prompt, parameters, seed, allowed labels when constrained)``. The server
address and the API key are not part of the key and are never stored. Failed requests are not
cached, so a rerun asks them again. The sampling loop asks the same requests, in the same order,
on a rerun (seeds per request, the filters deterministic), so every finished one is a hit.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textsynth.lm.backends.base import Backend, Completion, GenParams, Request

__all__ = ["RequestCache", "RequestStats", "request_key", "run_requests"]


def request_key(ident: dict[str, Any], request: Request, params: GenParams, constrain: bool) -> str:
    """Return the cache key (sha256 hex) of one request."""
    payload = [
        ident,
        request.prompt,
        params.to_dict(),
        request.seed,
        list(request.labels) if constrain and request.labels is not None else None,
    ]
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class RequestCache:
    """Completions by request key in a SQLite file (``None``: in memory, for this run only)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path) if self.path else ":memory:")
        if self.path is not None:
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS completions "
            "(key TEXT PRIMARY KEY, text TEXT NOT NULL, tokens INTEGER NOT NULL, "
            "truncated INTEGER NOT NULL DEFAULT 0)"
        )
        self._db.commit()

    def get(self, key: str) -> Completion | None:
        """Return the stored completion of ``key``, or ``None``."""
        row = self._db.execute(
            "SELECT text, tokens, truncated FROM completions WHERE key = ?", (key,)
        ).fetchone()
        if not row:
            return None
        return Completion(row[0], int(row[1]), cached=True, truncated=bool(row[2]))

    def put(self, key: str, completion: Completion) -> None:
        """Store a finished completion (failed ones are not stored)."""
        if completion.text is None:
            return
        self._db.execute(
            "INSERT OR REPLACE INTO completions VALUES (?, ?, ?, ?)",
            (key, completion.text, completion.tokens, int(completion.truncated)),
        )
        self._db.commit()

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM completions").fetchone()[0])

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def remove(self) -> None:
        """Close and delete the cache file (and its WAL side files)."""
        self.close()
        if self.path is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)


@dataclass
class RequestStats:
    """Totals of a run's requests (shown in the progress bar and the summary)."""

    requests: int = 0
    cached: int = 0
    sent: int = 0
    failed: int = 0
    truncated: int = 0
    tokens: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return the totals (at most 5 distinct error messages)."""
        return {
            "requests": self.requests,
            "cached": self.cached,
            "sent": self.sent,
            "failed": self.failed,
            "truncated": self.truncated,
            "tokens": self.tokens,
            "seconds": round(self.seconds, 3),
            "tokens_per_second": round(self.tokens / self.seconds, 2) if self.seconds else 0.0,
            "errors": list(dict.fromkeys(self.errors))[:5],
        }


def run_requests(
    backend: Backend,
    requests: Sequence[Request],
    params: GenParams,
    cache: RequestCache,
    stats: RequestStats,
    meter: Any = None,
) -> list[Completion]:
    """Return one completion per request: cached ones first, the rest from ``backend``.

    Each new result is stored as soon as it arrives, so an interrupt loses at most the
    requests in flight.
    """
    import time

    ident = backend.describe()
    keys = [request_key(ident, r, params, backend.constrain) for r in requests]
    out: list[Completion | None] = [cache.get(k) for k in keys]
    hits = sum(c is not None for c in out)
    stats.requests += len(requests)
    stats.cached += hits
    if meter is not None and hits:
        meter.update(hits)
    todo = [i for i, c in enumerate(out) if c is None]

    def on_result(j: int, c: Completion) -> None:
        i = todo[j]
        out[i] = c
        stats.sent += 1
        stats.tokens += c.tokens
        if c.text is None:
            stats.failed += 1
            stats.errors.append(c.error)
        else:
            cache.put(keys[i], c)
        if meter is not None:
            meter.set_postfix(tokens=stats.tokens, failed=stats.failed, cached=stats.cached)
            meter.update(1)

    if todo:
        t0 = time.perf_counter()
        try:
            backend.generate([requests[i] for i in todo], params, on_result)
        finally:
            stats.seconds += time.perf_counter() - t0
    return [c if c is not None else Completion(None, error="not run") for c in out]
