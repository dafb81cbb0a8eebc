"""Connecting to Ray: a cluster (``ray://host:10001``, ``$RAY_ADDRESS``) or a new local one."""

from __future__ import annotations

import logging
import os
from typing import Any

from textsynth.engine import require_ray

__all__ = ["connect"]

logger = logging.getLogger(__name__)


def connect(address: str | None = None, *, num_cpus: int | None = None) -> Any:
    """Return the ``ray`` module, connected to a cluster.

    Args:
        address: ``ray://host:10001`` (Ray Client), ``auto`` (the cluster this machine belongs
            to) or ``None``: ``$RAY_ADDRESS`` if set, else a new local cluster on this machine.
        num_cpus: CPUs of a new local cluster (ignored when joining one).
    """
    require_ray()
    import ray

    if not ray.is_initialized():
        address = address or os.environ.get("RAY_ADDRESS") or None
        kwargs: dict[str, Any] = {"ignore_reinit_error": True, "log_to_driver": False}
        if address is None:
            kwargs.update(num_cpus=num_cpus, include_dashboard=False)
        logger.info("connecting to Ray at %s", address or "a new local cluster")
        ray.init(address=address, **kwargs)
    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True  # output order = input order, always
    ctx.enable_progress_bars = False
    return ray
