"""``textsynth evaluate``: score synthetic utterances against their seeds, write a report."""

from __future__ import annotations

from pathlib import Path

import click

from textsynth import formats
from textsynth.errors import InputError
from textsynth.types import Utterance


def _read(path: str | None, fmt: str | None) -> list[Utterance] | None:
    if path is None:
        return None
    return list(formats.read(path, fmt))


def _read_synthetic(path: str, fmt: str | None) -> tuple[list[Utterance], list[str]]:
    """Read the synthetic set; unreadable JSONL records are kept as reasons, not fatal."""
    if (fmt or formats.guess(path)) != "jsonl":
        return list(formats.read(path, fmt)), []
    from textsynth.io import read_utterances

    rejected: list[str] = []

    def on_error(lineno: int, line: str, err: InputError) -> None:
        rejected.append(err.message if err.location is None else f"{err.location}: {err.message}")

    return list(read_utterances(path, on_error=on_error)), rejected


@click.command()
@click.option("-s", "--synthetic", required=True, help="Synthetic utterances to evaluate.")
@click.option("--seeds", required=True, help="The real utterances the generator saw.")
@click.option("--holdout", help="Real utterances it did not see: the 'not memorised' reference.")
@click.option("--reference", help="Real labelled set for the oracle (default: seeds + holdout).")
@click.option("--test", help="Real labelled test set (oracle accuracy, TSTR, augmentation gain).")
@click.option(
    "-o",
    "--output",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Directory for metrics.json and report.html.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(formats.names()),
    help="Format of every input file (default: by extension).",
)
@click.option(
    "--no-embeddings", is_flag=True, help="Skip sentence embeddings (fast: text metrics only)."
)
@click.option(
    "--classifier",
    type=click.Choice(["auto", "embeddings", "tfidf", "none"]),
    default="auto",
    show_default=True,
    help="Features of the oracle and TSTR classifiers (auto: embeddings if on).",
)
@click.option(
    "-m",
    "--metric",
    "metric_names",
    multiple=True,
    help="Compute only this metric (repeatable); default: all.",
)
@click.option(
    "--max-embed",
    type=int,
    default=10_000,
    show_default=True,
    help="Embed/classify at most this many synthetic utterances (seeded sample; 0=all).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of every sample.")
@click.option(
    "--slot-tagger",
    default="seeds",
    show_default=True,
    help="Slot fidelity's judge: 'seeds' (CRF on the seeds + grammar utterances: weak), "
    "'reference' (oracle CRF on --reference: strong) or a saved tagger file.",
)
@click.option(
    "--fluency/--no-fluency",
    default=None,
    help="Score fluency under a reference LM (default: on when embeddings are on).",
)
@click.option("--fluency-model", help="Causal LM for fluency (default: the embedded SmolLM2).")
@click.option(
    "--max-fluency",
    type=int,
    default=1000,
    show_default=True,
    help="Score fluency on at most this many utterances per set (seeded sample; 0=all).",
)
@click.option("--no-html", is_flag=True, help="Write metrics.json only.")
@click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="ray: read, validate and tokenise the synthetic JSONL on a Ray cluster's actors "
    "($RAY_ADDRESS, else a local one); the corpus metrics stay exact. Needs textsynth[ray].",
)
def evaluate(
    synthetic: str,
    seeds: str,
    holdout: str | None,
    reference: str | None,
    test: str | None,
    out_dir: str,
    fmt: str | None,
    no_embeddings: bool,
    classifier: str,
    metric_names: tuple[str, ...],
    max_embed: int,
    seed: int,
    slot_tagger: str,
    fluency: bool | None,
    fluency_model: str | None,
    max_fluency: int,
    no_html: bool,
    engine: str,
) -> None:
    """Measure diversity, label fidelity and memorisation of SYNTHETIC against SEEDS.

    Writes metrics.json (stable keys) and report.html (one self-contained file) to -o and
    prints a summary table.
    """
    from textsynth.metrics import evaluate as run_evaluation

    if classifier == "embeddings" and no_embeddings:
        raise click.UsageError(
            "--classifier embeddings needs sentence embeddings: drop --no-embeddings, "
            "or use --classifier tfidf"
        )
    from textsynth.io import check_distinct

    out = Path(out_dir)
    src: str | None
    for opt, src in (
        ("--synthetic", synthetic),
        ("--seeds", seeds),
        ("--holdout", holdout),
        ("--reference", reference),
        ("--test", test),
    ):
        if src and out.is_dir() and Path(src).resolve().parent == out.resolve():
            for name in ("metrics.json", "report.html"):
                pair: dict[str, str | Path] = {opt: src, "-o/" + name: out / name}
                check_distinct(**pair)
    precomputed = None
    if engine == "ray":
        from textsynth.engine import require_ray

        require_ray()
        if (fmt or formats.guess(synthetic)) != "jsonl":
            raise InputError("--engine ray reads JSONL synthetic sets", hint="convert it first")
        from textsynth.engine.ray_eval import read_synthetic_ray

        syn, tokens, rejected, _ = read_synthetic_ray(synthetic)
        precomputed = {("tokens", "synthetic"): tokens}
    else:
        syn, rejected = _read_synthetic(synthetic, fmt)
    report = run_evaluation(
        syn,
        _read(seeds, fmt) or [],
        holdout=_read(holdout, fmt),
        reference=_read(reference, fmt),
        test=_read(test, fmt),
        embeddings=not no_embeddings,
        metrics=list(metric_names) or None,
        seed=seed,
        classifier_features=classifier,
        rejected=rejected,
        show_progress=True,
        max_embed=max_embed or None,
        precomputed=precomputed,
        slot_tagger=slot_tagger,
        fluency=fluency,
        fluency_model=fluency_model,
        max_fluency=max_fluency or None,
        inputs={
            "synthetic": synthetic,
            "seeds": seeds,
            "holdout": holdout or "",
            "reference": reference or "",
            "test": test or "",
        },
    )
    paths = report.save(Path(out_dir), html=not no_html)
    click.echo(report.to_table())
    for p in paths.values():
        click.echo(f"wrote {p}", err=True)
