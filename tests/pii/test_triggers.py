"""A pattern's trigger and hints only skip work: wherever the pattern matches, they must pass.

The triggers are cheap necessary conditions (led by a literal, a digit or a space so that the
regex engine can skip to the few places that may start a match). A trigger that is stricter
than its pattern would silently lose findings, so every built-in pattern is checked on texts
it matches: a table of our own examples, and the hand-written support chats of the benchmark.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from textsynth.pii.recognizers import build_recognizers
from textsynth.pii.recognizers.base import Pattern

CHATS = Path(__file__).resolve().parents[2] / "eval" / "data" / "pii" / "support_chats"

# (pattern name, a text it matches): every pattern that has a trigger or hints
EXAMPLES = [
    ("nino", "my NI number is AB 12 34 56 C thanks"),
    ("nino-any", "temporary number QQ123456C"),
    ("iban", "IBAN: DE89 3704 0044 0532 0130 00"),
    ("iban", "pay to gb82west12345698765432 please"),
    ("uk", "Flat 2, London SW1A 1AA"),
    ("uk", "EC1A1BB"),
    ("ca", "Ottawa ON K1A 0B1"),
    ("uk-any-case", "postcode is nw1 6xe"),
    ("month-day", "on March 14, 2025 at noon"),
    ("month-day", "Montag, März 3"),
    ("month-day", "depuis le août 15"),
    ("month-day", "seit maerz 4"),
    ("month-day", "Sept. 3rd"),
    ("day-month", "born 3 March 1984"),
    ("town-code", "I live in Springfield 62704 now"),
    ("town-code", "shipped from Lyon 69001."),
    ("town-code", "near Brno 602 00"),
    ("nordic", "Ringvej 144, 2100 København"),
    ("nordic", "Snellmaninkatu 55"),
    ("unit", "Apt. 675 62314 Mellemvej 32"),
    ("unit", "suite 541"),
    ("unit", "Flat 3"),
    ("unit", "apt #12"),
    ("spelled", "jane dot doe at gmail dot com"),
    ("spelled", "write to jane(at)example.org"),
    ("spelled", "jane [at] example [dot] org"),
    ("domain", "see example.com for more"),
    ("domain", "shop.example.co.uk"),
    ("shape", "user jdoe_42 logged in"),
    ("shape", "maria.k2"),
    ("numbered", "application no. 12345/04"),
    ("numbered", "Nos. 1234/05 and 1235/05"),
    ("email", "mail me at jane.doe@example.com"),
    ("url-www", "www.example.org/path"),
    ("url-scheme", "https://example.org/a?b=1"),
    ("handle", "ping @jane_doe on it"),
    ("digits-short", "my zip code is 880"),
    ("partnership", "Barnett, Melton and Garcia"),
    ("box", "P.O. Box 123"),
    ("germanic", "Hauptstraße 5, 10115 Berlin"),
    ("romance", "12 rue de la Paix, Paris"),
    ("romance", "Avenida da Liberdade 245"),
    ("cued-id", "my order number is AB12345"),
    ("cued-id", "Case no. 4471-22"),
    ("cued", "my SSN is 123-45-6789"),
    ("cued", "username: jdoe_42"),
    ("ipv6", "from 2001:0db8:85a3:0000:0000:8a2e:0370:7334"),
    ("time", "see you at 3:45 PM"),
    ("time", "um 14:20 Uhr"),
]


def _patterns() -> dict[str, list[Pattern]]:
    out: dict[str, list[Pattern]] = {}
    for r in build_recognizers(None):
        for p in getattr(r, "patterns", ()):
            out.setdefault(p.name, []).append(p)
    from textsynth.pii.recognizers.address import _PATTERNS as STREETS

    for p in STREETS:
        out.setdefault(p.name, []).append(p)
    return out


def _matches(p: Pattern, text: str) -> bool:
    return p.compiled.search(text) is not None


@pytest.mark.parametrize(("name", "text"), EXAMPLES)
def test_trigger_passes_where_the_pattern_matches(name: str, text: str) -> None:
    pats = _patterns()[name]
    hits = [p for p in pats if _matches(p, text)]
    assert hits, f"{name!r} should match {text!r}"  # the example is a real match
    for p in hits:
        assert p.triggered(text, text.lower()), f"{name!r}: trigger/hints skip {text!r}"


def test_every_gated_pattern_has_an_example() -> None:
    gated = {n for n, ps in _patterns().items() if any(p.trigger or p.hints for p in ps)}
    assert gated <= {n for n, _ in EXAMPLES}, gated - {n for n, _ in EXAMPLES}


def test_triggers_never_skip_a_match_in_the_hand_written_chats() -> None:
    lines = [
        line
        for f in sorted(CHATS.glob("*.txt"))
        for line in f.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert len(lines) > 300
    checked = 0
    for name, pats in _patterns().items():
        for p in pats:
            if not (p.trigger or p.hints):
                continue
            for line in lines:
                for text in (line, line.lower()):
                    if _matches(p, text):
                        checked += 1
                        assert p.triggered(text, text.lower()), (name, text)
    assert checked > 50
