"""``textsynth run PIPELINE.yaml``: the stages as one resumable pipeline."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from textsynth.pipeline.config import PipelineConfig, from_dict, load
from textsynth.pipeline.runner import RunContext, StageResult, run_stages
from textsynth.pipeline.stages import build_stages

__all__ = ["PipelineConfig", "StageResult", "from_dict", "load", "run"]

logger = logging.getLogger(__name__)


def run(
    config: PipelineConfig,
    run_dir: str | Path | None = None,
    *,
    force: bool = False,
    echo: Callable[[str], None] = logger.info,
) -> list[StageResult]:
    """Run (or resume) a pipeline; return what each stage did.

    Args:
        config: the validated pipeline.
        run_dir: where stage folders go (default: ``config.run_dir``, relative to the pipeline
            file, or ``runs/<name>``).
        force: redo every stage even if it is already done.
        echo: where progress lines go.
    """
    if run_dir:
        folder = Path(run_dir)
    elif config.run_dir:  # relative to the pipeline file, like every path in it
        folder = config.resolve(config.run_dir)
    else:
        folder = Path("runs") / config.name
    ctx = RunContext(config=config, run_dir=folder, echo=echo)
    return run_stages(build_stages(config), ctx, force=force)
