"""Recursive-descent parser: located lines of tokens -> :class:`FileAST`.

Errors are collected, not raised: a bad line is reported and skipped, so every syntax error in
a file is reported at once.
"""

from __future__ import annotations

import re

from textsynth.errors import GrammarError, Location
from textsynth.grammar import messages as msg
from textsynth.grammar.ast import Definition, FileAST, Rule
from textsynth.grammar.lexer import OPEN, TEXT, Line, Token, strip_comment
from textsynth.grammar.rules import LineError, RuleParser, parse_rule

__all__ = ["parse"]

_ARG_RE = re.compile(r"""\s*['"]?([\w\- ]+?)['"]?\s*:\s*['"]?([^'",]*?)['"]?\s*(?:,|$)""")
_HEADERS = {"language", "locale", "faker_count", "faker_seed"}


def _declaration(line: Line, dialect: str) -> Definition:
    p = RuleParser(line, dialect)
    ref = p.ref()
    if ref.optional is not None:
        p.fail(msg.DECL_OPTIONAL, col=ref.loc.col, hint="'?' belongs to references inside rules")
    args: tuple[tuple[str, str], ...] = ()
    tok = p.peek()
    if tok is not None and tok.kind == "LPAREN":
        depth_end = next(
            (i for i in range(p.pos, len(line.tokens)) if line.tokens[i].kind == "RPAREN"), None
        )
        if depth_end is None:
            p.fail(msg.UNCLOSED.format(what="'('"), tok, hint="add the closing ')'")
        inner = line.raw[tok.col : line.tokens[depth_end].col - 1]  # type: ignore[index]
        args = _parse_args(inner, p, tok)
        p.pos = depth_end + 1  # type: ignore[operator]
    tok = p.peek()
    if tok is not None and not (tok.kind == TEXT and not tok.value.strip()):
        p.fail(
            msg.TRAILING.format(text=tok.value.strip() or tok.value),
            tok,
            hint="rules go on the following lines, indented",
        )
    return Definition(
        ref.kind,
        ref.name,
        ref.loc,
        variation=ref.variation,
        arg=ref.arg,
        casegen=ref.casegen,
        args=args,
        dialect=dialect,
    )


def _parse_args(inner: str, p: RuleParser, tok: Token) -> tuple[tuple[str, str], ...]:
    inner = inner.strip()
    if not inner:
        return ()
    if re.fullmatch(r"\d+", inner):
        return (("count", inner),)
    if re.fullmatch(r"""['"]?[^:,'"]+['"]?""", inner):
        return (("count", inner.strip("'\"").strip()),)
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(inner):
        m = _ARG_RE.match(inner, pos)
        if not m or m.end() == pos:
            p.fail(msg.BAD_ARGS.format(text=inner), tok, hint=msg.ARGS_HINT)
        assert m is not None
        out.append((m.group(1).strip(), m.group(2).strip()))
        pos = m.end()
    return tuple(out)


def _directive(line: Line, headers: dict, includes: list, errors: list, dialect: str) -> bool:
    """Handle ``%language fr``, ``|file``, ``import file``; return whether ``line`` was one."""
    text = strip_comment(line.raw.strip(), dialect).rstrip()
    if text.startswith("|") and dialect != "chatito":
        includes.append((text[1:].strip(), line.loc))
        return True
    if text.startswith("import "):
        includes.append((text[len("import ") :].strip(), line.loc))
        return True
    m = re.match(r"%([A-Za-z_]+)\s+(.*)$", text)
    if m and not text.startswith("%["):
        key = m.group(1).lower()
        if key not in _HEADERS:
            errors.append(
                GrammarError(
                    msg.UNKNOWN_HEADER.format(key=key),
                    line.loc,
                    hint=f"headers are: {', '.join('%' + h for h in sorted(_HEADERS))}",
                    source_line=line.raw,
                )
            )
        else:
            headers[key] = (m.group(2).strip(), line.loc)
        return True
    return False


def parse(lines: list[Line], path: str, dialect: str = "tsg") -> tuple[FileAST, list[GrammarError]]:
    """Parse the lexed lines of one file; return its AST and every syntax error found."""
    errors: list[GrammarError] = []
    defs: list[Definition] = []
    headers: dict[str, tuple[str, Location]] = {}
    includes: list[tuple[str, Location]] = []
    current: Definition | None = None
    rules: list[Rule] = []
    indent: str | None = None
    broken = Definition("alias", "", Location(path))  # stands for a declaration that failed

    nlines = 0

    def close() -> None:
        if current is not None and current is not broken:
            defs.append(_with_rules(current, rules, nlines))

    for line in lines:
        if not line.indent:
            if _directive(line, headers, includes, errors, dialect):
                continue
            close()
            current, rules, indent, nlines = None, [], None, 0
            if not line.tokens or line.tokens[0].kind != OPEN:
                errors.append(
                    GrammarError(
                        msg.NOT_A_DECLARATION.format(text=line.raw.strip()[:40]),
                        line.loc,
                        hint="declare ~[alias], @[slot] or %[intent] here, or indent this rule",
                        source_line=line.raw,
                    )
                )
                continue
            try:
                current = _declaration(line, dialect)
            except LineError as exc:
                errors.append(exc.error)
                current = broken  # its rules are still checked for syntax
            continue
        if current is None:
            errors.append(
                GrammarError(
                    msg.ORPHAN_RULE,
                    line.loc,
                    hint="put a declaration such as %[intent] on an unindented line above it",
                    source_line=line.raw,
                )
            )
            continue
        nlines += 1
        if indent is None:
            indent = line.indent
        elif line.indent != indent and not ("\t" in line.indent and " " in line.indent):
            errors.append(
                GrammarError(
                    msg.INCONSISTENT_INDENT,
                    line.loc,
                    hint=f"indent every rule of {current.display()} the same way",
                    source_line=line.raw,
                )
            )
            continue
        try:
            rules.append(parse_rule(line, current.kind, dialect))
        except LineError as exc:
            errors.append(exc.error)
    close()
    return FileAST(path, tuple(defs), tuple(includes), headers, dialect), errors


def _with_rules(d: Definition, rules: list[Rule], nlines: int) -> Definition:
    return Definition(
        d.kind,
        d.name,
        d.loc,
        tuple(rules),
        d.variation,
        d.arg,
        d.casegen,
        d.args,
        d.dialect,
        nlines,
    )
