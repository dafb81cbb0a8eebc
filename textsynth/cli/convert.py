"""``textsynth convert IN OUT``: read utterances in one format, write them in another."""

from __future__ import annotations

import click

from textsynth import formats


@click.command()
@click.argument("src", type=click.Path(dir_okay=True))
@click.argument("dst", type=click.Path(dir_okay=True))
@click.option(
    "--from",
    "src_fmt",
    type=click.Choice(formats.names()),
    help="Input format (default: by extension).",
)
@click.option(
    "--to",
    "dst_fmt",
    type=click.Choice(formats.names()),
    help="Output format (default: by extension).",
)
def convert(src: str, dst: str, src_fmt: str | None, dst_fmt: str | None) -> None:
    """Convert labelled utterances between formats.

    Formats: jsonl, rasa-yaml, rasa-json, snips-json, conll, hf-dataset.
    """
    from textsynth.errors import ConfigError
    from textsynth.io import check_distinct

    check_distinct(input=src, output=dst)
    try:
        src_fmt = src_fmt or formats.guess(src)
    except ConfigError as exc:
        raise ConfigError(
            exc.message, hint=f"pass --from, one of: {', '.join(formats.names())}"
        ) from None
    try:
        dst_fmt = dst_fmt or formats.guess(dst)
    except ConfigError as exc:
        raise ConfigError(
            exc.message, hint=f"pass --to, one of: {', '.join(formats.names())}"
        ) from None
    n = formats.write(formats.read(src, src_fmt), dst, dst_fmt)
    click.echo(f"wrote {n} utterances to {dst}", err=True)
