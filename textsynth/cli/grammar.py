"""``textsynth grammar check|count|generate``: the grammar engine on the command line."""

from __future__ import annotations

import json

import click

from textsynth.errors import ConfigError


@click.group()
def grammar() -> None:
    """Check, count and expand template grammars (.tsg, .chatette, .chatito)."""


@grammar.command()
@click.argument("file", type=click.Path(dir_okay=False))
def check(file: str) -> None:
    """Report every error in FILE (and the files it includes), or say it is valid."""
    from textsynth.grammar import count, load_grammar

    g = load_grammar(file)
    total = sum(count(g).values())
    click.echo(
        f"{file}: ok — {len(g.intents)} intent(s), {total:,} combinations, {len(g.files)} file(s)"
    )


@grammar.command("count")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print JSON (counts as strings).")
@click.option(
    "--exact-limit",
    type=int,
    default=200_000,
    show_default=True,
    help="Enumerate intents up to this many combinations to count distinct texts.",
)
def count_cmd(file: str, as_json: bool, exact_limit: int) -> None:
    """Print the number of combinations and distinct utterances of each intent."""
    from textsynth.grammar import count_report, load_grammar

    g = load_grammar(file)
    rep = count_report(g, exact_limit)
    total = sum(r["combinations"] for r in rep.values())
    if as_json:
        click.echo(
            json.dumps(
                {
                    "grammar": file,
                    "intents": {
                        k: {
                            "combinations": str(v["combinations"]),
                            "distinct": str(v["distinct"]),
                            "exact": v["exact"],
                        }
                        for k, v in rep.items()
                    },
                    "total": str(total),
                },
                indent=2,
            )
        )
        return
    width = max((len(k) for k in rep), default=6)
    click.echo(f"{'intent':<{width}}  {'combinations':>24}  distinct")
    for k, v in rep.items():
        d = f"{v['distinct']:,}" if v["exact"] else f"<= {v['combinations']:,} (upper bound)"
        click.echo(f"{k:<{width}}  {v['combinations']:>24,}  {d}")
    click.echo(f"{'total':<{width}}  {total:>24,}")


@grammar.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-n", "--n", "n", type=int, help="How many utterances in total.")
@click.option("--all", "all_", is_flag=True, help="Every distinct utterance (exhaustive).")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@click.option(
    "-f",
    "--format",
    "fmt",
    default=None,
    help="Output format (jsonl, rasa-yaml, rasa-json, snips-json, conll, hf-dataset); "
    "default: from the extension of OUT.",
)
@click.option(
    "-o",
    "--output",
    "out",
    default="-",
    show_default=True,
    help="Output file ('-' = stdout, JSONL only).",
)
@click.option(
    "--dedupe",
    type=click.Choice(["exact", "casefold", "none"]),
    default="exact",
    show_default=True,
    help="What counts as a duplicate.",
)
@click.option(
    "--split",
    type=float,
    default=None,
    help="Test share per intent: a fraction (0.2) or a count (100); writes "
    "OUT.train.EXT and OUT.test.EXT.",
)
@click.option(
    "--coverage",
    is_flag=True,
    help="Put every rule, branch and slot value in the output at least once.",
)
@click.option("--intents", default=None, help="Comma-separated intents to generate.")
@click.option(
    "--max-all",
    type=int,
    default=10_000_000,
    show_default=True,
    help="The largest space --all enumerates.",
)
def generate(
    file: str,
    n: int | None,
    all_: bool,
    seed: int,
    fmt: str | None,
    out: str,
    dedupe: str,
    split: float | None,
    coverage: bool,
    intents: str | None,
    max_all: int,
) -> None:
    """Generate distinct labelled utterances from FILE."""
    from textsynth.grammar import GenerateConfig, generate_to_file, load_grammar

    if n is not None and all_:
        raise ConfigError("--n and --all exclude each other", hint="pass one of them")
    if out == "-" and fmt not in (None, "jsonl"):
        raise ConfigError(f"format {fmt!r} needs an output file", hint="pass -o FILE")
    from textsynth.io import check_distinct

    check_distinct(grammar=file, **{"-o": out})
    g = load_grammar(file)
    cfg = GenerateConfig(
        n=n,
        all=all_,
        seed=seed,
        dedupe=dedupe,
        coverage=coverage,
        intents=[i.strip() for i in intents.split(",")] if intents else None,
        split=split,
        all_limit=max_all,
    )
    summary = generate_to_file(g, out, cfg, fmt=fmt or ("jsonl" if out == "-" else None))
    if out != "-":
        per = ", ".join(f"{k}: {v['train'] + v['test']}" for k, v in summary["counts"].items())
        click.echo(
            f"wrote {summary['total']:,} utterances ({summary['format']}, seed {seed}) "
            f"to {', '.join(summary['files'])}" + (f" — {per}" if len(per) < 300 else ""),
            err=True,
        )
