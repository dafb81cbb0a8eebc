"""Numeric dates (the NER model finds written ones)."""

from __future__ import annotations

import re

from textsynth.pii.recognizers.base import Pattern, PatternRecognizer
from textsynth.registry import recognizers


@recognizers.register()
class DateRecognizer(PatternRecognizer):
    """``12/03/1984``, ``1984-03-12``, ``12.03.1984`` (day/month values checked)."""

    needs_digit = True

    name = "date"
    entity = "DATE"
    PATTERNS = (
        Pattern("dmy", r"\d(?<![\d/.-]\d)\d?([/.-])\d{1,2}\1(?:\d{4}|\d{2})(?![\d/.-]|\.\d)", 0.6),
        Pattern("iso", r"\d(?<![\d/.-]\d)\d{3}-\d{2}-\d{2}(?![\d/-])", 0.6),
    )
    context = (
        "born",
        "birth",
        "date",
        "dob",
        "né",
        "née",
        "naissance",
        "on",
        "geboren",
        "am",
        "le",
    )

    def validate(self, match: str) -> bool | None:  # noqa: D102
        parts = [int(p) for p in match.replace("/", "-").replace(".", "-").split("-")]
        if len(str(parts[0])) == 4 or match[:4].isdigit():
            parts = [parts[2], parts[1], parts[0]]
        a, b = parts[0], parts[1]
        if not (1 <= a <= 31 and 1 <= b <= 31 and (a <= 12 or b <= 12)):
            return False
        return None


_MONTH_WORDS = (
    "january february march april may june july august september october november december "
    "janvier février fevrier mars avril mai juin juillet août aout septembre octobre novembre "
    "décembre decembre januar februar märz maerz juni juli oktober dezember "
    "jan feb mar apr jun jul aug sep sept oct nov dec janv févr avr juil déc okt dez"
).split()
_M = r"(?:{})\.?".format("|".join(_MONTH_WORDS))
# a month, then a day that is no year: cheap (led by the months' first three letters) and
# rarely true in prose, where "1 November 1998" has the day first
_MONTH_THEN_DAY = r"(?i)(?:{})[^\W\d_]*\.?[ \t]+\d\d?(?!\d)".format(
    "|".join(sorted({w[:3] for w in _MONTH_WORDS}))
)
_WD = (
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|lundi|mardi|mercredi|jeudi|"
    r"vendredi|samedi|dimanche|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag)"
)


@recognizers.register()
class WrittenDateRecognizer(PatternRecognizer):
    """Written dates and clock times in en, fr, de: ``Montag, 3. März 2025``, ``lundi 3 mars``,
    ``March 14, 2025``, ``3:45 PM``, ``18h30``, ``14:20 Uhr``."""

    name = "written-date"
    entity = "DATE"
    PATTERNS = (
        Pattern(
            "day-month",
            rf"(?<![\w])(?:{_WD},?[ \t]+(?:(?:le|den|the)[ \t]+)?)?\d{{1,2}}(?:\.|er|st|nd|rd|th)?"
            rf"(?:[ \t]+of)?[ \t]+{_M}(?:,?[ \t]+\d{{4}})?(?![\w])",
            0.6,
            re.IGNORECASE,
            trigger=r"\d",
        ),
        Pattern(
            "month-day",
            rf"(?<![\w])(?:{_WD},?[ \t]+)?{_M}[ \t]+\d{{1,2}}(?:st|nd|rd|th)?(?:,?[ \t]+\d{{4}})?"
            r"(?![\w])",
            0.55,
            re.IGNORECASE,
            trigger=_MONTH_THEN_DAY,
        ),
        Pattern(
            "time",
            r"(?<![\w:.,])(?:[01]?\d|2[0-3])(?::[0-5]\d(?:[ \t]?(?:[ap]\.?m\.?|uhr))?|h[0-5]\d|"
            r"[ \t]?(?:[ap]\.?m\.?|uhr)|h)(?![\w])",
            0.45,
            re.IGNORECASE,
            trigger=r"(?i)\d(?::|h|\s?[ap]\.?m|\s?uhr)",
        ),
    )
