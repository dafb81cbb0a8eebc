"""Run pipeline stages in order, each into its own folder, resuming after an interruption.

A stage writes into a temporary folder; only when it has finished is a ``DONE.json`` written
there and the folder renamed into place (atomic on one file system). On the next run a stage
whose folder holds a ``DONE.json`` with the same fingerprint (its config, its inputs' contents and
its upstream stages' fingerprints) is skipped; anything else is redone from scratch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, is_dataclass
from pathlib import Path
from typing import Any

from textsynth.io import atomic_write
from textsynth.pipeline.config import PipelineConfig

logger = logging.getLogger(__name__)

DONE = "DONE.json"


@dataclass
class StageResult:
    """What one stage did (or that it was skipped because it was already done)."""

    name: str
    path: Path
    summary: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    skipped: bool = False


@dataclass
class Stage:
    """A named step: ``run(ctx, out_dir) -> summary``; ``needs`` are upstream stage names."""

    name: str
    run: Callable[[RunContext, Path], dict[str, Any]]
    needs: tuple[str, ...] = ()
    section: str = ""  # config section whose values are part of the fingerprint
    inputs: Callable[[PipelineConfig], list[Path]] = lambda cfg: []


@dataclass
class RunContext:
    """Shared state of a run: the config, the run folder and the finished stages' folders."""

    config: PipelineConfig
    run_dir: Path
    outputs: dict[str, Path] = field(default_factory=dict)
    echo: Callable[[str], None] = logger.info

    def output(self, stage: str) -> Path | None:
        """Return the folder of a finished stage, or ``None`` if it is not part of this run."""
        return self.outputs.get(stage)


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    if path.is_dir():
        for p in sorted(path.rglob("*")):
            if p.is_file():
                h.update(str(p.relative_to(path)).encode())
                h.update(_file_digest(p).encode())
        return h.hexdigest()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fingerprint(stage: Stage, cfg: PipelineConfig, upstream: dict[str, str]) -> str:
    """Return a hash of everything that determines the stage's output."""
    section = getattr(cfg, stage.section, None) if stage.section else None
    data = {
        "stage": stage.name,
        "section": asdict(section)
        if is_dataclass(section) and not isinstance(section, type)
        else section,
        "seed": cfg.seed,
        "language": cfg.language,
        "upstream": {k: upstream[k] for k in stage.needs if k in upstream},
        "inputs": {str(p): _file_digest(p) for p in stage.inputs(cfg) if p.exists()},
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


def run_stages(stages: list[Stage], ctx: RunContext, *, force: bool = False) -> list[StageResult]:
    """Run ``stages`` in order into ``ctx.run_dir/stages``; skip the ones already done."""
    root = ctx.run_dir / "stages"
    root.mkdir(parents=True, exist_ok=True)
    for leftover in root.glob(".*.tmp-*"):  # an interrupted stage's partial folder
        shutil.rmtree(leftover, ignore_errors=True)
    with atomic_write(ctx.run_dir / "pipeline.json") as fh:
        json.dump(ctx.config.to_dict(), fh, indent=2, default=str)
    fps: dict[str, str] = {}
    results: list[StageResult] = []
    for i, stage in enumerate(stages, 1):
        final = root / f"{i:02d}-{stage.name}"
        fp = fingerprint(stage, ctx.config, fps)
        fps[stage.name] = fp
        done = final / DONE
        if not force and done.exists():
            info = json.loads(done.read_text())
            if info.get("fingerprint") == fp:
                ctx.outputs[stage.name] = final
                ctx.echo(f"[{i}/{len(stages)}] {stage.name}: already done, skipped ({final})")
                results.append(StageResult(stage.name, final, info.get("summary", {}), 0.0, True))
                continue
        ctx.echo(f"[{i}/{len(stages)}] {stage.name} ...")
        tmp = root / f".{final.name}.tmp-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        t0 = time.perf_counter()
        summary = stage.run(ctx, tmp)
        secs = time.perf_counter() - t0
        with atomic_write(tmp / DONE) as fh:
            json.dump(
                {
                    "stage": stage.name,
                    "fingerprint": fp,
                    "seconds": round(secs, 2),
                    "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
                    "summary": summary,
                },
                fh,
                indent=2,
                default=str,
            )
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
        ctx.outputs[stage.name] = final
        ctx.echo(f"[{i}/{len(stages)}] {stage.name}: done in {secs:.1f}s")
        results.append(StageResult(stage.name, final, summary, secs))
    return results
