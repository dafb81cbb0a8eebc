"""``textsynth run PIPELINE.yaml`` and ``textsynth demo``."""

from __future__ import annotations

import time
from pathlib import Path

import click

from textsynth.errors import InputError


def _print_results(results, run_dir: Path) -> None:  # noqa: ANN001
    click.echo("")
    click.echo(f"{'stage':<10} {'status':<9} {'seconds':>8}  output")
    for r in results:
        status = "skipped" if r.skipped else "done"
        click.echo(f"{r.name:<10} {status:<9} {r.seconds:>8.1f}  {r.path}")
    click.echo(f"\nrun folder: {run_dir}")
    key = run_dir.parent / f"{run_dir.name}.pii.key"
    if key.exists():
        click.echo(f"PII key (generated, mode 0600, keep it secret): {key}")


def _print_metrics(results) -> None:  # noqa: ANN001
    """Print the evaluation's headline metrics (the full table is in the report)."""
    by = {r.name: r for r in results}
    if "evaluate" not in by:
        return
    metrics = by["evaluate"].summary.get("metrics") or {}
    if not metrics:
        return
    click.echo("\nHeadline metrics (details: report.html):")
    for name, value in metrics.items():
        shown = "n/a" if value is None else f"{value:.3f}"
        click.echo(f"  {name:<18} {shown}")


@click.command()
@click.argument("pipeline_file", type=click.Path(dir_okay=False))
@click.option("--run-dir", type=click.Path(file_okay=False), help="Where stage outputs go.")
@click.option("--force", is_flag=True, help="Redo every stage, even those already done.")
def run(pipeline_file: str, run_dir: str | None, force: bool) -> None:
    """Run (or resume) the pipeline declared in PIPELINE_FILE.

    Stages: seeds (+scrub) -> grammar -> finetune -> sample -> merge -> evaluate -> export. Each
    stage's output is kept in the run folder; an interrupted run resumes after the last
    finished stage.
    """
    from textsynth import pipeline

    cfg = pipeline.load(pipeline_file)
    # run_dir in the file is relative to the file, like every other path in it
    folder = Path(run_dir) if run_dir else cfg.resolve(cfg.run_dir) if cfg.run_dir else None
    folder = folder or Path("runs") / cfg.name
    results = pipeline.run(cfg, folder, force=force, echo=lambda s: click.echo(s, err=True))
    _print_results(results, folder)
    _print_metrics(results)


@click.command()
@click.option(
    "--example",
    default="examples/banking",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder holding pipeline.yaml.",
)
@click.option(
    "--out",
    default="demo-out",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Run folder.",
)
@click.option("--force", is_flag=True, help="Redo every stage.")
def demo(example: str, out: str, force: bool) -> None:
    """Run the whole pipeline on the embedded banking example and say where everything went."""
    from textsynth import pipeline

    cfg_path = Path(example) / "pipeline.yaml"
    if not cfg_path.exists():
        raise InputError(
            f"{cfg_path}: no such file",
            hint="run the demo from the repository root, or pass --example DIR",
        )
    t0 = time.perf_counter()
    cfg = pipeline.load(cfg_path)
    results = pipeline.run(cfg, out, force=force, echo=lambda s: click.echo(s, err=True))
    _print_results(results, Path(out))
    by = {r.name: r for r in results}
    click.echo("\nWhere everything went:")
    if "seeds" in by:
        click.echo(f"  scrubbed seeds      {by['seeds'].path / 'seeds.jsonl'}")
    if "grammar" in by:
        click.echo(f"  grammar expansion   {by['grammar'].path / 'grammar.jsonl'}")
    if "sample" in by:
        click.echo(f"  LM generations      {by['sample'].path / 'generated.jsonl'}")
        click.echo(f"  filter summary      {by['sample'].path / 'filters.json'}")
    if "evaluate" in by:
        click.echo(f"  evaluation report   {by['evaluate'].path / 'report' / 'report.html'}")
        click.echo(f"  metrics (JSON)      {by['evaluate'].path / 'report' / 'metrics.json'}")
    for fmt, name in by["export"].summary.get("files", {}).items():
        click.echo(f"  training set ({fmt}): {by['export'].path / name}")
    _print_metrics(results)
    click.echo(f"\ndemo finished in {time.perf_counter() - t0:.0f}s")
