"""``python -m textsynth.grammar.dump FILE [INTENT]``: print the code generated for each rule.

For debugging the fast path (:mod:`textsynth.grammar.emitter`); the constants each function
uses are listed after it.
"""

from __future__ import annotations

import sys

from textsynth.grammar.emitter import dump_source
from textsynth.grammar.grammar import load_grammar

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Print the generated source of FILE's rules (of one INTENT if given)."""
    args = sys.argv[1:] if argv is None else argv
    if not args:
        sys.stderr.write("usage: python -m textsynth.grammar.dump FILE [INTENT]\n")
        return 2
    sys.stdout.write(dump_source(load_grammar(args[0]), args[1] if len(args) > 1 else None))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
