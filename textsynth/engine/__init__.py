"""Where the work runs: in this process (``local``) or on a Ray cluster (``ray``).

Each stage has one engine-agnostic batch function (records in, records out) held by a
long-lived worker that loads its models once (:mod:`textsynth.engine.batches`); the local engine
calls it in this process (or ``--workers`` forks), the Ray engine maps it over a
``ray.data.Dataset`` with an actor pool (:mod:`textsynth.engine.ray_pii`, ``ray_eval``,
``ray_lm``). Nothing here imports Ray: only choosing ``engine="ray"`` does.
"""

from __future__ import annotations

import importlib.util

from textsynth.errors import ConfigError, MissingDependencyError

__all__ = ["ENGINES", "EngineUnavailableError", "check_engine", "require_ray"]

ENGINES = ("local", "ray")
RAY_EXTRA = "pip install 'textsynth[ray]'"


class EngineUnavailableError(MissingDependencyError):
    """The chosen engine's optional dependency is not installed (a usage error: exit 2)."""

    exit_code = 2


def require_ray() -> None:
    """Raise :class:`EngineUnavailableError` naming the extra unless Ray Data is importable."""
    try:
        found = importlib.util.find_spec("ray") is not None
    except (ImportError, ValueError):
        found = False
    if found:
        try:
            import ray.data  # noqa: F401
        except ImportError:
            found = False
    if not found:
        raise EngineUnavailableError(
            "--engine ray needs Ray Data, which is not installed; "
            f"install the 'ray' extra: {RAY_EXTRA}"
        )


def check_engine(engine: str) -> str:
    """Return ``engine`` if it is known and usable here (Ray importable for ``ray``)."""
    if engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r}; choose one of: {', '.join(ENGINES)}")
    if engine == "ray":
        require_ray()
    return engine
