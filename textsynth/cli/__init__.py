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

import click

from textsynth.errors import TextsynthError

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
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code.

    User mistakes print a message (no traceback) and return 2; runtime errors return 1.
    """
    try:
        rv = cli.main(args=argv, prog_name="textsynth", standalone_mode=False)
        return rv if isinstance(rv, int) else 0
    except click.exceptions.Abort:
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
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return 130
    except Exception as exc:  # a bug, not a user mistake: short message unless debugging
        if os.environ.get("TEXTSYNTH_DEBUG"):
            raise
        click.echo(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "  (set TEXTSYNTH_DEBUG=1 for the traceback and please report it)",
            err=True,
        )
        return 1
