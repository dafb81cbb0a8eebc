"""Every grammar error message, and the table of bad inputs that the tests iterate.

``GRAMMAR_ERROR_EXAMPLES`` is a list of ``(message fragment, [bad sources])``: each source,
loaded as a ``.tsg`` grammar (``files`` entries also write side files), must fail with an error
containing the fragment and a ``path:line:col`` location. Keep it in step with the messages.
"""

from __future__ import annotations

# syntax
UNCLOSED = "unclosed {what}"
UNEXPECTED_CLOSE = "unexpected ']' without a matching '['"
EMPTY_NAME = "empty name in reference"
BAD_PERCENT = "bad percentage '{value}'"
PERCENT_HINT = "write a number from 0 to 100 after '/', e.g. [word?/30]"
BAD_WEIGHT = "bad weight '{value}'"
WEIGHT_HINT = "write *[20%] (a percentage from 0 to 100) or *[2] (a relative weight >= 0)"
EMPTY_SYNONYM = "empty slot value after '='"
DECL_OPTIONAL = "a declaration cannot be optional"
TRAILING = "unexpected '{text}' after the declaration"
BAD_ARGS = "cannot read the arguments '({text})'"
ARGS_HINT = "write (N), ('training': 'N', 'testing': 'M') or (train: N, test: M)"
NOT_A_DECLARATION = "'{text}' is not a declaration"
ORPHAN_RULE = "indented rule outside any definition"
INCONSISTENT_INDENT = "inconsistent indentation"
UNKNOWN_HEADER = "unknown header '%{key}'"
# semantics
UNDEFINED = "undefined {kind} '{ref}'{suggestion}"
DUPLICATE = "duplicate definition of {kind} '{ref}' (first defined at {first})"
CYCLE = "reference cycle: {path}"
EMPTY_GRAMMAR = "the grammar defines no intents"
EMPTY_FILE = "empty grammar file"
EMPTY_DEFINITION = "{kind} '{ref}' has no rules"
BAD_COUNT = "bad count '{value}' for intent '{ref}'"
PERCENT_SUM = "rule percentages of '{ref}' add up to {total:g}% (more than 100%)"
ALL_WEIGHTS_ZERO = "every rule of '{ref}' has weight 0, so it can generate nothing"
EMPTY_UTTERANCE = "this rule of '{ref}' can generate an empty utterance"
EMPTY_UTTERANCE_HINT = "make a part of the rule non-optional, or remove the rule"
UNKNOWN_ARG = "unknown argument '${name}'"
INTENT_VARIATION = "intent '{ref}' cannot have a variation"
SLOT_IN_SLOT = "slot '{inner}' is used inside slot '{outer}'"
BAD_FAKER = "unknown Faker provider '{name}'{suggestion}"
FAKER_EMPTY = "Faker provider '{name}' gave no usable values"
BAD_HEADER_VALUE = "bad value '{value}' for header '%{key}'"
# files
MISSING_INCLUDE = "included file '{name}' not found"
INCLUDE_CYCLE = "include cycle: {path}"
NOT_UTF8 = "byte 0x{byte:02x} is not valid UTF-8"

#: (message fragment, [bad .tsg sources]); ``{"file.tsg": text}`` dicts add side files.
GRAMMAR_ERROR_EXAMPLES: list[tuple[str, list]] = [
    ("unclosed '~['", ["%[a]\n    hello ~[name\n", "%[a]\n    ~[x ~[y]\n~[y]\n    y\n"]),
    ("unclosed '['", ["%[a]\n    hello [big|small\n", "%[a]\n    [maybe?\n"]),
    ("unclosed '{'", ["%[a]\n    {a/b\n"]),
    ("unclosed '('", ["%[a](training: 2\n    hi\n"]),
    ("unclosed '*['", ["%[a]\n    *[20% hi\n"]),
    ("unexpected ']'", ["%[a]\n    hello ] there\n"]),
    ("empty name in reference", ["%[a]\n    hello ~[]\n"]),
    (
        "undefined alias '~[citys]' (did you mean '~[city]'?)",
        ["%[a]\n    go to ~[citys]\n~[city]\n    paris\n"],
    ),
    ("undefined slot '@[amount]'", ["%[a]\n    send @[amount]\n"]),
    ("undefined intent '%[other]'", ["%[a]\n    %[other]\n"]),
    ("undefined variation '~[city#plural]'", ["%[a]\n    ~[city#plural]\n~[city#one]\n    x\n"]),
    ("duplicate definition of alias '~[x]'", ["%[a]\n    ~[x]\n~[x]\n    1\n~[x]\n    2\n"]),
    ("duplicate definition of intent '%[a]'", ["%[a]\n    hi\n%[a]\n    ho\n"]),
    ("reference cycle: ~[x] -> ~[y] -> ~[x]", ["%[a]\n    ~[x]\n~[x]\n    ~[y]\n~[y]\n    ~[x]\n"]),
    ("reference cycle: ~[self] -> ~[self]", ["%[a]\n    ~[self]\n~[self]\n    a ~[self]\n"]),
    ("empty grammar file", ["", "; only a comment\n"]),
    ("the grammar defines no intents", ["~[x]\n    hello\n"]),
    ("intent '%[a]' has no rules", ["%[a]\n%[b]\n    hi\n"]),
    ("alias '~[x]' has no rules", ["%[a]\n    ~[x]\n~[x]\n"]),
    ("bad percentage '150'", ["%[a]\n    [hi?/150] you\n"]),
    ("bad percentage 'abc'", ["%[a]\n    ~[x?/abc] you\n~[x]\n    y\n"]),
    ("bad weight 'x'", ["%[a]\n    *[x] hi\n"]),
    ("bad weight '120%'", ["%[a]\n    *[120%] hi\n"]),
    ("add up to 130%", ["%[a]\n    *[70%] hi\n    *[60%] ho\n"]),
    ("bad count 'many'", ["%[a](many)\n    hi\n", "%[a](training: 'many')\n    hi\n"]),
    (
        "included file 'nope.tsg' not found",
        ["|nope.tsg\n%[a]\n    hi\n", "import nope.tsg\n%[a]\n    hi\n"],
    ),
    ("include cycle", [{"main.tsg": "|b.tsg\n%[a]\n    hi\n", "b.tsg": "|main.tsg\n"}]),
    ("is not valid UTF-8", [b"%[a]\n    caf\xe9\n"]),
    ("mixed tabs and spaces in indentation", ["%[a]\n \thi\n"]),
    ("inconsistent indentation", ["%[a]\n    hi\n  ho\n"]),
    ("indented rule outside any definition", ["    hi\n%[a]\n    hi\n"]),
    ("is not a declaration", ["hello\n%[a]\n    hi\n"]),
    ("unknown header '%langage'", ["%langage fr\n%[a]\n    hi\n"]),
    (
        "every rule of '%[a]' has weight 0",
        ["%[a]\n    *[0] hi\n    *[0%] ho\n"],
    ),
    (
        "this rule of '%[a]' can generate an empty utterance",
        ["%[a]\n    [hi?]\n", "%[a]\n    ~[x?] [y|z?]\n~[x]\n    x\n"],
    ),
    ("unknown argument '$WHO'", ["%[a]\n    ~[greet$x]\n~[greet$NAME]\n    hi $WHO\n"]),
    ("slot '@[b]' is used inside slot '@[a]'", ["%[i]\n    @[a]\n@[a]\n    x @[b]\n@[b]\n    y\n"]),
    (
        "unknown Faker provider 'citty' (did you mean 'city'?)",
        ["%[a]\n    @[c]\n@[c]\n    faker:citty\n"],
    ),
    ("intent '%[a#x]' cannot have a variation", ["%[a#x]\n    hi\n"]),
    ("a declaration cannot be optional", ["%[a?]\n    hi\n"]),
    ("cannot read the arguments", ["%[a](training 2, testing: 1)\n    hi\n"]),
    ("empty slot value after '='", ["%[a]\n    @[s]\n@[s]\n    x =\n"]),
    (
        "bad value 'xx_YY_ZZ' for header '%locale'",
        ["%locale xx_YY_ZZ\n%[a]\n    @[c]\n@[c]\n    faker:city\n"],
    ),
]
