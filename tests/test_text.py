"""One definition of "the same text": the LM's seed-copy filter and the exact-match metric agree."""

from __future__ import annotations

import pytest

from textsynth import markup
from textsynth.text import normalise_text

# (a seed, a generated text, whether the generated text copies the seed)
CASES = [
    ("play rock n roll", "play rock_n_roll", True),  # the underscore separates words
    ("play rock n roll", "Play Rock-N-Roll!", True),
    ("what's the weather", "what s the weather", True),  # so does the apostrophe
    ("book a flight to paris", "Book a flight, to  PARIS!", True),
    ("book a flight to paris", "ｂｏｏｋ ａ ｆｌｉｇｈｔ ｔｏ ｐａｒｉｓ", True),  # NFKC
    ("Straße nach Köln", "STRASSE nach köln", True),  # casefold
    ("play rock n roll", "play rocknroll", False),  # a different word
    ("a café in lyon", "a cafe in lyon", False),  # accents are kept
    ("play song 12", "play song 1 2", False),  # digits are word characters
]


@pytest.mark.parametrize(("seed", "text", "copy"), CASES)
def test_normalise_text_decides_copies(seed: str, text: str, copy: bool) -> None:
    assert (normalise_text(text) == normalise_text(seed)) is copy


def test_normalise_text_form() -> None:
    assert normalise_text("  play rock_n_roll,  NOW ") == "play rock n roll now"
    assert normalise_text("___") == ""


def test_the_lm_filter_and_the_metric_agree_on_every_case() -> None:
    from textsynth.lm.filters import Candidate, ExactCopyFilter
    from textsynth.metrics.memorisation import exact_match_share

    for seed, text, copy in CASES:
        seeds = [markup.parse(seed, "X")]
        c = Candidate(text, "X")
        c.utterance = markup.parse(text, "X")
        kept = ExactCopyFilter(seeds).keep([c])
        share, flags = exact_match_share([text], [seed])
        assert kept == [not copy], (seed, text)
        assert flags == [copy] and share == float(copy), (seed, text)


def test_the_lm_and_the_metrics_use_this_definition() -> None:
    """No second copy of the rule may grow back in the LM or metrics packages."""
    import textsynth.lm.filters as filters
    import textsynth.metrics.memorisation as memorisation

    assert filters.normalise_text is normalise_text
    assert memorisation.normalise_text is normalise_text
    assert not hasattr(filters, "normalise")
