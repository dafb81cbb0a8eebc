"""Each construct of the Chatette and Chatito specs generates what the specs say.

Expected sets are written by hand from the specs' descriptions (not from our own output).
"""

from __future__ import annotations

import pytest

from textsynth.grammar import count, expand, load_grammar


def texts(src: str, intent: str | None = None, dialect: str | None = None, **kw) -> list[str]:
    g = load_grammar(src, dialect=dialect)
    return [u.text for u in expand(g, intents=[intent] if intent else None, **kw)]


# fmt: off
CHATETTE_CASES = [
    # words and word groups
    ("%[a]\n    this is a rule\n", {"this is a rule"}),
    ("%[a]\n    [hello there] you\n", {"hello there you"}),
    # case generation on a word group: first letter either case
    ("%[a]\n    [&hello I'm a test]\n", {"hello I'm a test", "Hello I'm a test"}),
    # random generation modifier: something or nothing
    ("%[a]\n    a [test?] b\n", {"a test b", "a b"}),
    # named random modifiers: all or none
    ("%[a]\n    Hey [I'm a?name] pretty [test?name]\n", {"Hey I'm a pretty test", "Hey pretty"}),
    # percentage and named percentage parse and keep both outcomes
    ("%[a]\n    [test?/80] x\n", {"test x", "x"}),
    ("%[a]\n    [test?n/80] x [y?n]\n", {"test x y", "x"}),
    # alias reference
    ("%[a]\n    ~[hello]\n~[hello]\n    Hello\n    Hi\n", {"Hello", "Hi"}),
    # alias with casegen in the reference and the declaration
    ("%[a]\n    ~[&hi] you\n~[hi]\n    hi\n", {"hi you", "Hi you"}),
    ("%[a]\n    ~[hi] you\n~[&hi]\n    hi\n", {"hi you", "Hi you"}),
    # variations: a named variation, and all variations when none is named
    ("%[a]\n    ~[def#singular]\n~[def#singular]\n    cat\n~[def#plural]\n    cats\n", {"cat"}),
    ("%[a]\n    ~[def]\n~[def#singular]\n    cat\n~[def#plural]\n    cats\n", {"cat", "cats"}),
    # arguments
    ("%[a]\n    ~[greet$John]!\n~[greet$NAME]\n    hello $NAME\n", {"hello John!"}),
    # intent reference behaves as an alias
    ("%[a]\n    %[b] there\n%[b]\n    hi\n", {"hi there"}),
    # choices, new and old syntax, optional choice
    ("%[a]\n    my name[ is|'s] Bob\n", {"my name is Bob", "my name's Bob"}),
    ("%[a]\n    my name{'s/ is} Bob\n", {"my name is Bob", "my name's Bob"}),
    ("%[a]\n    go [now|today?]\n", {"go now", "go today", "go"}),
    # escapes and comments
    ("%[a]\n    what\\? 50\\% \\; ok ; a comment\n", {"what? 50% ; ok"}),
    ("// comment line\n%[a]  ; trailing comment\n    hi\n", {"hi"}),
]
# fmt: on


@pytest.mark.parametrize("src,expected", CHATETTE_CASES)
def test_chatette_construct(src, expected):
    got = texts(src, "a")
    assert set(got) == expected
    assert len(got) == len(expected)


def test_slot_synonyms_set_the_span_value():
    g = load_grammar(
        "%[a]\n    I am @[name]\n@[name]\n    John\n    Robert = Robert\n    Bob = Robert\n"
    )
    spans = {
        u.text: (u.spans[0].label, u.text[u.spans[0].start : u.spans[0].end], u.spans[0].value)
        for u in expand(g)
    }
    assert spans == {
        "I am John": ("name", "John", None),
        "I am Robert": ("name", "Robert", None),
        "I am Bob": ("name", "Bob", "Robert"),
    }


def test_intent_counts_training_and_testing_arguments():
    g = load_grammar(
        "%[a](2)\n    [x|y|z]\n%[b]('training': '2', 'testing': '1')\n    [p|q|r|s]\n"
        "%[c](train: 1, test: 1)\n    [m|n]\n"
    )
    assert (g.intents["a"].count, g.intents["a"].training) == (2, None)
    assert (g.intents["b"].training, g.intents["b"].testing, g.intents["b"].count) == (2, 1, 3)
    assert (g.intents["c"].training, g.intents["c"].testing) == (1, 1)


def test_include_pipe_and_import(tmp_path):
    (tmp_path / "aliases.tsg").write_text("~[hi]\n    hi\n    hey\n", encoding="utf-8")
    (tmp_path / "slots.tsg").write_text("@[n]\n    Ann\n", encoding="utf-8")
    (tmp_path / "main.tsg").write_text(
        "|aliases.tsg\nimport slots.tsg\n%[a]\n    ~[hi] @[n]\n", encoding="utf-8"
    )
    g = load_grammar(tmp_path / "main.tsg")
    assert sorted(u.text for u in expand(g)) == ["hey Ann", "hi Ann"]
    assert len(g.files) == 3


# -- Chatito ----------------------------------------------------------------------------------
SPEC_EXAMPLE = """%[greet]('training': '2')
    ~[hi] @[name?] ~[whatsUp?]

~[hi]
    hi
    hey

@[name]
    Janis
    Bob

~[whatsUp]
    whats up
    how is it going
"""


def test_chatito_spec_example_has_18_combinations():
    g = load_grammar(SPEC_EXAMPLE, dialect="chatito")
    assert count(g) == {"greet": 18}  # the spec: "a maximum of 18 examples"
    assert g.intents["greet"].training == 2


def test_chatito_undefined_alias_stands_for_its_name():
    assert set(
        texts("%[greet]\n    ~[hi] ~[how are you?]\n\n~[hi]\n    hi\n    hey\n", dialect="chatito")
    ) == {"hi", "hey", "hi how are you", "hey how are you"}


def test_chatito_lone_alias_in_slot_is_a_synonym_only_when_declared_so():
    g = load_grammar(
        "%[a]\n    to @[city]\n@[city]\n    ~[new york]\n"
        "~[new york]('synonym': 'true')\n    NYC\n    big apple\n",
        dialect="chatito",
    )
    assert {(u.text, u.spans[0].value) for u in expand(g)} == {
        ("to NYC", "new york"),
        ("to big apple", "new york"),
    }
    plain = load_grammar(
        "%[a]\n    to @[city]\n@[city]\n    ~[new york]\n~[new york]\n    NYC\n    big apple\n",
        dialect="chatito",
    )
    assert {(u.text, u.spans[0].value) for u in expand(plain)} == {
        ("to NYC", None),
        ("to big apple", None),
    }


def test_chatito_slot_variations_keep_one_label():
    src = (
        "%[ask_for_delivery]\n    my parcel should be delivered in @[delivery_time#time_in_hours]\n"
        "    my parcel should be delivered @[delivery_time#relative_time]\n"
        "@[delivery_time#time_in_hours]\n    3 days\n    5 hours\n"
        "@[delivery_time#relative_time]\n    as fast as possible\n    quickly\n"
    )
    g = load_grammar(src, dialect="chatito")
    utts = list(expand(g))
    assert len(utts) == 4
    assert {s.label for u in utts for s in u.spans} == {"delivery_time"}
    assert "my parcel should be delivered in quickly" not in {u.text for u in utts}


def test_chatito_text_has_no_special_characters_except_references():
    assert texts("%[a]\n    50% off {today} a/b $x & y = z; ok\n", dialect="chatito") == [
        "50% off {today} a/b $x & y = z; ok"
    ]


def test_chatito_comments_with_slashes_and_hash():
    assert texts("// c\n# c\n%[a]\n    hi\n", dialect="chatito") == ["hi"]


def test_the_stray_bracket_hint_works_where_it_is_given():
    from textsynth.errors import GrammarErrors

    with pytest.raises(GrammarErrors) as exc:
        load_grammar("%[a]\n    a ] b\n")
    assert "escape it as '\\]'" in str(exc.value)
    assert [u.text for u in expand(load_grammar("%[a]\n    a \\] b\n"))] == ["a ] b"]
    # .chatito files have no escapes: a bare ']' is text there, as in Chatito
    assert [u.text for u in expand(load_grammar("%[a]\n    a ] b\n", dialect="chatito"))] == [
        "a ] b"
    ]


def test_opposite_optionals_are_counted_exactly():
    from textsynth.grammar import count

    g = load_grammar("%[go]\n    go ~[a?x] ~[b?!x] now\n~[a]\n    a1\n    a2\n~[b]\n    b1\n")
    assert count(g) == {"go": 3}
    assert sorted(u.text for u in expand(g)) == ["go a1 now", "go a2 now", "go b1 now"]
