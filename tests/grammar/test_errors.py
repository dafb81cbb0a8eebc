"""Every message of the error catalogue fires on its bad inputs, with a location and a caret."""

from __future__ import annotations

import re

import pytest

from textsynth.errors import GrammarError, GrammarErrors
from textsynth.grammar import GRAMMAR_ERROR_EXAMPLES, load_grammar

CASES = [(frag, src) for frag, sources in GRAMMAR_ERROR_EXAMPLES for src in sources]


def _load(tmp_path, src):
    if isinstance(src, dict):
        for name, text in src.items():
            (tmp_path / name).write_text(text, encoding="utf-8")
        return load_grammar(tmp_path / next(iter(src)))
    path = tmp_path / "bad.tsg"
    if isinstance(src, bytes):
        path.write_bytes(src)
    else:
        path.write_text(src, encoding="utf-8")
    return load_grammar(path)


def test_every_message_has_an_example():
    assert all(sources for _, sources in GRAMMAR_ERROR_EXAMPLES)


@pytest.mark.parametrize(
    "fragment,source", CASES, ids=[f"{f[:30]}-{i}" for i, (f, _) in enumerate(CASES)]
)
def test_bad_input_reports_message_and_location(tmp_path, fragment, source):
    with pytest.raises(GrammarErrors) as info:
        _load(tmp_path, source)
    errors = info.value.errors
    matching = [e for e in errors if fragment in e.message]
    assert matching, f"{fragment!r} not in {[e.message for e in errors]}"
    err = matching[0]
    assert err.location is not None and err.location.line >= 1
    text = info.value.format()
    assert re.search(r"\S+:\d+(:\d+)?: ", text), text
    if err.location.col:
        assert "^" in err.format()  # the caret under the column
    assert err.hint, "every error says what to do"


def test_unclosed_bracket_points_at_the_opening_bracket(tmp_path):
    with pytest.raises(GrammarErrors) as info:
        _load(tmp_path, "%[a]\n    hello ~[name\n")
    err = info.value.errors[0]
    assert (err.location.line, err.location.col) == (2, 11)
    assert err.format().splitlines()[0].endswith("bad.tsg:2:11: unclosed '~['")
    assert err.format().splitlines()[2] == "    " + " " * 10 + "^"


def test_undefined_reference_suggests_the_closest_name(tmp_path):
    with pytest.raises(GrammarErrors) as info:
        _load(tmp_path, "%[a]\n    go to ~[citys] now\n~[city]\n    paris\n")
    err = info.value.errors[0]
    assert "did you mean '~[city]'" in err.message
    assert (err.location.line, err.location.col) == (2, 11)


def test_all_errors_in_a_file_are_reported_at_once(tmp_path):
    src = (
        "%[a]\n"
        "    hello ~[name\n"  # unclosed
        "    go to ~[citys]\n"  # undefined
        "    [hi?/150]\n"  # bad percentage
        "~[x]\n    1\n~[x]\n    2\n"  # duplicate
    )
    with pytest.raises(GrammarErrors) as info:
        _load(tmp_path, src)
    messages = " | ".join(e.message for e in info.value.errors)
    for frag in ("unclosed", "undefined alias", "bad percentage", "duplicate definition"):
        assert frag in messages
    assert len(info.value.errors) >= 4
    assert info.value.format().endswith(f"{len(info.value.errors)} errors found.")


def test_grammar_errors_are_value_errors_with_exit_code_2():
    with pytest.raises(ValueError):
        load_grammar("%[a]\n    ~[nope]\n")
    assert GrammarError.exit_code == 2


def test_include_errors_point_at_the_include_line(tmp_path):
    (tmp_path / "main.tsg").write_text("%[a]\n    hi\n|missing.tsg\n", encoding="utf-8")
    with pytest.raises(GrammarErrors) as info:
        load_grammar(tmp_path / "main.tsg")
    err = info.value.errors[0]
    assert "missing.tsg" in err.message and err.location.line == 3
