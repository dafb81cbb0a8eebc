"""Lexer (context-free tokens with columns) and parser (located AST) on strings alone."""

from __future__ import annotations

from textsynth.grammar.ast import ArgRef, Group, Ref, Text
from textsynth.grammar.lexer import lex
from textsynth.grammar.parser import parse


def kinds(line):
    return [(t.kind, t.value) for t in line.tokens]


def test_lexer_tokens_know_their_columns():
    lines, errors = lex("%[a]\n    hi ~[x?/30] \\? ; comment\n", "f.tsg")
    assert not errors
    toks = lines[1].tokens
    assert [(t.kind, t.value, t.col) for t in toks][:4] == [
        ("TEXT", "hi ", 5),
        ("OPEN", "~", 8),
        ("TEXT", "x", 10),
        ("QMARK", "?", 11),
    ]
    assert toks[-1].value == " ?"  # the escaped "?" is text; the comment is gone


def test_lexer_is_the_same_whatever_the_context():
    a, _ = lex("%[a]\n    [x|y]\n", "f")
    b, _ = lex("@[s]\n    [x|y]\n", "f")
    assert kinds(a[1]) == kinds(b[1])


def test_chatito_dialect_keeps_tsg_specials_as_text():
    lines, _ = lex("%[a]\n    {a/b} [x|y 50% ; not a comment\n", "f.chatito", "chatito")
    assert kinds(lines[1]) == [("TEXT", "{a/b} [x|y 50% ; not a comment")]


def test_comment_lines_are_dropped():
    lines, _ = lex("// c\n; c\n%[a]\n    hi\n", "f")
    assert [ln.loc.line for ln in lines] == [3, 4]


def test_parser_builds_a_located_ast():
    lines, _ = lex("%[a](3)\n    hi ~[&g#v$Ann?n/40] [b|c?] $X\n~[g#v$X]\n    $X\n", "f.tsg")
    ast, errors = parse(lines, "f.tsg")
    assert not errors
    intent, alias = ast.definitions
    assert (intent.kind, intent.name, intent.args) == ("intent", "a", (("count", "3"),))
    assert (alias.variation, alias.arg) == ("v", "X")
    items = intent.rules[0].body.items
    assert isinstance(items[0], Text) and items[0].value == "hi "
    ref = items[1]
    assert isinstance(ref, Ref)
    assert (ref.name, ref.variation, ref.arg, ref.casegen) == ("g", "v", "Ann", True)
    assert (ref.optional.name, ref.optional.percent) == ("n", 40.0)
    assert (ref.loc.line, ref.loc.col) == (2, 8)
    group = items[3]
    assert isinstance(group, Group) and len(group.alternatives) == 2 and group.optional
    assert isinstance(items[-1], ArgRef) and items[-1].name == "X"


def test_parser_reports_each_bad_line_and_continues():
    lines, _ = lex("%[a]\n    ~[x\n    ok\n    [y\n", "f.tsg")
    ast, errors = parse(lines, "f.tsg")
    assert [e.location.line for e in errors] == [2, 4]
    assert len(ast.definitions[0].rules) == 1


def test_slot_rules_split_on_equals_and_read_faker():
    lines, _ = lex("@[s]\n    NYC = New York\n    faker:city(7)\n", "f.tsg")
    ast, _ = parse(lines, "f.tsg")
    r1, r2 = ast.definitions[0].rules
    assert r1.synonym == "New York"
    assert (r2.faker.provider, r2.faker.k) == ("city", 7)
