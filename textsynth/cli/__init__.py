"""The ``textsynth`` command: one entry point, a subcommand group per stage.

Each stage's commands live in their own module (``grammar``, ``pii``, ``lm``, ``evaluate``,
``pipeline``); they parse options, call one API function and write through ``formats``. Every
``TextsynthError`` is turned into a message and an exit code here, in one place.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import signal
import sys
import warnings

import click

from textsynth.errors import TextsynthError, file_error

# (module, attribute) of each top-level command; imported lazily so `--help` stays fast
_COMMANDS: dict[str, tuple[str, str]] = {
    "grammar": ("textsynth.cli.grammar", "grammar"),
    "convert": ("textsynth.cli.convert", "convert"),
    "pii": ("textsynth.cli.pii", "pii"),
    "lm": ("textsynth.cli.lm", "lm"),
    "evaluate": ("textsynth.cli.evaluate", "evaluate"),
    "run": ("textsynth.cli.pipeline", "run"),
    "demo": ("textsynth.cli.pipeline", "demo"),
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(n for n, (m, _) in _COMMANDS.items() if importlib.util.find_spec(m))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in _COMMANDS:
            return None
        mod_name, attr = _COMMANDS[cmd_name]
        try:
            mod = importlib.import_module(mod_name)
        except ModuleNotFoundError as exc:
            if exc.name == mod_name:
                return None
            raise
        return getattr(mod, attr)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="textsynth")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
def cli(verbose: int) -> None:
    """Make labelled training text for conversational AI, and make real text safe to share."""
    quiet_third_parties(verbose)
    # -v: our INFO, -vv: our DEBUG; other libraries stay at WARNING unless -vvv
    logging.basicConfig(
        level=logging.DEBUG if verbose >= 3 else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("textsynth").setLevel(logging.WARNING - 10 * min(verbose, 2))
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, _Once) for f in handler.filters):
            handler.addFilter(_Once())


class _Once(logging.Filter):
    """Show each distinct warning once per command (a step run twice must not say it twice)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[tuple[str, str]] = set()

    def filter(self, record: logging.LogRecord) -> bool:  # noqa: D102
        if record.levelno < logging.WARNING:
            return True
        key = (record.name, record.getMessage())
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


def quiet_third_parties(verbose: int = 0) -> None:
    """Keep third-party chatter out of the output: deprecation warnings, load bars, DEBUG floods.

    Environment variables the user set win; ``-vvv`` shows everything.
    """
    if verbose >= 3:
        return
    for mod in (
        "transformers",
        "torch",
        "huggingface_hub",
        "peft",
        "accelerate",
        "datasets",
        "sentence_transformers",
        "spacy",
        "thinc",
        "sklearn",
    ):
        warnings.filterwarnings("ignore", category=FutureWarning, module=rf"{mod}(\..*)?")
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=rf"{mod}(\..*)?")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from textsynth.progress import enabled

    if not enabled():  # weight-loading and download bars are noise in a log file
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


class Terminated(KeyboardInterrupt):
    """SIGTERM (``timeout``, CI cancel, ``docker stop``), handled like Ctrl-C: outputs and
    temporary files are cleaned up by the same ``finally`` blocks."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code.

    User mistakes print a message (no traceback) and return 2; runtime errors return 1;
    Ctrl-C returns 130 and SIGTERM 143, after removing partial outputs.
    """
    previous = None
    try:
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread: leave signals alone
        pass
    try:
        return _main(argv)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _verbosity(argv: list[str]) -> int:
    n = 0
    for a in argv:
        if not a.startswith("-"):
            break  # the subcommand: its own options are not ours
        if a == "--verbose":
            n += 1
        elif a.startswith("-") and not a.startswith("--") and set(a[1:]) == {"v"}:
            n += len(a) - 1
    return n


def _main(argv: list[str] | None) -> int:
    # before any subcommand module imports transformers or torch
    quiet_third_parties(_verbosity(sys.argv[1:] if argv is None else argv))
    try:
        rv = cli.main(args=argv, prog_name="textsynth", standalone_mode=False)
        return rv if isinstance(rv, int) else 0
    except click.exceptions.Abort as exc:
        if isinstance(exc.__context__, Terminated):
            click.echo("Terminated (SIGTERM); partial outputs were removed.", err=True)
            return 143
        click.echo("Aborted.", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except TextsynthError as exc:
        click.echo(f"error: {exc}", err=True)
        return exc.exit_code
    except Terminated:
        click.echo("Terminated (SIGTERM); partial outputs were removed.", err=True)
        return 143
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return 130
    except OSError as exc:  # a file the user named: say which and what to do
        err = file_error(exc)
        click.echo(f"error: {err}", err=True)
        return err.exit_code
    except Exception as exc:  # a bug, not a user mistake: short message unless debugging
        if os.environ.get("TEXTSYNTH_DEBUG"):
            raise
        click.echo(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "  (set TEXTSYNTH_DEBUG=1 for the traceback and please report it)",
            err=True,
        )
        return 1
