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
    # config sections (dotted paths, e.g. "lm.finetune") whose values are part of the fingerprint
    section: str | tuple[str, ...] = ""
    inputs: Callable[[PipelineConfig], list[Path]] = lambda cfg: []
    # more fingerprint data known only at run time (e.g. a digest of the PII key, never the key)
    extra: Callable[[RunContext], dict[str, Any]] = lambda ctx: {}


@dataclass
class RunContext:
    """Shared state of a run: the config, the run folder and the finished stages' folders."""

    config: PipelineConfig
    run_dir: Path
    outputs: dict[str, Path] = field(default_factory=dict)
    echo: Callable[[str], None] = logger.info
    _key: bytes | None = field(default=None, repr=False)

    @property
    def key_path(self) -> Path:
        """Where a generated PII key is kept: beside the run folder, not inside what is shared."""
        return self.run_dir.parent / f"{self.run_dir.name}.pii.key"

    def pii_key(self) -> bytes:
        """Return the PII key (key_file, else $key_env, else the run's stored random key)."""
        if self._key is None:
            from textsynth.pii.keys import load_key

            sc = self.config.scrub
            key_file = self.config.resolve(sc.key_file) if sc.key_file else None
            self._key = load_key(key_file, env=sc.key_env, store=self.key_path)
        return self._key

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


def _section(cfg: PipelineConfig, dotted: str) -> Any:
    obj: Any = cfg
    for part in dotted.split("."):
        obj = getattr(obj, part, None)
    return asdict(obj) if is_dataclass(obj) and not isinstance(obj, type) else obj


def fingerprint(
    stage: Stage,
    cfg: PipelineConfig,
    upstream: dict[str, str],
    extra: dict[str, Any] | None = None,
) -> str:
    """Return a hash of everything that determines the stage's output."""
    names = (stage.section,) if isinstance(stage.section, str) else stage.section
    sections = {n: _section(cfg, n) for n in names if n}
    data = {
        "stage": stage.name,
        "section": sections.get(names[0]) if len(names) == 1 else sections,
        "extra": extra or {},
        "seed": cfg.seed,
        "language": cfg.language,
        "upstream": {k: upstream[k] for k in stage.needs if k in upstream},
        "inputs": {str(p): _file_digest(p) for p in stage.inputs(cfg) if p.exists()},
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


def run_stages(stages: list[Stage], ctx: RunContext, *, force: bool = False) -> list[StageResult]:
    """Run ``stages`` in order into ``ctx.run_dir/stages``; skip the ones already done."""
    root = ctx.run_dir / "stages"
    if ctx.run_dir.exists() and not ctx.run_dir.is_dir():
        from textsynth.errors import FileError

        raise FileError(
            f"run folder {ctx.run_dir} is a file",
            str(ctx.run_dir),
            hint="choose another --run-dir",
            exit_code=2,
        )
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from textsynth.errors import file_error

        raise file_error(exc, str(root), "create the run folder") from None
    for leftover in root.glob(".*.tmp-*"):  # an interrupted stage's partial folder
        shutil.rmtree(leftover, ignore_errors=True)
    with atomic_write(ctx.run_dir / "pipeline.json") as fh:
        json.dump(ctx.config.to_dict(), fh, indent=2, default=str)
    fps: dict[str, str] = {}
    results: list[StageResult] = []
    for i, stage in enumerate(stages, 1):
        final = root / f"{i:02d}-{stage.name}"
        fp = fingerprint(stage, ctx.config, fps, stage.extra(ctx))
        fps[stage.name] = fp
        done = final / DONE
        if not force and done.exists():
            try:
                info = json.loads(done.read_text())
            except (OSError, ValueError):  # a damaged marker: redo the stage
                info = {}
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
        try:
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
        except BaseException:  # an error, Ctrl-C or SIGTERM: leave no partial stage folder
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        ctx.outputs[stage.name] = final
        ctx.echo(f"[{i}/{len(stages)}] {stage.name}: done in {secs:.1f}s")
        results.append(StageResult(stage.name, final, summary, secs))
    return results
