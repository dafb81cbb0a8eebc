"""Parse the inside of one line: a rule body, a reference, groups, choices, modifiers.

Used by :mod:`textsynth.grammar.parser`; a syntax error aborts the line with a located
:class:`LineError`, and the parser goes on with the next line.
"""

from __future__ import annotations

import re

from textsynth.errors import GrammarError, Location
from textsynth.grammar import messages as msg
from textsynth.grammar.ast import (
    KINDS,
    ArgRef,
    FakerSpec,
    Group,
    Item,
    OptionalMod,
    Ref,
    Rule,
    Seq,
    Text,
    Weight,
)
from textsynth.grammar.lexer import OPEN, STAR, TEXT, Line, Token

__all__ = ["LineError", "RuleParser", "parse_rule"]

_FAKER_RE = re.compile(r"faker:([A-Za-z_]\w*)(?:\((\d+)\))?$")


class LineError(Exception):
    def __init__(self, error: GrammarError) -> None:
        self.error = error


class RuleParser:
    """Parse the tokens of one line; ``fail`` aborts the line with a located error."""

    def __init__(self, line: Line, dialect: str) -> None:
        self.line = line
        self.toks = line.tokens
        self.pos = 0
        self.dialect = dialect

    # -- helpers -----------------------------------------------------------------------------
    def peek(self) -> Token | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def next(self) -> Token:
        tok = self.toks[self.pos]
        self.pos += 1
        return tok

    def loc(self, tok: Token | None = None) -> Location:
        if tok is None:
            tok = self.peek()
        col = tok.col if tok else len(self.line.raw.rstrip()) + 1
        return self.line.at(col)

    def fail(self, message: str, tok: Token | None = None, hint: str = "", col: int = 0) -> None:
        loc = self.line.at(col) if col else self.loc(tok)
        raise LineError(GrammarError(message, loc, hint=hint, source_line=self.line.raw))

    # -- grammar -----------------------------------------------------------------------------
    def seq(self, stops: frozenset[str]) -> Seq:
        """Parse items until a token whose kind is in ``stops`` (not consumed) or the end."""
        start = self.loc()
        items: list[Item] = []
        while (tok := self.peek()) is not None and tok.kind not in stops:
            if tok.kind == OPEN:
                items.append(self.ref())
            elif tok.kind == "LBRACK":
                items.append(self.group())
            elif tok.kind == "LBRACE":
                items.append(self.old_choice())
            elif tok.kind == "RBRACK":
                self.fail(msg.UNEXPECTED_CLOSE, tok, hint="remove it or escape it as '\\]'")
            elif tok.kind == "DOLLAR" and self._arg_follows():
                self.next()
                name_tok = self.next()
                name = re.match(r"\w+", name_tok.value).group(0)  # type: ignore[union-attr]
                items.append(ArgRef(name, self.loc(tok)))
                rest = name_tok.value[len(name) :]
                if rest:
                    items.append(Text(rest, self.line.at(name_tok.col + len(name))))
            else:
                self.next()
                items.append(Text(tok.value, self.loc(tok)))
        return Seq(tuple(items), start)

    def _arg_follows(self) -> bool:
        nxt = self.toks[self.pos + 1] if self.pos + 1 < len(self.toks) else None
        return nxt is not None and nxt.kind == TEXT and re.match(r"\w", nxt.value) is not None

    def optional_mod(self, close: str) -> OptionalMod:
        """Parse ``?name/percent`` (the ``?`` is the current token) up to ``close``."""
        q = self.next()
        name_parts: list[str] = []
        percent: float | None = None
        while (tok := self.peek()) is not None and tok.kind != close:
            self.next()
            if tok.kind == "SLASH":
                num = self.peek()
                if num is None or num.kind == close:
                    self.fail(msg.BAD_PERCENT.format(value=""), tok, hint=msg.PERCENT_HINT)
                self.next()
                percent = _percent(num.value, self, num)  # type: ignore[union-attr,arg-type]
            else:
                name_parts.append(tok.value)
        name = "".join(name_parts).strip() or None
        del q
        opposite = False
        if name is not None and name.startswith("!") and self.dialect != "chatito":
            opposite, name = True, name[1:].strip() or None  # Chatette ``?!name``
        return OptionalMod(name, percent, opposite and name is not None)

    def ref(self) -> Ref:
        """Parse ``~[&name#var$arg?opt/60]`` (chatito: ``@[name#var?]``)."""
        open_tok = self.next()
        kind = KINDS[open_tok.value]
        casegen = False
        if (tok := self.peek()) is not None and tok.kind == "AMP":
            casegen = True
            self.next()
        name: list[str] = []
        variation: list[str] | None = None
        arg: list[str] | None = None
        optional: OptionalMod | None = None
        target = name
        while True:
            tok = self.peek()
            if tok is None:
                self.fail(
                    msg.UNCLOSED.format(what=f"'{open_tok.value}['"),
                    open_tok,
                    hint="add the closing ']'",
                )
            assert tok is not None
            if tok.kind == "RBRACK":
                self.next()
                break
            if tok.kind == "QMARK":
                optional = self.optional_mod("RBRACK")
                continue
            self.next()
            if tok.kind == "HASH":
                variation = []
                target = variation
            elif tok.kind == "DOLLAR":
                arg = []
                target = arg
            elif tok.kind in (OPEN, "LBRACK", STAR):
                self.fail(
                    msg.UNCLOSED.format(what=f"'{open_tok.value}['"),
                    open_tok,
                    hint="add the closing ']' before the next reference",
                )
            else:
                target.append(tok.value)
        name_s = "".join(name).strip()
        if not name_s:
            self.fail(msg.EMPTY_NAME, open_tok, hint="write a name between the brackets")
        return Ref(
            kind,
            name_s,
            self.loc(open_tok),
            variation="".join(variation).strip() if variation is not None else None,
            arg="".join(arg) if arg is not None else None,
            casegen=casegen,
            optional=optional,
        )

    def group(self) -> Group:
        """Parse ``[&a|b?name/30]``: a word group, or a choice when it holds ``|``."""
        open_tok = self.next()
        casegen = False
        if (tok := self.peek()) is not None and tok.kind == "AMP":
            casegen = True
            self.next()
        alts: list[Seq] = []
        optional: OptionalMod | None = None
        stops = frozenset({"PIPE", "RBRACK", "QMARK"})
        while True:
            alts.append(self.seq(stops))
            tok = self.peek()
            if tok is None:
                self.fail(msg.UNCLOSED.format(what="'['"), open_tok, hint="add the closing ']'")
            assert tok is not None
            if tok.kind == "PIPE":
                self.next()
                continue
            if tok.kind == "QMARK":
                optional = self.optional_mod("RBRACK")
                if self.peek() is None:
                    self.fail(msg.UNCLOSED.format(what="'['"), open_tok, hint="add the closing ']'")
            self.next()  # RBRACK
            break
        return Group(tuple(alts), self.loc(open_tok), casegen=casegen, optional=optional)

    def old_choice(self) -> Group:
        """Parse the older choice syntax ``{a/b}`` (``{a/b?}`` makes it optional)."""
        open_tok = self.next()
        alts: list[Seq] = []
        optional: OptionalMod | None = None
        stops = frozenset({"SLASH", "RBRACE", "QMARK"})
        while True:
            alts.append(self.seq(stops))
            tok = self.peek()
            if tok is None:
                self.fail(msg.UNCLOSED.format(what="'{'"), open_tok, hint="add the closing '}'")
            assert tok is not None
            self.next()
            if tok.kind == "SLASH":
                continue
            if tok.kind == "QMARK":
                optional = OptionalMod()
                if (t := self.peek()) is None or t.kind != "RBRACE":
                    self.fail(msg.UNCLOSED.format(what="'{'"), open_tok, hint="add the closing '}'")
                self.next()
            break
        return Group(tuple(alts), self.loc(open_tok), optional=optional)


def _percent(text: str, p: RuleParser, tok: Token) -> float:
    try:
        value = float(text.strip().rstrip("%"))
    except ValueError:
        value = -1.0
    if not 0 <= value <= 100:
        p.fail(msg.BAD_PERCENT.format(value=text.strip()), tok, hint=msg.PERCENT_HINT)
    return value


def _weight(p: RuleParser) -> Weight:
    star = p.next()
    parts: list[str] = []
    while (tok := p.peek()) is not None and tok.kind != "RBRACK":
        parts.append(p.next().value)
    if p.peek() is None:
        p.fail(msg.UNCLOSED.format(what="'*['"), star, hint="write the weight as *[20%] or *[2]")
    p.next()
    text = "".join(parts).strip()
    is_pct = text.endswith("%")
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        value = -1.0
    if value < 0 or (is_pct and value > 100) or value != value or value == float("inf"):
        p.fail(msg.BAD_WEIGHT.format(value=text), star, hint=msg.WEIGHT_HINT)
    return Weight(value, is_pct, p.loc(star))


def parse_rule(line: Line, kind: str, dialect: str) -> Rule:
    p = RuleParser(line, dialect)
    weight = _weight(p) if line.tokens and line.tokens[0].kind == STAR else None
    while (t := p.peek()) is not None and t.kind == TEXT and not t.value.strip():
        p.next()
    start = p.pos
    if kind == "slot":
        rest = "".join(t.value for t in line.tokens[start:]).strip()
        m = _FAKER_RE.match(rest)
        if m and all(t.kind in (TEXT, "LPAREN", "RPAREN") for t in line.tokens[start:]):
            k = int(m.group(2)) if m.group(2) else None
            spec = FakerSpec(m.group(1), k, p.loc())
            return Rule(Seq((), p.loc()), p.loc(), weight=weight, faker=spec)
    stops = frozenset({"EQ"}) if kind == "slot" else frozenset()
    body = p.seq(stops)
    synonym = None
    if (tok := p.peek()) is not None and tok.kind == "EQ":
        p.next()
        synonym = "".join(t.value for t in line.tokens[p.pos :]).strip()
        if not synonym:
            p.fail(msg.EMPTY_SYNONYM, tok, hint="write the value after '=' or escape it as '\\='")
    return Rule(
        body,
        p.loc(line.tokens[start] if start < len(line.tokens) else None),
        synonym=synonym,
        weight=weight,
    )
