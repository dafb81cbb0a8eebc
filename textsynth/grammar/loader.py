"""Read grammar files and their includes into a list of :class:`FileAST`, collecting errors.

The dialect is chosen by extension: ``.chatito`` is read by the Chatito front-end, anything
else (``.tsg``, ``.chatette``, no extension) by the Chatette-compatible superset.
"""

from __future__ import annotations

import os
from pathlib import Path

from textsynth.errors import GrammarError, Location
from textsynth.grammar import messages as msg
from textsynth.grammar.ast import FileAST
from textsynth.grammar.lexer import lex
from textsynth.grammar.parser import parse

__all__ = ["dialect_of", "load_files", "parse_text"]


def dialect_of(path: str) -> str:
    """Return ``"chatito"`` for ``.chatito`` files, else ``"tsg"``."""
    return "chatito" if str(path).lower().endswith(".chatito") else "tsg"


def parse_text(text: str, path: str, dialect: str) -> tuple[FileAST, list[GrammarError]]:
    """Lex and parse one source text."""
    lines, errors = lex(text, path, dialect)
    ast, perrors = parse(lines, path, dialect)
    if not lines:
        errors.append(
            GrammarError(
                msg.EMPTY_FILE,
                Location(path, 1, 1),
                hint="write at least one %[intent] with indented rules",
                source_line=text.splitlines()[0] if text.strip() else "",
            )
        )
    return ast, errors + perrors


def _decode(data: bytes, path: str) -> tuple[str | None, GrammarError | None]:
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        col = len(data[line_start : exc.start].decode("utf-8", "replace")) + 1
        end = data.find(b"\n", exc.start)
        raw = data[line_start : end if end >= 0 else len(data)].decode("utf-8", "replace")
        err = GrammarError(
            msg.NOT_UTF8.format(byte=data[exc.start]),
            Location(path, line, col),
            hint="re-save the file as UTF-8",
            source_line=raw,
        )
        return None, err


def load_files(
    root: str | os.PathLike[str] | None = None,
    *,
    text: str | None = None,
    name: str = "<string>",
) -> tuple[list[FileAST], list[GrammarError]]:
    """Read ``root`` (or ``text``) and every file it includes, depth first, each once.

    Args:
        root: path of the main grammar file.
        text: grammar source given directly (includes resolve against the working directory).
        name: the path shown in locations when ``text`` is given.

    Returns:
        The parsed files (main file first) and every error found in any of them.
    """
    files: list[FileAST] = []
    errors: list[GrammarError] = []
    seen: set[str] = set()

    def visit(
        path: str,
        source: str | None,
        stack: list[str],
        where: Location | None,
        where_line: str | None,
    ) -> None:
        key = os.path.abspath(path) if source is None else path
        if key in stack:
            chain = " -> ".join(os.path.basename(p) for p in [*stack[stack.index(key) :], key])
            errors.append(
                GrammarError(
                    msg.INCLUDE_CYCLE.format(path=chain),
                    where,
                    hint="remove one of these includes",
                    source_line=where_line,
                )
            )
            return
        if key in seen:
            return
        seen.add(key)
        if source is None:
            p = Path(path)
            if not p.is_file():
                errors.append(
                    GrammarError(
                        msg.MISSING_INCLUDE.format(name=os.path.basename(path) if where else path),
                        where,
                        hint="check the path; includes are relative to the including file",
                        source_line=where_line,
                    )
                )
                return
            source, err = _decode(p.read_bytes(), path)
            if err is not None:
                errors.append(err)
                return
        assert source is not None
        ast, errs = parse_text(source, path, dialect_of(path))
        files.append(ast)
        errors.extend(errs)
        raw_lines = source.splitlines()
        base = os.path.dirname(path) if source is not None and path != name else os.getcwd()
        for inc, loc in ast.includes:
            target = inc if os.path.isabs(inc) else os.path.join(base, inc)
            line = raw_lines[loc.line - 1] if loc.line - 1 < len(raw_lines) else None
            visit(target, None, [*stack, key], loc, line)

    if text is not None:
        visit(name, text, [], None, None)
    elif root is not None:
        path = str(root)
        if not Path(path).is_file():
            errors.append(
                GrammarError(f"{path}: no such grammar file", None, hint="check the path")
            )
        else:
            visit(path, None, [], None, None)
    return files, errors
