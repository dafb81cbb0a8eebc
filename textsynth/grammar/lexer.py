"""Split grammar source into lines of located tokens.

The lexer is context-free: it never looks at parser state. Each physical line becomes a
:class:`Line` (its indentation, its tokens, its location); the parser decides what a token
means where it stands (a ``?`` outside brackets is plain text, for instance).

Two dialects share the token set:

* ``tsg`` (our superset, also used for ``.chatette``): ``//`` (Chatette 1.6) and ``;`` (older
  Chatette) start a comment anywhere on a line, and ``[ ] { } | / ? & # $ = ( ) *[`` are
  special. A backslash escapes the next character (``\\/\\/`` is a literal ``//``).
* ``chatito``: ``//`` and ``#`` at the start of a line are comments; only ``~[ @[ %[ *[`` and,
  inside a reference, ``] ? #`` (plus ``( )``) are special; everything else is text, a bare
  ``[`` or ``]`` included (Chatito has no escapes or inline choices).
"""

from __future__ import annotations

from dataclasses import dataclass

from textsynth.errors import GrammarError, Location

__all__ = ["Line", "Token", "lex", "strip_comment"]

# token kinds
TEXT = "TEXT"
OPEN = "OPEN"  # ~[ @[ %[  (value is the sigil)
STAR = "STAR"  # *[ at the start of a rule (weight)
SPECIALS_TSG = {
    "[": "LBRACK",
    "]": "RBRACK",
    "{": "LBRACE",
    "}": "RBRACE",
    "|": "PIPE",
    "/": "SLASH",
    "?": "QMARK",
    "&": "AMP",
    "#": "HASH",
    "$": "DOLLAR",
    "=": "EQ",
    "(": "LPAREN",
    ")": "RPAREN",
}
SPECIALS_CHATITO = {k: SPECIALS_TSG[k] for k in "]?#()"}


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its kind, its text (escapes resolved) and its 1-based column."""

    kind: str
    value: str
    col: int


@dataclass(frozen=True, slots=True)
class Line:
    """One non-blank, non-comment source line.

    Attributes:
        indent: the leading whitespace (empty for declarations).
        tokens: the tokens after the indentation.
        loc: location of the first token.
        raw: the physical line, for caret context.
    """

    indent: str
    tokens: tuple[Token, ...]
    loc: Location
    raw: str

    def at(self, col: int) -> Location:
        """Return the location of column ``col`` on this line."""
        return Location(self.loc.path, self.loc.line, col)


def strip_comment(body: str, dialect: str) -> str:
    """Return ``body`` without its comment (``body`` has no indentation)."""
    if body.startswith("//"):
        return ""
    if dialect == "chatito":
        return "" if body.startswith("#") else body
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\":
            i += 2
            continue
        if c == ";" or (c == "/" and body.startswith("/", i + 1)):
            return body[:i]
        i += 1
    return body


def _tokens(body: str, start_col: int, dialect: str) -> list[Token]:
    specials = SPECIALS_TSG if dialect != "chatito" else SPECIALS_CHATITO
    out: list[Token] = []
    buf: list[str] = []
    buf_col = start_col
    i, n = 0, len(body)
    depth = 0  # chatito: inside ~[ @[ %[ *[ (a bare ']' outside is text)

    def flush() -> None:
        if buf:
            out.append(Token(TEXT, "".join(buf), buf_col))
            buf.clear()

    while i < n:
        c = body[i]
        col = start_col + i
        if c == "\\" and dialect != "chatito" and i + 1 < n:
            if not buf:
                buf_col = col
            buf.append(body[i + 1])
            i += 2
            continue
        if c in "~@%*" and i + 1 < n and body[i + 1] == "[":
            if c != "*" or (not out and not buf):
                flush()
                out.append(Token(STAR if c == "*" else OPEN, c, col))
                depth += 1
                i += 2
                continue
        if dialect == "chatito" and c == "]":
            if depth == 0:  # Chatito: a bare ']' is text
                if not buf:
                    buf_col = col
                buf.append(c)
                i += 1
                continue
            depth -= 1
        if c in specials:
            flush()
            out.append(Token(specials[c], c, col))
            i += 1
            continue
        if not buf:
            buf_col = col
        buf.append(c)
        i += 1
    flush()
    return out


def lex(source: str, path: str, dialect: str = "tsg") -> tuple[list[Line], list[GrammarError]]:
    """Split ``source`` into located lines of tokens.

    Args:
        source: the decoded file text.
        path: the file name used in locations.
        dialect: ``"tsg"`` (also ``.chatette``) or ``"chatito"``.

    Returns:
        The lines and the lexical errors (mixed tabs and spaces in an indentation).
    """
    lines: list[Line] = []
    errors: list[GrammarError] = []
    for lineno, raw in enumerate(source.splitlines(), 1):
        stripped = raw.lstrip(" \t")
        indent = raw[: len(raw) - len(stripped)]
        body = strip_comment(stripped, dialect).rstrip()
        if not body:
            continue
        if " " in indent and "\t" in indent:
            errors.append(
                GrammarError(
                    "mixed tabs and spaces in indentation",
                    Location(path, lineno, 1),
                    hint="indent every rule with spaces only (or tabs only)",
                    source_line=raw,
                )
            )
        col = len(indent) + 1
        lines.append(
            Line(indent, tuple(_tokens(body, col, dialect)), Location(path, lineno, col), raw)
        )
    return lines, errors
